/**
 * The fault-injection ("chaos") run shared by `npm run chaos` and test/e2e/chaos.test.ts: one world (the fake
 * Market and fake Telegram in this process, on 127.0.0.1), the bridge as a child process (`node src/main.ts`),
 * a seeded mixed workload (buyer messages in many chats, some chats born during the run, operator replies,
 * deleted topics), faults injected at random on both sides, and repeated `kill -9` of the bridge while work is
 * in flight. At the end the injection stops, the bridge drains and is stopped with SIGTERM, and what reached
 * each side is compared with what was written: every buyer message exactly once and in order in its chat's
 * topic, every operator reply exactly once at the Market, one live topic per chat.
 *
 * The seed fixes the plan (what happens and when, relative to the start); the interleaving with the bridge
 * is real time, so two runs with one seed differ in detail.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BUSINESS_ID,
  GROUP_ID,
  OPERATOR,
  freePort,
  startWorld,
  type Bridged,
  type World,
} from '../test/e2e/harness.ts';
import {
  OPERATION_IDS,
  type Fault,
  type FakeChatMessage,
  type OperationId,
  type RequestRecord,
} from '../test/fakes/market-server.ts';
import type { FakeFault } from '../test/fakes/telegram-server.ts';
import { prng } from './lib.ts';

// ---------------------------------------------------------------------------------------------------
// Options

export interface ChaosOptions {
  seed: number;
  /** Buyer messages written in all, including one closing message per chat at the end. */
  messages: number;
  /** Operator replies typed into topics. */
  replies: number;
  /** `kill -9` of the bridge during the workload (each followed by a restart). */
  crashes: number;
  /** Market chats in all. */
  chats: number;
  /** Of those, chats created while the run goes on (the rest exist before the first start). */
  lateChats: number;
  /** Topics deleted in Telegram during the run. */
  topicDeletes: number;
  /** `MARKET_NOTIFICATIONS=on`: the script also posts CHAT_CREATED / CHAT_MESSAGE_SENT to the bridge. */
  notifications: boolean;
  /** How long the workload (messages, replies, faults, crashes) lasts, ms. */
  workloadMs: number;
  /** Mean gap between two injected faults, ms. */
  faultEveryMs: number;
  /** Also inject Market answers that never come (the client gives up after its 15 s timeout). */
  hangs: boolean;
  /** Longest wait for everything to arrive after the workload, ms. */
  drainTimeoutMs: number;
  /** LOG_LEVEL of the bridge; its output is kept in the data directory when a check fails. */
  logLevel: string;
  /** Keep the data directory and the bridge logs even when every check passes. */
  keep: boolean;
  /** Progress lines (the CLI prints them; the test stays quiet). */
  progress?: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<ChaosOptions, 'progress'> = {
  seed: 1,
  messages: 3000,
  replies: 300,
  crashes: 15,
  chats: 40,
  lateChats: 10,
  topicDeletes: 8,
  notifications: false,
  workloadMs: 75_000,
  faultEveryMs: 250,
  hangs: true,
  drainTimeoutMs: 120_000,
  logLevel: 'warn',
  keep: false,
};

// ---------------------------------------------------------------------------------------------------
// Report

/** One `kill -9`. */
export interface CrashRecord {
  /** Seconds since the workload started. */
  atS: number;
  /** How long the killed process had been running, s. */
  uptimeS: number;
  /** Killed before it answered /healthz (during the start-up). */
  duringStartup: boolean;
  /**
   * Posting calls (sendMessage, createForumTopic, …) the fake Telegram had received and not answered, less than
   * 2.5 s old (a slow answer takes at most 1.5 s; an older unanswered call was a dropped connection).
   */
  telegramPostsInFlight: number;
  /** Requests the fake Market had received and not yet answered or reset (exact: its open sockets). */
  marketRequestsInFlight: number;
  /** Highest Telegram message id in the group at the kill: later ids were posted after it. */
  boundaryMessageId: number;
  /** Of the sends in flight, those that took effect at the Market after the kill (the client never knew). */
  marketSendsLandedAfterKill: number;
  /** Buyer messages posted again because of this crash. */
  duplicates: number;
  /** Chats with a buyer message posted again because of this crash. */
  chatsWithDuplicates: number;
}

/** A buyer message that Telegram got more than once. */
export interface DuplicateRecord {
  /** Its marker `m<n>`. */
  n: number;
  chat: number;
  /** Telegram message ids of its copies. */
  copies: number[];
  /** 1-based number of the crash that explains it, if one does. */
  crash?: number;
  /** The first copy was in Telegram before the kill (else the killed process's request landed after it). */
  firstCopyBeforeKill?: boolean;
}

/** Figures that must be zero for the promise to hold. */
export interface MustBeZero {
  /** Buyer messages in no topic of their chat (live, or deleted after the message was posted there). */
  buyerMessagesLost: number;
  /** Buyer messages whose first copy came after the first copy of a later message of the same chat. */
  outOfOrder: number;
  /** Copies whose text differs from what the buyer wrote. */
  garbled: number;
  /** Copies posted into another chat's topic. */
  wrongTopic: number;
  /** Second copies that no crash explains (both copies made by one process lifetime). */
  duplicatesWithoutCrash: number;
  /** Operator replies the buyer got more than once (extra copies). */
  repliesDeliveredTwice: number;
  /** Operator replies the buyer never got. */
  repliesLost: number;
  /** Replies sent to another Market chat than the topic's. */
  repliesMisrouted: number;
  /** Our own replies mirrored back into a topic as seller messages (an echo not recognised). */
  repliesEchoedIntoTopic: number;
  /** Chats without exactly one live topic at the end. */
  chatsWithoutOneLiveTopic: number;
  /** Bridge processes that exited without being killed or stopped. */
  unexpectedExits: number;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'progress'>;
  mode: 'polling' | 'notifications';
  runS: number;
  drainS: number;
  /** The drain reached "everything arrived and nothing moved for 3 s" before its deadline. */
  drained: boolean;
  /** Exit of the last process after SIGTERM. */
  stop: { code: number | null; signal: string | null; seconds: number };
  buyerMessages: number;
  chatsCreated: number;
  repliesTyped: number;
  topicsDeleted: number;
  crashes: CrashRecord[];
  /** Faults injected, by side and kind. */
  faults: Record<string, number>;
  /** What the fakes answered, from their request logs (includes the Market's own parallel-limit 420s). */
  observed: Record<string, number>;
  notifications?: { posted: number; delivered: number; retries: number; gaveUp: number };
  /** Retry buttons the simulated operator pressed under "not delivered" notices. */
  operatorRetries: number;
  mirroredCopies: number;
  /** Extra copies of buyer messages in Telegram (a message posted twice counts 1). */
  duplicates: number;
  /** Most extra copies one crash caused in one chat (the design allows one: the message in flight). */
  maxDuplicatesPerChatPerCrash: number;
  duplicateList: DuplicateRecord[];
  /** Live topics in all (should equal the number of chats). */
  liveTopics: number;
  /**
   * Live topics whose first bot message is not the context card (the card is posted after the new topic is
   * stored; a kill in between leaves the topic without it).
   */
  topicsWithoutCard: number;
  mustBeZero: MustBeZero;
  /** One line for every non-zero must-be-zero figure, with the messages or replies concerned. */
  problems: string[];
  /** Where the data directory and the bridge logs were kept (when a check failed, or asked to). */
  keptDataDir?: string;
}

