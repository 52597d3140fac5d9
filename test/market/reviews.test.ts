/**
 * MarketClient's product reviews (reviews.ts) against the fake Market on loopback: requests valid per the copied spec
 * and exactly as REVIEWS-QUESTIONS.md §3 has them, paging, the mapping onto the feedback model, the read path's
 * retries and fatal errors, and every outcome of a write (sent, ambiguous, rate-limited, rejected, not sent). Time
 * is injected, so waits cost nothing.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Review, ReviewComment } from '../../src/bridge/feedback-model.ts';
import type { FeedbackPort } from '../../src/bridge/feedback-port.ts';
import { FatalError } from '../../src/bridge/ports.ts';
import { MarketClient } from '../../src/market/client.ts';
import type { MarketClientOptions } from '../../src/market/client.ts';
import { MarketApiError, MarketSchemaError } from '../../src/market/errors.ts';
import { requestProblems } from '../contract/partner-spec.ts';
import type { ReviewOperationId } from '../contract/partner-spec.ts';
import { freePort } from '../fakes/loopback.ts';
import type { FakeReviewsOptions } from '../fakes/market-review-types.ts';
import { startFakeMarket, type FakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';

const KEY = 'ACMA:reviews-test-key:1';
const BUSINESS = 77;
/** 12:00 in Moscow on 2025-03-15. */
const T0 = Date.parse('2025-03-15T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/**
 * A fake Market and a client on one injected clock starting at `start`. The fake's Date header is real time, so a
 * test of a 420 window starts the clock at the real time: the client reads the window relative to that header.
 */
async function world(
  reviews: FakeReviewsOptions = {},
  options: Partial<FakeMarketOptions> = {},
  clientOptions: Partial<MarketClientOptions> = {},
  start = T0,
) {
  const clock = { now: start };
  const sleeps: number[] = [];
  const market = await startFakeMarket({
    apiKey: KEY,
    businessId: BUSINESS,
    now: () => clock.now,
    reviews,
    ...options,
  });
  const client = new MarketClient({
    baseUrl: market.url,
    apiKey: KEY,
    businessId: BUSINESS,
    logger: pino({ level: 'silent' }),
    integration: 'marketgram/test',
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
    now: () => clock.now,
    ...clientOptions,
  });
  open.push(client, market);
  return { market, client, clock, sleeps };
}

/** The requests of a review method the fake received, each body checked against the spec's request schema. */
function requestsOf(market: FakeMarket, operation: ReviewOperationId) {
  const requests = market.requests.filter((r) => r.operationId === operation);
  for (const r of requests) {
    if (r.body !== undefined) expect(requestProblems(operation, r.body), JSON.stringify(r.body)).toEqual([]);
  }
  return requests;
}

const iso = (days: number) => new Date(T0 + days * DAY).toISOString();

describe('the review half of FeedbackPort', () => {
  it('is on MarketClient, with the port’s signatures (the compiler checks them)', async () => {
    const { client } = await world();
    const port: Pick<
      FeedbackPort,
      'reviews' | 'reviewComments' | 'saveReviewComment' | 'deleteReviewComment' | 'skipReviews'
    > = client.feedback;
    for (const method of [
      port.reviews,
      port.reviewComments,
      port.saveReviewComment,
      port.deleteReviewComment,
      port.skipReviews,
    ]) {
      expect(method).toBeInstanceOf(Function);
    }
  });
});

describe('reviews (getGoodsFeedbacks)', () => {
  it('maps a GoodsFeedbackDTO onto the model, with a body the spec allows and a page of 50', async () => {
    const { market, client } = await world();
    const id = market.reviews.addReview({
      rating: 4,
      advantages: 'Boils fast',
      disadvantages: 'Loud',
      comment: 'Fine overall',
      photos: ['https://example.test/p1.jpg'],
      videos: ['https://example.test/v1.mp4'],
      orderId: 70000001,
      offerId: 'KETTLE-1',
      author: 'Ivan P.',
      createdAt: iso(-1),
      recommended: false,
      paidAmount: 100,
    });
    market.reviews.addReviewComment(id);
    const bare = market.reviews.addReview({ offerId: null, author: null, needReaction: false });
    const expected: Review[] = [
      {
        id,
        createdAt: '2025-03-14T12:00:00+03:00',
        needReaction: true,
        orderId: 70000001,
        offerId: 'KETTLE-1',
        author: 'Ivan P.',
        advantages: 'Boils fast',
        disadvantages: 'Loud',
        comment: 'Fine overall',
        photos: ['https://example.test/p1.jpg'],
        videos: ['https://example.test/v1.mp4'],
        rating: 4,
        commentsCount: 1,
        recommended: false,
      },
      {
        id: bare,
        createdAt: '2025-03-15T12:00:00+03:00',
        needReaction: false,
        comment: 'Works well.',
        photos: [],
        videos: [],
        rating: 5,
        commentsCount: 0,
      },
    ];
    await expect(client.feedback.reviews({})).resolves.toEqual({ items: expected });
    const [request] = requestsOf(market, 'getGoodsFeedbacks');
    expect([request?.path, request?.query, request?.body]).toEqual([
      `/v2/businesses/${BUSINESS}/goods-feedback`,
      { limit: '50' },
      {},
    ]);
  });

  it('pages with the token the Market gave, and clamps the limit to 1–50', async () => {
    const { market, client } = await world();
    const all = Array.from({ length: 60 }, (_, i) => market.reviews.addReview({ createdAt: iso(-10 + i / 10) }));
    const first = await client.feedback.reviews({});
    expect(first.items.map((r) => r.id)).toEqual(all.slice(0, 50));
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await client.feedback.reviews({ pageToken: first.nextPageToken });
    expect(second.items.map((r) => r.id)).toEqual(all.slice(50));
    expect(second.nextPageToken).toBeUndefined();
    await client.feedback.reviews({ limit: 7 });
    await client.feedback.reviews({ limit: 500 });
    await client.feedback.reviews({ limit: 0 });
    expect(requestsOf(market, 'getGoodsFeedbacks').map((r) => r.query['limit'])).toEqual(['50', '50', '7', '50', '1']);
  });

  it('looks reviews up by ids alone, as the Market asks, whatever other filters the query has', async () => {
    const { market, client } = await world();
    const old = market.reviews.addReview({ createdAt: iso(-400), needReaction: false });
    const recent = market.reviews.addReview();
    const page = await client.feedback.reviews({
      ids: [recent, old, recent],
      needReaction: true,
      from: iso(-1),
      to: iso(0),
    });
    expect(page.items.map((r) => r.id)).toEqual([old, recent]);
    expect(requestsOf(market, 'getGoodsFeedbacks').map((r) => r.body)).toEqual([{ feedbackIds: [recent, old] }]);
    await expect(client.feedback.reviews({ ids: [] })).resolves.toEqual({ items: [] });
    await expect(client.feedback.reviews({ ids: Array.from({ length: 51 }, (_, i) => i + 1) })).rejects.toThrow(
      RangeError,
    );
    await expect(client.feedback.reviews({ ids: [0] })).rejects.toThrow(TypeError);
    expect(market.requests).toHaveLength(1);
  });

  it('asks for NEED_REACTION and the window’s two date-times, and throws before sending a date without a time', async () => {
    const { market, client } = await world();
    market.reviews.addReview({ createdAt: iso(-3), needReaction: false });
    const waiting = market.reviews.addReview({ createdAt: iso(-2) });
    market.reviews.addReview({ createdAt: iso(-1) });
    const page = await client.feedback.reviews({ needReaction: true, from: iso(-5), to: iso(-1) });
    expect(page.items.map((r) => r.id)).toEqual([waiting]);
    await client.feedback.reviews({ needReaction: false });
    expect(requestsOf(market, 'getGoodsFeedbacks').map((r) => r.body)).toEqual([
      { reactionStatus: 'NEED_REACTION', dateTimeFrom: iso(-5), dateTimeTo: iso(-1) },
      {},
    ]);
    await expect(client.feedback.reviews({ from: '2025-03-01' })).rejects.toThrow(TypeError);
    expect(market.requests).toHaveLength(2);
  });

  it('throws the Market’s 400 for a window longer than six months, without retrying it', async () => {
    const { market, client } = await world();
    const err = await client.feedback.reviews({ from: iso(-200) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarketApiError);
    expect(err).toMatchObject({ status: 400, operation: 'getGoodsFeedbacks' });
    expect(market.count('getGoodsFeedbacks')).toBe(1);
  });

  it('retries a 5xx and waits out a short 420, as every read does; 401 and 403 are fatal', async () => {
    const start = Date.now();
    const { market, client, sleeps } = await world({}, {}, {}, start);
    market.reviews.addReview();
    market.failNext('getGoodsFeedbacks', { status: 503 });
    market.failNext('getGoodsFeedbacks', { status: 420, untilMs: start + 5_000 });
    await expect(client.feedback.reviews({})).resolves.toMatchObject({ items: [expect.any(Object)] });
    expect(market.count('getGoodsFeedbacks')).toBe(3);
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    market.failNext('getGoodsFeedbacks', { status: 403 });
    await expect(client.feedback.reviews({})).rejects.toBeInstanceOf(FatalError);
    const { client: stranger } = await world({}, { apiKey: 'ACMA:another-key:2' });
    await expect(stranger.feedback.reviews({})).rejects.toBeInstanceOf(FatalError);
  });

  it('tolerates null optional fields and unknown enum values, and refuses a review without its id', async () => {
    const { market, client } = await world();
    const review = {
      feedbackId: 5,
      createdAt: '2025-03-15T12:00:00+03:00',
      needReaction: true,
      identifiers: null,
      author: null,
      description: { comment: null, advantages: 'Cheap' },
      media: { photos: null, videos: ['https://example.test/v.mp4'] },
      statistics: { rating: 3, commentsCount: 2, recommended: null, paidAmount: 10 },
      somethingNew: { x: 1 },
    };
    market.failNext('getGoodsFeedbacks', {
      malformed: true,
      body: JSON.stringify({ status: 'OK', result: { feedbacks: [review], paging: { nextPageToken: '' } } }),
    });
    await expect(client.feedback.reviews({})).resolves.toEqual({
      items: [
        {
          id: 5,
          createdAt: '2025-03-15T12:00:00+03:00',
          needReaction: true,
          advantages: 'Cheap',
          photos: [],
          videos: ['https://example.test/v.mp4'],
          rating: 3,
          commentsCount: 2,
        },
      ],
    });
    const broken = JSON.stringify({ status: 'OK', result: { feedbacks: [{ ...review, feedbackId: null }] } });
    market.failNext('getGoodsFeedbacks', { malformed: true, body: broken }, 2);
    await expect(client.feedback.reviews({})).rejects.toBeInstanceOf(MarketSchemaError);
  });
});

describe('reviewComments (getGoodsFeedbackComments)', () => {
  it('maps a review’s flat list onto the model, parentId only on replies, with the body of §3.2', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const question = market.reviews.addReviewComment(review, { text: 'Loud?', authorName: 'Ivan' });
    const answer = market.reviews.addReviewComment(review, { authorType: 'BUSINESS', text: 'No.', parentId: question });
    const expected: ReviewComment[] = [
      {
        id: question,
        reviewId: review,
        text: 'Loud?',
        status: 'PUBLISHED',
        canModify: false,
        author: { type: 'USER', name: 'Ivan' },
      },
      {
        id: answer,
        reviewId: review,
        parentId: question,
        text: 'No.',
        status: 'PUBLISHED',
        canModify: true,
        author: { type: 'BUSINESS', name: 'Test shop' },
      },
    ];
    await expect(client.feedback.reviewComments({ reviewId: review })).resolves.toEqual({ items: expected });
    await expect(client.feedback.reviewComments({ commentIds: [answer, answer] })).resolves.toEqual({
      items: [expected[1]],
    });
    expect(requestsOf(market, 'getGoodsFeedbackComments').map((r) => [r.path, r.query, r.body])).toEqual([
      [`/v2/businesses/${BUSINESS}/goods-feedback/comments`, { limit: '50' }, { feedbackId: review }],
      [`/v2/businesses/${BUSINESS}/goods-feedback/comments`, { limit: '50' }, { commentIds: [answer] }],
    ]);
  });

  it('pages 50 at a time; an unknown review has no comments; no ids cost no request', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const all = Array.from({ length: 55 }, () => market.reviews.addReviewComment(review));
    const first = await client.feedback.reviewComments({ reviewId: review });
    expect(first.items.map((c) => c.id)).toEqual(all.slice(0, 50));
    const second = await client.feedback.reviewComments({ reviewId: review }, first.nextPageToken);
    expect(second).toEqual({ items: expect.any(Array) as unknown });
    expect(second.items.map((c) => c.id)).toEqual(all.slice(50));
    await expect(client.feedback.reviewComments({ reviewId: 31337 })).resolves.toEqual({ items: [] });
    await expect(client.feedback.reviewComments({ commentIds: [] })).resolves.toEqual({ items: [] });
    expect(market.count('getGoodsFeedbackComments')).toBe(3);
  });

  it('maps unknown statuses and author types to UNKNOWN', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const c = market.reviews.addReviewComment(review, { authorType: 'MARKET', status: 'HIDDEN', authorName: null });
    await expect(client.feedback.reviewComments({ commentIds: [c] })).resolves.toEqual({
      items: [
        {
          id: c,
          reviewId: review,
          text: 'Thank you!',
          status: 'UNKNOWN',
          canModify: false,
          author: { type: 'UNKNOWN' },
        },
      ],
    });
  });
});

