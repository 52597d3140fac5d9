/**
 * What bench:thread-requests runs (thread-requests.ts is the runner): the review and question operations and what
 * each request is for, the bridge started with its thread poller at the default intervals, rounds at simulated
 * instants, the workload of reviews, comments, questions and answers, the idle shop of 1,000 reviews and 200
 * questions, and the idle cost computed from the poller's rules (rounds × requests per round).
 */
import type { App } from '../src/app.ts';
import type { ThreadParts } from '../src/app/threads.ts';
import type { ThreadState } from '../src/bridge/thread-store.ts';
import { QUESTION_LIMITS } from '../test/fakes/market-question-types.ts';
import { REVIEW_LIMITS } from '../test/fakes/market-review-types.ts';
import type { FakeMarket, RequestRecord } from '../test/fakes/market-server.ts';
import type { FakeTelegram } from '../test/fakes/telegram-server.ts';
import { MARKER, SimClock, marker, prng, until, type BenchWorld } from './lib.ts';

export const MIN = 60_000;
export const HOUR = 3600_000;
const DAY = 86_400_000;
/**
 * The thread poller's interval at the default settings: the chats' interval (MARKET_POLL_INTERVAL 30 s, or
 * MARKET_RECONCILE_INTERVAL 300 s with notifications), at least 60 s (src/app/threads.ts).
 */
export const INTERVAL = { polling: 60_000, notifications: 300_000 } as const;
const CHAT_ENV = { MARKET_POLL_INTERVAL: '30', MARKET_RECONCILE_INTERVAL: '300', TELEGRAM_PACING: 'off' };
/** The poller's constants (src/market/thread-poller.ts), for the computed figures. */
const POLLER = {
  batch: 50,
  sweepMs: 30 * MIN,
  minRecheckMs: 10 * MIN,
  detailReadsPerHour: { review: 2_000, question: 400 },
  /** With notifications on, rechecks and sweeps are this many times rarer. */
  pushStretch: 6,
} as const;
const SINCE_DAYS = 14;
export const OPS = [
  'getGoodsFeedbacks',
  'getGoodsFeedbackComments',
  'getGoodsQuestions',
  'getGoodsQuestionAnswers',
] as const;
export type Op = (typeof OPS)[number];
/** Hourly limits of the lower (`none`) tier, from the fakes' copies of the spec. */
export const LIMITS: Record<Op, number> = {
  getGoodsFeedbacks: REVIEW_LIMITS.getGoodsFeedbacks,
  getGoodsFeedbackComments: REVIEW_LIMITS.getGoodsFeedbackComments,
  getGoodsQuestions: QUESTION_LIMITS.getGoodsQuestions,
  getGoodsQuestionAnswers: QUESTION_LIMITS.getGoodsQuestionAnswers,
};
const isOp = (op: string): op is Op => (OPS as readonly string[]).includes(op);

export type Mode = 'notifications' | 'polling';
export type Counts = Map<string, number>;
export type Arrival = BenchWorld['market']['arrivals'][number];

export const clock = new SimClock();

export const add = (c: Counts, key: string, n = 1) => c.set(key, (c.get(key) ?? 0) + n);
export const get = (c: Counts, key: string) => c.get(key) ?? 0;
export const total = (c: Counts) => [...c.values()].reduce((s, n) => s + n, 0);
const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------------
// Requests: what each one is for

/** A thread request's purpose: a list of what needs the seller, a look-up by ids, or a read of one thread. */
export function purpose(r: RequestRecord): 'list' | 'lookup' | 'read' {
  const body = (r.body ?? {}) as Record<string, unknown>;
  switch (r.operationId) {
    case 'getGoodsFeedbacks':
      return body['feedbackIds'] ? 'lookup' : 'list';
    case 'getGoodsQuestions':
      return body['questionIds'] ? 'lookup' : 'list';
    case 'getGoodsFeedbackComments':
      return body['commentIds'] ? 'lookup' : 'read';
    default:
      return body['answerIds'] ? 'lookup' : 'read';
  }
}

/** The thread a read is about (`review:<id>`, `question:<id>`). */
export function threadOf(r: RequestRecord): string {
  const body = (r.body ?? {}) as Record<string, unknown>;
  return r.operationId === 'getGoodsFeedbackComments'
    ? `review:${String(body['feedbackId'])}`
    : `question:${String(body['questionId'])}`;
}