/** The must-be-zero figures that are not zero, plus a drain that never completed or an unclean stop. */
export function violations(report: ChaosReport): Array<{ figure: string; value: number }> {
  const out = Object.entries(report.mustBeZero)
    .filter(([, value]) => value !== 0)
    .map(([figure, value]) => ({ figure, value: value as number }));
  if (!report.drained) out.push({ figure: 'drainTimedOut', value: 1 });
  if (report.stop.code !== 0) out.push({ figure: 'sigtermExitCode', value: report.stop.code ?? -1 });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The plan

type MarketFaultKind = '420' | '500' | '503' | 'slow' | 'acceptThenReset' | 'resetBeforeEffect' | 'hang';
type TelegramFaultKind = '429' | '500' | 'slow' | 'dropConnection';

type PlannedFault =
  | { side: 'market'; kind: MarketFaultKind; operation: OperationId; ms: number }
  | { side: 'telegram'; kind: TelegramFaultKind; method: string; ms: number };

type Planned =
  | { at: number; kind: 'chat'; chat: number }
  | { at: number; kind: 'message'; n: number; chat: number }
  | { at: number; kind: 'reply'; n: number }
  | { at: number; kind: 'delete' }
  | { at: number; kind: 'fault'; fault: PlannedFault };

/**
 * One `kill -9`: `early` ones hit the start-up (store open, resume, first poll) `delayMs` after the spawn; the
 * others come `delayMs` after the bridge answers /healthz, while it works. `downtimeMs` before the restart.
 */
interface PlannedCrash {
  early: boolean;
  delayMs: number;
  downtimeMs: number;
}

interface Plan {
  events: Planned[];
  crashes: PlannedCrash[];
  /** The text of buyer message n. */
  bodies: string[];
  /** The chat (index) of buyer message n. */
  chatOfMessage: number[];
}

const WORDS = ['hello', 'is it', 'in stock?', '<b>bold</b>', 'a & b', '"quoted"', '😀', 'size 42', 'ok', 'thanks', '—'];

const MARKET_FAULTS: Array<[MarketFaultKind, number, readonly OperationId[]]> = [
  ['420', 3, ['getChats', 'getChatHistory', 'sendMessageToChat']],
  ['500', 2, ['getChats', 'getChatHistory', 'getChat', 'sendMessageToChat']],
  ['503', 2, ['getChats', 'getChatHistory', 'sendMessageToChat']],
  ['slow', 2, ['getChats', 'getChatHistory', 'sendMessageToChat']],
  ['acceptThenReset', 2, ['sendMessageToChat']],
  ['resetBeforeEffect', 2, ['sendMessageToChat', 'getChatHistory']],
  ['hang', 0.3, ['getChatHistory', 'sendMessageToChat']],
];

const TELEGRAM_FAULTS: Array<[TelegramFaultKind, number, readonly string[]]> = [
  ['429', 3, ['sendMessage', 'sendMessage', 'createForumTopic', 'editForumTopic']],
  ['500', 2, ['sendMessage', 'sendMessage', 'createForumTopic']],
  ['slow', 1.5, ['sendMessage']],
  ['dropConnection', 1, ['sendMessage']],
];

/** Builds the seeded plan. Throws for options that cannot make sense. */
function makePlan(o: ChaosOptions): Plan {
  if (o.chats < 1 || o.lateChats >= o.chats) throw new Error('chaos: need at least one chat created before the start');
  if (o.messages < o.chats * 2) throw new Error('chaos: messages must be at least twice the number of chats');
  const random = prng(o.seed);
  const between = (a: number, b: number) => a + (b - a) * random();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const weighted = <T>(items: ReadonlyArray<readonly [T, number]>): T => {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = random() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  };

  const W = o.workloadMs;
  const events: Planned[] = [];
  const early = o.chats - o.lateChats;
  const bornAt: number[] = [];
  for (let c = 0; c < o.chats; c++) {
    const at = c < early ? 0 : between(0.05 * W, 0.7 * W);
    bornAt.push(at);
    if (c >= early) events.push({ at, kind: 'chat', chat: c });
  }
  const weight = bornAt.map(() => between(0.3, 1.7));

  const regular = o.messages - o.chats;
  const times = Array.from({ length: regular }, () => between(0, W)).sort((a, b) => a - b);
  const chatOfMessage: number[] = [];
  const bodies: string[] = [];
  let previous = -1;
  const body = (n: number) => {
    const words = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(WORDS));
    return [`m${n}`, ...words].join(' ');
  };
  times.forEach((at, n) => {
    const open = bornAt.map((b, c) => [c, b <= at ? (weight[c] ?? 1) : 0] as const).filter(([, w]) => w > 0);
    const chat = previous >= 0 && (bornAt[previous] ?? 0) <= at && random() < 0.35 ? previous : weighted(open);
    previous = chat;
    chatOfMessage.push(chat);
    bodies.push(body(n));
    events.push({ at, kind: 'message', n, chat });
  });
  // One closing message per chat after the workload: a chat whose topic was deleted gets it back.
  for (let c = 0; c < o.chats; c++) {
    const n = regular + c;
    chatOfMessage.push(c);
    bodies.push(body(n));
    events.push({ at: W + 200 + c * 5, kind: 'message', n, chat: c });
  }

  for (let n = 0; n < o.replies; n++) events.push({ at: between(Math.min(2000, 0.2 * W), 0.95 * W), kind: 'reply', n });
  for (let i = 0; i < o.topicDeletes; i++) events.push({ at: between(0.15 * W, 0.9 * W), kind: 'delete' });

  const faults = Math.floor(W / o.faultEveryMs);
  for (let i = 0; i < faults; i++) {
    const at = between(0, W);
    let fault: PlannedFault;
    if (random() < 0.55) {
      const [kind, , operations] = weighted(
        MARKET_FAULTS.filter(([k]) => o.hangs || k !== 'hang').map((f) => [f, f[1]] as const),
      );
      const ms = kind === '420' ? between(1000, 2000) : kind === 'slow' ? between(200, 8000) : 0;
      fault = { side: 'market', kind, operation: pick(operations), ms };
    } else {
      const [kind, , methods] = weighted(TELEGRAM_FAULTS.map((f) => [f, f[1]] as const));
      fault = { side: 'telegram', kind, method: pick(methods), ms: kind === 'slow' ? between(200, 1500) : 0 };
    }
    events.push({ at, kind: 'fault', fault });
  }
  events.sort((a, b) => a.at - b.at);

  // One crash in five hits the start-up; the others a random time after the bridge is up, so that the crashes
  // spread over the workload (a start takes about 2 s).
  const up = Math.max(300, W / Math.max(1, o.crashes) - 2_500);
  const crashes = Array.from({ length: o.crashes }, () => {
    const early = random() < 0.2;
    return { early, delayMs: early ? between(100, 1_500) : between(0.1 * up, 1.9 * up), downtimeMs: between(0, 700) };
  });
  return { events, crashes, bodies, chatOfMessage };
}

