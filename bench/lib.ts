/**
 * Shared set-up for the benchmarks: the machine description, statistics, the BENCHMARKS.md section writer,
 * timing probes on the fake servers, notification bodies, a simulated wall clock and a watchdog. Everything
 * runs in this process against the fakes of test/fakes on 127.0.0.1 and ephemeral ports.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import type { App } from '../src/app.ts';
import { BUSINESS_ID, startWorld, type World } from '../test/e2e/harness.ts';
import type { FakeMarketOptions, OperationId, RequestRecord } from '../test/fakes/market-server.ts';
import type { FakeCall, FakeTelegram } from '../test/fakes/telegram-server.ts';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { topicTitle } from '../src/bridge/format.ts';
import { marketChatId, marketMessageId, topicId } from '../src/bridge/ids.ts';
import type { MarketChat } from '../src/bridge/model.ts';
import type { ChatRecord } from '../src/bridge/store-port.ts';
import { textsFor } from '../src/bridge/texts.ts';
import { JsonStore } from '../src/store/store.ts';
import { prng } from '../test/chaos/dice.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCHMARKS_FILE = `${ROOT}BENCHMARKS.md`;

// ---------------------------------------------------------------------------------------------------
// The machine

export interface Machine {
  cpus: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews timings. */
  load: number;
}

export async function machine(): Promise<Machine> {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    load: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpus}× ${m.cpuModel}, ${m.ramGiB} GiB RAM, Node ${m.node}, load ${m.load}`;
}

/** The commit measured, and whether src/ had uncommitted changes at the time. */
export function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src').length > 0;
    return dirty ? `${head} with uncommitted changes in src/` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

// ---------------------------------------------------------------------------------------------------
// Statistics and tables

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function summarise(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? NaN;
  return {
    n,
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[n - 1] ?? NaN,
  };
}

/** A number with `digits` decimals, or an integer with thousands separators when it is one. */
export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value) && digits === 0) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A Markdown table (Prettier aligns it when the section is written). */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The same table for a terminal: padded columns. */
export function consoleTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// BENCHMARKS.md

/**
 * Every section sits inside one prettier-ignore range: tables stay as written, one line a row without column
 * padding (aligned, they would more than double the file's size).
 */
const IGNORE_START = '<!-- prettier-ignore-start -->';
const IGNORE_END = '<!-- prettier-ignore-end -->';

const FILE_HEADER = `# Benchmarks

Figures measured by the scripts in \`bench/\`; what each one measures and how: [bench/README.md](bench/README.md).
Each section is rewritten by its command; the line under its heading says command, commit, date and machine (CPUs,
RAM, Node, 1-minute load average at the start).

${IGNORE_START}

${IGNORE_END}
`;

/**
 * The line under a section's heading: the command (with the BENCH_* and CHAOS_* variables it ran with) and its run
 * time, the commit, the date, the machine.
 */
export function runLine(command: string, host: Machine, date: string, seconds?: number): string {
  const vars = Object.entries(process.env)
    .filter(([name]) => /^(BENCH|CHAOS)_/.test(name))
    .map(([name, value]) => `${name}=${value ?? ''} `)
    .join('');
  const took = seconds === undefined ? '' : ` (${fmt(seconds, 0)} s)`;
  return `\`${vars}${command}\`${took} · commit ${codeVersion()} · ${date} · ${describeMachine(host)}`;
}

/**
 * Replaces (or appends) the section `id` of BENCHMARKS.md, delimited by HTML comments, and formats the file
 * with the repository's Prettier settings so that `prettier --check` stays clean.
 */
