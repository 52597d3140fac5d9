/**
 * Throughput of the bridge against a bare loop of grammY `sendMessage` calls, both against the same fake Telegram
 * in the same run, Telegram pacing off. A batch of buyer messages (2,000 over 20 chats whose topics exist) is
 * put into the fake Market, one CHAT_MESSAGE_SENT per chat tells the bridge, and the rate is taken from the first
 * `sendMessage` reaching the fake Telegram to the last one stored. The bare loops then post exactly the texts the
 * bridge posted, to the same topics with the same options: 20 concurrent sequential loops (one per chat, as the
 * bridge's per-chat queues run), one sequential loop, and the 20 loops through `createBot` (auto-retry and the
 * answer hook, pacing off). Everything runs twice: the bridge in this process (`startApp`, sharing the event loop
 * with the fakes, as the bare loop does) and the bridge as a child process (`node --import tsx src/main.ts`,
 * compared with the bare loops in a child process too). Runs are interleaved and repeated; medians are reported.
 * When the ratio is below 0.8 (or with BENCH_PROFILE=1) one more in-process run of each is CPU-profiled.
 *
 *   npm run bench:throughput      (BENCH_N=… messages per run, default 2000; BENCH_REPS=…, default 7)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { Api } from 'grammy';
import type { Profiler } from 'node:inspector';
import type { App } from '../src/app.ts';
import { createBot } from '../src/telegram/bot.ts';
import { GROUP_ID, TOKEN, freePort, startWorld, type World } from '../test/e2e/harness.ts';
import type { FakeCall, FakeTelegram } from '../test/fakes/telegram-server.ts';
import {
  ROOT,
  chatMessageSent,
  runLine,
  consoleTable,
  describeMachine,
  fmt,
  machine,
  MARKER,
  marker,
  postNotification,
  processCpuMs,
  prng,
  settle,
  stamp,
  stopChild,
  summarise,
  table,
  until,
  waitHealthy,
  watchdog,
  writeSection,
  type Machine,
} from './lib.ts';

const N = Number(process.env.BENCH_N ?? 2_000);
const REPS = Number(process.env.BENCH_REPS ?? 7);
const CHATS = 20;
const PER_CHAT = Math.ceil(N / CHATS);
const WARMUP_PER_CHAT = 50;
const TARGET = 0.8;
const COMMAND = 'npm run bench:throughput';
const SELF = fileURLToPath(import.meta.url);

/** The options the bridge's TelegramGroup.sendText passes for a mirrored message (no reply, no buttons). */
const SEND_OPTIONS = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

/** Buyer texts of varied length, some with characters the bridge must escape. */
const SAMPLES = [
  'Здравствуйте! Когда приедет мой заказ?',
  'Добрый день. Заказ пришёл без инструкции, можно прислать PDF?',
  'Товар не подошёл по размеру, как оформить возврат? Коробку сохранил, чек тоже есть.',
  'Спасибо!',
  'Курьер не позвонил & не приехал в назначенное время <10:00–14:00>, перенесите, пожалуйста, доставку на завтра.',
  'Hello, is the 2 m cable in stock? I need 3 of them for the office, and an invoice for the company.',
  'В описании написано «хлопок 100 %», а на бирке — 80 % хлопок и 20 % полиэстер. Это ошибка в карточке или мне прислали не тот товар? Хотелось бы разобраться до того, как я оставлю отзыв.',
  'Ок',
];

// ---------------------------------------------------------------------------------------------------
// What the fake Telegram receives

/** One `sendMessage` as the fake saw it (performance.now() times). */
interface Send {
  arrivedAt: number;
  /** When the fake answered (stored the message, for status 200). */
  answeredAt: number;
  status: number;
  thread: number | undefined;
  text: string;
}

/** Records every `sendMessage` the fake Telegram receives, by wrapping its call log (the fake is not changed). */
class SendLog {
  private records: Send[] = [];

