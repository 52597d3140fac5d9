/**
 * The fault-injection ("chaos") run shared by `npm run chaos` (bench/chaos.ts) and test/e2e/chaos.test.ts: one world
 * (the fake Market and fake Telegram in this process, on 127.0.0.1), the bridge as a child process
 * (`src/main.ts`'s process, through bridge-process.ts), the seeded workload of plan.ts (buyer messages in many
 * chats, some chats born during the run, operator replies, deleted topics; reviews and questions with their
 * comments and answers), faults injected at random on both sides (faults.ts), and repeated
 * `kill -9` of the bridge while work is in flight. At the end the injection stops, the bridge drains and is stopped
 * with SIGTERM, and verdict.ts compares what reached each side with what was written.
 *
 * The seed fixes the plan (what happens and when, relative to the start); the interleaving with the bridge
 * is real time, so two runs with one seed differ in detail.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { GROUP_ID, freePort, startWorld, type World } from '../e2e/harness.ts';
import type { QuestionNotification } from '../fakes/market-question-types.ts';
import type { ReviewNotification } from '../fakes/market-review-types.ts';
import { OPERATION_IDS, type FakeChatMessage, type OperationId, type RequestRecord } from '../fakes/market-server.ts';
import { Notifier } from './notifier.ts';
import { DEFAULT_OPTIONS, type ChaosOptions } from './options.ts';
import { makePlan, type Plan } from './plan.ts';
import { textOf, type RunRecord, type StoredReply } from './record.ts';
import { violations, type ChaosReport, type CrashRecord } from './report.ts';
import { POSTING_METHODS, parseBlocks, topicPosts } from './topic-posts.ts';
import { Supervisor } from './supervisor.ts';
import { parseThreadPost } from './thread-posts.ts';
import { THREAD_WRITES } from './thread-plan.ts';
import { verdict } from './verdict.ts';
import { Workload } from './workload.ts';

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
  let onFeedback: (n: ReviewNotification | QuestionNotification) => void = () => undefined;
  const world = await startWorld({
    limits: HIGH_LIMITS,
    onMessage: (m) => onMarketMessage(m),
    reviews: { onNotification: (n) => onFeedback(n) },
    questions: { onNotification: (n) => onFeedback(n) },
  });
  const run = new ChaosRun(o, plan, world, await freePort());
  onMarketMessage = (m) => run.marketMessage(m);
  onFeedback = (n) => run.feedbackNotification(n);
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
      await run.supervisor.keepLogs();
      report.keptDataDir = world.dataDir;
    } else {
      await rm(world.dataDir, { recursive: true, force: true });
    }
  }
}

class ChaosRun {
  private readonly crashes: CrashRecord[] = [];
  /** Date.now() of each kill. */
  private readonly killedAt: number[] = [];
  /** Date.now() of the start that followed each kill. */
  private readonly restartedAt: number[] = [];
  /** The Market sends in flight at each kill. */
  private readonly inFlightSends: Array<{ killedAt: number; requests: RequestRecord[] }> = [];
  private readonly notifier: Notifier;
  readonly supervisor: Supervisor;
  private readonly workload: Workload;
  private t0 = 0;
  /** Date.now() at t0. */
  private wallT0 = 0;
  /** The replies as the bridge's store holds them after the stop, by text (for the problem lines). */
  private storedReplies = new Map<string, StoredReply>();
  private maxIdSeen = 0;
  private stopping = false;

  constructor(
    private readonly o: ChaosOptions,
    private readonly plan: Plan,
    private readonly world: World,
    port: number,
  ) {
    const env = {
      MARKET_POLL_INTERVAL: '1',
      TELEGRAM_PACING: 'off',
      HTTP_PORT: String(port),
      LOG_LEVEL: o.logLevel,
      ...(o.notifications && { MARKET_NOTIFICATIONS: 'on', MARKET_RECONCILE_INTERVAL: '30' }),
    };
    // Reviews and questions: polled as often as the chats (the reconciling poll's 30 s with notifications), and a
    // listed one read again 3 s after its last read, instead of the share of the hourly limits (10 min or more)
    // that leaves the Market's quotas for everything else: the run checks what arrives, not how late.
    const overrides = { threadPollMs: o.notifications ? 30_000 : 1_000, threadRecheckMs: 3_000 };
    const stopping = () => this.stopping;
    this.supervisor = new Supervisor(world, env, overrides, port, stopping, (line) => this.say(line));
    this.notifier = new Notifier(() => port, stopping);
    this.workload = new Workload(o, plan, world, this.notifier, {
      elapsed: () => this.elapsed(),
      stopping,
      say: (line) => this.say(line),
    });
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

  /** Every message written at the Market (buyer messages and our replies' echoes) is announced. */
  marketMessage(m: FakeChatMessage): void {
    this.workload.marketMessage(m);
  }

  /** …and every review, question, comment and answer. */
  feedbackNotification(n: ReviewNotification | QuestionNotification): void {
    this.workload.feedbackNotification(n);
  }

  async execute(): Promise<ChaosReport> {
    this.workload.createEarly();
    this.t0 = performance.now();
    this.wallT0 = Date.now();
    this.supervisor.spawn();
    const operator = this.workload.operatorLoop();
    await Promise.all([this.workload.play(), this.crashLoop()]);
    this.say('workload done, draining');
    const drainStart = performance.now();
    const drained = await this.drain();
    const drainS = (performance.now() - drainStart) / 1000;
    this.say(drained ? 'drained, stopping with SIGTERM' : 'drain timed out, stopping with SIGTERM');
    const stop = await this.supervisor.stop();
    this.stopping = true;
    this.storedReplies = await this.readStoredReplies();
    await operator;
    await Promise.race([this.notifier.settled(), sleep(5_000)]);
    const runS = this.elapsed() / 1000;
    return verdict(this.record(), { runS, drainS, drained, stop });
  }

  // --- kill -9 ------------------------------------------------------------------------------------------

  /** SIGKILL now, without waiting (cleanup). */
  killNow(): void {
    this.stopping = true;
    this.supervisor.killAll();
  }

  private async crashLoop(): Promise<void> {
    for (const [i, planned] of this.plan.crashes.entries()) {
      if (this.stopping) return;
      const ready = planned.early ? false : await this.supervisor.waitReady(30_000);
      await sleep(planned.delayMs - (planned.early ? Date.now() - (this.supervisor.current?.spawnedAt ?? 0) : 0));
      if (planned.duringPublication) await this.publicationInFlight(15_000);
      const duringStartup = planned.early ? !(await this.supervisor.isReady()) : !ready;
      const proc = this.supervisor.current;
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
        publicationsInFlight: this.publicationsInFlight(since).length,
        boundaryMessageId: 0,
        marketSendsLandedAfterKill: 0,
        duplicates: 0,
        chatsWithDuplicates: 0,
        threadDuplicates: 0,
      };
      // Sends that may still take effect: unanswered, and not in the Market's log yet (a reset never lands).
      const sendsInFlight = this.market.requests.filter(
        (r) =>
          r.at >= since &&
          r.status === 0 &&
          r.operationId === 'sendMessageToChat' &&
          !this.workload.delivered(textOf(r)),
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
      this.supervisor.spawn();
      this.restartedAt.push(Date.now());
    }
  }

  /**
   * The writes of replies to reviews and questions the fake Market has received and not answered yet, less than
   * 3 s old (a slowed write takes 2.5 s; an older unanswered one was reset or hangs, and no longer counts).
   */
  private publicationsInFlight(since: number): RequestRecord[] {
    const recent = Math.max(since, Date.now() - 3_000);
    return this.market.requests.filter(
      (r) => r.at >= recent && r.status === 0 && (THREAD_WRITES as readonly string[]).includes(r.operationId),
    );
  }

  /**
   * Waits (up to `ms`) until a reply to a review or question is on its way to the Market; slows the next writes
   * down first, so that there is a moment to kill in (the Market then takes them after the kill, or not: a reset).
   */
  private async publicationInFlight(ms: number): Promise<void> {
    const since = this.supervisor.current?.spawnedAt ?? 0;
    for (const operation of THREAD_WRITES) {
      if (this.market.queuedFaults(operation) === 0) this.market.failNext(operation, { delayMs: 2_500 });
    }
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !this.stopping && this.publicationsInFlight(since).length === 0) await sleep(20);
    await sleep(500);
  }

  // --- the end ----------------------------------------------------------------------------------------

  /** Highest Telegram message id in the group so far, deleted topics included. */
  private highestMessageId(): number {
    this.maxIdSeen = Math.max(this.maxIdSeen, this.workload.maxDeletedId);
    for (const m of this.telegram.messages(GROUP_ID, { includeService: true })) {
      if (m.message_id > this.maxIdSeen) this.maxIdSeen = m.message_id;
    }
    return this.maxIdSeen;
  }

  /** Waits until every message and reply has arrived and nothing has moved for 3 s (bounded). */
  private async drain(): Promise<boolean> {
    const deadline = performance.now() + this.o.drainTimeoutMs;
    let signature = '';
    let still = performance.now();
    let round = 0;
    while (performance.now() < deadline) {
      const seen = new Set<number>();
      const threadSeen = new Set<number>();
      for (const p of topicPosts(this.telegram, this.workload.archive)) {
        for (const parsed of parseBlocks(p.text)) if (parsed.kind === 'buyer') seen.add(parsed.n);
        const parsed = parseThreadPost(p.text);
        if (parsed.kind === 'post') threadSeen.add(parsed.n);
      }
      const threadPosts = this.workload.threads.posts.size;
      const repliesIn = this.workload.typed.filter((r) => this.workload.delivered(r.text)).length;
      const threadRepliesIn = this.workload.threadReplies.typed.filter(
        (r) => this.workload.threadReplies.published(r.text).length > 0,
      ).length;
      const groupMessages = this.highestMessageId();
      const now = `${groupMessages}/${this.market.sent.length}/${seen.size}/${threadSeen.size}`;
      if (now !== signature) {
        signature = now;
        still = performance.now();
      }
      const complete =
        seen.size >= this.plan.bodies.length &&
        threadSeen.size >= threadPosts &&
        repliesIn === this.workload.typed.length &&
        threadRepliesIn === this.workload.threadReplies.typed.length &&
        this.notifier.pending === 0;
      if (complete && performance.now() - still >= 3_000) return true;
      if (++round % 20 === 0) {
        this.say(
          `waiting for ${this.plan.bodies.length - seen.size} buyer messages, ${threadPosts - threadSeen.size} review ` +
            `comments and answers, ${this.workload.typed.length - repliesIn} replies, ` +
            `${this.workload.threadReplies.typed.length - threadRepliesIn} replies to reviews and questions, ` +
            `${this.notifier.pending} notifications`,
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

  /** What the run recorded, for the verdict. */
  private record(): RunRecord {
    return {
      options: this.o,
      plan: this.plan,
      world: this.world,
      posts: topicPosts(this.telegram, this.workload.archive),
      chats: this.workload.chats,
      messageIds: this.workload.messageIds,
      typed: this.workload.typed,
      threadTyped: this.workload.threadReplies.typed,
      threads: this.workload.threads.threads,
      threadPosts: this.workload.threads.posts,
      crashes: this.crashes,
      killedAt: this.killedAt,
      restartedAt: this.restartedAt,
      inFlightSends: this.inFlightSends,
      spawnedAt: this.supervisor.processes.map((p) => p.spawnedAt),
      wallT0: this.wallT0,
      storedReplies: this.storedReplies,
      faults: this.workload.faults,
      threadFaults: this.workload.threadFaults,
      notifications: this.o.notifications ? { ...this.notifier.counts } : undefined,
      notificationQuirks: { ...this.workload.notificationQuirks },
      operatorRetries: this.workload.operatorRetries,
      topicsDeleted: this.workload.topicsDeleted,
      unexpectedExits: this.supervisor.unexpectedExits,
    };
  }
}
