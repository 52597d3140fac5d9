/**
 * `npm run chaos`: the fault-injection proof. Runs the chaos scenario of `chaos-lib.ts` (the bridge as a child
 * process against the fakes, a seeded workload, random faults on both sides, repeated `kill -9`) with polling
 * and with Market notifications, prints the figures, rewrites the `chaos` section of BENCHMARKS.md and exits
 * non-zero when a must-be-zero figure is not zero.
 *
 * Options, as `name=value` arguments (`--name=value` and `--name value` work too) or CHAOS_<NAME> variables:
 * messages, replies, crashes, chats, late (chats created during the run), deletes (topics deleted), seed,
 * seconds (workload length), mode (polling | notifications | both), write (yes | no: BENCHMARKS.md), log (the
 * bridge's LOG_LEVEL, default warn), keep (yes: keep the store and the bridge logs even when all is well).
 */
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_OPTIONS,
  killAllBridges,
  runChaos,
  violations,
  type ChaosOptions,
  type ChaosReport,
} from './chaos-lib.ts';
import { codeVersion, consoleTable, describeMachine, fmt, machine, stamp, table, writeSection } from './lib.ts';

const COMMAND = 'npm run chaos';

type Mode = 'polling' | 'notifications';

interface Cli {
  options: Partial<ChaosOptions>;
  modes: Mode[];
  write: boolean;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Cli {
  const given = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('CHAOS_') && value !== undefined) given.set(key.slice(6).toLowerCase(), value);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = (argv[i] ?? '').replace(/^--/, '');
    const eq = arg.indexOf('=');
    if (eq > 0) given.set(arg.slice(0, eq), arg.slice(eq + 1));
    else given.set(arg, argv[++i] ?? '');
  }
  const int = (name: string, min: number): number | undefined => {
    const raw = given.get(name);
    given.delete(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
    return n;
  };
  const options: Partial<ChaosOptions> = {};
  const set = <K extends keyof ChaosOptions>(key: K, value: ChaosOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('messages', int('messages', 2));
  set('replies', int('replies', 0));
  set('crashes', int('crashes', 0));
  set('chats', int('chats', 1));
  set('lateChats', int('late', 0));
  set('topicDeletes', int('deletes', 0));
  set('seed', int('seed', 0));
  const seconds = int('seconds', 5);
  if (seconds !== undefined) options.workloadMs = seconds * 1000;
  const mode = given.get('mode') ?? 'both';
  given.delete('mode');
  const modes: Mode[] =
    mode === 'both' ? ['polling', 'notifications'] : mode === 'polling' || mode === 'notifications' ? [mode] : [];
  if (modes.length === 0) throw new Error(`mode must be polling, notifications or both, got "${mode}"`);
  const write = !/^(no|false|0|off)$/i.test(given.get('write') ?? 'yes');
  given.delete('write');
  if (given.has('keep')) options.keep = /^(yes|true|1|on)$/i.test(given.get('keep') ?? '');
  given.delete('keep');
  const log = given.get('log');
  given.delete('log');
  if (log !== undefined) options.logLevel = log;
  if (given.size > 0)
    throw new Error(`unknown option ${[...given.keys()].join(', ')}: see the header of bench/chaos.ts`);
  return { options, modes, write };
}

const faultCount = (r: ChaosReport) => Object.values(r.faults).reduce((s, n) => s + n, 0);

const yesNo = (n: number) => (n === 0 ? '0' : `**${n}**`);

/** The rows of the main table: figure, then one cell per run. */
function figureRows(reports: readonly ChaosReport[]): string[][] {
  const row = (name: string, cell: (r: ChaosReport) => string) => [name, ...reports.map(cell)];
  const z = (r: ChaosReport) => r.mustBeZero;
  return [
    row(
      'buyer messages written / chats (of which born during the run)',
      (r) => `${fmt(r.buyerMessages, 0)} / ${r.chatsCreated} (${r.options.lateChats})`,
    ),
    row('operator replies typed', (r) => fmt(r.repliesTyped, 0)),
    row('kill -9 (each followed by a restart)', (r) => String(r.crashes.length)),
    row('topics deleted in Telegram', (r) => String(r.topicsDeleted)),
    row('faults injected', (r) => fmt(faultCount(r), 0)),
    row('**buyer messages lost** (must be 0)', (r) => yesNo(z(r).buyerMessagesLost)),
    row('**out of order within a topic** (must be 0)', (r) => yesNo(z(r).outOfOrder)),
    row('**garbled or in a wrong topic** (must be 0)', (r) => yesNo(z(r).garbled + z(r).wrongTopic)),
    row('buyer messages duplicated in Telegram (extra copies)', (r) => String(r.duplicates)),
    row('… of which not explained by a crash (must be 0)', (r) => yesNo(z(r).duplicatesWithoutCrash)),
    row('… most from one crash in one chat (design: 1)', (r) => String(r.maxDuplicatesPerChatPerCrash)),
    row('**replies delivered twice** (must be 0)', (r) => yesNo(z(r).repliesDeliveredTwice)),
    row('**replies lost** (must be 0)', (r) => yesNo(z(r).repliesLost)),
    row('**replies to a wrong chat / echoed into the topic** (must be 0)', (r) =>
      yesNo(z(r).repliesMisrouted + z(r).repliesEchoedIntoTopic),
    ),
    row('**chats without exactly 1 live topic** (must be 0)', (r) => yesNo(z(r).chatsWithoutOneLiveTopic)),
    row('live topics / chats', (r) => `${r.liveTopics} / ${r.chatsCreated}`),
    row('live topics without their context card first', (r) => String(r.topicsWithoutCard)),
    row('**bridge exits not caused by the run** (must be 0)', (r) => yesNo(z(r).unexpectedExits)),
    row('Retry pressed by the operator under "not delivered"', (r) => String(r.operatorRetries)),
    row('notifications posted / delivered / retried / given up', (r) =>
      r.notifications
        ? `${fmt(r.notifications.posted, 0)} / ${fmt(r.notifications.delivered, 0)} / ${fmt(r.notifications.retries, 0)} / ${r.notifications.gaveUp}`
        : '–',
    ),
    row('drain after the workload, s', (r) => `${r.drainS.toFixed(1)}${r.drained ? '' : ' (timed out)'}`),
    row('SIGTERM: exit code, s', (r) => `${String(r.stop.code ?? r.stop.signal)}, ${r.stop.seconds.toFixed(1)}`),
    row('run time, s', (r) => r.runS.toFixed(0)),
  ];
}

function faultRows(reports: readonly ChaosReport[]): string[][] {
  const kinds = [...new Set(reports.flatMap((r) => Object.keys(r.faults)))].sort();
  const seen = [...new Set(reports.flatMap((r) => Object.keys(r.observed)))].sort();
  return [
    ...kinds.map((k) => [`injected: ${k}`, ...reports.map((r) => String(r.faults[k] ?? 0))]),
    ...seen.map((k) => [`answered: ${k}`, ...reports.map((r) => String(r.observed[k] ?? 0))]),
  ];
}

function crashRows(report: ChaosReport): string[][] {
  return report.crashes.map((c, i) => [
    String(i + 1),
    c.atS.toFixed(1),
    `${c.uptimeS.toFixed(1)}${c.duringStartup ? ' (start-up)' : ''}`,
    `${c.telegramPostsInFlight} / ${c.marketRequestsInFlight} / ${c.marketSendsLandedAfterKill}`,
    `${c.duplicates} in ${c.chatsWithDuplicates} ${c.chatsWithDuplicates === 1 ? 'chat' : 'chats'}`,
  ]);
}

const CRASH_HEADERS = [
  'kill',
  'at s',
  'up s',
  'in flight: Telegram posts / Market requests / Market sends that took effect after the kill',
  'buyer messages posted twice',
];

async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n`);
    return 2;
  }
  const base = { ...DEFAULT_OPTIONS, ...cli.options };
  // Each run: workload, drain, and start-up slack; then everything is killed and the script gives up.
  const budgetMs = cli.modes.length * (base.workloadMs + base.drainTimeoutMs + 90_000);
  setTimeout(() => {
    process.stderr.write(`chaos: still running after ${Math.round(budgetMs / 1000)} s, giving up\n`);
    killAllBridges();
    process.exit(3);
  }, budgetMs).unref();
  process.once('SIGINT', () => {
    killAllBridges();
    process.exit(130);
  });

  const host = await machine();
  const started = stamp();
  const reports: ChaosReport[] = [];
  for (const mode of cli.modes) {
    console.log(
      `\n== chaos, ${mode}: ${base.messages} buyer messages, ${base.replies} replies, ${base.crashes} crashes, seed ${base.seed}`,
    );
    const report = await runChaos({
      ...cli.options,
      notifications: mode === 'notifications',
      progress: (line) => console.log(line),
    });
    reports.push(report);
    for (const p of report.problems.slice(0, 40)) console.log(`PROBLEM ${p}`);
    for (const d of report.duplicateList) {
      console.log(
        `duplicate m${d.n} (chat ${d.chat}): copies ${d.copies.join(', ')}, crash ${String(d.crash ?? 'none')}` +
          (d.firstCopyBeforeKill === false ? ', the killed process’s post landed after the kill' : ''),
      );
    }
    if (report.keptDataDir) console.log(`store and bridge logs kept in ${report.keptDataDir}`);
    console.log(
      `\n${consoleTable(['kill', 'at s', 'up s', 'in flight TG/Market/landed later', 'dups'], crashRows(report))}`,
    );
  }
  const headers = ['', ...reports.map((r) => r.mode)];
  console.log(`\n${consoleTable(headers, figureRows(reports))}`);
  console.log(`\n${consoleTable(headers, faultRows(reports))}`);

  const failed = reports.flatMap((r) => violations(r).map((v) => `${r.mode}: ${v.figure} = ${v.value}`));
  if (cli.write) await writeSection('chaos', section(reports, host, started));
  if (failed.length > 0) {
    console.error(`\nFAILED: ${failed.join('; ')}`);
    return 1;
  }
  console.log('\nAll must-be-zero figures are zero.');
  return 0;
}

/** The problems of failed runs, as a Markdown list (at most 10 a run). */
function problemList(reports: readonly ChaosReport[]): string {
  return reports
    .flatMap((r) => r.problems.slice(0, 10).map((p) => `- ${r.mode}: ${p.replace(/\*/g, '\\*')}`))
    .join('\n');
}

function section(reports: readonly ChaosReport[], host: Awaited<ReturnType<typeof machine>>, date: string): string {
  const o = reports[0]?.options ?? DEFAULT_OPTIONS;
  const headers = ['', ...reports.map((r) => r.mode)];
  const failed = reports.flatMap((r) => violations(r).map((v) => `${r.mode}: ${v.figure} = ${v.value}`));
  const dupCrashes = reports.map(
    (r) =>
      `${r.mode}: ${r.duplicates} extra ${r.duplicates === 1 ? 'copy' : 'copies'} from ${r.crashes.filter((c) => c.duplicates > 0).length} of ${r.crashes.length} crashes`,
  );
  const landed = reports.map((r) => `${r.mode}: ${r.crashes.reduce((s, c) => s + c.marketSendsLandedAfterKill, 0)}`);
  const noCard = reports.map((r) => `${r.mode}: ${r.topicsWithoutCard}`);
  const inFlight = reports.map(
    (r) =>
      `${r.mode}: ${r.crashes.filter((c) => c.telegramPostsInFlight + c.marketRequestsInFlight > 0).length} of ${r.crashes.length}`,
  );
  return `## Chaos: kill -9 and injected faults

**What is measured.** Whether the promise holds under crashes and faults: every buyer message reaches its
topic exactly once and in order, every operator reply reaches the buyer at most once and is never lost, one
topic per chat. The real bridge runs as a child process (\`node src/main.ts\`, as in production, with
\`TELEGRAM_PACING=off\`, \`MARKET_POLL_INTERVAL=1\`) against the fake Market and fake Telegram of \`test/fakes\`
(in the script's process, 127.0.0.1). A seeded plan (seed ${o.seed}) spreads over ${Math.round(o.workloadMs / 1000)} s:
${fmt(o.messages, 0)} buyer messages in ${o.chats} chats (${o.lateChats} of them created during the run; 35 % of
messages continue a burst in the previous chat; one closing message per chat after the workload),
${o.replies} operator replies (\`reply <n>\`, typed with \`userSends\` into the chat's topic once it carries its
context card), ${o.topicDeletes} topics deleted, a fault every ${o.faultEveryMs} ms on average (Market: 420 with
\`X-RateLimit-Resource-Until\` 1–2 s ahead, 500, 503, answers 0.2–8 s late, \`acceptThenReset\` and
\`resetBeforeEffect\` on sends, now and then a request that never gets an answer; Telegram: 429 with
\`retry_after\` 1, 500, answers 0.2–1.5 s late, dropped connections), and ${o.crashes} \`kill -9\` (SIGKILL), one
after another: one in five 0.1–1.5 s after the spawn (during the start-up), the others a random time after the
bridge first answers \`/healthz\` (while it works), each followed by a restart after 0–0.7 s. Then the injection
stops, the bridge drains until everything has arrived and nothing has moved for 3 s, and is stopped with
SIGTERM. The simulated operator presses Retry whenever a notice under their message says "not delivered" (the
notice is all they know, so also when the Market did take the message). Variant **notifications**:
\`MARKET_NOTIFICATIONS=on\` (reconciling poll every 30 s) and the script posts \`CHAT_CREATED\` and
\`CHAT_MESSAGE_SENT\` (for every message, our replies' echoes too) to the bridge, retrying (250 ms doubling to 2 s)
while it is down, as the Market retries. The fake Market's hourly quotas are raised out of the way (420s here are
injected, or the Market's own parallel-request limit); quota exhaustion is covered by the unit tests.

**How it is counted.** A mirrored buyer message is a bot message in a topic whose first line is the buyer
header and whose body starts with the message's marker \`m<n>\`; the context card, notices and the
"topic recreated" note are not counted. Deleting a topic deletes its messages in Telegram (and in the fake), so
just before each deletion the script saves the topic's bot messages; a message counts as delivered if it is in
the live topic of its chat or was in a topic of that chat when the topic was deleted (the bridge cannot post into
a deleted topic, so nothing is missed between the save and the deletion, which run in one tick). Topics are
told apart by the order number in their title. Message ids grow across the whole group, so sorting the saved and
live copies by id gives the order in which Telegram took them: **lost** = messages with no copy, **out of order**
= messages whose first copy came after the first copy of a later message of the same chat, **duplicates** =
copies after the first. A duplicate is **explained by a crash** when the first request for that message came
from a process that was later killed (it reached the fake before the next process was started, plus 250 ms for
bytes the killed process had already written) and the extra copy was posted after the kill (the group's highest
message id is recorded at each kill); the design allows one per chat per crash — the message whose post Telegram
took but whose cursor the killed process never wrote. Replies are counted in the fake Market's \`sent\` log:
**delivered twice** = extra copies of a reply text, **lost** = a typed reply absent from it. A reply typed into
a topic that is deleted before the bridge reads it has nowhere to go (Telegram deletes the operator's message
too), so topics are deleted only when no reply of their chat is on its way. "In flight" at a kill: Telegram
posting calls received and not answered (less than 2.5 s old; older ones were dropped connections), Market
requests open at the fake, and Market sends that were open and took effect after the kill (the fake finishes a
request whose client died, as a server does).

**Machine:** ${describeMachine(host)}. **Code:** ${codeVersion()}. **Command:** \`${COMMAND}\`
(options: messages, replies, crashes, chats, late, deletes, seed, seconds, mode). **Date:** ${date}.
${failed.length > 0 ? `\n**FAILED:** ${failed.join('; ')}.\n\n${problemList(reports)}\n` : ''}
${table(headers, figureRows(reports))}

Faults injected, and what the fakes answered (their request logs; a Market 420 also comes from its
parallel-request limit, an unanswered request from a reset, a hang or a killed client):

${table(headers, faultRows(reports))}

${reports
  .map(
    (r) => `Crashes, ${r.mode} (time since the start of the workload, how long the killed process had run, what
was in flight, extra copies of buyer messages the crash caused):

${table(CRASH_HEADERS, crashRows(r))}`,
  )
  .join('\n\n')}

**Observations (computed from this run).** Duplicates: ${dupCrashes.join('; ')}. Crashes with a request in
flight at the fakes: ${inFlight.join('; ')}. Market sends that took effect after the kill of the process that
made them: ${landed.join('; ')}. Live topics without their context card: ${noCard.join('; ')}. ${
    failed.length === 0
      ? 'Every must-be-zero figure is zero.'
      : 'A must-be-zero figure is not zero: see the problems printed by the command and the logs it kept.'
  }`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      killAllBridges();
      process.exit(code);
    },
    (err: unknown) => {
      killAllBridges();
      process.stderr.write(`chaos: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
