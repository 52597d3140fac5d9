/**
 * `npm run chaos`: the fault-injection proof. Runs the chaos engine of test/chaos/ (the bridge as a child process
 * against the fakes, a seeded workload, random faults on both sides, repeated `kill -9`) with polling and with
 * Market notifications, prints the figures, rewrites the `chaos` section of BENCHMARKS.md and exits non-zero when a
 * must-be-zero figure is not zero. What is measured and how it is counted: bench/README.md.
 *
 * Options, as `name=value` arguments (`--name=value` and `--name value` work too) or CHAOS_<NAME> variables:
 * messages, replies, crashes, chats, late (chats created during the run), deletes (topics deleted), reviews,
 * questions, late_threads (of those, created during the run), thread_posts (comments and answers written), seed,
 * seconds (workload length), mode (polling | notifications | both), write (yes | no: BENCHMARKS.md), log (the
 * bridge's LOG_LEVEL, default warn), keep (yes: keep the store and the bridge logs even when all is well).
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_OPTIONS, type ChaosOptions } from '../test/chaos/options.ts';
import { violations, type ChaosReport } from '../test/chaos/report.ts';
import { killAllBridges, runChaos } from '../test/chaos/run.ts';
import { crashRows, faultRows, figureRows } from '../test/chaos/tables.ts';
import { consoleTable, machine, runLine, stamp, table, writeSection, type Machine } from './lib.ts';

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
  set('reviews', int('reviews', 0));
  set('questions', int('questions', 0));
  set('lateThreads', int('late_threads', 0));
  set('threadPosts', int('thread_posts', 0));
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
      `\n== chaos, ${mode}: ${base.messages} buyer messages, ${base.replies} replies, ${base.reviews} reviews and ` +
        `${base.questions} questions with ${base.threadPosts} comments and answers, ${base.crashes} crashes, seed ${base.seed}`,
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
    for (const d of report.threads.duplicateList) {
      console.log(
        `duplicate ${d.what} (thread ${d.thread}): copies ${d.copies.join(', ')}, crash ${d.crashes.join(', ') || 'none'}`,
      );
    }
    if (report.keptDataDir) console.log(`store and bridge logs kept in ${report.keptDataDir}`);
    console.log(
      `\n${consoleTable(['kill', 'at s', 'up s', 'in flight TG/Market/landed later', 'dups', 'thread dups'], crashRows(report))}`,
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

function section(reports: readonly ChaosReport[], host: Machine, date: string): string {
  const headers = ['', ...reports.map((r) => r.mode)];
  const failed = reports.flatMap((r) => violations(r).map((v) => `${r.mode}: ${v.figure} = ${v.value}`));
  return [
    '## Chaos: kill -9 and injected faults',
    runLine([COMMAND, ...process.argv.slice(2)].join(' '), host, date),
    ...(failed.length > 0 ? [`**FAILED:** ${failed.join('; ')}.`, problemList(reports)] : []),
    table(headers, figureRows(reports)),
    '### Faults injected, and what the fakes answered',
    table(headers, faultRows(reports)),
  ].join('\n\n');
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
