import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Question, Review } from '../../src/bridge/feedback-model.ts';
import { threadKey, type ThreadRecord } from '../../src/bridge/thread-store.ts';
import { ThreadPoller, type ThreadSink } from '../../src/market/thread-poller.ts';
import { MemoryFeedback } from '../bridge/memory-feedback.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const MIN = 60_000;

function sink(tracked: ThreadRecord[] = []) {
  const seen: string[] = [];
  const s: ThreadSink = {
    reviewSeen: (r: Review) => {
      seen.push(`review:${r.id}`);
      return Promise.resolve();
    },
    questionSeen: (q: Question, needs?: boolean) => {
      seen.push(`question:${q.id}${needs ? '!' : ''}`);
      return Promise.resolve();
    },
    tracked: () => tracked,
  };
  return { s, seen };
}

const thread = (kind: 'review' | 'question', id: number, over: Partial<ThreadRecord> = {}): ThreadRecord => ({
  key: threadKey(kind, id),
  kind,
  marketId: id,
  posted: {},
  state: 'waiting',
  firstSeenAt: new Date(NOW - 60 * MIN).toISOString(),
  syncedAt: new Date(NOW - 60 * MIN).toISOString(),
  ...over,
});

function poller(feedback: MemoryFeedback, s: ThreadSink, over = {}) {
  return new ThreadPoller(feedback, s, {
    reviews: true,
    questions: true,
    intervalMs: 5 * MIN,
    sinceDays: 14,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    ...over,
  });
}

describe('the review and question poller', () => {
  it('lists what needs the seller within REVIEWS_SINCE_DAYS, and the month the Market allows for questions', async () => {
    const feedback = new MemoryFeedback();
    feedback.addReview({ id: 1 });
    feedback.addReview({ id: 2, needReaction: false });
    feedback.addQuestion({ id: 3 });
    const { s, seen } = sink();
    await poller(feedback, s, { sinceDays: 45 }).round();
    expect(seen).toEqual(['review:1', 'question:3!']);
    expect(feedback.queries).toEqual([
      { needReaction: true, from: '2026-10-20T12:00:00.000Z', limit: 50 },
      { needAnswer: true, from: '2026-11-04', to: '2026-12-04', sort: 'CREATED_AT_DESC', limit: 50 },
    ]);
  });

  it('looks up the other mirrored reviews by id and syncs those that changed or are due, and due questions', async () => {
    const feedback = new MemoryFeedback();
    for (const id of [10, 11, 12, 13]) feedback.addReview({ id, needReaction: false });
    feedback.addQuestion({ id: 20 });
    feedback.addAnswer(20, { author: { type: 'BUSINESS' } });
    const snapshot = (id: number) => ({ ...feedback.reviewList.find((r) => r.id === id)! });
    const recent = new Date(NOW - MIN).toISOString();
    const tracked = [
      // Waiting, gone from the list: answered or handled meanwhile.
      thread('review', 10, { review: { ...snapshot(10), needReaction: true } }),
      // Unchanged, but its sweep is due (its last read is an hour old).
      thread('review', 11, { state: 'answered', review: snapshot(11) }),
      // Unchanged and read a minute ago: left alone.
      thread('review', 12, { state: 'answered', syncedAt: recent, review: snapshot(12) }),
      // Read a minute ago, but a buyer commented since.
      thread('review', 13, { state: 'skipped', syncedAt: recent, review: { ...snapshot(13), commentsCount: -1 } }),
      thread('question', 20, { question: feedback.questionList[0]! }),
    ];
    const { s, seen } = sink(tracked);
    await poller(feedback, s, { questions: true }).round();
    expect(seen).toEqual(['review:10', 'review:11', 'review:13', 'question:20']);
    expect(feedback.queries[1]).toEqual({ ids: [10, 11, 12, 13] });
  });

  it('skips a listed thread read recently, unless its review got new comments', async () => {
    const feedback = new MemoryFeedback();
    feedback.addReview({ id: 30, commentsCount: 1 });
    feedback.addReview({ id: 31, commentsCount: 2 });
    const recent = new Date(NOW - MIN).toISOString();
    const tracked = [
      thread('review', 30, { syncedAt: recent, review: { ...feedback.reviewList[0]! } }),
      thread('review', 31, { syncedAt: recent, review: { ...feedback.reviewList[1]!, commentsCount: 1 } }),
    ];
    const { s, seen } = sink(tracked);
    await poller(feedback, s, { questions: false }).round();
    expect(seen).toEqual(['review:31']);
  });

  it('with notifications on, reads mirrored threads again six times less often: push announces their changes', async () => {
    const feedback = new MemoryFeedback();
    feedback.addQuestion({ id: 40 });
    const twentyMinutes = new Date(NOW - 20 * MIN).toISOString();
    const tracked = [thread('question', 40, { syncedAt: twentyMinutes, question: feedback.questionList[0]! })];
    const polled = sink(tracked);
    await poller(feedback, polled.s, { reviews: false }).round();
    expect(polled.seen).toEqual(['question:40!']);
    const pushed = sink(tracked);
    await poller(feedback, pushed.s, { reviews: false, push: true }).round();
    expect(pushed.seen).toEqual([]);
  });

  it('reads a listed thread again once the recheck time given has passed since its last read', async () => {
    const feedback = new MemoryFeedback();
    feedback.addReview({ id: 40 });
    feedback.addReview({ id: 41 });
    feedback.addQuestion({ id: 42 });
    const at = (ms: number) => new Date(NOW - ms).toISOString();
    const tracked = [
      thread('review', 40, { syncedAt: at(5_000), review: { ...feedback.reviewList[0]! } }),
      thread('review', 41, { syncedAt: at(1_000), review: { ...feedback.reviewList[1]! } }),
      thread('question', 42, { syncedAt: at(5_000), question: feedback.questionList[0]! }),
    ];
    const { s, seen } = sink(tracked);
    await poller(feedback, s, { recheckMs: 2_000 }).round();
    expect(seen).toEqual(['review:40', 'question:42!']);
  });
});