  constructor(telegram: FakeTelegram) {
    const calls = telegram.calls;
    const push = calls.push.bind(calls);
    calls.push = (...items: FakeCall[]): number => {
      const arrivedAt = performance.now();
      for (const call of items) if (call.method === 'sendMessage') this.watch(call, arrivedAt);
      return push(...items);
    };
  }

  /** Sends answered 200 since the last `take()`. */
  stored = 0;

  /** The sends since the last call, in arrival order; starts a new list. */
  take(): Send[] {
    const out = this.records;
    this.records = [];
    this.stored = 0;
    return out;
  }

  private watch(call: FakeCall, arrivedAt: number): void {
    const rec: Send = { arrivedAt, answeredAt: NaN, status: 0, thread: undefined, text: '' };
    this.records.push(rec);
    let status = call.status;
    Object.defineProperty(call, 'status', {
      enumerable: true,
      configurable: true,
      get: () => status,
      set: (value: number) => {
        status = value;
        rec.status = value;
        rec.answeredAt = performance.now();
        const thread = call.params.message_thread_id;
        rec.thread = thread === undefined ? undefined : Number(thread);
        rec.text = typeof call.params.text === 'string' ? call.params.text : '';
        // Messages waiting together share a post: count the messages a stored post carries.
        if (value === 200) this.stored += messagesIn(rec.text);
      },
    });
  }
}

/** Bench messages a posted text carries (one per marker). */
function messagesIn(text: string): number {
  return [...text.matchAll(MARKER)].length;
}

// ---------------------------------------------------------------------------------------------------
// Runs

type Kind = 'bridge' | 'bare, 20 loops' | 'bare, 1 loop' | 'bare, 20 loops, createBot';
type Mode = 'in-process' | 'child process';

interface Run {
  mode: Mode;
  kind: Kind;
  rep: number;
  sends: Send[];
  /** CPU ms during the run: this process (fakes, and bridge or loop when in-process), and the child if any. */
  cpuSelf: number;
  cpuChild?: number;
  /** Event-loop utilisation of this process during the run (0–1). */
  elu: number;
  storeWrites?: number;
  storeBatches?: number;
  /** How long each `store.commit()` the bridge awaited took, ms (in-process only). */
  commitWaits?: number[];
}

interface Stats {
  n: number;
  failed: number;
  spanMs: number;
  rate: number;
  /** Mean sends in flight at the fake (Σ service time / span). */
  inFlight: number;
  /** Fake's answer time, p50 ms. */
  serviceP50: number;
  /** From one message of a topic answered to the next one of that topic arriving, p50 / p90 ms. */
  gapP50: number;
  gapP90: number;
}

function stats(sends: readonly Send[]): Stats {
  const ok = sends.filter((s) => s.status === 200);
  const first = Math.min(...ok.map((s) => s.arrivedAt));
  const last = Math.max(...ok.map((s) => s.answeredAt));
  const spanMs = last - first;
  const busy = ok.reduce((sum, s) => sum + (s.answeredAt - s.arrivedAt), 0);
  const byThread = new Map<number | undefined, Send[]>();
  for (const s of ok) byThread.set(s.thread, [...(byThread.get(s.thread) ?? []), s]);
  const gaps: number[] = [];
  for (const list of byThread.values()) {
    list.sort((a, b) => a.arrivedAt - b.arrivedAt);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1];
      const cur = list[i];
      if (prev && cur) gaps.push(cur.arrivedAt - prev.answeredAt);
    }
  }
  const gap = summarise(gaps);
  const messages = ok.reduce((sum, s) => sum + messagesIn(s.text), 0);
  return {
    n: messages,
    failed: sends.length - ok.length,
    spanMs,
    rate: (messages / spanMs) * 1000,
    inFlight: busy / spanMs,
    serviceP50: summarise(ok.map((s) => s.answeredAt - s.arrivedAt)).p50,
    gapP50: gap.p50,
    gapP90: gap.p90,
  };
}

