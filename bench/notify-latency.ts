/**
 * Notification-to-topic latency: the time from the Market posting CHAT_MESSAGE_SENT to the message being
 * stored in its forum topic by the fake Telegram, through the real bridge (startApp in this process, Telegram
 * pacing off, reconciling polls a day apart). The same fake round trips without the bridge (a bare
 * notification hop, one history read, one sendMessage) are the baseline, so marketgram's own overhead shows.
 *
 *   npm run bench:notify-latency            (BENCH_N=… changes the number of messages per scenario)
 */
import { createServer } from 'node:http';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { Api } from 'grammy';
import { Agent, request } from 'undici';
import type { App } from '../src/app.ts';
import { marketChatId, marketMessageId, topicId } from '../src/bridge/ids.ts';
import type { ChatRecord } from '../src/bridge/store-port.ts';
import { JsonStore } from '../src/store/store.ts';
import { API_KEY, BUSINESS_ID, GROUP_ID, TOKEN } from '../test/e2e/harness.ts';
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
  summarise,
  table,
  until,
  watchdog,
  writeSection,
  type BenchWorld,
  type Summary,
} from './lib.ts';
import { listenOnLoopback } from '../test/fakes/loopback.ts';

const N = Number(process.env.BENCH_N ?? 500);
const CHATS = 10;
const BURST = 10;
/** Notifications in flight at once in the saturation scenario. */
const CONCURRENCY = 16;
/** The Market client's default limit of requests in flight (MarketClientOptions.maxConcurrent). */
const MARKET_PARALLEL = 2;
const WARMUP = 100;
/** Finished chats already in the store for the second set of runs, and the messages measured there. */
const BIG_STORE = 5_000;
const BIG_N = Math.min(N, 200);
const BIG_WARMUP = 20;
/** Store sizes (chats) for the commit-cost table. */
const STORE_SIZES = [1_000, 5_000, 20_000];
const COMMAND = 'npm run bench:notify-latency';

/** One message's way through, in performance.now() milliseconds. */
interface Sample {
  t0: number;
  /** The notification was acknowledged. */
  ack: number;
  /** The history read for its chat reached the fake Market (sequential scenarios only). */
  history?: number;
  /** sendMessage reached the fake Telegram. */
  arrived: number;
  /** The fake Telegram stored it: it is in the topic. */
  stored: number;
}

interface Result {
  name: string;
  samples: Sample[];
  /** From the first notification to the last message stored. */
  elapsedMs: number;
  historyReads?: number;
  storeWrites?: number;
  /** Event-loop delay during the run (ms), bridge runs only. */
  loopDelay?: { p99: number; max: number };
}