describe('saveReviewComment (updateGoodsFeedbackComment)', () => {
  it('creates, replies and edits with the bodies of §3.3, each answered with the comment', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const buyer = market.reviews.addReviewComment(review);
    const created = await client.feedback.saveReviewComment({ reviewId: review, text: 'Thank you!' });
    const [own] = market.reviews.commentsOf(review).filter((c) => c.author.type === 'BUSINESS');
    const mine: ReviewComment = {
      id: own?.commentId ?? 0,
      reviewId: review,
      text: 'Thank you!',
      status: 'PUBLISHED',
      canModify: true,
      author: { type: 'BUSINESS', name: 'Test shop' },
    };
    expect(created).toEqual({ kind: 'sent', result: mine });
    const reply = await client.feedback.saveReviewComment({ reviewId: review, parentId: buyer, text: 'Glad to help.' });
    expect(reply).toMatchObject({ kind: 'sent', result: { parentId: buyer, text: 'Glad to help.' } });
    const edited = await client.feedback.saveReviewComment({
      reviewId: review,
      id: mine.id,
      parentId: buyer,
      text: 'Thanks!',
    });
    expect(edited).toEqual({ kind: 'sent', result: { ...mine, text: 'Thanks!' } });
    const requests = requestsOf(market, 'updateGoodsFeedbackComment');
    expect(requests.map((r) => [r.path, r.query])).toEqual(
      Array.from({ length: 3 }, () => [`/v2/businesses/${BUSINESS}/goods-feedback/comments/update`, {}]),
    );
    expect(requests.map((r) => JSON.stringify(r.body))).toEqual([
      `{"feedbackId":${review},"comment":{"text":"Thank you!"}}`,
      `{"feedbackId":${review},"comment":{"parentId":${buyer},"text":"Glad to help."}}`,
      `{"feedbackId":${review},"comment":{"id":${mine.id},"text":"Thanks!"}}`,
    ]);
    expect(market.reviews.writes.map((w) => w.operation === 'updateGoodsFeedbackComment' && w.kind)).toEqual([
      'create',
      'create',
      'edit',
    ]);
    await expect(client.feedback.reviews({})).resolves.toMatchObject({
      items: [{ needReaction: false, commentsCount: 2 }],
    });
  });

  it('reports ambiguous, sent once, when the Market took the comment and the connection dropped', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    market.failNext('updateGoodsFeedbackComment', { acceptThenReset: true });
    const outcome = await client.feedback.saveReviewComment({ reviewId: review, text: 'Hi' });
    expect(outcome.kind).toBe('ambiguous');
    expect(market.requests.filter((r) => r.operationId === 'updateGoodsFeedbackComment')).toHaveLength(1);
    expect(market.reviews.commentsOf(review).map((c) => c.text)).toEqual(['Hi']);
  });

  it('reports ambiguous on a timeout, on a 5xx and on an answer it cannot read, each sent once', async () => {
    const { market, client } = await world({}, {}, { requestTimeoutMs: 200 });
    const review = market.reviews.addReview();
    const comment = { reviewId: review, text: 'Hi' };
    market.failNext('updateGoodsFeedbackComment', { hang: true });
    await expect(client.feedback.saveReviewComment(comment)).resolves.toMatchObject({
      kind: 'ambiguous',
      reason: /timed out/,
    });
    market.failNext('updateGoodsFeedbackComment', { status: 500 });
    await expect(client.feedback.saveReviewComment(comment)).resolves.toMatchObject({
      kind: 'ambiguous',
      reason: /HTTP 500/,
    });
    market.failNext('updateGoodsFeedbackComment', { malformed: true, body: '{"status":"OK","result":{}}' });
    await expect(client.feedback.saveReviewComment(comment)).resolves.toMatchObject({
      kind: 'ambiguous',
      reason: /could not be read/,
    });
    expect(market.count('updateGoodsFeedbackComment')).toBe(2);
    expect(market.requests.filter((r) => r.operationId === 'updateGoodsFeedbackComment')).toHaveLength(3);
  });

  it('reports rate-limited on 420 with the window’s end, and writes nothing while the window is open', async () => {
    const start = Date.now();
    const { market, client } = await world({}, {}, { maxWriteWaitMs: 1000 }, start);
    const review = market.reviews.addReview();
    market.setQuotaRemaining('updateGoodsFeedbackComment', 0, start + 60_000);
    const outcome = await client.feedback.saveReviewComment({ reviewId: review, text: 'Hi' });
    expect(outcome).toEqual({
      kind: 'rate-limited',
      retryAt: expect.any(Date) as Date,
      reason: expect.stringContaining('Hit rate limit of 1000 requests per 1 hour') as string,
    });
    // HTTP dates have whole seconds.
    const retryAt = outcome.kind === 'rate-limited' ? outcome.retryAt.getTime() : 0;
    expect(Math.abs(retryAt - (start + 60_000))).toBeLessThan(2000);
    await expect(client.feedback.saveReviewComment({ reviewId: review, text: 'Hi' })).resolves.toMatchObject({
      kind: 'rate-limited',
    });
    expect(market.count('updateGoodsFeedbackComment')).toBe(1);
    expect(client.blockedUntil('updateGoodsFeedbackComment')).toBeInstanceOf(Date);
    expect(market.reviews.writes).toEqual([]);
  });

  it('reports rejected with the Market’s reason on 400 and 404', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const buyer = market.reviews.addReviewComment(review);
    await expect(
      client.feedback.saveReviewComment({ reviewId: review, text: 'x'.repeat(4097) }),
    ).resolves.toMatchObject({
      kind: 'rejected',
      status: 400,
      reason: /length/,
    });
    await expect(client.feedback.saveReviewComment({ reviewId: review, id: buyer, text: 'Mine now' })).resolves.toEqual(
      {
        kind: 'rejected',
        status: 400,
        reason: `BAD_REQUEST: Comment ${buyer} cannot be modified by the shop`,
      },
    );
    await expect(client.feedback.saveReviewComment({ reviewId: 31337, text: 'Hi' })).resolves.toEqual({
      kind: 'rejected',
      status: 404,
      reason: 'NOT_FOUND: Feedback 31337 not found',
    });
    expect(market.reviews.writes).toEqual([]);
  });

  it('reports not-sent when the connection is refused or beforeSend throws, and runs beforeSend before sending', async () => {
    const port = await freePort();
    const refused = new MarketClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      businessId: BUSINESS,
      logger: pino({ level: 'silent' }),
      integration: 'marketgram/test',
    });
    open.push(refused);
    await expect(refused.feedback.saveReviewComment({ reviewId: 1, text: 'Hi' })).resolves.toMatchObject({
      kind: 'not-sent',
      reason: /ECONNREFUSED/,
    });

    const { market, client } = await world();
    const review = market.reviews.addReview();
    const failed = await client.feedback.saveReviewComment(
      { reviewId: review, text: 'Hi' },
      { beforeSend: () => Promise.reject(new Error('disk full')) },
    );
    expect(failed).toMatchObject({ kind: 'not-sent', reason: /disk full/ });
    expect(market.requests).toEqual([]);
    const seen: number[] = [];
    await client.feedback.saveReviewComment(
      { reviewId: review, text: 'Hi' },
      {
        beforeSend: () => {
          seen.push(market.requests.length);
          return Promise.resolve();
        },
      },
    );
    expect([seen, market.requests.length]).toEqual([[0], 1]);
  });

  it('throws a FatalError when the key may not write (403), and a TypeError before sending a bad id', async () => {
    const { market, client } = await world({}, { scopes: ['ALL_METHODS_READ_ONLY'] });
    const review = market.reviews.addReview();
    await expect(client.feedback.reviews({})).resolves.toMatchObject({ items: [{ id: review }] });
    await expect(client.feedback.saveReviewComment({ reviewId: review, text: 'Hi' })).rejects.toBeInstanceOf(
      FatalError,
    );
    await expect(client.feedback.saveReviewComment({ reviewId: 0, text: 'Hi' })).rejects.toThrow(TypeError);
    await expect(client.feedback.saveReviewComment({ reviewId: review, id: -1, text: 'Hi' })).rejects.toThrow(
      TypeError,
    );
    expect(market.count('updateGoodsFeedbackComment')).toBe(1);
  });
});