/** A world with 20 chats whose topics exist, a bridge (here or in a child) and a send log. */
interface Rig {
  world: World;
  log: SendLog;
  chats: number[];
  port: number;
  app?: App;
  child?: ReturnType<World['spawn']>;
  seq: number;
  /** Durations of the bridge's `store.commit()` calls since the last `take()` (in-process only). */
  commits: number[];
  close(): Promise<void>;
}

const BRIDGE_ENV = {
  MARKET_NOTIFICATIONS: 'on',
  MARKET_RECONCILE_INTERVAL: '86400',
  MARKET_FULL_SYNC_INTERVAL: '0',
  TELEGRAM_PACING: 'off',
};

async function rig(mode: Mode): Promise<Rig> {
  const world = await startWorld();
  const log = new SendLog(world.telegram);
  let app: App | undefined;
  let child: ReturnType<World['spawn']> | undefined;
  let port: number;
  if (mode === 'in-process') {
    app = await world.start(BRIDGE_ENV);
    port = app.httpPort;
    await until(() => (app?.poller.rounds ?? 0) >= 1, 'the first poll');
  } else {
    port = await freePort();
    child = world.spawn({ ...BRIDGE_ENV, HTTP_PORT: String(port), LOG_LEVEL: 'info' });
    await waitHealthy(port, 60_000, 20);
  }
  const chats = Array.from({ length: CHATS }, (_, i) =>
    world.market.addChat({
      contextType: 'ORDER',
      orderId: 80_000 + i,
      campaignId: 21_000_001,
      customer: { name: `Покупатель ${i}`, publicId: `buyer${i}` },
    }),
  );
  const r: Rig = {
    world,
    log,
    chats,
    port,
    app,
    child,
    seq: 0,
    commits: [],
    async close() {
      if (child) await stopChild(child.child);
      await world.close();
      await rm(world.dataDir, { recursive: true, force: true });
    },
  };
  if (app) {
    // Times every commit the bridge awaits, by wrapping the method on this instance (src/ is not changed).
    const store = app.store;
    const commit = store.commit.bind(store);
    store.commit = () => {
      const t0 = performance.now();
      const done = commit();
      done.then(
        () => r.commits.push(performance.now() - t0),
        () => undefined,
      );
      return done;
    };
  }
  // Topics (creation, context card, first message), then a warm-up batch; neither is measured.
  await bridgeBatch(r, 1);
  await bridgeBatch(r, WARMUP_PER_CHAT);
  log.take();
  return r;
}

/** Puts `perChat` buyer messages into every chat, one notification per chat, and waits until all are in Telegram. */
async function bridgeBatch(r: Rig, perChat: number): Promise<Send[]> {
  const rand = prng(r.seq + 1);
  r.log.take();
  r.commits = [];
  const last = new Map<number, number>();
  // Interleaved, as buyers of different chats write at the same time.
  for (let k = 0; k < perChat; k++) {
    for (const chatId of r.chats) {
      const text = `${marker(++r.seq)} ${SAMPLES[Math.floor(rand() * SAMPLES.length)] ?? ''}`;
      last.set(chatId, r.world.market.addMessage(chatId, { sender: 'CUSTOMER', text }));
    }
  }
  const expected = perChat * r.chats.length;
  await Promise.all(r.chats.map((chatId) => postNotification(r.port, chatMessageSent(chatId, last.get(chatId) ?? 0))));
  await until(() => r.log.stored >= expected, `${expected} messages in Telegram`, 120_000);
  if (r.app) await settle(r.app);
  return r.log.take();
}

async function measureBridge(r: Rig, mode: Mode, rep: number): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const child0 = r.child?.child.pid ? processCpuMs(r.child.child.pid) : NaN;
  const writes0 = r.app?.store.writeCount ?? 0;
  const batches0 = r.app?.store.batchCount ?? 0;
  const sends = await bridgeBatch(r, PER_CHAT);
  const cpu = process.cpuUsage(cpu0);
  return {
    mode,
    kind: 'bridge',
    rep,
    sends,
    cpuSelf: (cpu.user + cpu.system) / 1000,
    cpuChild: r.child?.child.pid ? processCpuMs(r.child.child.pid) - child0 : undefined,
    elu: performance.eventLoopUtilization(elu0).utilization,
    storeWrites: r.app ? r.app.store.writeCount - writes0 : undefined,
    storeBatches: r.app ? r.app.store.batchCount - batches0 : undefined,
    commitWaits: r.app ? r.commits : undefined,
  };
}