/** The review and question requests among `arrivals`, answered or not. */
export const threadRequests = (arrivals: readonly Arrival[]) => arrivals.filter((a) => isOp(a.record.operationId));

export function byOperation(arrivals: readonly Arrival[]): Counts {
  const c: Counts = new Map(OPS.map((op) => [op, 0]));
  for (const a of threadRequests(arrivals)) add(c, a.record.operationId);
  return c;
}

// ---------------------------------------------------------------------------------------------------
// Starting the bridge

export async function startThreads(
  bench: BenchWorld,
  mode: Mode,
  threadPollMs?: number,
): Promise<{ app: App; parts: ThreadParts }> {
  const app = await bench.world.start(
    { ...CHAT_ENV, MARKET_NOTIFICATIONS: mode === 'notifications' ? 'on' : 'off' },
    threadPollMs === undefined ? {} : { overrides: { threadPollMs } },
  );
  if (!app.threads) throw new Error('reviews and questions are off');
  return { app, parts: app.threads };
}

const POSTS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendMediaGroup', 'copyMessage']);

/**
 * Items posted again after their first post. (Not the probe's count: that one also sees the card of an answered
 * review edited to drop its No reply needed button, which carries the review's text again.)
 */
export function duplicatePosts(telegram: FakeTelegram): number {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const call of telegram.calls) {
    const text = call.params['text'] ?? call.params['caption'];
    if (!POSTS.has(call.method) || call.status !== 200 || typeof text !== 'string') continue;
    for (const match of text.matchAll(MARKER)) {
      const n = Number(match[1]);
      if (seen.has(n)) duplicates++;
      seen.add(n);
    }
  }
  return duplicates;
}

/** Waits until no thread sync is queued or running. */
export const settleThreads = (parts: ThreadParts) =>
  until(() => parts.threads.pending === 0, 'the thread syncs to finish', 60_000);

/** One round at simulated `at`, as the poller's timer would run it, and the syncs it queued. */
export async function roundAt(bench: BenchWorld, parts: ThreadParts, at: number): Promise<void> {
  clock.advanceTo(at);
  bench.market.tag = 'round';
  await parts.poller.round();
  await settleThreads(parts);
  bench.market.tag = '';
}

// ---------------------------------------------------------------------------------------------------
// The workload

export type ItemKind = 'review' | 'review comment' | 'question' | 'answer' | 'answer comment';
export const KINDS: ItemKind[] = ['review', 'review comment', 'question', 'answer', 'answer comment'];

export interface Item {
  /** Its marker's number. */
  n: number;
  kind: ItemKind;
  /** Simulated ms after the workload's start. */
  at: number;
  /** The item it belongs to: a comment's review, an answer's question, a comment's answer. */
  parent?: number;
  byShop: boolean;
}

const NAMES = ['Anna', 'Ivan', 'Maria', 'Sergey', 'Olga', 'Dmitry', 'Elena', 'Alexey', 'Natalia', 'Pavel'];
const REVIEWS = 40;
const QUESTIONS = 30;
const ARRIVAL_SPAN_MS = 2 * HOUR;

/**
 * 40 reviews and 30 questions at seeded instants over two hours. A review: a buyer's comment 2–20 min later
 * (40 %); the shop's reply in the cabinet 15–60 min after the review (60 %; the review no longer needs a
 * reaction), then the buyer again 10–40 min later (30 %). A question: another buyer's answer 5–30 min later
 * (50 %), the shop's answer in the cabinet 10–60 min later (70 %); a comment on an answer 5–30 min after it (40 %).
 */
export function workload(): Item[] {
  const rnd = prng(20_261_301);
  const between = (lo: number, hi: number) => Math.round((lo + rnd() * (hi - lo)) * MIN);
  const items: Item[] = [];
  const push = (item: Omit<Item, 'n'>) => {
    const n = items.length + 1;
    items.push({ n, ...item });
    return n;
  };
  for (let i = 0; i < REVIEWS; i++) {
    const at = Math.round(rnd() * ARRIVAL_SPAN_MS);
    const review = push({ kind: 'review', at, byShop: false });
    if (rnd() < 0.4) push({ kind: 'review comment', at: at + between(2, 20), parent: review, byShop: false });
    if (rnd() < 0.6) {
      const replied = at + between(15, 60);
      push({ kind: 'review comment', at: replied, parent: review, byShop: true });
      if (rnd() < 0.3) push({ kind: 'review comment', at: replied + between(10, 40), parent: review, byShop: false });
    }
  }
  for (let i = 0; i < QUESTIONS; i++) {
    const at = Math.round(rnd() * ARRIVAL_SPAN_MS);
    const question = push({ kind: 'question', at, byShop: false });
    const answers: Array<{ at: number; byShop: boolean }> = [];
    if (rnd() < 0.5) answers.push({ at: at + between(5, 30), byShop: false });
    if (rnd() < 0.7) answers.push({ at: at + between(10, 60), byShop: true });
    for (const a of answers) {
      const answer = push({ kind: 'answer', at: a.at, parent: question, byShop: a.byShop });
      if (rnd() < 0.4) push({ kind: 'answer comment', at: a.at + between(5, 30), parent: answer, byShop: false });
    }
  }
  return items.sort((a, b) => a.at - b.at || a.n - b.n);
}

