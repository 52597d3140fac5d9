/**
 * Paced delivery of a burst: the real bridge (startApp in this process) with TELEGRAM_PACING=on and
 * TELEGRAM_GROUP_RATE=60, against a fake Telegram that answers 429 beyond 60 sends per rolling minute in a chat
 * (`setFloodLimit`). 150 buyer messages arrive at once: 100 in one chat first, then 50 spread over 14 small chats
 * (3–4 each), each with its own CHAT_MESSAGE_SENT. Measures the total time, the achieved rate against the
 * configured one, the 429s, that every message arrived once and in order per chat, and when each chat's first and
 * last message appeared (a small chat must not wait for the big one). Topics are created beforehand by a bridge
 * with pacing off, so the paced bridge starts with a fresh throttler and only the burst to post.
 *
 *   npm run bench:pacing           (takes about 2.5 minutes: the burst is paced at one message per second)
 */
import type { App } from '../src/app.ts';
import { GROUP_SPACING_MARGIN } from '../src/telegram/bot.ts';
import { GROUP_ID } from '../test/e2e/harness.ts';
import {
  chatMessageSent,
  runLine,
  consoleTable,
  describeMachine,
  fmt,
  machine,
  marker,
  postNotification,
  settle,
  stamp,
  startBenchWorld,
  table,
  until,
  watchdog,
  writeSection,
  type BenchWorld,
  type Machine,
} from './lib.ts';

const RATE = 60;
const BIG = 100;
/** Messages of the 14 small chats: 8 with 4, 6 with 3. */
const SMALL = [4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3];
const COMMAND = 'npm run bench:pacing';

/** PRIMED: a second burst of this many messages per chat into the first chats after a message primed the throttler. */
const PRIMED_CHATS = 10;
const PRIMED_PER_CHAT = 7;
/** How long after the priming message the second burst comes (seconds into the throttler's minute). */
const PRIMED_AFTER_MS = 10_000;

interface ChatPlan {
  chatId: number;
  label: string;
  markers: number[];
  threadId: number;
}

interface Outcome {
  plans: ChatPlan[];
  total: number;
  /** performance.now() of the first notification of the burst. */
  t0: number;
  /** performance.now() when the paced bridge was created, and when its throttler first posted into the group. */
  appAt: number;
  primedAt?: number;
  /** Every Bot API call of the burst (no getUpdates), with the time (performance.now()) and the answer's status. */
  answers: Array<{ at: number; status: number; method: string }>;
  duplicates: number;
  /** Per plan: the markers of this burst found in its topic at the end, in topic order (read from the fake). */
  inTopic: number[][];
}

const ENV = {
  MARKET_NOTIFICATIONS: 'on',
  MARKET_RECONCILE_INTERVAL: '86400',
  MARKET_FULL_SYNC_INTERVAL: '0',
};
const PACED = { ...ENV, TELEGRAM_PACING: 'on', TELEGRAM_GROUP_RATE: String(RATE) };

async function main(): Promise<void> {
  watchdog(290_000, 'bench:pacing');
  const host = await machine();
  const started = performance.now();
  const bench = await startBenchWorld();
  let fresh: Outcome;
  let primed: Outcome;
  try {
    const plans = await topics(bench);
    fresh = await burstFresh(bench, plans);
    console.error('burst on a fresh throttler: done');
    primed = await burstPrimed(bench, plans);
    console.error('burst 10 s into the throttler minute: done');
  } finally {
    await bench.close();
  }
  const seconds = (performance.now() - started) / 1000;
  report(host, fresh, primed, bench, seconds);
  await write(host, fresh, primed, bench, seconds);
}