/** What a bare loop posts: the bridge's own sends of a run, in the order they arrived. */
interface Job {
  thread: number;
  text: string;
}

const jobsOf = (sends: readonly Send[]): Job[] =>
  sends.filter((s) => s.status === 200).map((s) => ({ thread: s.thread ?? 0, text: s.text }));

/** One loop per topic, each sequential, all at once (concurrent); or every job in one loop. */
async function bareLoops(api: Api, jobs: readonly Job[], concurrent: boolean): Promise<void> {
  const send = (j: Job) => api.sendMessage(GROUP_ID, j.text, { message_thread_id: j.thread, ...SEND_OPTIONS });
  if (!concurrent) {
    for (const j of jobs) await send(j);
    return;
  }
  const byThread = new Map<number, Job[]>();
  for (const j of jobs) byThread.set(j.thread, [...(byThread.get(j.thread) ?? []), j]);
  await Promise.all(
    [...byThread.values()].map(async (list) => {
      for (const j of list) await send(j);
    }),
  );
}

async function measureBareHere(r: Rig, api: Api, kind: Kind, jobs: readonly Job[], rep: number): Promise<Run> {
  r.log.take();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  await bareLoops(api, jobs, kind !== 'bare, 1 loop');
  const cpu = process.cpuUsage(cpu0);
  return {
    mode: 'in-process',
    kind,
    rep,
    sends: r.log.take(),
    cpuSelf: (cpu.user + cpu.system) / 1000,
    elu: performance.eventLoopUtilization(elu0).utilization,
  };
}

/**
 * The bare loops in a child process (this script with `--bare`), kept running across repetitions as the bridge's
 * child is, and warmed up as much as the bridge's child before its first measured run.
 */
class BareChild {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(private readonly r: Rig) {
    this.child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), SELF, '--bare', r.world.telegram.url],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  /** Runs the jobs in the child; resolves with the child's CPU ms for them. */
  private run(jobs: readonly Job[], concurrent: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bare child exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (m: { cpuMs: number }) => {
        this.child.off('exit', onExit);
        resolve(m.cpuMs);
      });
      this.child.send({ jobs, concurrent });
    });
  }

  async warmUp(jobs: readonly Job[]): Promise<void> {
    await this.run(jobs, true);
    this.r.log.take();
  }

  async measure(kind: Kind, jobs: readonly Job[], rep: number): Promise<Run> {
    this.r.log.take();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const cpuChild = await this.run(jobs, kind !== 'bare, 1 loop');
    const cpu = process.cpuUsage(cpu0);
    return {
      mode: 'child process',
      kind,
      rep,
      sends: this.r.log.take(),
      cpuSelf: (cpu.user + cpu.system) / 1000,
      cpuChild,
      elu: performance.eventLoopUtilization(elu0).utilization,
    };
  }

  async close(): Promise<void> {
    this.child.disconnect();
    await this.exited;
  }
}

/** `--bare <apiRoot>`: runs each job list sent over IPC and answers with the CPU ms it took. */
function bareChild(apiRoot: string): void {
  const api = new Api(TOKEN, { apiRoot });
  process.on('message', (job: { jobs: Job[]; concurrent: boolean }) => {
    void (async () => {
      const cpu0 = process.cpuUsage();
      await bareLoops(api, job.jobs, job.concurrent);
      const cpu = process.cpuUsage(cpu0);
      process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 });
    })();
  });
}

// ---------------------------------------------------------------------------------------------------
// CPU profile

interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byCategory: Map<string, number>;
  top: Array<{ name: string; ms: number }>;
}