describe('deleteReviewComment and skipReviews', () => {
  it('deletes the shop’s comment with {id}; a buyer’s is rejected, an unknown one too', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const buyer = market.reviews.addReviewComment(review);
    const saved = await client.feedback.saveReviewComment({ reviewId: review, text: 'Oops' });
    const own = saved.kind === 'sent' ? saved.result.id : 0;
    await expect(client.feedback.deleteReviewComment(own)).resolves.toEqual({ kind: 'sent', result: undefined });
    await expect(client.feedback.deleteReviewComment(buyer)).resolves.toMatchObject({ kind: 'rejected', status: 400 });
    await expect(client.feedback.deleteReviewComment(own)).resolves.toMatchObject({ kind: 'rejected', status: 404 });
    const requests = requestsOf(market, 'deleteGoodsFeedbackComment');
    expect(requests.map((r) => [r.path, JSON.stringify(r.body)])).toEqual(
      [own, buyer, own].map((id) => [`/v2/businesses/${BUSINESS}/goods-feedback/comments/delete`, `{"id":${id}}`]),
    );
    expect(market.reviews.commentsOf(review).map((c) => [c.commentId, c.deleted])).toEqual([
      [buyer, false],
      [own, true],
    ]);
  });

  it('calls a delete ambiguous when the connection dropped after the Market took it', async () => {
    const { market, client } = await world();
    const review = market.reviews.addReview();
    const own = market.reviews.addReviewComment(review, { authorType: 'BUSINESS' });
    market.failNext('deleteGoodsFeedbackComment', { acceptThenReset: true });
    await expect(client.feedback.deleteReviewComment(own)).resolves.toMatchObject({ kind: 'ambiguous' });
    expect(market.reviews.commentsOf(review)[0]?.deleted).toBe(true);
  });

  it('skips up to 50 unique reviews in one call; none is nothing to send', async () => {
    const { market, client } = await world();
    const a = market.reviews.addReview();
    const b = market.reviews.addReview();
    await expect(client.feedback.skipReviews([a, b, a])).resolves.toEqual({ kind: 'sent', result: undefined });
    expect(requestsOf(market, 'skipGoodsFeedbacksReaction').map((r) => [r.path, r.body])).toEqual([
      [`/v2/businesses/${BUSINESS}/goods-feedback/skip-reaction`, { feedbackIds: [a, b] }],
    ]);
    await expect(client.feedback.reviews({ needReaction: true })).resolves.toEqual({ items: [] });
    await expect(client.feedback.skipReviews([])).resolves.toEqual({ kind: 'sent', result: undefined });
    await expect(client.feedback.skipReviews(Array.from({ length: 51 }, (_, i) => i + 1))).rejects.toThrow(RangeError);
    expect(market.count('skipGoodsFeedbacksReaction')).toBe(1);
  });

  it('reports a 420 on skip-reaction as rate-limited and a 404 as rejected', async () => {
    const start = Date.now();
    const { market, client } = await world({}, {}, { maxWriteWaitMs: 0 }, start);
    const a = market.reviews.addReview();
    market.failNext('skipGoodsFeedbacksReaction', { status: 420, untilMs: start + 30_000 });
    const limited = await client.feedback.skipReviews([a]);
    expect(limited).toMatchObject({ kind: 'rate-limited' });
    expect(client.blockedUntil('skipGoodsFeedbacksReaction')).toBeInstanceOf(Date);
    await expect(client.feedback.skipReviews([a])).resolves.toMatchObject({ kind: 'rate-limited' });
    expect(market.count('skipGoodsFeedbacksReaction')).toBe(1);
    const { market: other, client: fresh } = await world();
    other.reviews.addReview();
    await expect(fresh.feedback.skipReviews([31337])).resolves.toMatchObject({ kind: 'rejected', status: 404 });
    expect(other.reviews.writes).toEqual([]);
  });
});