async function main(): Promise<void> {
  watchdog(175_000, 'bench:notify-latency');
  const host = await machine();
  const results: Result[] = [];

  // 1. The bridge with a fresh store, then the baseline on the same fakes.
  const bench = await startBenchWorld();
  const { world } = bench;
  let commits: Summary;
  let storeBytes: number;
  let scaling: StoreScale[];
  try {
    const app = await startBridge(bench);
    const messages = new Messages(bench);
    const { chats, burstChat } = await prepareChats(bench, app, messages, WARMUP);
    const run = measurer(bench, app, results);
    await run('marketgram, one at a time, 10 chats', () => bridgeSequential(app, messages, chats, N));
    await run(`marketgram, ${CONCURRENCY} in flight, 10 chats`, () => bridgeConcurrent(app, messages, chats, N));
    await run(`marketgram, bursts of ${BURST} in one chat`, () => bridgeBursts(app, messages, burstChat, N));

    commits = await commitCost(app);
    storeBytes = await dirBytes(world.dataDir);
    const template = app.store.findChat(marketChatId(chats[0] ?? 0));
    if (!template) throw new Error('no chat record to copy');
    scaling = await commitScaling(template);
    const topics = new Map<number, number>();
    for (const chatId of [...chats, burstChat]) {
      const topicId = app.store.findChat(marketChatId(chatId))?.topicId;
      if (topicId === undefined) throw new Error(`chat ${chatId} has no topic`);
      topics.set(chatId, topicId);
    }
    await app.stop();

    const baseline = await Baseline.start(bench, topics);
    try {
      await baseline.sequential(messages, chats, WARMUP);
      const baseRun = async (name: string, fn: () => Promise<Sample[]>) => {
        const reads = world.market.count('getChatHistory');
        const samples = await fn();
        const elapsedMs = Math.max(...samples.map((s) => s.stored)) - Math.min(...samples.map((s) => s.t0));
        results.push({ name, samples, elapsedMs, historyReads: world.market.count('getChatHistory') - reads });
        console.error(`${name}: done`);
      };
      await baseRun('baseline, one at a time, 10 chats', () => baseline.sequential(messages, chats, N));
      await baseRun(`baseline, ${CONCURRENCY} in flight, 10 chats`, () => baseline.concurrent(messages, chats, N));
      await baseRun(`baseline, bursts of ${BURST} in one chat`, () => baseline.bursts(messages, burstChat, N));
    } finally {
      await baseline.close();
    }
  } finally {
    await bench.close();
  }

  // 2. The bridge again, its store already holding BIG_STORE finished chats from earlier days.
  const big = await startBenchWorld();
  try {
    await prefillStore(big.world.dataDir, BIG_STORE);
    const app = await startBridge(big);
    const messages = new Messages(big);
    const { chats, burstChat } = await prepareChats(big, app, messages, BIG_WARMUP);
    const run = measurer(big, app, results);
    const suffix = `, store with ${fmt(BIG_STORE, 0)} older chats`;
    await run(`marketgram, one at a time, 10 chats${suffix}`, () => bridgeSequential(app, messages, chats, BIG_N));
    await run(`marketgram, bursts of ${BURST} in one chat${suffix}`, () =>
      bridgeBursts(app, messages, burstChat, BIG_N),
    );
  } finally {
    await big.close();
  }

  await report(host, results, commits, storeBytes, scaling);
}

async function startBridge(bench: BenchWorld): Promise<App> {
  const app = await bench.world.start({
    MARKET_NOTIFICATIONS: 'on',
    MARKET_RECONCILE_INTERVAL: '86400',
    MARKET_FULL_SYNC_INTERVAL: '0',
    TELEGRAM_PACING: 'off',
  });
  await until(() => app.poller.rounds >= 1, 'the first reconciling poll');
  await settle(app);
  return app;
}

/** Ten chats and a burst chat with their topics, then `warmup` messages (JIT, sockets); none of it measured. */
async function prepareChats(
  bench: BenchWorld,
  app: App,
  messages: Messages,
  warmup: number,
): Promise<{ chats: number[]; burstChat: number }> {
  const market = bench.world.market;
  const chats = Array.from({ length: CHATS }, (_, i) =>
    market.addChat({ contextType: 'ORDER', orderId: 70_000 + i, customer: { name: `Buyer ${i}` } }),
  );
  const burstChat = market.addChat({ contextType: 'ORDER', orderId: 79_999, customer: { name: 'Bursty' } });
  await bridgeSequential(app, messages, [...chats, burstChat], CHATS + 1);
  await bridgeSequential(app, messages, chats, warmup);
  await settle(app);
  return { chats, burstChat };
}

/** Runs a bridge scenario and records its samples, history reads, store writes and event-loop delay. */
function measurer(bench: BenchWorld, app: App, results: Result[]) {
  return async (name: string, fn: () => Promise<Sample[]>): Promise<void> => {
    await settle(app);
    const reads = bench.world.market.count('getChatHistory');
    const writes = app.store.writeCount;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const samples = await fn();
    await settle(app);
    loop.disable();
    const elapsedMs = Math.max(...samples.map((s) => s.stored)) - Math.min(...samples.map((s) => s.t0));
    results.push({
      name,
      samples,
      elapsedMs,
      historyReads: bench.world.market.count('getChatHistory') - reads,
      storeWrites: app.store.writeCount - writes,
      loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    });
    console.error(`${name}: done`);
  };
}