async function profiled(fn: () => Promise<unknown>): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  let profile: Profiler.Profile;
  const snippets = new Map<string, string>();
  try {
    await fn();
  } finally {
    profile = (await session.post('Profiler.stop')).profile;
    // tsx's output puts a module on one line, so an anonymous function of src/ is named by its own source text.
    await session.post('Debugger.enable');
    const sources = new Map<string, string>();
    for (const { callFrame: f } of profile.nodes) {
      if (f.functionName || !f.url.includes('/src/') || snippets.has(`${f.scriptId}:${f.columnNumber}`)) continue;
      let source = sources.get(f.scriptId);
      if (source === undefined) {
        source = (await session.post('Debugger.getScriptSource', { scriptId: f.scriptId })).scriptSource;
        sources.set(f.scriptId, source);
      }
      const line = source.split('\n')[f.lineNumber] ?? '';
      snippets.set(
        `${f.scriptId}:${f.columnNumber}`,
        line
          .slice(f.columnNumber, f.columnNumber + 48)
          .replace(/\s+/g, ' ')
          .replace(/[`|]/g, "'"),
      );
    }
    await session.post('Debugger.disable');
    session.disconnect();
  }
  return summariseProfile(profile, snippets);
}

function category(url: string, fn: string): string {
  if (!url) {
    if (fn === '(idle)') return 'idle';
    if (fn === '(garbage collector)') return 'garbage collector';
    return 'native / V8 (program)';
  }
  const pkg = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].at(-1)?.[1];
  if (pkg) return `node_modules: ${pkg}`;
  const src = /\/src\/([^/]+)\//.exec(url)?.[1] ?? (/\/src\/[^/]+\.ts$/.test(url) ? '(root)' : undefined);
  if (src) return `marketgram src/${src}`;
  if (url.includes('/test/fakes/')) return 'fakes (test/fakes)';
  if (url.includes('/test/e2e/') || url.includes('/bench/')) return 'bench and harness';
  if (url.startsWith('node:')) return 'Node internals (node:*)';
  return 'other';
}

/** What part of Node a `node:` URL belongs to. */
function nodeArea(url: string): string {
  if (/^node:(internal\/)?fs/.test(url)) return 'fs';
  if (/^node:(_http|net|internal\/stream|internal\/streams|stream|internal\/http|internal\/net)/.test(url))
    return 'http/net/streams';
  return 'other (event loop, microtasks, timers)';
}

/** Categories of code the application chose to run (as opposed to Node and V8 doing it on its behalf). */
const isApplication = (cat: string) =>
  cat.startsWith('marketgram') || cat.startsWith('node_modules') || cat.startsWith('fakes') || cat.startsWith('bench');

/**
 * Self time by category, with the time of Node internals and native code charged to the nearest application frame
 * below it on the stack (who asked for it: a file write under steno is the store's, a socket write under node-fetch
 * is grammY's HTTP client's). Time with no application frame on the stack stays with Node/V8.
 */
function summariseProfile(profile: Profiler.Profile, snippets: Map<string, string>): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const frame = nodes.get(id)?.callFrame;
    const own = frame ? category(frame.url, frame.functionName) : 'other';
    let result = own;
    if (!isApplication(own) && own !== 'idle' && own !== 'garbage collector') {
      const up = parent.get(id);
      const above = up === undefined ? undefined : ownerOf(up);
      if (above && isApplication(above)) result = above;
      else if (frame?.url.startsWith('node:'))
        result = `Node ${nodeArea(frame.url)}, no application frame on the stack`;
      else result = above ?? 'Node/V8 other, no application frame on the stack';
    }
    owner.set(id, result);
    return result;
  };
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of self) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    totalMs += ms;
    const cat = ownerOf(id);
    if (cat === 'idle') {
      idleMs += ms;
      continue;
    }
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + ms);
    const file = frame.url
      .replace(/^file:\/\//, '')
      .replace(ROOT, '')
      .replace(/^.*node_modules\//, '');
    // tsx-compiled files report line 1 for everything: the file name is what can be trusted.
    const snippet = snippets.get(`${frame.scriptId}:${frame.columnNumber}`);
    const name = `${frame.functionName || (snippet ? `(anonymous: ${snippet}…)` : '(anonymous)')} ${file}`.trim();
    const key = isApplication(category(frame.url, frame.functionName))
      ? name
      : `${name} (${cat.replace(/, no application frame on the stack$/, '')})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  const top = [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, ms]) => ({ name, ms }));
  return { totalMs, idleMs, byCategory, top };
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  watchdog(290_000, 'bench:throughput');
  const host = await machine();
  const started = performance.now();
  const runs: Run[] = [];
  let profiles: { bridge: ProfileSummary; bare: ProfileSummary; bridgeStats: Stats; bareStats: Stats } | undefined;

  // 1. In-process: the bridge, then the bare loops with its texts, interleaved and repeated.
  const here = await rig('in-process');
  try {
    const api = new Api(TOKEN, { apiRoot: here.world.telegram.url });
    const bot = createBot({
      token: TOKEN,
      apiRoot: here.world.telegram.url,
      pacing: false,
      groupPerMinute: 20,
      globalPerSecond: 30,
      botInfo: here.world.telegram.botInfo,
      onAnswer: () => undefined,
      onNetworkError: () => undefined,
    });
    for (let rep = 1; rep <= REPS; rep++) {
      const bridge = await measureBridge(here, 'in-process', rep);
      runs.push(bridge);
      const jobs = jobsOf(bridge.sends);
      // Warm-up of the bare path, as many messages as the bridge posted before its first measured run.
      if (rep === 1) await bareLoops(api, jobs.slice(0, CHATS * (1 + WARMUP_PER_CHAT)), true);
      runs.push(await measureBareHere(here, api, 'bare, 20 loops', jobs, rep));
      runs.push(await measureBareHere(here, api, 'bare, 1 loop', jobs, rep));
      runs.push(await measureBareHere(here, bot.api, 'bare, 20 loops, createBot', jobs, rep));
      console.error(`in-process rep ${rep}: done`);
    }
    const ratioHere = median(rates(runs, 'in-process', 'bridge')) / median(rates(runs, 'in-process', 'bare, 20 loops'));
    if (ratioHere < TARGET || process.env.BENCH_PROFILE === '1') {
      let bridgeSends: Send[] = [];
      let bareSends: Send[] = [];
      const bridge = await profiled(async () => {
        bridgeSends = await bridgeBatch(here, PER_CHAT);
      });
      const bare = await profiled(async () => {
        here.log.take();
        await bareLoops(api, jobsOf(bridgeSends), true);
        bareSends = here.log.take();
      });
      profiles = { bridge, bare, bridgeStats: stats(bridgeSends), bareStats: stats(bareSends) };
      console.error('profiles: done');
    }
  } finally {
    await here.close();
  }

  // 2. The bridge as a child process; the bare loops in a child process too.
  const apart = await rig('child process');
  const bareChild = new BareChild(apart);
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      const bridge = await measureBridge(apart, 'child process', rep);
      runs.push(bridge);
      const jobs = jobsOf(bridge.sends);
      // As many messages as the bridge's child posted before its first measured run (topics, warm-up batch).
      if (rep === 1) await bareChild.warmUp(jobs.slice(0, CHATS * (1 + WARMUP_PER_CHAT)));
      runs.push(await bareChild.measure('bare, 20 loops', jobs, rep));
      runs.push(await bareChild.measure('bare, 1 loop', jobs, rep));
      console.error(`child process rep ${rep}: done`);
    }
  } finally {
    await bareChild.close();
    await apart.close();
  }

  await report(host, runs, profiles, (performance.now() - started) / 1000);
}