/** Puts an item into the fake Market; records its Market id (`ids`) and the thread it belongs to (`threads`). */
export function createItem(
  market: FakeMarket,
  item: Item,
  ids: Map<number, number>,
  threads: Map<number, string>,
): void {
  const name = NAMES[item.n % NAMES.length] ?? 'Anna';
  const text = `${marker(item.n)} ${item.byShop ? 'Thank you, we are on it.' : 'Does it come with a charger?'}`;
  const parentId = item.parent === undefined ? 0 : (ids.get(item.parent) ?? 0);
  const parentThread = item.parent === undefined ? '' : (threads.get(item.parent) ?? '');
  let id: number;
  switch (item.kind) {
    case 'review':
      id = market.reviews.addReview({
        rating: 1 + (item.n % 5),
        offerId: `SKU-${item.n}`,
        author: name,
        comment: text,
      });
      threads.set(item.n, `review:${id}`);
      break;
    case 'review comment':
      id = market.reviews.addReviewComment(parentId, {
        text,
        ...(item.byShop ? { authorType: 'BUSINESS' } : { authorName: name }),
      });
      // The shop's reply in the cabinet: the review no longer needs a reaction.
      if (item.byShop) market.reviews.markRead(parentId);
      threads.set(item.n, parentThread);
      break;
    case 'question':
      id = market.questions.addQuestion({ offerId: `SKU-${item.n}`, text, author: { type: 'USER', name } });
      threads.set(item.n, `question:${id}`);
      break;
    case 'answer':
      id = market.questions.addAnswer(parentId, {
        text,
        author: item.byShop ? { type: 'BUSINESS', name: 'Test shop' } : { type: 'USER', name },
      });
      threads.set(item.n, parentThread);
      break;
    case 'answer comment':
      id = market.questions.addAnswerComment(parentId, { text, author: { type: 'USER', name } });
      threads.set(item.n, parentThread);
      break;
  }
  ids.set(item.n, id);
}

// ---------------------------------------------------------------------------------------------------
// The idle shop

export type Variant = 'first' | 'month';
export const VARIANTS: Variant[] = ['first', 'month'];

/** The shop's make-up: 1,000 reviews and 200 questions in all. */
export const SHOP = {
  reviews: 1_000,
  questions: 200,
  waitingReviews: 30,
  /** Of the waiting reviews, those with a buyer's comment (their re-read costs a request; the others' nothing). */
  commentedWaiting: 15,
  waitingQuestions: 20,
  /** Of the waiting questions, those with another buyer's answer. */
  answeredByBuyers: 8,
  /** Month-in only. */
  handledReviews: 80,
  handledQuestions: 30,
} as const;

export interface Seeded {
  /** Reviews and questions mirrored while waiting that the shop handles once the first start settled. */
  toHandle: { reviews: number[]; questions: number[] };
}

/**
 * 1,000 reviews over a year: 30 need a reaction within REVIEWS_SINCE_DAYS (half with a buyer's comment); of the
 * rest, those younger than 14 days were answered by the shop, older ones mostly (15 % never answered, too old to
 * get a topic). 200 questions alike: 20 without the shop's answer within 14 days (8 with another buyer's answer,
 * 4 of those with a comment), the rest answered or old (20 % of the old ones never answered). A month in, 80 more
 * reviews and 30 more questions (taken from the old ones) are recent and waiting at the start, to be handled.
 */
