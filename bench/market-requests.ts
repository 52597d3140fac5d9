/**
 * Market requests per mirrored message: the real bridge (startApp in this process) against the fake Market
 * and fake Telegram, on a simulated wall clock so that hours of buyer activity run in seconds.
 *
 * - Workload: 50 chats and 1,000 buyer messages (bursts included) over about three simulated hours, mirrored
 *   (a) with push notifications plus reconciling polls every 300 s, (b) by polling every 30 s (the defaults).
 *   Rounds are run by the benchmark at those simulated instants through `app.poller.pollOnce()`, the method
 *   the poller's own timer runs; `Date` is shifted forward between events (see SimClock in lib.ts).
 * - One-chat burst: 20 buyer messages in one mirrored chat and their 20 notifications within a few seconds
 *   (real time): written at once and announced over 3 s in shuffled order; written 150 ms apart, each
 *   announced as it is written, with Telegram pacing off and on.
 * - Idle: 100, 1,000 and 5,000 chats of which 5 % are open, everything already mirrored: requests of one
 *   regular round and of one full sweep are measured, and the pace the poller itself chooses once nothing has
 *   changed for 5 minutes; the cost per hour is derived from them.
 * - Cross-check: the poller's own timer at MARKET_POLL_INTERVAL=1 in real time, requests per round, its pace
 *   right after start and once the simulated clock has moved 5 quiet minutes on.
 *
 *   npm run bench:market-requests
 */
import type { App } from '../src/app.ts';
import { IDLE_AFTER_MS } from '../src/market/poller.ts';
import {
  SimClock,
  chatCreated,
  chatMessageSent,
  runLine,
  consoleTable,
  countByOperation,
  describeMachine,
  diffCounts,
  fmt,
  machine,
  marker,
  postNotification,
  prng,
  settle,
  stamp,
  startBenchWorld,
  summarise,
  table,
  until,
  watchdog,
  writeSection,
  type BenchWorld,
} from './lib.ts';

const COMMAND = 'npm run bench:market-requests';
const CHATS = 50;
const MESSAGES_PER_CHAT = 20;
/** Chats are created over this span of simulated time. */
const CREATE_SPAN_MS = 2 * 3600_000;
/** A chat is finished at the Market this long after its last message. */
const FINISH_AFTER_MS = 30 * 60_000;
/** Rounds keep running this long after the last event. */
const DRAIN_MS = 10 * 60_000;
/** The defaults of MARKET_POLL_INTERVAL, MARKET_RECONCILE_INTERVAL and MARKET_FULL_SYNC_INTERVAL. */
const POLL_MS = 30_000;
const RECONCILE_MS = 300_000;
const FULL_SYNC_MS = 6 * 3600_000;
const IDLE_SIZES = [100, 1_000, 5_000];
const OPEN_SHARE = 0.05;
const IDLE_ROUNDS = 3;
/** getChats quota of the Market, per hour. */
const GET_CHATS_QUOTA = 5_000;
/** Messages (and notifications) of the one-chat burst, and the real time they arrive within. */
const BURST = 20;
const BURST_SPAN_MS = 3_000;
const TYPED_GAP_MS = 150;

const clock = new SimClock();

type Counts = Map<string, number>;
const total = (c: Counts) => [...c.values()].reduce((s, n) => s + n, 0);
const get = (c: Counts, op: string) => c.get(op) ?? 0;

// ---------------------------------------------------------------------------------------------------
// The workload

type Event =
  | { at: number; kind: 'chat'; chat: number }
  | { at: number; kind: 'messages'; chat: number; count: number }
  | { at: number; kind: 'finish'; chat: number };

/**
 * 50 chats created over two hours; each gets 20 buyer messages in bursts of 1 (45 %), 2–3 (30 %) or 4–6
 * (25 %) messages, 3–20 s apart or — 40 % of the time — in the same instant (a buyer pasting several lines),
 * bursts 2–10 minutes apart; a chat is finished 30 minutes after its last message. Seeded: the same on every run.
 */