// ---------------------------------------------------------------------------------------------------
// Reading Telegram

const CARD_TITLE = 'Yandex Market buyer chat';
const BUYER_HEADER = '👤 Buyer';
const SELLER_HEADER = '🏪 Seller';
const ORDER_BASE = 70_000;
const POSTING_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'createForumTopic', 'editForumTopic']);
/** The first line of a mirrored message's body after the header line: `m<n> …`. */
const MARKER_IN_CALL = /\nm(\d+)(?: |$)/;

/** A bot message in a topic, as read from the fake or saved before its topic was deleted. */
interface TopicPost {
  messageId: number;
  threadId: number;
  text: string;
}

type Parsed =
  { kind: 'buyer'; n: number; body: string } | { kind: 'seller'; body: string } | { kind: 'card' | 'other' };

/** What a bot message in a topic is: a mirrored buyer message (header line, then the body), a seller one, … */
function parsePost(text: string): Parsed {
  if (text.startsWith(CARD_TITLE)) return { kind: 'card' };
  const newline = text.indexOf('\n');
  const header = newline < 0 ? text : text.slice(0, newline);
  const body = newline < 0 ? '' : text.slice(newline + 1);
  if (header.startsWith(BUYER_HEADER)) {
    const m = /^m(\d+)(?: |$)/.exec(body);
    return m ? { kind: 'buyer', n: Number(m[1]), body } : { kind: 'other' };
  }
  if (header.startsWith(SELLER_HEADER)) return { kind: 'seller', body };
  return { kind: 'other' };
}

const orderOfTopicName = (name: string): number | undefined => {
  const m = /\bOrder (\d+)\b/.exec(name);
  return m ? Number(m[1]) : undefined;
};

// ---------------------------------------------------------------------------------------------------
// The run

interface ChatState {
  index: number;
  marketChatId?: number;
  orderId: number;
}

interface TypedReply {
  n: number;
  text: string;
  chat: number;
  threadId: number;
  telegramMessageId: number;
}

/** The fields of a stored operator reply that the problem lines show. */
interface StoredReply {
  text?: string;
  state?: string;
  attempts?: number;
  noticeId?: number;
}

interface Process {
  bridged: Bridged;
  spawnedAt: number;
  /** Killed or stopped by the run (any other exit is unexpected). */
  expected: boolean;
}