export function seedShop(market: FakeMarket, variant: Variant): Seeded {
  const rnd = prng(20_261_302);
  const now = clock.now();
  const ago = (days: number) => iso(now - days * DAY);
  const recent = () => 0.5 + rnd() * (SINCE_DAYS - 1.5);
  const old = () => SINCE_DAYS + 1 + rnd() * (365 - SINCE_DAYS - 1);
  const extraReviews = variant === 'month' ? SHOP.handledReviews : 0;
  const extraQuestions = variant === 'month' ? SHOP.handledQuestions : 0;
  const toHandle: Seeded['toHandle'] = { reviews: [], questions: [] };
  for (let i = 0; i < SHOP.reviews; i++) {
    const waiting = i < SHOP.waitingReviews + extraReviews;
    const age = waiting ? recent() : rnd() < 0.04 ? recent() : old();
    const createdAt = ago(age);
    const needReaction = waiting || (age > SINCE_DAYS && rnd() < 0.15);
    const id = market.reviews.addReview({
      rating: 1 + (i % 5),
      offerId: `SKU-${i}`,
      author: NAMES[i % NAMES.length] ?? 'Anna',
      createdAt,
      needReaction,
    });
    const commented = waiting ? i % 2 === 0 : rnd() < 0.3;
    if (commented) {
      market.reviews.addReviewComment(id, { text: 'One more thing', createdAt: ago(age - 0.1) });
    }
    if (!waiting && !needReaction) {
      market.reviews.addReviewComment(id, { authorType: 'BUSINESS', text: 'Thank you!', createdAt: ago(age - 0.2) });
    }
    if (i >= SHOP.waitingReviews && waiting) toHandle.reviews.push(id);
  }
  for (let i = 0; i < SHOP.questions; i++) {
    const waiting = i < SHOP.waitingQuestions + extraQuestions;
    const age = waiting ? recent() : rnd() < 0.04 ? recent() : old();
    const id = market.questions.addQuestion({
      offerId: `SKU-Q${i}`,
      author: { type: 'USER', name: NAMES[i % NAMES.length] ?? 'Anna' },
      createdAt: ago(age),
    });
    if (waiting && i < SHOP.answeredByBuyers) {
      const answer = market.questions.addAnswer(id, { text: 'Mine is fine', createdAt: ago(age - 0.1) });
      if (i % 2 === 0) market.questions.addAnswerComment(answer, { text: 'Thanks', createdAt: ago(age - 0.2) });
    }
    const answered = !waiting && (age < SINCE_DAYS || rnd() < 0.8);
    if (answered) {
      market.questions.addAnswer(id, { author: { type: 'BUSINESS', name: 'Test shop' }, createdAt: ago(age - 0.2) });
    }
    if (i >= SHOP.waitingQuestions && waiting) toHandle.questions.push(id);
  }
  return { toHandle };
}

/** The shop answers the month-in threads in the cabinet: a comment on each review, an answer to each question. */
export function handle(market: FakeMarket, seeded: Seeded): void {
  for (const id of seeded.toHandle.reviews) {
    market.reviews.addReviewComment(id, { authorType: 'BUSINESS', text: 'Thank you!' });
    market.reviews.markRead(id);
  }
  for (const id of seeded.toHandle.questions) {
    market.questions.addAnswer(id, { author: { type: 'BUSINESS', name: 'Test shop' }, text: 'Yes.' });
  }
}

export const IDLE_CAUSES = {
  listReviews: 'list reviews that need a reaction',
  listQuestions: 'list questions without an answer',
  lookup: 'look mirrored reviews up by id (50 a request)',
  rereadReview: 'read a waiting review again (its comments)',
  rereadQuestion: 'read a waiting question again (its answers)',
  sweepReview: 'sweep an answered review (its comments)',
  sweepQuestion: 'sweep an answered question (its answers)',
} as const;
export type IdleCause = keyof typeof IDLE_CAUSES;
export const CAUSE_OP: Record<IdleCause, Op> = {
  listReviews: 'getGoodsFeedbacks',
  listQuestions: 'getGoodsQuestions',
  lookup: 'getGoodsFeedbacks',
  rereadReview: 'getGoodsFeedbackComments',
  rereadQuestion: 'getGoodsQuestionAnswers',
  sweepReview: 'getGoodsFeedbackComments',
  sweepQuestion: 'getGoodsQuestionAnswers',
};

export function idleCause(r: RequestRecord, states: ReadonlyMap<string, ThreadState>): IdleCause {
  const p = purpose(r);
  if (r.operationId === 'getGoodsFeedbacks') return p === 'lookup' ? 'lookup' : 'listReviews';
  if (r.operationId === 'getGoodsQuestions') return 'listQuestions';
  const waiting = states.get(threadOf(r)) === 'waiting';
  if (r.operationId === 'getGoodsFeedbackComments') return waiting ? 'rereadReview' : 'sweepReview';
  return waiting ? 'rereadQuestion' : 'sweepQuestion';
}