export async function writeSection(id: string, markdown: string): Promise<void> {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  let text: string;
  try {
    text = await readFile(BENCHMARKS_FILE, 'utf8');
  } catch {
    text = FILE_HEADER;
  }
  const block = `${start}\n\n${markdown.trim()}\n\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const ignoreEnd = text.lastIndexOf(IGNORE_END);
  if (from >= 0 && to > from) text = `${text.slice(0, from)}${block}${text.slice(to + end.length)}`;
  else if (ignoreEnd >= 0) text = `${text.slice(0, ignoreEnd)}${block}\n\n${text.slice(ignoreEnd)}`;
  else text = `${text.trimEnd()}\n\n${block}\n`;
  const options = (await prettier.resolveConfig(BENCHMARKS_FILE)) ?? {};
  await writeFile(BENCHMARKS_FILE, await prettier.format(text, { ...options, filepath: BENCHMARKS_FILE }));
}

/** `Date` as it was before any SimClock was installed. */
const RealDate = Date;

/** The real date and time in UTC (even under a SimClock), for the sections. */
export function stamp(): string {
  return new RealDate().toISOString().replace(/\.\d+Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------------
// Probes on the fakes

/** A bot message that reached the fake Telegram, with high-resolution times (performance.now()). */
export interface Delivery {
  method: string;
  /** The request arrived at the fake (headers read). */
  arrivedAt: number;
  /** The fake stored the message and answered 200: the message is in the topic from here on. */
  storedAt: number;
  /** Date.now() when stored (the simulated clock where one is installed). */
  wallAt: number;
  threadId: number | undefined;
  text: string;
}

/** Bench messages carry `bm<number>` in their text; this finds them in what the bot posted. */
export const MARKER = /\bbm(\d+)\b/g;
export const marker = (n: number): string => `bm${n}`;

/**
 * Wraps `telegram.calls.push` to time every Bot API call the fake receives, and resolves waiters when a bot
 * message carrying a bench marker has been stored. The fake itself is not changed.
 */
export class TelegramProbe {
  readonly deliveries = new Map<number, Delivery>();
  private readonly waiters = new Map<number, Array<(d: Delivery) => void>>();
  /** Bench messages posted again after their first copy (should stay 0). */
  duplicates = 0;

  constructor(telegram: FakeTelegram) {
    const calls = telegram.calls;
    const push = calls.push.bind(calls);
    calls.push = (...items: FakeCall[]): number => {
      const arrivedAt = performance.now();
      for (const call of items) this.watch(call, arrivedAt);
      return push(...items);
    };
  }

  /** Resolves when the message with marker `n` is in Telegram; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs = 30_000): Promise<Delivery> {
    const known = this.deliveries.get(n);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`message ${marker(n)} did not reach Telegram`)), timeoutMs);
      const list = this.waiters.get(n) ?? [];
      list.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.waiters.set(n, list);
    });
  }

  private watch(call: FakeCall, arrivedAt: number): void {
    let status = call.status;
    Object.defineProperty(call, 'status', {
      enumerable: true,
      configurable: true,
      get: () => status,
      set: (value: number) => {
        status = value;
        if (value === 200) this.stored(call, arrivedAt);
      },
    });
  }

  private stored(call: FakeCall, arrivedAt: number): void {
    const storedAt = performance.now();
    const text = call.params.text ?? call.params.caption;
    if (typeof text !== 'string') return;
    const thread = call.params.message_thread_id;
    const delivery: Delivery = {
      method: call.method,
      arrivedAt,
      storedAt,
      wallAt: Date.now(),
      threadId: thread === undefined ? undefined : Number(thread),
      text,
    };
    for (const match of text.matchAll(MARKER)) {
      const n = Number(match[1]);
      if (this.deliveries.has(n)) {
        this.duplicates++;
        continue;
      }
      this.deliveries.set(n, delivery);
      for (const resolve of this.waiters.get(n) ?? []) resolve(delivery);
      this.waiters.delete(n);
    }
  }
}

/** Arrival times (performance.now()) of the fake Market's requests, in order, each with the current `tag`. */
export class MarketProbe {
  readonly arrivals: Array<{ record: RequestRecord; at: number; tag: string }> = [];
  /** Set by a benchmark to say what it is doing; stored with every request that arrives meanwhile. */
  tag = '';

  constructor(requests: RequestRecord[]) {
    const push = requests.push.bind(requests);
    requests.push = (...items: RequestRecord[]): number => {
      const at = performance.now();
      for (const record of items) this.arrivals.push({ record, at, tag: this.tag });
      return push(...items);
    };
  }

  /** The first request of `operation` for `chatId` that arrived after `since`. */
  firstAfter(operation: OperationId, chatId: number, since: number): number | undefined {
    let found: number | undefined;
    for (let i = this.arrivals.length - 1; i >= 0; i--) {
      const a = this.arrivals[i];
      if (!a || a.at < since) break;
      if (a.record.operationId === operation && a.record.query.chatId === String(chatId)) found = a.at;
    }
    return found;
  }
}

/** Requests the fake Market received, by operation. */
export function countByOperation(requests: readonly RequestRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.operationId, (counts.get(r.operationId) ?? 0) + 1);
  return counts;
}

/** `after` minus `before`, per operation. */
export function diffCounts(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [op, n] of after) {
    const d = n - (before.get(op) ?? 0);
    if (d !== 0) out.set(op, d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The world

export interface BenchWorld {
  world: World;
  telegram: TelegramProbe;
  market: MarketProbe;
  close(): Promise<void>;
}

/** The e2e harness world (fake Market, fake Telegram, temp data dir) with probes installed. */
export async function startBenchWorld(options: Partial<FakeMarketOptions> = {}): Promise<BenchWorld> {
  const world = await startWorld(options);
  const telegram = new TelegramProbe(world.telegram);
  const market = new MarketProbe(world.market.requests);
  return {
    world,
    telegram,
    market,
    async close() {
      await world.close();
      await rm(world.dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` holds, polling every 5 ms, or throws after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets queued notifications reach the bridge (they are dispatched on setImmediate), then waits for its queues. */
export async function settle(app: App): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  await app.bridge.idle();
}