function workload(start: number): Event[] {
  const rnd = prng(20_251_122);
  const events: Event[] = [];
  for (let chat = 0; chat < CHATS; chat++) {
    const created = start + Math.round(rnd() * CREATE_SPAN_MS);
    events.push({ at: created, kind: 'chat', chat });
    let t = created + 5_000 + Math.round(rnd() * 120_000);
    const times: number[] = [];
    while (times.length < MESSAGES_PER_CHAT) {
      const r = rnd();
      const size = r < 0.45 ? 1 : r < 0.75 ? 2 + Math.floor(rnd() * 2) : 4 + Math.floor(rnd() * 3);
      for (let i = 0; i < size && times.length < MESSAGES_PER_CHAT; i++) {
        if (i > 0 && rnd() >= 0.4) t += 3_000 + Math.round(rnd() * 17_000);
        times.push(t);
      }
      t += 120_000 + Math.round(rnd() * 480_000);
    }
    for (const at of new Set(times)) {
      events.push({ at, kind: 'messages', chat, count: times.filter((x) => x === at).length });
    }
    events.push({ at: (times.at(-1) ?? t) + FINISH_AFTER_MS, kind: 'finish', chat });
  }
  const order = { chat: 0, messages: 1, finish: 2 };
  return events.sort((a, b) => a.at - b.at || order[a.kind] - order[b.kind]);
}

interface WorkloadResult {
  mode: 'notifications' | 'polling';
  requests: Counts;
  startup: Counts;
  rounds: number;
  messages: number;
  mirrored: number;
  duplicates: number;
  /** Simulated seconds from a message being written to it being in its topic. */
  delays: number[];
  simHours: number;
  bursts: number;
  /** getChatHistory reads by what caused them, and how many of them found a message not mirrored yet. */
  reads: Map<string, { reads: number; found: number }>;
}

/** Why a polling round read a chat's history (the conditions of Bridge.chatSeen, seen from outside). */
const REASONS = {
  notification: 'a notification',
  created: 'round: chat not mirrored yet',
  status: 'round: status changed (chat finished)',
  updated: 'round: updatedAt differs from the stored one',
  slack: 'round: same updatedAt, read again (5-second same-second slack)',
} as const;