/**
 * How often a thread is read again, `ms` after its last read, at rounds `interval` apart: at the first round at
 * least `ms` after that read. When `ms` is a multiple of the interval it depends on which is longer, the time a
 * read ends after its round began or the time a round starts late (the timer runs `interval` after the previous
 * round's listing): every `ms` (high) or every `ms` + one interval (low).
 */
const timesPerHour = (ms: number, interval: number) => ({
  low: HOUR / (interval * (Math.floor(ms / interval) + 1)),
  high: HOUR / (interval * Math.ceil(ms / interval)),
});

export interface Computed {
  /** Requests each time (per round, or reads per recheck or sweep). */
  each: number;
  low: number;
  high: number;
}

/** What the idle cost depends on: the threads mirrored, waiting or handled (first seen within 30 days). */
export interface Shape {
  waitingReviews: number;
  /** Waiting reviews with a comment: a re-read of one without comments costs nothing. */
  commentedWaiting: number;
  waitingQuestions: number;
  /** Handled reviews mirrored within 30 days, each with a comment (the shop's). */
  handledReviews: number;
  /** Answered questions mirrored within 30 days. */
  handledQuestions: number;
}

export const shapeOf = (variant: Variant): Shape => ({
  waitingReviews: SHOP.waitingReviews,
  commentedWaiting: SHOP.commentedWaiting,
  waitingQuestions: SHOP.waitingQuestions,
  handledReviews: variant === 'month' ? SHOP.handledReviews : 0,
  handledQuestions: variant === 'month' ? SHOP.handledQuestions : 0,
});

/** Requests per hour at the default interval, by cause, from rounds × requests per round (steady state). */
export function computed(shape: Shape, mode: Mode): Map<IdleCause, Computed> {
  const interval = INTERVAL[mode];
  const roundsPerHour = HOUR / interval;
  const { handledReviews, handledQuestions } = shape;
  const mirroredReviews = shape.waitingReviews + handledReviews;
  const mirroredQuestions = shape.waitingQuestions + handledQuestions;
  const stretch = mode === 'notifications' ? POLLER.pushStretch : 1;
  const recheck = (kind: 'review' | 'question', n: number) =>
    timesPerHour(stretch * Math.max(POLLER.minRecheckMs, (n * HOUR) / POLLER.detailReadsPerHour[kind]), interval);
  const sweep = timesPerHour(stretch * POLLER.sweepMs, interval);
  const everyRound = { low: roundsPerHour, high: roundsPerHour };
  const pages = (n: number) => Math.max(1, Math.ceil(n / POLLER.batch));
  const out = new Map<IdleCause, Computed>();
  const row = (cause: IdleCause, each: number, times: { low: number; high: number }) =>
    out.set(cause, { each, low: each * times.low, high: each * times.high });
  row('listReviews', pages(shape.waitingReviews), everyRound);
  row('listQuestions', pages(shape.waitingQuestions), everyRound);
  row('lookup', Math.ceil(handledReviews / POLLER.batch), everyRound);
  // The budget of re-reads counts every mirrored thread of the kind, and spreads over the waiting ones.
  row('rereadReview', shape.commentedWaiting, recheck('review', mirroredReviews));
  row('rereadQuestion', shape.waitingQuestions, recheck('question', mirroredQuestions));
  // Every handled review has the shop's comment, so its sweep reads them; a question's sweep always reads.
  row('sweepReview', handledReviews, sweep);
  row('sweepQuestion', handledQuestions, sweep);
  return out;
}

/** Computed requests per hour by operation: the low and the high end. */
export function computedByOp(shape: Shape, mode: Mode): { low: Counts; high: Counts } {
  const low: Counts = new Map(OPS.map((op) => [op, 0]));
  const high: Counts = new Map(OPS.map((op) => [op, 0]));
  for (const [cause, c] of computed(shape, mode)) {
    add(low, CAUSE_OP[cause], c.low);
    add(high, CAUSE_OP[cause], c.high);
  }
  return { low, high };
}

export function causesByOp(causes: Counts, hours: number): Counts {
  const c: Counts = new Map(OPS.map((op) => [op, 0]));
  for (const [cause, n] of causes) add(c, CAUSE_OP[cause as IdleCause], n / hours);
  return c;
}