// ---------------------------------------------------------------------------------------------------
// Market notifications

export const chatMessageSent = (chatId: number, messageId: number) => ({
  notificationType: 'CHAT_MESSAGE_SENT',
  chatId,
  messageId: String(messageId),
  businessId: BUSINESS_ID,
  sentAt: new Date().toISOString(),
});

export const chatCreated = (chatId: number) => ({
  notificationType: 'CHAT_CREATED',
  chatId,
  businessId: BUSINESS_ID,
  createdAt: new Date().toISOString(),
});

/** Posts a notification as the Market would; throws unless it is acknowledged with 200. */
export async function postNotification(port: number, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/market/notification`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`notification answered ${res.status}`);
}

// ---------------------------------------------------------------------------------------------------
// A simulated wall clock

/**
 * Replaces the global `Date` so that `Date.now()` and `new Date()` read real time plus an offset that only
 * grows: `advanceTo` jumps the wall clock forward (timers, performance.now() and the network are untouched).
 * Used to run hours of Market activity in seconds while the bridge, the poller and the fake Market keep
 * comparing the same clock. Install it before anything captures `Date.now`.
 */
export class SimClock {
  private offset = 0;

  install(): void {
    const now = () => this.now();
    function SimDate(this: unknown, ...args: unknown[]): unknown {
      if (new.target === undefined) return new RealDate(now()).toString();
      return Reflect.construct(RealDate, args.length === 0 ? [now()] : args, new.target);
    }
    SimDate.prototype = RealDate.prototype;
    SimDate.now = now;
    SimDate.parse = RealDate.parse.bind(RealDate);
    SimDate.UTC = RealDate.UTC.bind(RealDate);
    globalThis.Date = SimDate as unknown as DateConstructor;
  }

  now(): number {
    return RealDate.now() + this.offset;
  }

  /** Moves the clock forward to `ms` (epoch); never backwards. */
  advanceTo(ms: number): void {
    const ahead = ms - this.now();
    if (ahead > 0) this.offset += ahead;
  }
}

// ---------------------------------------------------------------------------------------------------
// Running a benchmark

/** Exits the process with an error if the benchmark is still running after `ms` (timer does not keep it alive). */
export function watchdog(ms: number, name: string): void {
  setTimeout(() => {
    console.error(`${name}: still running after ${Math.round(ms / 1000)} s, giving up`);
    process.exit(2);
  }, ms).unref();
}

/** The chaos engine's seeded PRNG (mulberry32), so workloads are the same on every run. */
export { prng };

// ---------------------------------------------------------------------------------------------------
// Stores of many chats

const FIRST_NAMES = ['Анна', 'Иван', 'Мария', 'Сергей', 'Ольга', 'Дмитрий', 'Елена', 'Алексей', 'Наталья', 'Павел'];
const LAST_INITIALS = 'АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ';
const OPEN_STATUSES = ['WAITING_FOR_PARTNER', 'WAITING_FOR_CUSTOMER', 'NEW', 'WAITING_FOR_MARKET'] as const;

/** An ISO time with the Market's +03:00 offset, `msAgo` before `now`. */
function marketTime(now: number, msAgo: number): string {
  return new RealDate(now - msAgo + 3 * 3600_000).toISOString().replace(/\.\d+Z$/, '+03:00');
}

/**
 * Chat record `i` of a store as the bridge leaves it after months of service: the chat as the Market described
 * it (context with order or return, campaign, customer name and public id), its topic and title (made by the
 * bridge's own `topicTitle`, Russian texts), cursor, last read, first sight. 90 % finished, the rest open; 70 %
 * orders, 20 % returns, 10 % questions. Deterministic for a given `i`.
 */
export function chatRecordFor(i: number, now = RealDate.now()): ChatRecord {
  const rand = prng(0x5eed + i);
  const day = 86_400_000;
  const id = marketChatId(10_000_000 + i);
  const kindRoll = rand();
  const type = kindRoll < 0.7 ? 'ORDER' : kindRoll < 0.9 ? 'RETURN' : 'DIRECT';
  const orderId = 50_000_000 + Math.floor(rand() * 40_000_000);
  const status = rand() < 0.9 ? 'FINISHED' : (OPEN_STATUSES[Math.floor(rand() * OPEN_STATUSES.length)] ?? 'NEW');
  const name = `${FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)] ?? 'Анна'} ${LAST_INITIALS[Math.floor(rand() * LAST_INITIALS.length)] ?? 'А'}.`;
  const age = Math.floor(rand() * 180 * day);
  const lastActivity = Math.floor(age * rand());
  const chat: MarketChat = {
    id,
    kind: 'CHAT',
    status,
    context: {
      type,
      customer: { name, publicId: `p${Math.floor(rand() * 1e12).toString(36)}` },
      ...(type !== 'DIRECT' && { campaignId: 21_000_000 + Math.floor(rand() * 10), orderId }),
      ...(type === 'RETURN' && { returnId: 9_000_000 + Math.floor(rand() * 1_000_000) }),
    },
    createdAt: marketTime(now, age),
    updatedAt: marketTime(now, lastActivity),
  };
  return {
    marketChatId: id,
    topicId: topicId(100 + i),
    title: topicTitle(chat, textsFor('ru')),
    chat,
    cursor: marketMessageId(500_000_000 + i * 40 + Math.floor(rand() * 40)),
    syncedAt: new RealDate(now - lastActivity + 2_000).toISOString(),
    backfilled: true,
    firstSeenAt: new RealDate(now - age).toISOString(),
  };
}

/**
 * Writes a store of `count` chats (see {@link chatRecordFor}) into `dataDir` through JsonStore itself: open, putChat
 * each, one commit. Returns the times of the in-memory build and of the commit (the initial full write), in ms.
 */
export async function buildStore(dataDir: string, count: number): Promise<{ putMs: number; commitMs: number }> {
  const store = await JsonStore.open(dataDir);
  const now = RealDate.now();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) store.putChat(chatRecordFor(i, now));
  const t1 = performance.now();
  // Committed, then written into the shards and closed: the state a clean stop leaves.
  await store.close();
  return { putMs: t1 - t0, commitMs: performance.now() - t1 };
}

/** Files under `dir` (recursively) and their total size in bytes, counting `.bak` copies separately. */
export async function diskUsage(
  dir: string,
): Promise<{ files: number; bytes: number; bakFiles: number; bakBytes: number }> {
  const out = { files: 0, bytes: 0, bakFiles: 0, bakBytes: 0 };
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const { size } = await stat(path.join(entry.parentPath, entry.name));
    if (entry.name.endsWith('.bak')) {
      out.bakFiles++;
      out.bakBytes += size;
    } else {
      out.files++;
      out.bytes += size;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Child processes

/** CPU time (user + system, ms) a live process has used so far, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Resident set size of a live process and its peak, in MiB, from /proc (Linux); NaN elsewhere. */
export function processRssMiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on Linux in practice). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Waits until `GET http://127.0.0.1:<port>/healthz` answers 200, polling every `everyMs`; returns when it did. */
export async function waitHealthy(port: number, timeoutMs = 60_000, everyMs = 5): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`/healthz on port ${port} did not answer in time`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sends SIGTERM to a child and waits for it to exit (SIGKILL after `graceMs`); resolves with the time taken. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<number> {
  const t0 = performance.now();
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  return performance.now() - t0;
}