/** The text of a sendMessageToChat request, from the fake's log. */
const textOf = (r: RequestRecord): string | undefined => {
  const message = (r.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Quotas far above what the run uses: the hourly quotas are tested elsewhere, 420s here are injected. */
const HIGH_LIMITS = Object.fromEntries(OPERATION_IDS.map((op) => [op, 1_000_000])) as Record<OperationId, number>;

/** Children of every run still going, so that a watchdog can kill them before exiting. */
const liveRuns = new Set<ChaosRun>();

/** Kills (SIGKILL) every bridge process started by a run of this module that is still alive. */
export function killAllBridges(): void {
  for (const run of liveRuns) run.killNow();
}

/** Runs one chaos scenario and returns its report. Every child process is gone when it resolves. */
export async function runChaos(options: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_OPTIONS, ...options };
  const plan = makePlan(o);
  let onMarketMessage: (m: FakeChatMessage) => void = () => undefined;
  const world = await startWorld({ limits: HIGH_LIMITS, onMessage: (m) => onMarketMessage(m) });
  const run = new ChaosRun(o, plan, world);
  onMarketMessage = (m) => run.marketMessage(m);
  liveRuns.add(run);
  let report: ChaosReport | undefined;
  try {
    report = await run.execute();
    return report;
  } finally {
    liveRuns.delete(run);
    run.killNow();
    await world.close();
    if (report && (o.keep || violations(report).length > 0)) {
      await run.keepLogs();
      report.keptDataDir = world.dataDir;
    } else {
      await rm(world.dataDir, { recursive: true, force: true });
    }
  }
}

class ChaosRun {
  private readonly chats: ChatState[];
  private readonly messageIds = new Map<number, number>();
  private readonly typed: TypedReply[] = [];
  private readonly archive = new Map<number, TopicPost>();
  private readonly crashes: CrashRecord[] = [];
  /** Date.now() of each kill. */
  private readonly killedAt: number[] = [];
  /** Date.now() of the start that followed each kill. */
  private readonly restartedAt: number[] = [];
  /** The Market sends in flight at each kill. */
  private readonly inFlightSends: Array<{ killedAt: number; requests: RequestRecord[] }> = [];
  private readonly processes: Process[] = [];
  private readonly faults: Record<string, number> = {};
  private readonly runtime: () => number;
  private readonly notificationsInFlight = new Set<Promise<void>>();
  private readonly notes = { posted: 0, delivered: 0, retries: 0, gaveUp: 0 };
  private readonly pressed = new Set<string>();
  private current: Process | undefined;
  private env: Record<string, string> = {};
  private port = 0;
  private t0 = 0;
  /** Date.now() at t0. */
  private wallT0 = 0;
  /** The replies as the bridge's store holds them after the stop, by text (for the problem lines). */
  private storedReplies = new Map<string, StoredReply>();
  private maxIdSeen = 0;
  private operatorRetries = 0;
  private unexpectedExits = 0;
  private stopping = false;
  private topicsDeleted = 0;

  constructor(
    private readonly o: ChaosOptions,
    private readonly plan: Plan,
    private readonly world: World,
  ) {
    this.chats = Array.from({ length: o.chats }, (_, index) => ({ index, orderId: ORDER_BASE + index }));
    this.runtime = prng(o.seed ^ 0x5eed);
  }

  private get market() {
    return this.world.market;
  }

  private get telegram() {
    return this.world.telegram;
  }

  private elapsed(): number {
    return performance.now() - this.t0;
  }

  private say(line: string): void {
    this.o.progress?.(`[${(this.elapsed() / 1000).toFixed(1).padStart(6)} s] ${line}`);
  }

  async execute(): Promise<ChaosReport> {
    const o = this.o;
    this.port = await freePort();
    this.env = {
      MARKET_POLL_INTERVAL: '1',
      TELEGRAM_PACING: 'off',
      HTTP_PORT: String(this.port),
      LOG_LEVEL: o.logLevel,
      ...(o.notifications && { MARKET_NOTIFICATIONS: 'on', MARKET_RECONCILE_INTERVAL: '30' }),
    };
    for (const chat of this.chats.slice(0, o.chats - o.lateChats)) this.createChat(chat);
    this.t0 = performance.now();
    this.wallT0 = Date.now();
    this.spawn();
    const operator = this.operatorLoop();
    await Promise.all([this.playEvents(), this.crashLoop()]);
    this.say('workload done, draining');
    const drainStart = performance.now();
    const drained = await this.drain();
    const drainS = (performance.now() - drainStart) / 1000;
    this.say(drained ? 'drained, stopping with SIGTERM' : 'drain timed out, stopping with SIGTERM');
    const stop = await this.stopBridge();
    this.stopping = true;
    this.storedReplies = await this.readStoredReplies();
    await operator;
    await Promise.race([Promise.all([...this.notificationsInFlight]), sleep(5_000)]);
    const runS = this.elapsed() / 1000;
    return this.analyse({ runS, drainS, drained, stop });
  }

  // --- the bridge process ---------------------------------------------------------------------------

  private spawn(): void {
    if (this.stopping) return;
    const proc: Process = { bridged: this.world.spawn(this.env), spawnedAt: Date.now(), expected: false };
    this.current = proc;
    this.processes.push(proc);
    void proc.bridged.exited.then(({ code, signal }) => {
      if (proc.expected) return;
      this.unexpectedExits++;
      this.say(`bridge exited by itself (code ${String(code)}, signal ${String(signal)})`);
      // A supervisor restarts it; bounded so that a bridge that cannot start ends the run.
      if (!this.stopping && this.current === proc && this.unexpectedExits <= 10) {
        setTimeout(() => {
          if (!this.stopping && this.current === proc) this.spawn();
        }, 500);
      }
    });
  }

  /** SIGKILL now, without waiting (cleanup). */
  killNow(): void {
    this.stopping = true;
    for (const p of this.processes) {
      const child = p.bridged.child;
      if (child.exitCode === null && child.signalCode === null) {
        p.expected = true;
        child.kill('SIGKILL');
      }
    }
  }

  private async crashLoop(): Promise<void> {
    for (const [i, planned] of this.plan.crashes.entries()) {
      if (this.stopping) return;
      const ready = planned.early ? false : await this.waitReady(30_000);
      await sleep(planned.delayMs - (planned.early ? Date.now() - (this.current?.spawnedAt ?? 0) : 0));
      const duringStartup = planned.early ? !(await this.isReady()) : !ready;
      const proc = this.current;
      if (!proc) continue;
      const since = proc.spawnedAt;
      const record: CrashRecord = {
        atS: this.elapsed() / 1000,
        uptimeS: (Date.now() - since) / 1000,
        duringStartup,
        telegramPostsInFlight: this.telegram.calls.filter(
          (c) => c.at >= Math.max(since, Date.now() - 2_500) && c.status === 0 && POSTING_METHODS.has(c.method),
        ).length,
        marketRequestsInFlight: this.market.inFlight,
        boundaryMessageId: 0,
        marketSendsLandedAfterKill: 0,
        duplicates: 0,
        chatsWithDuplicates: 0,
      };
      // Sends that may still take effect: unanswered, and not in the Market's log yet (a reset never lands).
      const sendsInFlight = this.market.requests.filter(
        (r) => r.at >= since && r.status === 0 && r.operationId === 'sendMessageToChat' && !this.delivered(textOf(r)),
      );
      proc.expected = true;
      proc.bridged.child.kill('SIGKILL');
      const killedAt = Date.now();
      this.killedAt.push(killedAt);
      this.inFlightSends.push({ killedAt, requests: sendsInFlight });
      // Nothing of the fakes runs between the kill and this line: the boundary is exact.
      record.boundaryMessageId = this.highestMessageId();
      this.crashes.push(record);
      await proc.bridged.exited;
      this.say(
        `kill -9 #${i + 1} after ${record.uptimeS.toFixed(1)} s up${record.duringStartup ? ' (start-up)' : ''}, in flight: ` +
          `${record.telegramPostsInFlight} Telegram posts, ${record.marketRequestsInFlight} Market requests`,
      );
      await sleep(planned.downtimeMs);
      this.spawn();
      this.restartedAt.push(Date.now());
    }
  }

  /** Whether the bridge answers /healthz now. */
  private async isReady(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** Waits (bounded) until the current bridge answers /healthz. */
  private async waitReady(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && !this.stopping) {
      if (await this.isReady()) return true;
      await sleep(50);
    }
    return false;
  }

  private async stopBridge(): Promise<ChaosReport['stop']> {
    const proc = this.current;
    if (!proc) return { code: null, signal: null, seconds: 0 };
    proc.expected = true;
    const started = performance.now();
    proc.bridged.child.kill('SIGTERM');
    const exited = await Promise.race([proc.bridged.exited, sleep(15_000).then(() => undefined)]);
    if (!exited) proc.bridged.child.kill('SIGKILL');
    return {
      code: exited ? exited.code : null,
      signal: exited ? exited.signal : 'timed out',
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** Writes every process's output next to the store, for a look after a failed check. */
  async keepLogs(): Promise<void> {
    await Promise.all(
      this.processes.map((p, i) =>
        writeFile(path.join(this.world.dataDir, `bridge-${String(i).padStart(2, '0')}.log`), p.bridged.output()),
      ),
    );
  }

  // --- the workload ---------------------------------------------------------------------------------

  private async playEvents(): Promise<void> {
    const deferred: Planned[] = [];
    for (const event of this.plan.events) {
      await sleep(event.at - this.elapsed());
      if (this.stopping) return;
      if (!this.apply(event)) deferred.push(event);
    }
    // Replies that found no linked topic yet: a few more tries, then they are reported as not typed.
    for (let round = 0; round < 40 && deferred.length > 0; round++) {
      await sleep(250);
      for (let i = deferred.length - 1; i >= 0; i--) {
        const event = deferred[i];
        if (event && this.apply(event)) deferred.splice(i, 1);
      }
    }
  }

  /** Applies one planned event; false when it has to wait (a reply with no linked topic yet). */
  private apply(event: Planned): boolean {
    switch (event.kind) {
      case 'chat': {
        const chat = this.chats[event.chat];
        if (chat) this.createChat(chat);
        return true;
      }
      case 'message': {
        const chat = this.chats[event.chat];
        const text = this.plan.bodies[event.n];
        if (chat?.marketChatId === undefined || text === undefined) return true;
        this.messageIds.set(event.n, this.market.addMessage(chat.marketChatId, { sender: 'CUSTOMER', text }));
        return true;
      }
      case 'reply':
        return this.typeReply(event.n);
      case 'delete':
        this.deleteATopic();
        return true;
      case 'fault':
        this.inject(event.fault);
        return true;
    }
  }

  private createChat(chat: ChatState): void {
    chat.marketChatId = this.market.addChat({
      contextType: 'ORDER',
      orderId: chat.orderId,
      customer: { name: `Buyer ${chat.index}` },
    });
    if (this.o.notifications) {
      this.notify({
        notificationType: 'CHAT_CREATED',
        chatId: chat.marketChatId,
        businessId: BUSINESS_ID,
        createdAt: new Date().toISOString(),
      });
    }
  }

  /** The live topic the bridge uses for each chat: it carries the context card, posted after the link was stored. */
  private linkedTopics(): Map<number, number> {
    const carded = new Set<number>();
    for (const m of this.telegram.messages(GROUP_ID, { fromBot: true })) {
      if (m.threadId !== undefined && (m.text ?? '').startsWith(CARD_TITLE)) carded.add(m.threadId);
    }
    const byChat = new Map<number, number>();
    for (const t of this.telegram.topics(GROUP_ID)) {
      const order = orderOfTopicName(t.name);
      if (t.deleted || order === undefined || !carded.has(t.threadId)) continue;
      const chat = order - ORDER_BASE;
      byChat.set(chat, Math.max(byChat.get(chat) ?? 0, t.threadId));
    }
    return byChat;
  }

  private typeReply(n: number): boolean {
    const linked = [...this.linkedTopics()];
    if (linked.length === 0) return false;
    const [chat, threadId] = linked[Math.floor(this.runtime() * linked.length)] as [number, number];
    const text = `reply ${n}`;
    const msg = this.telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text });
    this.typed.push({ n, text, chat, threadId, telegramMessageId: msg.message_id });
    return true;
  }

  private delivered(text: string | undefined): boolean {
    return text !== undefined && this.market.sent.some((s) => s.text === text);
  }

  /**
   * Deletes the topic of a chat with no reply on its way (a reply typed into a topic deleted before the bridge
   * read it has nowhere to go: Telegram deletes the operator's message with the topic). Its bot messages are
   * saved first: Telegram drops them with the topic, and they count as delivered.
   */
  private deleteATopic(): void {
    const pending = new Set(this.typed.filter((r) => !this.delivered(r.text)).map((r) => r.chat));
    const candidates = [...this.linkedTopics()].filter(([chat]) => !pending.has(chat));
    if (candidates.length === 0) return;
    const [chat, threadId] = candidates[Math.floor(this.runtime() * candidates.length)] as [number, number];
    for (const m of this.telegram.messages(GROUP_ID, { threadId, includeService: true })) {
      this.maxIdSeen = Math.max(this.maxIdSeen, m.message_id);
      if (m.from.id === OPERATOR.id || m.isService) continue;
      this.archive.set(m.message_id, {
        messageId: m.message_id,
        threadId,
        text: m.text ?? m.caption ?? '',
      });
    }
    this.telegram.deleteTopic(GROUP_ID, threadId);
    this.topicsDeleted++;
    this.say(`deleted the topic of chat ${chat}`);
  }

  private inject(f: PlannedFault): void {
    if (f.side === 'market') {
      const fault: Fault =
        f.kind === '420'
          ? { status: 420, untilMs: Date.now() + f.ms }
          : f.kind === '500' || f.kind === '503'
            ? { status: Number(f.kind) as 500 | 503 }
            : f.kind === 'slow'
              ? { delayMs: Math.round(f.ms) }
              : f.kind === 'hang'
                ? { hang: true }
                : f.kind === 'acceptThenReset'
                  ? { acceptThenReset: true }
                  : { resetBeforeEffect: true };
      this.market.failNext(f.operation, fault);
    } else {
      const fault: FakeFault =
        f.kind === '429'
          ? { status: 429, retryAfter: 1 }
          : f.kind === '500'
            ? { status: 500 }
            : f.kind === 'slow'
              ? { delayMs: Math.round(f.ms) }
              : { dropConnection: true };
      this.telegram.failNext(f.method, fault);
    }
    const key = `${f.side === 'market' ? 'Market' : 'Telegram'} ${f.kind}`;
    this.faults[key] = (this.faults[key] ?? 0) + 1;
  }

  // --- notifications (MARKET_NOTIFICATIONS=on) ------------------------------------------------------

  /** Every message written at the Market (buyer messages and our replies' echoes) is announced. */
  marketMessage(m: FakeChatMessage): void {
    if (!this.o.notifications) return;
    this.notify({
      notificationType: 'CHAT_MESSAGE_SENT',
      chatId: m.chatId,
      messageId: String(m.messageId),
      businessId: BUSINESS_ID,
      sentAt: new Date().toISOString(),
    });
  }

  /** Posts a notification, retrying as the Market does while the bridge is down (bounded). */
  private notify(body: unknown): void {
    this.notes.posted++;
    const attempt = async () => {
      let pause = 250;
      for (let i = 0; i < 60; i++) {
        if (this.stopping) break;
        try {
          const res = await fetch(`http://127.0.0.1:${this.port}/market/notification`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(3_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) {
            this.notes.delivered++;
            return;
          }
        } catch {
          // the bridge is down or restarting: try again
        }
        this.notes.retries++;
        await sleep(pause);
        pause = Math.min(2_000, pause * 2);
      }
      this.notes.gaveUp++;
    };
    const p = attempt().finally(() => this.notificationsInFlight.delete(p));
    this.notificationsInFlight.add(p);
  }

  // --- the operator ---------------------------------------------------------------------------------

  /**
   * Presses Retry under a "not delivered" notice, as an operator would, until the run stops: whenever one of
   * their messages gets a notice with a Retry button (a new one, or one edited since the last press). The
   * operator cannot know better than the notice, so they press it even if the Market did take the message.
   */
  private async operatorLoop(): Promise<void> {
    while (!this.stopping) {
      await sleep(500);
      const mine = new Set(this.typed.map((r) => r.telegramMessageId));
      for (const m of this.telegram.messages(GROUP_ID, { fromBot: true })) {
        if (m.replyToMessageId === undefined || !mine.has(m.replyToMessageId)) continue;
        const button = m.replyMarkup?.inline_keyboard
          .flat()
          .find((b) => 'callback_data' in b && b.callback_data.startsWith('r:'));
        if (!button || !('callback_data' in button)) continue;
        const key = `${m.message_id}:${m.editHistory.length}`;
        if (this.pressed.has(key)) continue;
        this.pressed.add(key);
        this.telegram.userPressesButton(GROUP_ID, m.message_id, button.callback_data, OPERATOR);
        this.operatorRetries++;
      }
    }
  }

  // --- the end ----------------------------------------------------------------------------------------

  private highestMessageId(): number {
    for (const m of this.telegram.messages(GROUP_ID, { includeService: true })) {
      if (m.message_id > this.maxIdSeen) this.maxIdSeen = m.message_id;
    }
    return this.maxIdSeen;
  }

  /** Every bot message of every topic: the live ones and those saved before their topic was deleted. */
  private posts(): TopicPost[] {
    const all = new Map(this.archive);
    for (const m of this.telegram.messages(GROUP_ID, { fromBot: true })) {
      if (m.threadId === undefined) continue;
      all.set(m.message_id, {
        messageId: m.message_id,
        threadId: m.threadId,
        text: m.text ?? m.caption ?? '',
      });
    }
    return [...all.values()].sort((a, b) => a.messageId - b.messageId);
  }

  /** Waits until every message and reply has arrived and nothing has moved for 3 s (bounded). */
  private async drain(): Promise<boolean> {
    const deadline = performance.now() + this.o.drainTimeoutMs;
    let signature = '';
    let still = performance.now();
    let round = 0;
    while (performance.now() < deadline) {
      const seen = new Set<number>();
      for (const p of this.posts()) {
        const parsed = parsePost(p.text);
        if (parsed.kind === 'buyer') seen.add(parsed.n);
      }
      const repliesIn = this.typed.filter((r) => this.delivered(r.text)).length;
      const groupMessages = this.highestMessageId();
      const now = `${groupMessages}/${this.market.sent.length}/${seen.size}`;
      if (now !== signature) {
        signature = now;
        still = performance.now();
      }
      const complete =
        seen.size >= this.plan.bodies.length &&
        repliesIn === this.typed.length &&
        this.notificationsInFlight.size === 0;
      if (complete && performance.now() - still >= 3_000) return true;
      if (++round % 20 === 0) {
        this.say(
          `waiting for ${this.plan.bodies.length - seen.size} buyer messages, ${this.typed.length - repliesIn} replies, ` +
            `${this.notificationsInFlight.size} notifications`,
        );
      }
      await sleep(250);
    }
    return false;
  }

  /** The operator replies in the store the last process left (schema 2: `replies` in marketgram.json). */
  private async readStoredReplies(): Promise<Map<string, StoredReply>> {
    try {
      const raw = JSON.parse(await readFile(path.join(this.world.dataDir, 'marketgram.json'), 'utf8')) as {
        replies?: Record<string, StoredReply>;
      };
      return new Map(Object.values(raw.replies ?? {}).map((r) => [String(r.text), r]));
    } catch {
      return new Map();
    }
  }

  /** What happened to one reply: its sends, when they took effect, the kills around them, its stored state. */
  private replyStory(text: string): string {
    const rel = (ms: number) => `${((ms - this.wallT0) / 1000).toFixed(2)} s`;
    const processAt = (ms: number) => this.processes.filter((p) => p.spawnedAt <= ms).length - 1;
    const requests = this.market.requests.filter((r) => r.operationId === 'sendMessageToChat' && textOf(r) === text);
    const sends = requests.map((r) => `${rel(r.at)} by process ${processAt(r.at)} (${r.status || 'no answer'})`);
    const effects = this.market.sent.filter((s) => s.text === text).map((s) => rel(s.at));
    const from = requests[0]?.at ?? 0;
    const kills = this.killedAt.map((t, i) => [t, i] as const).filter(([t]) => t >= from - 10_000);
    const stored = this.storedReplies.get(text);
    const state = stored
      ? `stored as ${stored.state ?? '?'} after ${stored.attempts ?? '?'} attempts` +
        (stored.noticeId === undefined ? ', no notice' : `, notice ${String(stored.noticeId)}`)
      : 'not in the store';
    return (
      `sends at ${sends.join(', ') || 'none'}; took effect at ${effects.join(', ') || 'never'}; ` +
      `kills at ${kills.map(([t, i]) => `${rel(t)} (#${i + 1})`).join(', ') || 'none nearby'}; ${state}`
    );
  }

  /** The Telegram calls that posted buyer message n, and the kills around them. */
  private postStory(n: number): string {
    const rel = (ms: number) => `${((ms - this.wallT0) / 1000).toFixed(2)} s`;
    const processAt = (ms: number) => this.processes.filter((p) => p.spawnedAt <= ms).length - 1;
    const calls = this.telegram.calls.filter(
      (c) =>
        c.method === 'sendMessage' &&
        typeof c.params.text === 'string' &&
        MARKER_IN_CALL.exec(c.params.text)?.[1] === String(n),
    );
    const from = calls[0]?.at ?? 0;
    const to = calls[calls.length - 1]?.at ?? 0;
    const kills = this.killedAt
      .map((t, i) => [t, i] as const)
      .filter(([t]) => t >= from - 5_000 && t <= to + 5_000)
      .map(([t, i]) => `${rel(t)} (#${i + 1}, highest message id ${this.crashes[i]?.boundaryMessageId ?? '?'})`);
    return (
      `posted by calls at ${calls.map((c) => `${rel(c.at)} by process ${processAt(c.at)} into thread ${String(c.params.message_thread_id)} (${c.status || 'no answer'})`).join(', ')}; ` +
      `kills at ${kills.join(', ') || 'none nearby'}`
    );
  }

  private analyse(end: Pick<ChaosReport, 'runS' | 'drainS' | 'drained' | 'stop'>): ChaosReport {
    const problems: string[] = [];
    const topics = this.telegram.topics(GROUP_ID);
    const orderOfThread = new Map(topics.map((t) => [t.threadId, orderOfTopicName(t.name)]));
    const posts = this.posts();

    // Buyer messages: every copy, in Telegram order (message ids grow in the group).
    const copies = new Map<number, TopicPost[]>();
    let garbled = 0;
    let wrongTopic = 0;
    let echoed = 0;
    const replyTexts = new Set(this.typed.map((r) => r.text));
    for (const p of posts) {
      const parsed = parsePost(p.text);
      if (parsed.kind === 'seller' && replyTexts.has(parsed.body)) {
        echoed++;
        problems.push(`reply echoed into topic ${p.threadId}: "${parsed.body}"`);
      }
      if (parsed.kind !== 'buyer') continue;
      const expected = this.plan.bodies[parsed.n];
      if (parsed.body !== expected) {
        garbled++;
        problems.push(`garbled m${parsed.n}: ${JSON.stringify(parsed.body)} instead of ${JSON.stringify(expected)}`);
      }
      const chat = this.plan.chatOfMessage[parsed.n];
      const order = orderOfThread.get(p.threadId);
      if (chat === undefined || order !== ORDER_BASE + chat) {
        wrongTopic++;
        problems.push(`m${parsed.n} of chat ${String(chat)} posted in topic ${p.threadId} (order ${String(order)})`);
      }
      const list = copies.get(parsed.n) ?? [];
      list.push(p);
      copies.set(parsed.n, list);
    }

    const total = this.plan.bodies.length;
    let lost = 0;
    for (let n = 0; n < total; n++) {
      if (!copies.has(n)) {
        lost++;
        if (lost <= 20) problems.push(`lost m${n} of chat ${String(this.plan.chatOfMessage[n])}`);
      }
    }

    // Order within each chat, by the first copy of each message.
    let outOfOrder = 0;
    const firstCopies = [...copies.entries()]
      .map(([n, list]) => ({ n, id: (list[0] as TopicPost).messageId }))
      .sort((a, b) => a.id - b.id);
    const newest = new Map<number, number>();
    for (const { n } of firstCopies) {
      const chat = this.plan.chatOfMessage[n] ?? -1;
      const marketId = this.messageIds.get(n) ?? 0;
      const before = newest.get(chat) ?? 0;
      if (marketId < before) {
        outOfOrder++;
        if (outOfOrder <= 20) problems.push(`m${n} of chat ${chat} came after a later message of that chat`);
      }
      newest.set(chat, Math.max(before, marketId));
    }

    // Duplicates, each explained by the first crash that came after its first request reached Telegram and
    // before the extra copy was posted.
    const firstArrival = new Map<number, number>();
    for (const c of this.telegram.calls) {
      if (c.method !== 'sendMessage' || typeof c.params.text !== 'string') continue;
      const m = MARKER_IN_CALL.exec(c.params.text);
      if (!m) continue;
      const n = Number(m[1]);
      if (!firstArrival.has(n)) firstArrival.set(n, c.at);
    }
    let duplicates = 0;
    let unexplained = 0;
    const perChatCrash = new Map<string, number>();
    const duplicateList: DuplicateRecord[] = [];
    for (const [n, list] of copies) {
      if (list.length < 2) continue;
      const chat = this.plan.chatOfMessage[n] ?? -1;
      const record: DuplicateRecord = { n, chat, copies: list.map((p) => p.messageId) };
      duplicateList.push(record);
      for (const extra of list.slice(1)) {
        duplicates++;
        const arrived = firstArrival.get(n) ?? 0;
        // The last kill before the extra copy whose process may have sent the first request: it arrived before
        // the next process was started (plus 250 ms: bytes a process wrote before it died are still read by the
        // fake after the kill, while no new process sends anything that soon after its spawn).
        const k = this.crashes.findLastIndex(
          (c, i) => arrived < (this.restartedAt[i] ?? Infinity) + 250 && c.boundaryMessageId < extra.messageId,
        );
        const crash = this.crashes[k];
        if (!crash) {
          unexplained++;
          problems.push(
            `m${n} of chat ${chat} posted again without a crash in between (copies ${record.copies.join(', ')}): ` +
              this.postStory(n),
          );
          continue;
        }
        record.crash ??= k + 1;
        record.firstCopyBeforeKill ??= (list[0]?.messageId ?? 0) <= crash.boundaryMessageId;
        crash.duplicates++;
        const key = `${k}:${chat}`;
        if (!perChatCrash.has(key)) crash.chatsWithDuplicates++;
        perChatCrash.set(key, (perChatCrash.get(key) ?? 0) + 1);
      }
    }
    // Market sends that were in flight at a kill and took effect after it: more effects of that text after the
    // kill than requests for it made after the kill (each of those makes at most one).
    this.inFlightSends.forEach(({ killedAt, requests }, i) => {
      const crash = this.crashes[i];
      if (!crash) return;
      for (const text of new Set(requests.map(textOf))) {
        const effects = this.market.sent.filter((s) => s.text === text && s.at >= killedAt).length;
        const later = this.market.requests.filter(
          (r) => r.operationId === 'sendMessageToChat' && r.at > killedAt && textOf(r) === text,
        ).length;
        crash.marketSendsLandedAfterKill += Math.max(0, effects - later);
      }
    });

    // Replies: exactly once each, into the right Market chat.
    let twice = 0;
    let repliesLost = 0;
    let misrouted = 0;
    for (const r of this.typed) {
      const sent = this.market.sent.filter((s) => s.text === r.text);
      if (sent.length === 0) {
        repliesLost++;
        problems.push(`reply lost: "${r.text}" (chat ${r.chat}): ${this.replyStory(r.text)}`);
      }
      if (sent.length > 1) {
        twice += sent.length - 1;
        problems.push(`reply delivered ${sent.length} times: "${r.text}" (chat ${r.chat}): ${this.replyStory(r.text)}`);
      }
      const want = this.chats[r.chat]?.marketChatId;
      if (sent.some((s) => s.chatId !== want)) {
        misrouted++;
        problems.push(`reply "${r.text}" sent to another chat`);
      }
    }

    // Topics: exactly one live topic per chat.
    const live = topics.filter((t) => !t.deleted);
    const firstPost = new Map<number, TopicPost>();
    for (const p of posts) if (!firstPost.has(p.threadId)) firstPost.set(p.threadId, p);
    const topicsWithoutCard = live.filter((t) => parsePost(firstPost.get(t.threadId)?.text ?? '').kind !== 'card');
    let chatsWithoutOne = 0;
    for (const chat of this.chats) {
      const mine = live.filter((t) => orderOfTopicName(t.name) === chat.orderId);
      if (mine.length !== 1) {
        chatsWithoutOne++;
        problems.push(`chat ${chat.index} has ${mine.length} live topics (${mine.map((t) => t.threadId).join(', ')})`);
      }
    }

    const observed: Record<string, number> = {};
    const count = (key: string) => (observed[key] = (observed[key] ?? 0) + 1);
    for (const r of this.market.requests) {
      if (r.status === 420) count('Market 420 answers');
      else if (r.status >= 500) count('Market 5xx answers');
      else if (r.status === 0) count('Market requests never answered');
    }
    for (const c of this.telegram.calls) {
      if (c.status === 429) count('Telegram 429 answers');
      else if (c.status >= 500) count('Telegram 5xx answers');
      else if (c.status === 0 && c.method !== 'getUpdates') count('Telegram calls never answered');
    }

    const { progress: _progress, ...options } = this.o;
    return {
      options,
      mode: this.o.notifications ? 'notifications' : 'polling',
      ...end,
      buyerMessages: this.messageIds.size,
      chatsCreated: this.chats.filter((c) => c.marketChatId !== undefined).length,
      repliesTyped: this.typed.length,
      topicsDeleted: this.topicsDeleted,
      crashes: this.crashes,
      faults: this.faults,
      observed,
      ...(this.o.notifications && { notifications: { ...this.notes } }),
      operatorRetries: this.operatorRetries,
      mirroredCopies: [...copies.values()].reduce((s, l) => s + l.length, 0),
      duplicates,
      duplicateList,
      maxDuplicatesPerChatPerCrash: Math.max(0, ...perChatCrash.values()),
      liveTopics: live.length,
      topicsWithoutCard: topicsWithoutCard.length,
      mustBeZero: {
        buyerMessagesLost: lost,
        outOfOrder,
        garbled,
        wrongTopic,
        duplicatesWithoutCrash: unexplained,
        repliesDeliveredTwice: twice,
        repliesLost,
        repliesMisrouted: misrouted,
        repliesEchoedIntoTopic: echoed,
        chatsWithoutOneLiveTopic: chatsWithoutOne,
        unexpectedExits: this.unexpectedExits,
      },
      problems,
    };
  }
}