async function runWorkload(mode: 'notifications' | 'polling'): Promise<WorkloadResult> {
  const bench = await startBenchWorld();
  const { world } = bench;
  try {
    const app = await world.start({
      MARKET_NOTIFICATIONS: mode === 'notifications' ? 'on' : 'off',
      // The poller's timer only runs the round at start; the benchmark runs the others at simulated instants.
      MARKET_POLL_INTERVAL: '86400',
      MARKET_RECONCILE_INTERVAL: '86400',
      TELEGRAM_PACING: 'off',
    });
    await until(() => app.poller.rounds >= 1, 'the first poll');
    await settle(app);
    const startup = countByOperation(world.market.requests);
    const start = clock.now();
    const events = workload(start);
    const interval = mode === 'polling' ? POLL_MS : RECONCILE_MS;
    let nextRound = start + interval;
    let rounds = 0;
    const written = new Map<number, Array<{ messageId: number; at: number }>>();
    const reads = new Map<string, { reads: number; found: number }>();
    /** Attributes the history reads that arrived since `from` to a reason. */
    const attribute = (from: number, reasonOf: (chatId: number) => string) => {
      for (const { record } of bench.market.arrivals.slice(from)) {
        if (record.operationId !== 'getChatHistory') continue;
        const chatId = Number(record.query.chatId);
        const cursor = (record.body as { messageIdFrom?: number } | undefined)?.messageIdFrom ?? 0;
        const found = (written.get(chatId) ?? []).some((m) => m.messageId > cursor && m.at <= record.at);
        const reason = reasonOf(chatId);
        const entry = reads.get(reason) ?? { reads: 0, found: 0 };
        entry.reads++;
        if (found) entry.found++;
        reads.set(reason, entry);
      }
    };
    const round = async (at: number) => {
      clock.advanceTo(at);
      const stored = new Map(app.store.chats().map((r) => [Number(r.marketChatId), r.chat]));
      const from = bench.market.arrivals.length;
      bench.market.tag = 'round';
      await app.poller.pollOnce();
      await settle(app);
      bench.market.tag = '';
      rounds++;
      attribute(from, (chatId) => {
        const known = stored.get(chatId);
        const now = world.market.chat(chatId);
        if (!known || !now) return REASONS.created;
        if (Date.parse(known.updatedAt) !== Date.parse(now.updatedAt)) return REASONS.updated;
        if (known.status !== now.status) return REASONS.status;
        return REASONS.slack;
      });
    };
    const chatIds: number[] = [];
    const writtenAt = new Map<number, number>();
    let seq = 0;
    let bursts = 0;
    for (const event of events) {
      while (nextRound <= event.at) {
        await round(nextRound);
        nextRound += interval;
      }
      clock.advanceTo(event.at);
      const chatId = chatIds[event.chat] ?? 0;
      const from = bench.market.arrivals.length;
      switch (event.kind) {
        case 'chat': {
          chatIds[event.chat] = world.market.addChat({
            contextType: 'ORDER',
            orderId: 900_000 + event.chat,
            customer: { name: `Buyer ${event.chat}` },
          });
          if (mode === 'notifications') {
            await postNotification(app.httpPort, chatCreated(chatIds[event.chat] ?? 0));
            await settle(app);
          }
          break;
        }
        case 'messages': {
          if (event.count > 1) bursts++;
          const added = Array.from({ length: event.count }, () => {
            const n = ++seq;
            writtenAt.set(n, clock.now());
            const messageId = world.market.addMessage(chatId, {
              sender: 'CUSTOMER',
              text: `${marker(n)} Is the parcel on its way?`,
            });
            written.set(chatId, [...(written.get(chatId) ?? []), { messageId, at: clock.now() }]);
            return { n, messageId };
          });
          if (mode === 'notifications') {
            await Promise.all(
              added.map(({ messageId }) => postNotification(app.httpPort, chatMessageSent(chatId, messageId))),
            );
            await Promise.all(added.map(({ n }) => bench.telegram.waitFor(n)));
            await settle(app);
          }
          break;
        }
        case 'finish':
          world.market.setStatus(chatId, 'FINISHED');
          break;
      }
      attribute(from, () => REASONS.notification);
    }
    const end = (events.at(-1)?.at ?? start) + DRAIN_MS;
    while (nextRound <= end) {
      await round(nextRound);
      nextRound += interval;
    }
    const requests = diffCounts(countByOperation(world.market.requests), startup);
    const delays: number[] = [];
    for (const [n, at] of writtenAt) {
      const d = bench.telegram.deliveries.get(n);
      if (d) delays.push((d.wallAt - at) / 1000);
    }
    console.error(`workload, ${mode}: ${rounds} rounds, ${delays.length}/${seq} messages mirrored`);
    return {
      mode,
      requests,
      startup,
      rounds,
      messages: seq,
      mirrored: delays.length,
      duplicates: bench.telegram.duplicates,
      delays,
      simHours: (end - start) / 3600_000,
      bursts,
      reads,
    };
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// One-chat burst

interface BurstScenario {
  label: string;
  /** Written at once and announced over BURST_SPAN_MS, or written TYPED_GAP_MS apart and announced at once. */
  kind: 'pasted' | 'typed';
  env: Record<string, string>;
}

const BURSTS: BurstScenario[] = [
  {
    label: 'written at once, 20 notifications over 3 s (shuffled)',
    kind: 'pasted',
    env: { TELEGRAM_PACING: 'off' },
  },
  {
    label: `written ${TYPED_GAP_MS} ms apart, each notified as written`,
    kind: 'typed',
    env: { TELEGRAM_PACING: 'off' },
  },
  {
    label: `written ${TYPED_GAP_MS} ms apart, each notified as written; Telegram pacing on (60 posts/min)`,
    kind: 'typed',
    env: { TELEGRAM_PACING: 'on', TELEGRAM_GROUP_RATE: '60' },
  },
];

interface BurstResult {
  scenario: BurstScenario;
  requests: Counts;
  reads: number;
  found: number;
  mirrored: number;
  duplicates: number;
  /** Real seconds from the first message written to the last one stored in its topic. */
  seconds: number;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

/**
 * One chat, mirrored and idle, then BURST buyer messages and one CHAT_MESSAGE_SENT for each, within a few
 * seconds of real time; no poll runs meanwhile. Counts the Market requests until every message is in its topic.
 */
async function burst(scenario: BurstScenario): Promise<BurstResult> {
  const bench = await startBenchWorld();
  const { world } = bench;
  try {
    const chatId = world.market.addChat({ contextType: 'ORDER', orderId: 700_001, customer: { name: 'Burst' } });
    world.market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Hello' });
    const app = await world.start({
      MARKET_NOTIFICATIONS: 'on',
      MARKET_POLL_INTERVAL: '86400',
      MARKET_RECONCILE_INTERVAL: '86400',
      ...scenario.env,
    });
    await until(() => app.poller.rounds >= 1 && app.store.chats()[0]?.cursor !== undefined, 'the chat mirrored');
    await settle(app);
    const before = countByOperation(world.market.requests);
    const from = bench.market.arrivals.length;
    const rnd = prng(20_251_203);
    const written: Array<{ messageId: number; at: number }> = [];
    const write = (n: number) => {
      const messageId = world.market.addMessage(chatId, { sender: 'CUSTOMER', text: `${marker(n)} one more thing` });
      written.push({ messageId, at: clock.now() });
      return messageId;
    };
    const posts: Array<Promise<void>> = [];
    const t0 = performance.now();
    if (scenario.kind === 'pasted') {
      const ids = Array.from({ length: BURST }, (_, i) => write(i + 1));
      const offsets = ids.map(() => rnd() * BURST_SPAN_MS).sort((a, b) => a - b);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [ids[i], ids[j]] = [ids[j] ?? 0, ids[i] ?? 0];
      }
      for (const [i, id] of ids.entries()) {
        await sleepUntil(t0 + (offsets[i] ?? 0));
        posts.push(postNotification(app.httpPort, chatMessageSent(chatId, id)));
      }
    } else {
      for (let i = 0; i < BURST; i++) {
        await sleepUntil(t0 + i * TYPED_GAP_MS);
        posts.push(postNotification(app.httpPort, chatMessageSent(chatId, write(i + 1))));
      }
    }
    await Promise.all(posts);
    const delivered = await Promise.all(
      Array.from({ length: BURST }, (_, i) => bench.telegram.waitFor(i + 1, 120_000)),
    );
    const seconds = (Math.max(...delivered.map((d) => d.storedAt)) - t0) / 1000;
    await settle(app);
    let reads = 0;
    let found = 0;
    for (const { record } of bench.market.arrivals.slice(from)) {
      if (record.operationId !== 'getChatHistory') continue;
      const cursor = (record.body as { messageIdFrom?: number } | undefined)?.messageIdFrom ?? 0;
      reads++;
      if (written.some((m) => m.messageId > cursor && m.at <= record.at)) found++;
    }
    console.error(`burst, ${scenario.label}: ${reads} history reads`);
    return {
      scenario,
      requests: diffCounts(countByOperation(world.market.requests), before),
      reads,
      found,
      mirrored: bench.telegram.deliveries.size,
      duplicates: bench.telegram.duplicates,
      seconds,
    };
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Idle cost

interface IdleResult {
  chats: number;
  open: number;
  /** One regular round, polling mode (measured, mean of IDLE_ROUNDS). */
  pollingRound: Counts;
  /** One reconciling round with notifications on (measured, mean of IDLE_ROUNDS). */
  reconcileRound: Counts;
  /** One full sweep over every chat (measured). */
  fullSweep: Counts;
  /** The poller's round interval within 5 minutes of a change (its first round), polling mode. */
  pollingBusyMs: number;
  /** The poller's round interval once no round has seen a change for IDLE_AFTER_MS, polling mode. */
  pollingIdleMs: number;
  /** The same with notifications on. */
  reconcileIdleMs: number;
}

/** Chats written to long ago: `open` of them waiting for the buyer, the rest finished. */
function seedIdle(bench: BenchWorld, chats: number, open: number): void {
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = clock.now();
  for (let i = 0; i < chats; i++) {
    const chatId = bench.world.market.addChat({
      contextType: 'ORDER',
      orderId: 500_000 + i,
      customer: { name: `Buyer ${i}` },
      createdAt: iso(now - 3 * 86_400_000),
    });
    bench.world.market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Hello', createdAt: iso(now - 2 * 86_400_000) });
    if (i < open) {
      bench.world.market.addMessage(chatId, {
        sender: 'PARTNER',
        text: 'Hello, how can we help?',
        createdAt: iso(now - 86_400_000),
      });
    } else {
      bench.world.market.setStatus(chatId, 'FINISHED');
    }
  }
}

/**
 * Runs `rounds` rounds through `pollOnce`, each `everyMs` of simulated time after the previous one (by default
 * at the pace the poller chose), and returns the mean requests of one round.
 */
async function measureRounds(bench: BenchWorld, app: App, rounds: number, everyMs?: number): Promise<Counts> {
  const before = countByOperation(bench.world.market.requests);
  for (let i = 0; i < rounds; i++) {
    clock.advanceTo(clock.now() + (everyMs ?? app.poller.roundIntervalMs));
    await app.poller.pollOnce();
    await settle(app);
  }
  const diff = diffCounts(countByOperation(bench.world.market.requests), before);
  return new Map([...diff].map(([op, n]) => [op, n / rounds]));
}

/**
 * Starts the app with the default intervals (its first round, which counts as a change, runs at once) and
 * returns it with a check that its own timer has not run a round since: the benchmark runs the rounds, so the
 * timer's next round, an interval of real time after the first, must not come while it counts.
 */
async function startIdle(bench: BenchWorld, env: Record<string, string>, intervalMs: number) {
  const app = await bench.world.start({ MARKET_FULL_SYNC_INTERVAL: String(FULL_SYNC_MS / 1000), ...env });
  await until(() => app.poller.rounds >= 1, 'the first poll', 60_000);
  const firstRoundAt = clock.now();
  const deadline = performance.now() + intervalMs - 1_000;
  /** Throws unless the poller's rounds since its first are exactly the `ours` the benchmark ran, in time. */
  const check = (ours: number) => {
    if (performance.now() >= deadline || app.poller.rounds !== 1 + ours) {
      throw new Error(`the poller's own timer may have run a round during the measurement: too slow a machine`);
    }
  };
  await settle(app);
  return { app, firstRoundAt, check };
}

/** Rounds at the poller's own pace until IDLE_AFTER_MS has passed since `since` (its last change). */
async function quietRounds(app: App, since: number): Promise<number> {
  let rounds = 0;
  while (clock.now() < since + IDLE_AFTER_MS) {
    clock.advanceTo(clock.now() + app.poller.roundIntervalMs);
    await app.poller.pollOnce();
    await settle(app);
    rounds++;
  }
  return rounds;
}

async function idleCost(chats: number): Promise<IdleResult> {
  const open = Math.round(chats * OPEN_SHARE);
  const bench = await startBenchWorld();
  try {
    seedIdle(bench, chats, open);
    const defaults = {
      MARKET_POLL_INTERVAL: String(POLL_MS / 1000),
      MARKET_RECONCILE_INTERVAL: String(RECONCILE_MS / 1000),
      TELEGRAM_PACING: 'off',
    };
    const polling = await startIdle(bench, { ...defaults, MARKET_NOTIFICATIONS: 'off' }, POLL_MS);
    if (polling.app.store.chats().length !== open) {
      throw new Error(`expected ${open} mirrored chats, the store has ${polling.app.store.chats().length}`);
    }
    const pollingRound = await measureRounds(bench, polling.app, IDLE_ROUNDS);
    const pollingBusyMs = polling.app.poller.roundIntervalMs;
    const quiet = await quietRounds(polling.app, polling.firstRoundAt);
    const pollingIdleMs = polling.app.poller.roundIntervalMs;
    // The next round is a full sweep once MARKET_FULL_SYNC_INTERVAL has passed.
    const fullSweep = await measureRounds(bench, polling.app, 1, FULL_SYNC_MS);
    polling.check(IDLE_ROUNDS + quiet + 1);
    if (polling.app.poller.roundIntervalMs !== pollingIdleMs) {
      throw new Error(`the full sweep changed the idle pace to ${polling.app.poller.roundIntervalMs} ms`);
    }
    await polling.app.stop();

    const pushed = await startIdle(bench, { ...defaults, MARKET_NOTIFICATIONS: 'on' }, RECONCILE_MS);
    const reconcileRound = await measureRounds(bench, pushed.app, IDLE_ROUNDS);
    const pushedQuiet = await quietRounds(pushed.app, pushed.firstRoundAt);
    const reconcileIdleMs = pushed.app.poller.roundIntervalMs;
    pushed.check(IDLE_ROUNDS + pushedQuiet);
    console.error(`idle, ${chats} chats: done`);
    return { chats, open, pollingRound, reconcileRound, fullSweep, pollingBusyMs, pollingIdleMs, reconcileIdleMs };
  } finally {
    await bench.close();
  }
}

/** Requests per hour: `perHour` regular rounds, of which one in every FULL_SYNC_MS is a full sweep instead. */
function hourly(round: Counts, full: Counts, roundsPerHour: number): number {
  return total(round) * roundsPerHour + (total(full) - total(round)) / (FULL_SYNC_MS / 3600_000);
}

// ---------------------------------------------------------------------------------------------------
// Cross-check with the poller's own timer

interface TimerCheck {
  rounds: number;
  getChatsPerRound: number;
  othersPerRound: number;
  /** Real time between rounds right after start, measured, and as the poller decided it. */
  busyMs: number;
  busyDecidedMs: number;
  /** The same once the simulated clock has moved IDLE_AFTER_MS on without a change. */
  idleMs: number;
  idleDecidedMs: number;
}

async function timerCheck(): Promise<TimerCheck> {
  const bench = await startBenchWorld();
  try {
    seedIdle(bench, 100, 5);
    const app = await bench.world.start({ MARKET_NOTIFICATIONS: 'off', MARKET_POLL_INTERVAL: '1' });
    await until(() => app.poller.rounds >= 2, 'two polls', 30_000);
    await settle(app);
    const rounds0 = app.poller.rounds;
    const before = countByOperation(bench.world.market.requests);
    const t0 = performance.now();
    await until(() => app.poller.rounds >= rounds0 + 4, 'four more polls', 30_000);
    const elapsed = performance.now() - t0;
    const diff = diffCounts(countByOperation(bench.world.market.requests), before);
    const rounds = app.poller.rounds - rounds0;
    const busyDecidedMs = app.poller.roundIntervalMs;
    // Five quiet minutes pass (in simulated time): the next round decides the idle pace, the one after keeps it.
    clock.advanceTo(clock.now() + IDLE_AFTER_MS);
    const idle0 = app.poller.rounds;
    await until(() => app.poller.rounds >= idle0 + 1, 'the round after five quiet minutes', 30_000);
    const t1 = performance.now();
    await until(() => app.poller.rounds >= idle0 + 2, 'a round at the idle pace', 30_000);
    return {
      rounds,
      getChatsPerRound: get(diff, 'getChats') / rounds,
      othersPerRound: (total(diff) - get(diff, 'getChats')) / rounds,
      busyMs: elapsed / rounds,
      busyDecidedMs,
      idleMs: performance.now() - t1,
      idleDecidedMs: app.poller.roundIntervalMs,
    };
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  watchdog(175_000, 'bench:market-requests');
  clock.install();
  const host = await machine();
  const started = performance.now();
  const push = await runWorkload('notifications');
  const poll = await runWorkload('polling');
  const bursts: BurstResult[] = [];
  for (const scenario of BURSTS) bursts.push(await burst(scenario));
  const idle: IdleResult[] = [];
  for (const chats of IDLE_SIZES) idle.push(await idleCost(chats));
  const timer = await timerCheck();
  const seconds = (performance.now() - started) / 1000;

  // --- workload table
  const ops = ['getChats', 'getChat', 'getChatHistory'];
  const others = (c: Counts) => total(c) - ops.reduce((s, op) => s + get(c, op), 0);
  const row = (label: string, f: (r: WorkloadResult) => number) => [
    label,
    fmt(f(push), 0),
    fmt(f(push) / push.messages),
    fmt(f(poll), 0),
    fmt(f(poll) / poll.messages),
  ];
  const workHeaders = [
    'Market operation',
    'notifications: requests',
    'per message',
    'polling 30 s: requests',
    'per message',
  ];
  const workRows = [
    ...ops.map((op) => row(op, (r) => get(r.requests, op))),
    row('other', (r) => others(r.requests)),
    row('**total**', (r) => total(r.requests)),
    row('… of which driven by messages (all but getChats)', (r) => total(r.requests) - get(r.requests, 'getChats')),
  ];
  const delay = (r: WorkloadResult) => summarise(r.delays);
  const factHeaders = ['', 'notifications', 'polling 30 s'];
  const factRows = [
    ['simulated time', `${fmt(push.simHours, 1)} h`, `${fmt(poll.simHours, 1)} h`],
    ['polling rounds run', `${push.rounds} (every 300 s)`, `${poll.rounds} (every 30 s)`],
    [
      'getChats pages per round',
      fmt(get(push.requests, 'getChats') / push.rounds),
      fmt(get(poll.requests, 'getChats') / poll.rounds),
    ],
    ['instants with several messages', String(push.bursts), String(poll.bursts)],
    ['start-up requests (not counted above)', describeCounts(push.startup), describeCounts(poll.startup)],
    ['messages mirrored / written', `${push.mirrored} / ${push.messages}`, `${poll.mirrored} / ${poll.messages}`],
    ['duplicate posts', String(push.duplicates), String(poll.duplicates)],
    ['mirror delay p50 / p99 / max (simulated s)', delayText(delay(push)), delayText(delay(poll))],
  ];

  // --- history reads by cause
  const readHeaders = [
    'getChatHistory reads caused by',
    'notifications: reads',
    'found a new message',
    'polling 30 s: reads',
    'found a new message',
  ];
  const cell = (r: WorkloadResult, reason: string) => r.reads.get(reason) ?? { reads: 0, found: 0 };
  const readRows = Object.values(REASONS).map((reason) => [
    reason,
    fmt(cell(push, reason).reads, 0),
    fmt(cell(push, reason).found, 0),
    fmt(cell(poll, reason).reads, 0),
    fmt(cell(poll, reason).found, 0),
  ]);

  // --- burst table
  const burstHeaders = [
    `${BURST} buyer messages in one chat, ${BURST} notifications`,
    'Market requests',
    'getChatHistory reads',
    'found a new message',
    'Market requests per message',
    'mirrored / duplicates',
    'all in the topic after (s)',
  ];
  const burstRows = bursts.map((b) => [
    b.scenario.label,
    describeCounts(b.requests),
    String(b.reads),
    String(b.found),
    fmt(total(b.requests) / BURST),
    `${b.mirrored} / ${b.duplicates}`,
    fmt(b.seconds, 1),
  ]);

  // --- idle table
  const idleHeaders = [
    'chats (open)',
    'requests per regular round',
    'requests per full sweep',
    'polling: round every (busy → idle)',
    'polling, idle: requests/hour',
    'getChats quota used, polling (busy → idle)',
    'notifications: round every (idle)',
    'notifications, idle: requests/hour',
    'getChats quota used, notifications (idle)',
  ];
  const perHour = (ms: number) => 3600_000 / ms;
  const share = (n: number) => `${fmt((n / GET_CHATS_QUOTA) * 100, 1)} %`;
  const idleRows = idle.map((r) => {
    const pollBusyHour = hourly(r.pollingRound, r.fullSweep, perHour(r.pollingBusyMs));
    const pollHour = hourly(r.pollingRound, r.fullSweep, perHour(r.pollingIdleMs));
    const pushHour = hourly(r.reconcileRound, r.fullSweep, perHour(r.reconcileIdleMs));
    return [
      `${fmt(r.chats, 0)} (${fmt(r.open, 0)})`,
      `${describeCounts(r.pollingRound)}${sameCounts(r.pollingRound, r.reconcileRound) ? '' : ` (reconciling: ${describeCounts(r.reconcileRound)})`}`,
      describeCounts(r.fullSweep),
      `${secondsText(r.pollingBusyMs)} → ${secondsText(r.pollingIdleMs)}`,
      fmt(pollHour, 0),
      `${share(pollBusyHour)} → ${share(pollHour)}`,
      secondsText(r.reconcileIdleMs),
      fmt(pushHour, 0),
      share(pushHour),
    ];
  });

  console.log(`\nMarket requests per mirrored message (${describeMachine(host)}; ${fmt(seconds, 0)} s)\n`);
  console.log(consoleTable(workHeaders, workRows));
  console.log('');
  console.log(consoleTable(factHeaders, factRows));
  console.log('');
  console.log(consoleTable(readHeaders, readRows));
  console.log(`\nOne-chat burst (real time, notifications on, no poll meanwhile)\n`);
  console.log(consoleTable(burstHeaders, burstRows));
  console.log(`\nIdle cost (per round and pace: measured; per hour: derived)\n`);
  console.log(consoleTable(idleHeaders, idleRows));
  const timerHeaders = ['poller timer, real time, 100 chats (5 open)', 'value'];
  const timerRows = [
    ['rounds (right after start)', String(timer.rounds)],
    ['getChats / other requests per round', `${fmt(timer.getChatsPerRound)} / ${fmt(timer.othersPerRound)}`],
    [
      'one round every, right after start (MARKET_POLL_INTERVAL=1): measured / decided',
      `${fmt(timer.busyMs / 1000)} s / ${fmt(timer.busyDecidedMs / 1000)} s`,
    ],
    [
      'one round every, after 5 quiet minutes (simulated): measured / decided',
      `${fmt(timer.idleMs / 1000)} s / ${fmt(timer.idleDecidedMs / 1000)} s`,
    ],
  ];
  console.log('');
  console.log(consoleTable(timerHeaders, timerRows));

  await writeSection(
    'market-requests',
    [
      '## Market requests per mirrored message',
      runLine(COMMAND, host, stamp(), seconds),
      table(workHeaders, workRows),
      table(factHeaders, factRows),
      '### getChatHistory reads by cause',
      table(readHeaders, readRows),
      '### One-chat burst (real time, notifications on, no poll meanwhile)',
      table(burstHeaders, burstRows),
      '### Idle cost (per round and pace: measured; per hour: derived)',
      table(idleHeaders, idleRows),
      "### Cross-check with the poller's own timer",
      table(timerHeaders, timerRows),
    ].join('\n\n'),
  );
}

/** An interval in seconds, with one decimal when it is not a whole number of them. */
function secondsText(ms: number): string {
  return `${fmt(ms / 1000, Number.isInteger(ms / 1000) ? 0 : 1)} s`;
}

function delayText(s: ReturnType<typeof summarise>): string {
  return `${fmt(s.p50, 3)} / ${fmt(s.p99, 3)} / ${fmt(s.max, 3)}`;
}

function describeCounts(c: Counts): string {
  const parts = [...c].filter(([, n]) => n > 0).map(([op, n]) => `${fmt(n, Number.isInteger(n) ? 0 : 2)} ${op}`);
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

function sameCounts(a: Counts, b: Counts): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].every((k) => Math.abs(get(a, k) - get(b, k)) < 1e-9);
}

await main();
process.exit(0);