/** Writes a store as a long-running bridge would have it: `count` finished chats mirrored on earlier days. */
async function prefillStore(dataDir: string, count: number): Promise<void> {
  const store = await JsonStore.open(dataDir);
  const day = 86_400_000;
  for (let i = 0; i < count; i++) {
    const id = marketChatId(2_000_000 + i);
    const at = (ms: number) => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, '+00:00');
    store.putChat({
      marketChatId: id,
      topicId: topicId(3_000_000 + i),
      title: `✅ Order ${4_000_000 + i} · Buyer ${i}`,
      chat: {
        id,
        kind: 'CHAT',
        status: 'FINISHED',
        context: { type: 'ORDER', orderId: 4_000_000 + i, customer: { name: `Buyer ${i}` } },
        createdAt: at(30 * day),
        updatedAt: at(20 * day),
      },
      cursor: marketMessageId(600_000_000 + i * 10),
      syncedAt: at(20 * day),
      backfilled: true,
      firstSeenAt: at(30 * day),
    });
  }
  await store.close();
}

/** Buyer messages with bench markers, added to the fake Market. */
class Messages {
  private seq = 0;
  constructor(private readonly bench: BenchWorld) {}

  add(chatId: number): { n: number; messageId: number } {
    const n = ++this.seq;
    const messageId = this.bench.world.market.addMessage(chatId, {
      sender: 'CUSTOMER',
      text: `${marker(n)} Hello! When will my order arrive?`,
    });
    return { n, messageId };
  }

  waitFor(n: number) {
    return this.bench.telegram.waitFor(n);
  }

  historyAfter(chatId: number, since: number): number | undefined {
    return this.bench.market.firstAfter('getChatHistory', chatId, since);
  }
}

// ---------------------------------------------------------------------------------------------------
// Through the bridge

/** How a sender handles one buyer message: the notification, then (the baseline only) what it does after the ack. */
interface Sender {
  notify(chatId: number, messageId: number): Promise<void>;
  forward?(chatId: number, messageId: number, n: number): Promise<void>;
}

/** The bridge: the notification is all; the bridge does the rest. */
const bridgeSender = (app: App): Sender => ({
  notify: (chatId, messageId) => postNotification(app.httpPort, chatMessageSent(chatId, messageId)),
});

/** One message at a time over `chats`, each mirrored before the next is written. */
async function sequential(messages: Messages, chats: number[], count: number, sender: Sender): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const chatId = chats[i % chats.length] ?? 0;
    const { n, messageId } = messages.add(chatId);
    const t0 = performance.now();
    await sender.notify(chatId, messageId);
    const ack = performance.now();
    await sender.forward?.(chatId, messageId, n);
    const d = await messages.waitFor(n);
    samples.push({ t0, ack, history: messages.historyAfter(chatId, t0), arrived: d.arrivedAt, stored: d.storedAt });
  }
  return samples;
}

/** As the Market would under load: notifications posted back to back, `CONCURRENCY` unanswered at most. */
async function concurrent(messages: Messages, chats: number[], count: number, sender: Sender): Promise<Sample[]> {
  const pending: Array<Promise<Sample>> = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const chatId = chats[i % chats.length] ?? 0;
      const { n, messageId } = messages.add(chatId);
      const t0 = performance.now();
      await sender.notify(chatId, messageId);
      const ack = performance.now();
      pending.push(
        (async () => {
          await sender.forward?.(chatId, messageId, n);
          const d = await messages.waitFor(n);
          return { t0, ack, arrived: d.arrivedAt, stored: d.storedAt };
        })(),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Promise.all(pending);
}

const bridgeSequential = (app: App, messages: Messages, chats: number[], count: number) =>
  sequential(messages, chats, count, bridgeSender(app));

const bridgeConcurrent = (app: App, messages: Messages, chats: number[], count: number) =>
  concurrent(messages, chats, count, bridgeSender(app));

/** A buyer sends `BURST` messages at once, each with its own notification; the next burst once these are mirrored. */
async function bridgeBursts(app: App, messages: Messages, chatId: number, count: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let b = 0; b < count / BURST; b++) {
    const burst = Array.from({ length: BURST }, () => {
      const { n, messageId } = messages.add(chatId);
      const t0 = performance.now();
      return postNotification(app.httpPort, chatMessageSent(chatId, messageId)).then(async () => {
        const ack = performance.now();
        const d = await messages.waitFor(n);
        return { t0, ack, arrived: d.arrivedAt, stored: d.storedAt };
      });
    });
    samples.push(...(await Promise.all(burst)));
    await settle(app);
  }
  return samples;
}