function rates(runs: readonly Run[], mode: Mode, kind: Kind): number[] {
  return runs.filter((r) => r.mode === mode && r.kind === kind).map((r) => stats(r.sends).rate);
}

function median(values: readonly number[]): number {
  return summarise(values).p50;
}

// ---------------------------------------------------------------------------------------------------
// Report

async function report(
  host: Machine,
  runs: Run[],
  profiles: { bridge: ProfileSummary; bare: ProfileSummary; bridgeStats: Stats; bareStats: Stats } | undefined,
  seconds: number,
): Promise<void> {
  const kinds: Array<[Mode, Kind]> = [
    ['in-process', 'bridge'],
    ['in-process', 'bare, 20 loops'],
    ['in-process', 'bare, 1 loop'],
    ['in-process', 'bare, 20 loops, createBot'],
    ['child process', 'bridge'],
    ['child process', 'bare, 20 loops'],
    ['child process', 'bare, 1 loop'],
  ];
  const headers = [
    'mode',
    'sender',
    'msg/s (median)',
    'msg/s per run',
    'in flight (mean)',
    'fake answer p50 ms',
    'gap in a topic p50 / p90 ms',
    'CPU ms/msg: this process / child',
    'event-loop utilisation',
    'per msg: files written / commits that wrote / commit() awaited',
    'commit() await p50 / p90 ms',
  ];
  const rows = kinds.map(([mode, kind]) => {
    const list = runs.filter((r) => r.mode === mode && r.kind === kind);
    const all = list.map((r) => stats(r.sends));
    const mid = (f: (s: Stats) => number) => median(all.map(f));
    const perMsg = (f: (r: Run) => number | undefined) =>
      median(list.map((r, i) => (f(r) ?? NaN) / (all[i]?.n ?? NaN)));
    const failed = all.reduce((s, x) => s + x.failed, 0);
    return [
      mode,
      `${kind}${failed ? ` (${failed} failed)` : ''}`,
      fmt(
        mid((s) => s.rate),
        0,
      ),
      all.map((s) => fmt(s.rate, 0)).join(', '),
      fmt(
        mid((s) => s.inFlight),
        1,
      ),
      fmt(mid((s) => s.serviceP50)),
      `${fmt(mid((s) => s.gapP50))} / ${fmt(mid((s) => s.gapP90))}`,
      `${fmt(perMsg((r) => r.cpuSelf))} / ${list[0]?.cpuChild === undefined ? '–' : fmt(perMsg((r) => r.cpuChild))}`,
      fmt(median(list.map((r) => r.elu))),
      list[0]?.storeWrites === undefined
        ? '–'
        : `${fmt(perMsg((r) => r.storeWrites))} / ${fmt(perMsg((r) => r.storeBatches))} / ${fmt(perMsg((r) => r.commitWaits?.length))}`,
      list[0]?.commitWaits === undefined
        ? '–'
        : `${fmt(median(list.map((r) => summarise(r.commitWaits ?? []).p50)))} / ${fmt(median(list.map((r) => summarise(r.commitWaits ?? []).p90)))}`,
    ];
  });
  const ratio = (mode: Mode, kind: Kind) => median(rates(runs, mode, 'bridge')) / median(rates(runs, mode, kind));
  const perRep = (mode: Mode) =>
    Array.from({ length: REPS }, (_, i) => {
      const b = runs.find((r) => r.mode === mode && r.kind === 'bridge' && r.rep === i + 1);
      const z = runs.find((r) => r.mode === mode && r.kind === 'bare, 20 loops' && r.rep === i + 1);
      return b && z ? fmt(stats(b.sends).rate / stats(z.sends).rate) : '–';
    }).join(', ');
  const ratioHeaders = ['bridge in', 'bridge ÷ bare 20 loops', 'per run', 'bridge ÷ bare 1 loop', 'target'];
  const ratioRows = (['in-process', 'child process'] as Mode[]).map((mode) => [
    mode,
    `**${fmt(ratio(mode, 'bare, 20 loops'))}**`,
    perRep(mode),
    fmt(ratio(mode, 'bare, 1 loop')),
    `≥ ${fmt(TARGET, 1)}`,
  ]);

  console.log(`\nThroughput, bridge vs bare grammY loop (${describeMachine(host)})\n`);
  console.log(consoleTable(headers, rows));
  console.log('');
  console.log(consoleTable(ratioHeaders, ratioRows));

  let profileText = '';
  if (profiles) {
    const cats = [...new Set([...profiles.bridge.byCategory.keys(), ...profiles.bare.byCategory.keys()])].sort(
      (a, b) => (profiles.bridge.byCategory.get(b) ?? 0) - (profiles.bridge.byCategory.get(a) ?? 0),
    );
    const perK = (p: ProfileSummary, s: Stats, cat: string) => ((p.byCategory.get(cat) ?? 0) / s.n) * 1000;
    const profHeaders = [
      'where (self time)',
      'bridge run: ms per 1,000 msgs',
      'bare 20 loops: ms per 1,000 msgs',
      'difference',
    ];
    const small = cats.filter(
      (cat) => perK(profiles.bridge, profiles.bridgeStats, cat) < 5 && perK(profiles.bare, profiles.bareStats, cat) < 5,
    );
    const profRows = cats
      .filter((cat) => !small.includes(cat))
      .map((cat) => [
        cat,
        fmt(perK(profiles.bridge, profiles.bridgeStats, cat), 0),
        fmt(perK(profiles.bare, profiles.bareStats, cat), 0),
        fmt(perK(profiles.bridge, profiles.bridgeStats, cat) - perK(profiles.bare, profiles.bareStats, cat), 0),
      ]);
    const sumSmall = (p: ProfileSummary, s: Stats) => small.reduce((sum, cat) => sum + perK(p, s, cat), 0);
    profRows.push([
      `${small.length} other places, < 5 ms each`,
      fmt(sumSmall(profiles.bridge, profiles.bridgeStats), 0),
      fmt(sumSmall(profiles.bare, profiles.bareStats), 0),
      fmt(sumSmall(profiles.bridge, profiles.bridgeStats) - sumSmall(profiles.bare, profiles.bareStats), 0),
    ]);
    const busy = (p: ProfileSummary, s: Stats) => (((p.totalMs - p.idleMs) / s.n) * 1000).toFixed(0);
    profRows.push([
      '**busy total** (idle excluded)',
      busy(profiles.bridge, profiles.bridgeStats),
      busy(profiles.bare, profiles.bareStats),
      fmt(
        ((profiles.bridge.totalMs - profiles.bridge.idleMs) / profiles.bridgeStats.n -
          (profiles.bare.totalMs - profiles.bare.idleMs) / profiles.bareStats.n) *
          1000,
        0,
      ),
    ]);
    const topHeaders = ['function (bridge run, self time)', 'ms', 'share of busy time'];
    const bridgeBusy = profiles.bridge.totalMs - profiles.bridge.idleMs;
    const topRows = profiles.bridge.top.map((t) => [
      `\`${t.name}\``,
      fmt(t.ms, 0),
      `${fmt((t.ms / bridgeBusy) * 100, 1)} %`,
    ]);
    console.log('\nCPU profile, self time by place\n');
    console.log(consoleTable(profHeaders, profRows));
    console.log('');
    console.log(consoleTable(topHeaders, topRows));
    profileText = [
      `### Where the time goes: self time under the V8 profiler, per 1,000 messages (profiled: bridge ${fmt(profiles.bridgeStats.rate, 0)} msg/s, bare loop ${fmt(profiles.bareStats.rate, 0)} msg/s)`,
      table(profHeaders, profRows),
      '### The busiest functions of the bridge run',
      table(topHeaders, topRows),
    ].join('\n\n');
  }

  await writeSection(
    'throughput',
    [
      '## Throughput: bridge vs a bare grammY loop',
      runLine(COMMAND, host, stamp(), seconds),
      table(headers, rows),
      table(ratioHeaders, ratioRows),
      profileText,
    ].join('\n\n'),
  );
}

if (process.argv[2] === '--bare') {
  bareChild(process.argv[3] ?? '');
} else {
  await main();
}