/** One chat with 100 messages to come and 14 small ones, topics created by a bridge with pacing off (then stopped). */
async function topics(bench: BenchWorld): Promise<ChatPlan[]> {
  const { world } = bench;
  const market = world.market;
  const chatIds = [
    market.addChat({ contextType: 'ORDER', orderId: 90_000, customer: { name: 'Big buyer' } }),
    ...SMALL.map((_, i) =>
      market.addChat({ contextType: 'ORDER', orderId: 90_001 + i, customer: { name: `Small buyer ${i + 1}` } }),
    ),
  ];
  const setup = await world.start({ ...ENV, TELEGRAM_PACING: 'off' });
  for (const chatId of chatIds) {
    const id = market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Hello' });
    await postNotification(setup.httpPort, chatMessageSent(chatId, id));
  }
  await until(() => world.telegram.topics(GROUP_ID).length === chatIds.length, 'topics');
  await settle(setup);
  await setup.stop();
  return chatIds.map((chatId, i) => {
    const threadId = world.telegram.topics(GROUP_ID).find((t) => t.name.includes(String(90_000 + i)))?.threadId;
    if (threadId === undefined) throw new Error(`no topic for chat ${chatId}`);
    return { chatId, label: i === 0 ? 'big' : `small ${i}`, markers: [], threadId };
  });
}

let seq = 0;

/** Adds `count` marked buyer messages per plan to the fake Market: in `order`, the first plan's all at once. */
function addMessages(bench: BenchWorld, plans: ChatPlan[], counts: number[], bigFirst: boolean) {
  const order: Array<{ plan: ChatPlan; messageId: number }> = [];
  const add = (plan: ChatPlan) => {
    const n = ++seq;
    plan.markers.push(n);
    const messageId = bench.world.market.addMessage(plan.chatId, {
      sender: 'CUSTOMER',
      text: `${marker(n)} Где мой заказ?`,
    });
    order.push({ plan, messageId });
  };
  const start = bigFirst ? 1 : 0;
  if (bigFirst && plans[0]) for (let k = 0; k < (counts[0] ?? 0); k++) add(plans[0]);
  for (let k = 0; k < Math.max(...counts.slice(start)); k++) {
    for (let i = start; i < plans.length; i++) {
      const plan = plans[i];
      if (plan && k < (counts[i] ?? 0)) add(plan);
    }
  }
  return order;
}

/** Posts the burst's notifications, waits for every message, and collects what the fake Telegram answered. */
async function deliver(
  bench: BenchWorld,
  app: App,
  plans: ChatPlan[],
  order: Array<{ plan: ChatPlan; messageId: number }>,
  appAt: number,
  primedAt?: number,
): Promise<Outcome> {
  const { world } = bench;
  const callsBefore = world.telegram.calls.length;
  const duplicatesBefore = bench.telegram.duplicates;
  const t0 = performance.now();
  for (const { plan, messageId } of order)
    await postNotification(app.httpPort, chatMessageSent(plan.chatId, messageId));
  await Promise.all(plans.flatMap((p) => p.markers.map((n) => bench.telegram.waitFor(n, 200_000))));
  await settle(app);
  // A moment more, to see that nothing is posted twice.
  await new Promise((r) => setTimeout(r, 2_000));
  // The probe holds precise times for stored messages; for the others (429s) the fake's Date.now() stamp serves.
  const wallToPerf = performance.now() - Date.now();
  const answers = world.telegram.calls
    .slice(callsBefore)
    .filter((c) => c.method !== 'getUpdates')
    .map((c) => ({ at: c.at + wallToPerf, status: c.status, method: c.method }));
  const markers = plans.flatMap((p) => p.markers);
  const [lo, hi] = [Math.min(...markers), Math.max(...markers)];
  const inTopic = plans.map((p) =>
    world.telegram
      .messages(GROUP_ID, { threadId: p.threadId, fromBot: true })
      .flatMap((m) => [...(m.text ?? '').matchAll(/\bbm(\d+)\b/g)].map((x) => Number(x[1])))
      .filter((n) => n >= lo && n <= hi),
  );
  return {
    plans,
    inTopic,
    total: order.length,
    t0,
    appAt,
    primedAt,
    answers,
    duplicates: bench.telegram.duplicates - duplicatesBefore,
  };
}