/** Cost of one store commit after one chat changed (one journal line), measured on the bridge's own store. */
async function commitCost(app: App): Promise<Summary> {
  const times: number[] = [];
  const chats = app.store.chats();
  for (let i = 0; i < 200; i++) {
    // A harmless change the bridge makes too (the bridge is idle now): the chat's last history read.
    const rec = chats[i % chats.length];
    if (rec) {
      rec.syncedAt = new Date().toISOString();
      app.store.saveChat(rec);
    }
    const t = performance.now();
    await app.store.commit();
    times.push(performance.now() - t);
  }
  return summarise(times);
}

interface StoreScale {
  chats: number;
  kib: number;
  commit: Summary;
}

/**
 * The same commit on stores holding more chats: copies of a real record of the run (new ids), in a JsonStore of
 * their own under a temp dir. The bridge commits after every mirrored message, before posting the next.
 */
async function commitScaling(template: ChatRecord): Promise<StoreScale[]> {
  const out: StoreScale[] = [];
  for (const chats of STORE_SIZES) {
    const dir = await mkdtemp(path.join(tmpdir(), 'marketgram-bench-store-'));
    try {
      const store = await JsonStore.open(dir);
      for (let i = 0; i < chats; i++) {
        // A deep copy: the template is the bridge's own stored record.
        const copy = JSON.parse(JSON.stringify(template)) as ChatRecord;
        copy.marketChatId = marketChatId(1_000_000 + i);
        copy.topicId = topicId(2_000_000 + i);
        copy.chat = { ...copy.chat, id: copy.marketChatId };
        store.putChat(copy);
      }
      await store.commit();
      await store.compact();
      const times: number[] = [];
      for (let i = 0; i < 50; i++) {
        // What the bridge does per mirrored message: advance one chat's cursor, then commit.
        const rec = store.findChat(marketChatId(1_000_000 + ((i * 7919) % chats)));
        if (rec) {
          rec.cursor = marketMessageId(i + 1);
          store.saveChat(rec);
        }
        const t = performance.now();
        await store.commit();
        times.push(performance.now() - t);
      }
      out.push({ chats, kib: (await dirBytes(dir)) / 1024, commit: summarise(times) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Without the bridge

/**
 * The same round trips as the bridge makes, with nothing in between: a notification POST to a bare node:http
 * server that only answers, one getChatHistory through undici (2 in flight at most, as the Market client),
 * one sendMessage through grammY's plain Api.
 */
class Baseline implements Sender {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  private constructor(
    private readonly bench: BenchWorld,
    private readonly topics: Map<number, number>,
    private readonly notifyUrl: string,
    private readonly server: ReturnType<typeof createServer>,
    private readonly agent: Agent,
    private readonly api: Api,
  ) {}

  static async start(bench: BenchWorld, topics: Map<number, number>): Promise<Baseline> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ version: '0', name: 'baseline', time: new Date().toISOString() }));
      });
    });
    const base = await listenOnLoopback(server);
    const agent = new Agent({ keepAliveTimeout: 1_000 });
    const api = new Api(TOKEN, { apiRoot: bench.world.telegram.url });
    return new Baseline(bench, topics, `${base}/market/notification`, server, agent, api);
  }

  async close(): Promise<void> {
    await this.agent.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  sequential(messages: Messages, chats: number[], count: number): Promise<Sample[]> {
    return sequential(messages, chats, count, this);
  }

  concurrent(messages: Messages, chats: number[], count: number): Promise<Sample[]> {
    return concurrent(messages, chats, count, this);
  }

  /** After the ack: one history read, then the post. */
  async forward(chatId: number, messageId: number, n: number): Promise<void> {
    await this.history(chatId, messageId);
    await this.send(chatId, n);
  }

  /** The least any bridge must do for a burst: one history read, then the messages in order. */
  async bursts(messages: Messages, chatId: number, count: number): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (let b = 0; b < count / BURST; b++) {
      const burst = Array.from({ length: BURST }, () => messages.add(chatId));
      const times = await Promise.all(
        burst.map(async ({ messageId }) => {
          const t0 = performance.now();
          await this.notify(chatId, messageId);
          return { t0, ack: performance.now() };
        }),
      );
      await this.history(chatId, burst[0]?.messageId ?? 1);
      for (const [j, { n }] of burst.entries()) {
        await this.send(chatId, n);
        const d = await messages.waitFor(n);
        const t = times[j] ?? { t0: NaN, ack: NaN };
        samples.push({ ...t, arrived: d.arrivedAt, stored: d.storedAt });
      }
    }
    return samples;
  }

  async notify(chatId: number, messageId: number): Promise<void> {
    const res = await fetch(this.notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatMessageSent(chatId, messageId)),
    });
    await res.arrayBuffer();
  }

  private async history(chatId: number, messageIdFrom: number): Promise<void> {
    const release = await this.acquire();
    try {
      const url = `${this.bench.world.market.url}/v2/businesses/${BUSINESS_ID}/chats/history?chatId=${chatId}&limit=100`;
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ messageIdFrom }),
      });
      const body = (await res.body.json()) as { result?: { messages?: unknown[] } };
      if (res.statusCode !== 200 || !body.result?.messages?.length) throw new Error(`history: ${res.statusCode}`);
    } finally {
      release();
    }
  }

  private async send(chatId: number, n: number): Promise<void> {
    const topicId = this.topics.get(chatId);
    await this.api.sendMessage(
      GROUP_ID,
      `<b>👤 Buyer · Buyer</b> <i>01.01.2025 10:00</i>\n${marker(n)} Hello! When will my order arrive?`,
      { message_thread_id: topicId, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
    );
  }

  private async acquire(): Promise<() => void> {
    if (this.active >= MARKET_PARALLEL) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    return () => {
      this.active--;
      this.queue.shift()?.();
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

async function report(
  host: Awaited<ReturnType<typeof machine>>,
  results: Result[],
  commits: Summary,
  storeBytes: number,
  scaling: StoreScale[],
): Promise<void> {
  const latency = (r: Result) => summarise(r.samples.map((s) => s.stored - s.t0));
  const headers = [
    'scenario',
    'messages',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'throughput msg/s',
    'history reads/msg',
    'store writes/msg',
    'event-loop delay p99 / max ms',
  ];
  const rows = results.map((r) => {
    const s = latency(r);
    return [
      r.name,
      fmt(s.n, 0),
      fmt(s.p50),
      fmt(s.p90),
      fmt(s.p99),
      fmt(s.max),
      fmt((r.samples.length / r.elapsedMs) * 1000, 0),
      r.historyReads === undefined ? '–' : fmt(r.historyReads / r.samples.length),
      r.storeWrites === undefined ? '–' : fmt(r.storeWrites / r.samples.length),
      r.loopDelay ? `${fmt(r.loopDelay.p99)} / ${fmt(r.loopDelay.max)}` : '–',
    ];
  });
  const pairs = ['one at a time', `${CONCURRENCY} in flight`, `bursts of ${BURST}`].map((key) => {
    const bridge = results.find(
      (r) => r.name.startsWith('marketgram') && r.name.includes(key) && !r.name.includes('older chats'),
    );
    const base = results.find((r) => r.name.startsWith('baseline') && r.name.includes(key));
    if (!bridge || !base) throw new Error(`missing results for ${key}`);
    const b = latency(bridge);
    const z = latency(base);
    return [
      key,
      fmt(b.p50 - z.p50),
      fmt(b.p90 - z.p90),
      fmt(b.p99 - z.p99),
      `${fmt(b.p50 / z.p50, 1)}×`,
      `${fmt(((base.samples.length / base.elapsedMs) * 1000) / ((bridge.samples.length / bridge.elapsedMs) * 1000), 1)}×`,
    ];
  });
  const overheadHeaders = ['scenario', 'Δp50 ms', 'Δp90 ms', 'Δp99 ms', 'p50 ratio', 'baseline/bridge throughput'];

  const stageRows = results
    .filter((r) => r.name.includes('one at a time'))
    .map((r) => {
      const med = (f: (s: Sample) => number) => fmt(summarise(r.samples.map(f)).p50);
      return [
        r.name,
        med((s) => s.ack - s.t0),
        med((s) => (s.history ?? NaN) - s.ack),
        med((s) => s.arrived - (s.history ?? NaN)),
        med((s) => s.stored - s.arrived),
        med((s) => s.stored - s.t0),
      ];
    });
  const stageHeaders = [
    'scenario (medians, ms)',
    'notification acknowledged',
    '→ history read arrives at Market',
    '→ sendMessage arrives at Telegram',
    '→ stored in topic',
    'total',
  ];

  const burstGaps = results
    .filter((r) => r.name.includes('bursts'))
    .map((r) => {
      const gaps: number[] = [];
      for (let i = 0; i < r.samples.length; i++) {
        const cur = r.samples[i];
        const prev = r.samples[i - 1];
        if (cur && prev && i % BURST !== 0) gaps.push(cur.arrived - prev.stored);
      }
      const s = summarise(gaps);
      return [r.name, fmt(s.p50), fmt(s.p90), fmt(s.max)];
    });
  const gapHeaders = ['scenario', 'p50 ms', 'p90 ms', 'max ms'];

  console.log(`\nNotification-to-topic latency (${describeMachine(host)})\n`);
  console.log(consoleTable(headers, rows));
  console.log(`\nOverhead of marketgram over the bare round trips (difference of percentiles)\n`);
  console.log(consoleTable(overheadHeaders, pairs));
  console.log(`\nWhere the time goes, one message at a time\n`);
  console.log(consoleTable(stageHeaders, stageRows));
  console.log(`\nInside a burst: from one message stored in Telegram to the next sendMessage arriving\n`);
  console.log(consoleTable(gapHeaders, burstGaps));
  const scaleHeaders = ['chats in the store', 'file KiB', 'commit p50 ms', 'commit p90 ms', 'commit p99 ms'];
  const scaleRows = [
    [`${CHATS + 1} (this run)`, fmt(storeBytes / 1024, 1), fmt(commits.p50), fmt(commits.p90), fmt(commits.p99)],
    ...scaling.map((x) => [fmt(x.chats, 0), fmt(x.kib, 1), fmt(x.commit.p50), fmt(x.commit.p90), fmt(x.commit.p99)]),
  ];
  console.log(`\nOne store commit after one chat's cursor moved, by store size\n`);
  console.log(consoleTable(scaleHeaders, scaleRows));

  await writeSection(
    'notify-latency',
    [
      '## Notification-to-topic latency',
      runLine(COMMAND, host, stamp()),
      table(headers, rows),
      '### Overhead over the baseline (difference of the percentiles)',
      table(overheadHeaders, pairs),
      '### Where the time goes, one message at a time (medians, each step from the previous one)',
      table(stageHeaders, stageRows),
      '### Inside a burst: one message stored in Telegram → the next `sendMessage` arriving',
      table(gapHeaders, burstGaps),
      '### One store commit after one chat changed, by store size',
      table(scaleHeaders, scaleRows),
    ].join('\n\n'),
  );
}

await main();
process.exit(0);

/** Bytes of every file under `dir` (the store is a main file, shard files and the journal). */
async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
