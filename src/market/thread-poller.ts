/**
 * Polls for product reviews and questions that need the seller — the safety net under notifications, and the
 * only source without them. Each round lists the reviews that need a reaction and the questions without the
 * shop's answer (only the last REVIEWS_SINCE_DAYS: older ones never get a topic), then reads again the threads
 * already mirrored: the reviews by id, 50 a request, each round (synced when a count or its need of a reaction
 * changed, or its sweep is due), the questions when due — a waiting one missing from the list (answered
 * meanwhile) at the next round, every recent thread at least every `sweepMs` (new answers and comments), within a
 * share of the Market's hourly limits (the thread endpoints have quotas of their own, apart from the chats').
 */
import type { Logger } from 'pino';
import type { Question, Review } from '../bridge/feedback-model.ts';
import type { FeedbackPort } from '../bridge/feedback-port.ts';
import { pagesOf } from '../bridge/pages.ts';
import { FatalError } from '../bridge/ports.ts';
import type { ThreadRecord } from '../bridge/thread-store.ts';

const DAY_MS = 86_400_000;
/** Ids per lookup, as the Market allows. */
const BATCH = 50;
/** Threads first seen longer ago than this are not swept (notifications still reach them). */
const SWEEP_FOR_MS = 30 * DAY_MS;
/**
 * Reads of a thread's comments or answers an hour that polling may spend: a share of each method's hourly limit
 * (getGoodsFeedbackComments 5,000, getGoodsQuestionAnswers 1,000 on the lower tier), so notifications, replies'
 * checks and people still have the rest. A listed thread already mirrored is read again at most this often.
 */
const DETAIL_READS_PER_HOUR = { review: 2_000, question: 400 } as const;
/** …and never more often than this. */
const MIN_RECHECK_MS = 10 * 60_000;
/**
 * With push notifications on, what changes in a mirrored thread is announced: polling only catches what push
 * missed, so mirrored threads are read again this many times less often.
 */
const PUSH_STRETCH = 6;

/** What the poller hands what it finds to (the bridge's threads). */
export interface ThreadSink {
  reviewSeen(review: Review): Promise<void>;
  questionSeen(question: Question, needsAnswer?: boolean): Promise<void>;
  tracked(): readonly ThreadRecord[];
}

export interface ThreadPollerOptions {
  reviews: boolean;
  questions: boolean;
  intervalMs: number;
  sinceDays: number;
  /** A mirrored thread is read again at least this often while it is recent (default 30 min). */
  sweepMs?: number;
  /** Market notifications are on: mirrored threads are read again `PUSH_STRETCH` times less often. */
  push?: boolean;
  /**
   * Tests: how long a listed thread already mirrored is left alone after a read, instead of the share of the
   * hourly limits (at least 10 min) that polling may spend.
   */
  recheckMs?: number;
  logger: Logger;
  onFatal?: (err: Error) => void;
  now?: () => number;
}

export class ThreadPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly market: FeedbackPort,
    private readonly sink: ThreadSink,
    private readonly o: ThreadPollerOptions,
  ) {}

  start(): void {
    if (!this.o.reviews && !this.o.questions) return;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round; never throws (a FatalError goes to onFatal). */
  async round(): Promise<void> {
    try {
      if (this.o.reviews) await this.reviews();
      if (this.o.questions) await this.questions();
    } catch (err) {
      if (err instanceof FatalError) this.o.onFatal?.(err);
      else this.o.logger.warn({ err }, 'could not poll reviews and questions; the next round tries again');
    }
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private async reviews(): Promise<void> {
    const from = new Date(this.now() - this.o.sinceDays * DAY_MS).toISOString();
    const { mirrored, fresh } = this.mirrored('review');
    const listed = new Set<number>();
    const pages = pagesOf((pageToken) =>
      this.market.reviews({ needReaction: true, from, limit: BATCH, ...(pageToken && { pageToken }) }),
    );
    for await (const items of pages) {
      for (const review of items) {
        listed.add(review.id);
        const known = mirrored.get(review.id);
        if (known && fresh(known) && known.review?.commentsCount === review.commentsCount) continue;
        void this.sink.reviewSeen(review);
      }
    }
    // The others are looked up by id, 50 a request: a review is synced when it changed (a new direct comment, its
    // need of a reaction) or its sweep is due. Nested replies change no count: the sweep finds those.
    const now = this.now();
    const others = [...mirrored.values()].filter(
      (t) => !listed.has(t.marketId) && (t.state === 'waiting' || now - Date.parse(t.firstSeenAt) < SWEEP_FOR_MS),
    );
    const due = new Set(this.due('review', listed).map((t) => t.marketId));
    for (let i = 0; i < others.length; i += BATCH) {
      const { items } = await this.market.reviews({ ids: others.slice(i, i + BATCH).map((t) => t.marketId) });
      for (const review of items) {
        const known = mirrored.get(review.id);
        const changed =
          review.commentsCount !== known?.review?.commentsCount || review.needReaction !== known.review.needReaction;
        if (changed || due.has(review.id)) void this.sink.reviewSeen(review);
      }
    }
  }

  private async questions(): Promise<void> {
    const now = this.now();
    // The Market's window is a month at most.
    const days = Math.min(this.o.sinceDays, 30);
    const from = new Date(now - days * DAY_MS).toISOString().slice(0, 10);
    const to = new Date(now).toISOString().slice(0, 10);
    const { mirrored, fresh } = this.mirrored('question');
    const listed = new Set<number>();
    const pages = pagesOf((pageToken) =>
      this.market.questions({
        needAnswer: true,
        from,
        to,
        sort: 'CREATED_AT_DESC',
        limit: BATCH,
        ...(pageToken && { pageToken }),
      }),
    );
    for await (const items of pages) {
      for (const question of items) {
        listed.add(question.id);
        const known = mirrored.get(question.id);
        if (known && fresh(known)) continue;
        void this.sink.questionSeen(question, true);
      }
    }
    for (const thread of this.due('question', listed)) {
      if (thread.question) void this.sink.questionSeen(thread.question);
    }
  }

  /** The mirrored threads of a kind by Market id, and whether one was read recently enough to skip it now. */
  private mirrored(kind: ThreadRecord['kind']) {
    const threads = this.sink.tracked().filter((t) => t.kind === kind);
    const stretch = this.o.push ? PUSH_STRETCH : 1;
    const recheckMs =
      this.o.recheckMs ??
      stretch * Math.max(MIN_RECHECK_MS, (threads.length * 3_600_000) / DETAIL_READS_PER_HOUR[kind]);
    const now = this.now();
    return {
      mirrored: new Map(threads.map((t) => [t.marketId, t])),
      fresh: (t: ThreadRecord) => t.syncedAt !== undefined && now - Date.parse(t.syncedAt) < recheckMs,
    };
  }

  /** Mirrored threads to read again this round. */
  private due(kind: ThreadRecord['kind'], listed: ReadonlySet<number>): ThreadRecord[] {
    const now = this.now();
    const stretch = this.o.push ? PUSH_STRETCH : 1;
    const sweepMs = stretch * (this.o.sweepMs ?? 30 * 60_000);
    return this.sink.tracked().filter((t) => {
      if (t.kind !== kind || listed.has(t.marketId)) return false;
      const synced = t.syncedAt === undefined ? 0 : Date.parse(t.syncedAt);
      if (t.state === 'waiting') return now - synced >= stretch * this.o.intervalMs;
      return now - Date.parse(t.firstSeenAt) < SWEEP_FOR_MS && now - synced >= sweepMs;
    });
  }
}