/** The main case: a paced bridge just started, whose throttler posts its first message with the burst. */
async function burstFresh(bench: BenchWorld, all: ChatPlan[]): Promise<Outcome> {
  const plans = all.map((p) => ({ ...p, markers: [] }));
  bench.world.telegram.setFloodLimit({ perChatPerMinute: RATE });
  const appAt = performance.now();
  const app = await bench.world.start(PACED);
  try {
    await until(() => app.poller.rounds >= 1, 'the first poll');
    await settle(app);
    return await deliver(bench, app, plans, addMessages(bench, plans, [BIG, ...SMALL], true), appAt);
  } finally {
    await app.stop();
  }
}

/**
 * The same bridge configuration when the group's throttler already runs: one message posted, then, 10 s later, a burst
 * of 70 messages over 10 chats. The flood window of the fake is reset first (as after a quiet minute).
 */
async function burstPrimed(bench: BenchWorld, all: ChatPlan[]): Promise<Outcome> {
  const plans = all.slice(1, 1 + PRIMED_CHATS).map((p) => ({ ...p, markers: [] }));
  const first = plans[0];
  if (!first) throw new Error('no chats');
  bench.world.telegram.setFloodLimit({ perChatPerMinute: RATE });
  const appAt = performance.now();
  const app = await bench.world.start(PACED);
  try {
    await until(() => app.poller.rounds >= 1, 'the first poll');
    await settle(app);
    const [prime] = addMessages(bench, [first], [1], false);
    if (!prime) throw new Error('no priming message');
    await postNotification(app.httpPort, chatMessageSent(first.chatId, prime.messageId));
    const primedAt = (await bench.telegram.waitFor(seq)).storedAt;
    first.markers = [];
    await new Promise((r) => setTimeout(r, Math.max(0, primedAt + PRIMED_AFTER_MS - performance.now())));
    const order = addMessages(
      bench,
      plans,
      plans.map(() => PRIMED_PER_CHAT),
      false,
    );
    return await deliver(bench, app, plans, order, appAt, primedAt);
  } finally {
    await app.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

interface Figures {
  totalS: number;
  perMinute: number;
  maxInMinute: number;
  retries: number;
  firstRetryS: number;
  ok: boolean;
  rows: string[][];
  timeline: string[][];
  firstMaxS: number;
  lastMaxS: number;
}

/** Figures of one burst; `skipFirst` leaves the first chat (the big one) out of the small-chat maxima. */
function figures(o: Outcome, bench: BenchWorld, skipFirst: boolean): Figures {
  const at = (n: number) => bench.telegram.deliveries.get(n)?.storedAt ?? NaN;
  const sec = (t: number) => (t - o.t0) / 1000;
  const stored = o.plans.flatMap((p) => p.markers.map(at)).sort((a, b) => a - b);
  const last = stored.at(-1) ?? NaN;
  let maxInMinute = 0;
  for (let i = 0, j = 0; i < stored.length; i++) {
    while ((stored[j] ?? Infinity) <= (stored[i] ?? 0) - 60_000) j++;
    maxInMinute = Math.max(maxInMinute, i - j + 1);
  }
  const retries = o.answers.filter((a) => a.status === 429);
  let ok = o.duplicates === 0;
  const rows = o.plans.map((p, i) => {
    const times = p.markers.map(at);
    const exact = JSON.stringify(o.inTopic[i]) === JSON.stringify(p.markers) && !times.some(Number.isNaN);
    if (!exact) ok = false;
    return [
      p.label,
      fmt(p.markers.length, 0),
      fmt(sec(Math.min(...times)), 1),
      fmt(sec(Math.max(...times)), 1),
      exact ? 'yes' : `no (${o.inTopic[i]?.length ?? 0} in topic)`,
    ];
  });
  const bucket = 10;
  const timeline: string[][] = [];
  for (let from = 0; from < sec(last); from += bucket) {
    const sent = stored.filter((t) => sec(t) >= from && sec(t) < from + bucket).length;
    const r429 = retries.filter((a) => sec(a.at) >= from && sec(a.at) < from + bucket).length;
    timeline.push([`${from}–${from + bucket}`, String(sent), String(r429)]);
  }
  const others = o.plans.slice(skipFirst ? 1 : 0);
  return {
    totalS: sec(last),
    perMinute: (o.total / (last - o.t0)) * 60_000,
    maxInMinute,
    retries: retries.length,
    firstRetryS: retries[0] ? sec(retries[0].at) : NaN,
    ok,
    rows,
    timeline,
    firstMaxS: Math.max(...others.map((p) => sec(Math.min(...p.markers.map(at))))),
    lastMaxS: Math.max(...others.map((p) => sec(Math.max(...p.markers.map(at))))),
  };
}

const chatHeaders = ['chat', 'messages', 'first in topic, s', 'last in topic, s', 'all once, in order (topic content)'];
const timelineHeaders = ['seconds after the burst', 'messages posted', '429 answers'];

function summary(o: Outcome, f: Figures, what: string): string[][] {
  return [
    ['messages', what],
    ['total time (first notification → last message in Telegram)', `${fmt(f.totalS, 1)} s`],
    ['achieved rate over the burst', `${fmt(f.perMinute, 1)} msg/min (configured ${RATE})`],
    ['most messages posted in any rolling 60 s', String(f.maxInMinute)],
    [
      '429 answers from the fake Telegram',
      `${f.retries}${f.retries ? ` (first ${fmt(f.firstRetryS, 1)} s after the burst)` : ''}`,
    ],
    ['every message once, in order per chat', f.ok ? 'yes' : 'no'],
  ];
}

function report(host: Machine, fresh: Outcome, primed: Outcome, bench: BenchWorld, seconds: number): void {
  for (const [name, o, skip] of [
    ['fresh throttler', fresh, true],
    ['10 s into the throttler minute', primed, false],
  ] as const) {
    const f = figures(o, bench, skip);
    console.log(`\nPaced burst, ${name} (${describeMachine(host)}; ${fmt(seconds, 0)} s)\n`);
    console.log(consoleTable(['figure', 'value'], summary(o, f, String(o.total))));
    console.log('');
    console.log(consoleTable(chatHeaders, f.rows));
    console.log('');
    console.log(consoleTable(timelineHeaders, f.timeline));
  }
}

async function write(
  host: Machine,
  fresh: Outcome,
  primed: Outcome,
  bench: BenchWorld,
  seconds: number,
): Promise<void> {
  const f = figures(fresh, bench, true);
  const g = figures(primed, bench, false);
  const big = fresh.plans[0];
  const at = (n: number) => bench.telegram.deliveries.get(n)?.storedAt ?? NaN;
  const bigLast = big ? (Math.max(...big.markers.map(at)) - fresh.t0) / 1000 : NaN;
  const delay = (fresh.t0 - fresh.appAt) / 1000;
  const primedDelay = ((primed.t0 - (primed.primedAt ?? NaN)) / 1000).toFixed(1);
  const refillS = ((primed.primedAt ?? NaN) + 60_000 - primed.t0) / 1000;
  const spacingS = (60_000 / RATE / 1000) * GROUP_SPACING_MARGIN;
  await writeSection(
    'pacing',
    [
      '## Paced delivery of a burst',
      runLine(COMMAND, host, stamp(), seconds),
      '### Burst on a fresh throttler',
      table(
        ['figure', 'value'],
        [
          ['burst starts after the paced bridge started', `${fmt(delay, 1)} s`],
          ...summary(fresh, f, `${fresh.total} (1 chat × ${BIG}, ${SMALL.length} chats × 3–4)`),
          ['first message of the last small chat to start', `${fmt(f.firstMaxS, 1)} s`],
          ['all small chats complete by', `${fmt(f.lastMaxS, 1)} s (big chat: ${fmt(bigLast, 1)} s)`],
        ],
      ),
      '### The same, with the throttler already running',
      table(
        ['figure', 'value'],
        [
          ['throttler spacing between sends (minTime)', `${fmt(spacingS, 2)} s`],
          ['burst starts after the first send', `${primedDelay} s`],
          ["throttler's fixed window refills", `${fmt(refillS, 1)} s into the burst`],
          ...summary(primed, g, `${primed.total} (${primed.plans.length} chats × ${PRIMED_PER_CHAT})`),
        ],
      ),
    ].join('\n\n'),
  );
}

await main();
