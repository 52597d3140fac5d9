/**
 * Proves the fake Market's product reviews (market-reviews.ts) follow the Partner API spec closely enough for the
 * client's tests to trust them: every body checked against the copied spec, the filters, the 6-month window and
 * paging of getGoodsFeedbacks, the comment lists, the writes and the needReaction rules, the errors, the quotas,
 * the faults, and the notifications the Market would send. Talks to the fake with plain `fetch` on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReviewOperationId } from '../contract/partner-spec.ts';
import { errorProblems, requestProblems, responseProblems } from '../contract/partner-spec.ts';
import { requestSchemaCheck } from '../contract/spec-examples.ts';
import { sixMonthsBefore } from './market-review-requests.ts';
import type { FakeReviewsOptions, ReviewNotification } from './market-review-types.ts';
import { type FakeMarket, type FakeMarketOptions, startFakeMarket } from './market-server.ts';

const API_KEY = 'ACMA:fake-key-for-tests:12345678';
const BUSINESS_ID = 77;
/** 12:00 in Moscow on 2025-03-15. */
const T = Date.parse('2025-03-15T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

type Body = Record<string, unknown>;
interface ReviewList {
  feedbacks: Array<{ feedbackId: number; needReaction: boolean; statistics: { commentsCount: number } } & Body>;
  paging: { nextPageToken?: string };
}
interface CommentDto extends Body {
  id: number;
  feedbackId: number;
  parentId?: number;
  text: string;
  status: string;
}
interface CommentList {
  comments: CommentDto[];
  paging: { nextPageToken?: string };
}

const PATHS: Record<ReviewOperationId, string> = {
  getGoodsFeedbacks: '',
  getGoodsFeedbackComments: '/comments',
  updateGoodsFeedbackComment: '/comments/update',
  deleteGoodsFeedbackComment: '/comments/delete',
  skipGoodsFeedbacksReaction: '/skip-reaction',
};

let market: FakeMarket | undefined;
let clock = T;

async function start(reviews: FakeReviewsOptions = {}, options: Partial<FakeMarketOptions> = {}) {
  clock = T;
  market = await startFakeMarket({ apiKey: API_KEY, businessId: BUSINESS_ID, now: () => clock, reviews, ...options });
  return market;
}

afterEach(async () => {
  await market?.close();
  market = undefined;
});

function fm(): FakeMarket {
  if (!market) throw new Error('start() first');
  return market;
}

/** A POST to a review method; a `json` that is a string is sent as is. */
function post(
  operation: ReviewOperationId,
  json?: unknown,
  query = '',
  headers: Record<string, string> = {},
): Promise<Response> {
  const all: Record<string, string> = { 'Api-Key': API_KEY, ...headers };
  if (json !== undefined) all['Content-Type'] ??= 'application/json';
  for (const [k, v] of Object.entries(all)) if (v === '') delete all[k];
  return fetch(`${fm().url}/v2/businesses/${BUSINESS_ID}/goods-feedback${PATHS[operation]}${query}`, {
    method: 'POST',
    headers: all,
    ...(json !== undefined && { body: typeof json === 'string' ? json : JSON.stringify(json) }),
  });
}

async function ok<T>(operation: ReviewOperationId, res: Response): Promise<T> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as T;
  expect(responseProblems(operation, body)).toEqual([]);
  return body;
}

async function expectError(
  operation: ReviewOperationId,
  res: Response,
  status: number,
  message?: string | RegExp,
): Promise<Body> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { status: string; errors?: Array<{ code: string; message?: string }> };
  expect(errorProblems(operation, status, body)).toEqual([]);
  if (message !== undefined) expect(body.errors?.[0]?.message).toMatch(message);
  return body;
}

async function reviews(body?: unknown, query = ''): Promise<ReviewList> {
  if (body !== undefined) expect(requestProblems('getGoodsFeedbacks', body)).toEqual([]);
  return (await ok<{ result: ReviewList }>('getGoodsFeedbacks', await post('getGoodsFeedbacks', body, query))).result;
}

const ids = (list: ReviewList) => list.feedbacks.map((r) => r.feedbackId);

async function comments(body: unknown, query = ''): Promise<CommentList> {
  expect(requestProblems('getGoodsFeedbackComments', body)).toEqual([]);
  const res = await post('getGoodsFeedbackComments', body, query);
  return (await ok<{ result: CommentList }>('getGoodsFeedbackComments', res)).result;
}

function update(body: unknown): Promise<Response> {
  return post('updateGoodsFeedbackComment', body);
}

async function created(body: Body): Promise<CommentDto> {
  expect(requestProblems('updateGoodsFeedbackComment', body)).toEqual([]);
  return (await ok<{ result: CommentDto }>('updateGoodsFeedbackComment', await update(body))).result;
}

/** An instant `days` after T (negative: before), as the API writes it. */
const at = (days: number) => new Date(T + days * DAY).toISOString();

describe('getGoodsFeedbacks', () => {
  it('serves GoodsFeedbackDTOs in the ApiResponse envelope, every field where the spec puts it', async () => {
    await start();
    const id = fm().reviews.addReview({
      rating: 4,
      advantages: 'Boils fast',
      disadvantages: 'Loud',
      comment: 'Fine overall',
      photos: ['https://example.test/p1.jpg', 'https://example.test/p2.jpg'],
      videos: ['https://example.test/v1.mp4'],
      orderId: 70000001,
      offerId: 'KETTLE-1',
      author: 'Ivan P.',
      createdAt: at(-1),
      recommended: true,
      paidAmount: 150,
    });
    const first = fm().reviews.addReviewComment(id, { text: 'Is it loud at night?' });
    fm().reviews.addReviewComment(id, { authorType: 'BUSINESS', text: 'A little.', parentId: first });
    fm().reviews.addReviewComment(id, { authorType: 'BRAND', text: 'Thanks!' });
    const res = await post('getGoodsFeedbacks');
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe('5000');
    expect(await ok('getGoodsFeedbacks', res)).toEqual({
      status: 'OK',
      result: {
        feedbacks: [
          {
            feedbackId: id,
            createdAt: '2025-03-14T12:00:00+03:00',
            needReaction: true,
            identifiers: { orderId: 70000001, offerId: 'KETTLE-1' },
            author: 'Ivan P.',
            description: { advantages: 'Boils fast', disadvantages: 'Loud', comment: 'Fine overall' },
            media: {
              photos: ['https://example.test/p1.jpg', 'https://example.test/p2.jpg'],
              videos: ['https://example.test/v1.mp4'],
            },
            // Only the direct replies to the review count.
            statistics: { rating: 4, commentsCount: 2, recommended: true, paidAmount: 150 },
          },
        ],
        paging: {},
      },
    });
  });

  it('leaves out what a review does not have, still as the spec allows', async () => {
    await start();
    const id = fm().reviews.addReview({ offerId: null, author: null });
    expect((await reviews()).feedbacks).toEqual([
      {
        feedbackId: id,
        createdAt: '2025-03-15T12:00:00+03:00',
        needReaction: true,
        identifiers: {},
        description: { comment: 'Works well.' },
        statistics: { rating: 5, commentsCount: 0 },
      },
    ]);
  });

  it('takes no body or an empty one, and refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    await start();
    fm().reviews.addReview();
    expect(ids(await reviews())).toHaveLength(1);
    expect(ids(await reviews({}))).toHaveLength(1);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', '{"paid":'), 400, /not valid JSON/);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', '[]'), 400, /JSON object/);
    const text = await post('getGoodsFeedbacks', '{}', '', { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('pages 25 by default and up to 50, with a next token only while more exist; 0 or 51 is 400', async () => {
    await start();
    const all = Array.from({ length: 60 }, (_, i) => fm().reviews.addReview({ createdAt: at(-60 + i) }));
    const first = await reviews();
    expect(ids(first)).toEqual(all.slice(0, 25));
    const second = await reviews(undefined, `?limit=50&pageToken=${first.paging.nextPageToken ?? ''}`);
    expect(ids(second)).toEqual(all.slice(25));
    expect(second.paging).toEqual({});
    const alias = await reviews(undefined, `?limit=10&page_token=${first.paging.nextPageToken ?? ''}`);
    expect(ids(alias)).toEqual(all.slice(25, 35));
    const exact = await reviews(undefined, `?limit=10&pageToken=${alias.paging.nextPageToken ?? ''}`);
    expect(ids(exact)).toEqual(all.slice(35, 45));
    for (const limit of ['0', '51', 'x']) {
      await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', undefined, `?limit=${limit}`), 400);
    }
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', undefined, '?pageToken=nope'), 400, /token/);
  });

  it('lists in publication order, and a token kept from earlier goes on after its review', async () => {
    await start();
    const late = fm().reviews.addReview({ createdAt: at(-10), publishedAt: null });
    const a = fm().reviews.addReview({ createdAt: at(-5) });
    const b = fm().reviews.addReview({ createdAt: at(-4) });
    const page = await reviews(undefined, '?limit=1');
    expect(ids(page)).toEqual([a]);
    const kept = page.paging.nextPageToken ?? '';
    clock += 1000;
    fm().reviews.publishReview(late);
    const c = fm().reviews.addReview();
    // The review created first but published last comes after those published before it.
    expect(ids(await reviews(undefined, `?pageToken=${kept}`))).toEqual([b, late, c]);
    expect(ids(await reviews())).toEqual([a, b, late, c]);
  });

  it('lists newest first when told to', async () => {
    await start({ order: 'desc' });
    const all = [1, 2, 3].map((i) => fm().reviews.addReview({ createdAt: at(-i) }));
    const first = await reviews(undefined, '?limit=2');
    expect(ids(first)).toEqual(all.slice(0, 2));
    expect(ids(await reviews(undefined, `?pageToken=${first.paging.nextPageToken ?? ''}`))).toEqual([all[2]]);
  });

  it('looks reviews up by feedbackIds alone, at any age, skipping unknown ids', async () => {
    await start();
    const old = fm().reviews.addReview({ createdAt: at(-400) });
    const recent = fm().reviews.addReview();
    expect(ids(await reviews())).toEqual([recent]);
    expect(ids(await reviews({ feedbackIds: [recent, old, 31337] }))).toEqual([old, recent]);
    for (const other of [{ reactionStatus: 'ALL' }, { paid: false }, { dateTimeTo: at(0) }, { ratingValues: [5] }]) {
      await expectError(
        'getGoodsFeedbacks',
        await post('getGoodsFeedbacks', { feedbackIds: [old], ...other }),
        400,
        /cannot be combined/,
      );
    }
    const many = Array.from({ length: 51 }, (_, i) => i + 1);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', { feedbackIds: many }), 400, /at most 50/);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', { feedbackIds: [1, 1] }), 400, /unique/);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', { feedbackIds: [] }), 400);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', { feedbackIds: [0] }), 400);
  });

  it('keeps a lookup by id in the default window when told to', async () => {
    await start({ feedbackIdsInDateWindow: true });
    const old = fm().reviews.addReview({ createdAt: at(-400) });
    expect(ids(await reviews({ feedbackIds: [old] }))).toEqual([]);
  });

  it('filters by creation between two exclusive ends, six months before the end by default', async () => {
    await start();
    const edge = fm().reviews.addReview({ createdAt: at(-10) });
    const inside = fm().reviews.addReview({ createdAt: at(-5) });
    const end = fm().reviews.addReview({ createdAt: at(-1) });
    expect(ids(await reviews({ dateTimeFrom: at(-10), dateTimeTo: at(-1) }))).toEqual([inside]);
    expect(ids(await reviews({ dateTimeTo: at(-1) }))).toEqual([edge, inside]);
    expect(ids(await reviews({ dateTimeFrom: at(-5) }))).toEqual([end]);
    // The default end is now, this very millisecond included.
    const now = fm().reviews.addReview();
    expect(ids(await reviews({ dateTimeFrom: at(-2) }))).toEqual([end, now]);
    const sixMonths = fm().reviews.addReview({ createdAt: '2024-09-15T12:00:00+03:00' });
    const older = fm().reviews.addReview({ createdAt: '2024-09-15T11:59:59+03:00' });
    expect(ids(await reviews())).not.toContain(sixMonths);
    expect(ids(await reviews({ dateTimeFrom: '2024-09-15T11:59:59+03:00', dateTimeTo: at(-10) }))).toEqual([sixMonths]);
    const around = { dateTimeFrom: '2024-09-15T11:59:58+03:00', dateTimeTo: '2024-09-15T12:00:00+03:00' };
    expect(ids(await reviews(around))).toEqual([older]);
  });

  it('refuses a window longer than six months, an empty or reversed one, and a date without a time', async () => {
    await start();
    const refuse = async (body: Body, message: RegExp) =>
      expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', body), 400, message);
    await refuse({ dateTimeFrom: '2024-09-15T11:59:59+03:00' }, /6 months/);
    await refuse({ dateTimeFrom: '2024-09-15T12:00:00+03:00', dateTimeTo: '2025-03-15T12:00:01+03:00' }, /6 months/);
    await refuse({ dateTimeFrom: at(-1), dateTimeTo: at(-1) }, /before/);
    await refuse({ dateTimeFrom: at(-1), dateTimeTo: at(-2) }, /before/);
    await refuse({ dateTimeFrom: '2025-03-01' }, /date-time/);
    await refuse({ dateTimeTo: 'yesterday' }, /date-time/);
  });

  it('filters by reaction status, rating, offer (trimmed) and Plus points', async () => {
    await start();
    const a = fm().reviews.addReview({ rating: 1, offerId: 'A', needReaction: false });
    const b = fm().reviews.addReview({ rating: 3, offerId: 'B', paidAmount: 100 });
    const c = fm().reviews.addReview({ rating: 5, offerId: 'B' });
    expect(ids(await reviews({ reactionStatus: 'NEED_REACTION' }))).toEqual([b, c]);
    expect(ids(await reviews({ reactionStatus: 'ALL' }))).toEqual([a, b, c]);
    expect(ids(await reviews({ ratingValues: [1, 5] }))).toEqual([a, c]);
    expect(ids(await reviews({ offerIds: [' B '] }))).toEqual([b, c]);
    expect(ids(await reviews({ paid: true }))).toEqual([b]);
    expect(ids(await reviews({ paid: false, offerIds: ['B'] }))).toEqual([c]);
    const refuse = async (body: Body) => expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', body), 400);
    await refuse({ reactionStatus: 'UNREAD' });
    await refuse({ ratingValues: [6] });
    await refuse({ ratingValues: [1.5] });
    await refuse({ offerIds: ['A', ' A'] });
    await refuse({ offerIds: Array.from({ length: 21 }, (_, i) => `S${i}`) });
    await refuse({ offerIds: ['   '] });
    await refuse({ paid: 'yes' });
  });

  it('never lists a review in moderation or one the buyer or the Market deleted', async () => {
    await start();
    const waiting = fm().reviews.addReview({ publishedAt: null });
    const deleted = fm().reviews.addReview();
    const kept = fm().reviews.addReview();
    fm().reviews.deleteReview(deleted);
    expect(ids(await reviews())).toEqual([kept]);
    expect(ids(await reviews({ feedbackIds: [waiting, deleted, kept] }))).toEqual([kept]);
    expect(
      fm()
        .reviews.reviewsOf()
        .map((r) => [r.reviewId, r.deleted, r.publishedAt !== undefined]),
    ).toEqual([
      [waiting, false, false],
      [deleted, true, true],
      [kept, false, true],
    ]);
  });
});

describe('getGoodsFeedbackComments', () => {
  it('serves a flat list in the envelope, parentId only on replies to comments', async () => {
    await start();
    const review = fm().reviews.addReview();
    const q = fm().reviews.addReviewComment(review, { text: 'Is it loud?', authorName: 'Ivan' });
    const a = fm().reviews.addReviewComment(review, { authorType: 'BUSINESS', text: 'No.', parentId: q });
    const brand = fm().reviews.addReviewComment(review, { authorType: 'BRAND', status: 'UNMODERATED' });
    const res = await post('getGoodsFeedbackComments', { feedbackId: review });
    expect(await ok('getGoodsFeedbackComments', res)).toEqual({
      status: 'OK',
      result: {
        comments: [
          {
            id: q,
            text: 'Is it loud?',
            canModify: false,
            author: { type: 'USER', name: 'Ivan' },
            status: 'PUBLISHED',
            feedbackId: review,
          },
          {
            id: a,
            text: 'No.',
            canModify: true,
            parentId: q,
            author: { type: 'BUSINESS', name: 'Test shop' },
            status: 'PUBLISHED',
            feedbackId: review,
          },
          {
            id: brand,
            text: 'Thank you!',
            canModify: false,
            author: { type: 'BRAND', name: 'Brand' },
            status: 'UNMODERATED',
            feedbackId: review,
          },
        ],
        paging: {},
      },
    });
  });

  it('needs a body with feedbackId or commentIds, not both; an unknown review is 404', async () => {
    await start();
    const review = fm().reviews.addReview();
    await expectError('getGoodsFeedbackComments', await post('getGoodsFeedbackComments'), 400, /required/);
    await expectError('getGoodsFeedbackComments', await post('getGoodsFeedbackComments', {}), 400, /Either/);
    const both = await post('getGoodsFeedbackComments', { feedbackId: review, commentIds: [1] });
    await expectError('getGoodsFeedbackComments', both, 400, /cannot be combined/);
    await expectError('getGoodsFeedbackComments', await post('getGoodsFeedbackComments', { commentIds: [] }), 400);
    await expectError('getGoodsFeedbackComments', await post('getGoodsFeedbackComments', { feedbackId: 'x' }), 400);
    const unknown = await post('getGoodsFeedbackComments', { feedbackId: 31337 });
    await expectError('getGoodsFeedbackComments', unknown, 404, /31337/);
    const waiting = fm().reviews.addReview({ publishedAt: null });
    await expectError('getGoodsFeedbackComments', await post('getGoodsFeedbackComments', { feedbackId: waiting }), 404);
  });

  it('looks comments up by id across reviews, leaving out deleted ones and those of deleted reviews', async () => {
    await start();
    const r1 = fm().reviews.addReview();
    const r2 = fm().reviews.addReview();
    const c1 = fm().reviews.addReviewComment(r1);
    const c2 = fm().reviews.addReviewComment(r2);
    const gone = fm().reviews.addReviewComment(r2);
    const reply = fm().reviews.addReviewComment(r2, { parentId: gone });
    fm().reviews.deleteReviewComment(gone);
    const list = await comments({ commentIds: [c2, c1, gone, reply, 404404] });
    expect(list.comments.map((c) => [c.id, c.feedbackId, c.parentId])).toEqual([
      [c1, r1, undefined],
      [c2, r2, undefined],
      // A reply to a deleted comment stays.
      [reply, r2, gone],
    ]);
    fm().reviews.deleteReview(r2);
    expect((await comments({ commentIds: [c1, c2] })).comments.map((c) => c.id)).toEqual([c1]);
    expect(await comments({ feedbackId: r2 })).toEqual({ comments: [], paging: {} });
  });

  it('pages the comments of a review in creation order', async () => {
    await start();
    const review = fm().reviews.addReview();
    const all = Array.from({ length: 30 }, (_, i) =>
      fm().reviews.addReviewComment(review, { createdAt: at(i / 100), text: `c${i}` }),
    );
    const first = await comments({ feedbackId: review });
    expect(first.comments.map((c) => c.id)).toEqual(all.slice(0, 25));
    const rest = await comments({ feedbackId: review }, `?pageToken=${first.paging.nextPageToken ?? ''}`);
    expect(rest).toEqual({ comments: expect.any(Array) as unknown, paging: {} });
    expect(rest.comments.map((c) => c.id)).toEqual(all.slice(25));
    const small = await comments({ feedbackId: review }, '?limit=30');
    expect(small.paging).toEqual({});
    await expectError(
      'getGoodsFeedbackComments',
      await post('getGoodsFeedbackComments', { feedbackId: review }, '?limit=51'),
      400,
      'Limit exceeded',
    );
  });

  it('takes sourceType SELLER, and refuses ADVERTISER or anything else with 400', async () => {
    await start();
    const review = fm().reviews.addReview();
    expect((await post('getGoodsFeedbackComments', { feedbackId: review }, '?sourceType=SELLER')).status).toBe(200);
    for (const value of ['ADVERTISER', 'BUYER']) {
      const res = await post('getGoodsFeedbackComments', { feedbackId: review }, `?sourceType=${value}`);
      await expectError('getGoodsFeedbackComments', res, 400);
    }
  });
});

describe('updateGoodsFeedbackComment', () => {
  it('creates a shop comment on the review and answers with the full DTO; the review needs no reaction then', async () => {
    const seen: ReviewNotification[] = [];
    await start({ onNotification: (n) => seen.push(n) });
    const review = fm().reviews.addReview();
    seen.length = 0;
    clock += 5000;
    const comment = await created({ feedbackId: review, comment: { text: 'Thank you for the review!' } });
    expect(comment).toEqual({
      id: expect.any(Number) as unknown,
      text: 'Thank you for the review!',
      canModify: true,
      author: { type: 'BUSINESS', name: 'Test shop' },
      status: 'PUBLISHED',
      feedbackId: review,
    });
    const listed = (await reviews()).feedbacks[0];
    expect([listed?.needReaction, listed?.statistics.commentsCount]).toEqual([false, 1]);
    expect((await comments({ feedbackId: review })).comments).toEqual([comment]);
    expect(fm().reviews.writes).toEqual([
      {
        operation: 'updateGoodsFeedbackComment',
        kind: 'create',
        reviewId: review,
        commentId: comment.id,
        text: 'Thank you for the review!',
        at: clock,
      },
    ]);
    expect(seen).toEqual([
      {
        notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED',
        commentId: comment.id,
        businessId: BUSINESS_ID,
        createdAt: new Date(clock).toISOString(),
      },
    ]);
  });

  it('replies to a comment of the same review with parentId; another review’s or an unknown parent is 404', async () => {
    await start();
    const review = fm().reviews.addReview();
    const other = fm().reviews.addReview();
    const question = fm().reviews.addReviewComment(review, { text: 'Does it rust?' });
    const foreign = fm().reviews.addReviewComment(other);
    const reply = await created({ feedbackId: review, comment: { parentId: question, text: 'No.' } });
    expect(reply).toMatchObject({ parentId: question, feedbackId: review });
    expect((await reviews({ feedbackIds: [review] })).feedbacks[0]?.statistics.commentsCount).toBe(1);
    for (const parentId of [foreign, 31337]) {
      const res = await update({ feedbackId: review, comment: { parentId, text: 'x' } });
      await expectError('updateGoodsFeedbackComment', res, 404, /not found/);
    }
    fm().reviews.deleteReviewComment(question);
    const res = await update({ feedbackId: review, comment: { parentId: question, text: 'x' } });
    await expectError('updateGoodsFeedbackComment', res, 404);
  });

  it('edits the shop’s comment named by comment.id, ignoring parentId; a buyer’s is 400, an unknown one 404', async () => {
    await start();
    const review = fm().reviews.addReview();
    const buyer = fm().reviews.addReviewComment(review);
    const own = await created({ feedbackId: review, comment: { text: 'First' } });
    clock += 1000;
    const edited = await created({ feedbackId: review, comment: { id: own.id, parentId: buyer, text: 'Second' } });
    expect(edited).toEqual({ ...own, text: 'Second' });
    expect(
      fm()
        .reviews.commentsOf(review)
        .map((c) => [c.commentId, c.text, c.parentId]),
    ).toEqual([
      [buyer, 'Thank you!', undefined],
      [own.id, 'Second', undefined],
    ]);
    expect(fm().reviews.writes.at(-1)).toEqual({
      operation: 'updateGoodsFeedbackComment',
      kind: 'edit',
      reviewId: review,
      commentId: own.id,
      text: 'Second',
      at: clock,
    });
    const notOwn = await update({ feedbackId: review, comment: { id: buyer, text: 'x' } });
    await expectError('updateGoodsFeedbackComment', notOwn, 400, /cannot be modified/);
    const unknown = await update({ feedbackId: review, comment: { id: 31337, text: 'x' } });
    await expectError('updateGoodsFeedbackComment', unknown, 404);
    const other = fm().reviews.addReview();
    const elsewhere = await update({ feedbackId: other, comment: { id: own.id, text: 'x' } });
    await expectError('updateGoodsFeedbackComment', elsewhere, 404);
  });

  it('checks the body: feedbackId, comment and a text of 1–4096 characters; the review must be listed', async () => {
    await start();
    const review = fm().reviews.addReview();
    const refuse = async (body: unknown, status: number, message?: RegExp) =>
      expectError('updateGoodsFeedbackComment', await update(body), status, message);
    await refuse(undefined, 400, /required/);
    await refuse({ comment: { text: 'x' } }, 400, /feedbackId/);
    await refuse({ feedbackId: review }, 400, /comment/);
    await refuse({ feedbackId: review, comment: {} }, 400, /text/);
    await refuse({ feedbackId: review, comment: { text: '' } }, 400, /length/);
    await refuse({ feedbackId: review, comment: { text: 'x'.repeat(4097) } }, 400, /length/);
    expect(requestProblems('updateGoodsFeedbackComment', { feedbackId: review, comment: { text: '' } })).toEqual([
      'comment.text: shorter than 1',
    ]);
    expect((await update({ feedbackId: review, comment: { text: '😀'.repeat(2048) } })).status).toBe(200);
    await refuse({ feedbackId: 31337, comment: { text: 'x' } }, 404, /31337/);
    const waiting = fm().reviews.addReview({ publishedAt: null });
    await refuse({ feedbackId: waiting, comment: { text: 'x' } }, 404);
    fm().reviews.deleteReview(review);
    await refuse({ feedbackId: review, comment: { text: 'x' } }, 404);
    expect(fm().reviews.writes).toHaveLength(1);
  });

  it('starts the shop’s comments unmoderated when told to, and lists them at once', async () => {
    await start({ newCommentStatus: 'UNMODERATED', shopName: 'Kettles & Co' });
    const review = fm().reviews.addReview();
    const comment = await created({ feedbackId: review, comment: { text: 'Hi' } });
    expect(comment).toMatchObject({ status: 'UNMODERATED', author: { type: 'BUSINESS', name: 'Kettles & Co' } });
    fm().reviews.setCommentStatus(comment.id, 'PUBLISHED');
    expect((await comments({ commentIds: [comment.id] })).comments[0]?.status).toBe('PUBLISHED');
  });
});

describe('deleteGoodsFeedbackComment', () => {
  it('deletes the shop’s own comment: gone from the list, uncounted, the write recorded', async () => {
    await start();
    const review = fm().reviews.addReview();
    const own = await created({ feedbackId: review, comment: { text: 'Oops' } });
    clock += 1000;
    expect(requestProblems('deleteGoodsFeedbackComment', { id: own.id })).toEqual([]);
    expect(await ok('deleteGoodsFeedbackComment', await post('deleteGoodsFeedbackComment', { id: own.id }))).toEqual({
      status: 'OK',
    });
    expect(await comments({ feedbackId: review })).toEqual({ comments: [], paging: {} });
    expect((await reviews()).feedbacks[0]?.statistics.commentsCount).toBe(0);
    expect(fm().reviews.writes.at(-1)).toEqual({
      operation: 'deleteGoodsFeedbackComment',
      reviewId: review,
      commentId: own.id,
      at: clock,
    });
    await expectError('deleteGoodsFeedbackComment', await post('deleteGoodsFeedbackComment', { id: own.id }), 404);
  });

  it('refuses a buyer’s comment with 400, an unknown one with 404, a body without id with 400', async () => {
    await start();
    const review = fm().reviews.addReview();
    const buyer = fm().reviews.addReviewComment(review);
    const res = await post('deleteGoodsFeedbackComment', { id: buyer });
    await expectError('deleteGoodsFeedbackComment', res, 400, /cannot be modified/);
    await expectError('deleteGoodsFeedbackComment', await post('deleteGoodsFeedbackComment', { id: 31337 }), 404);
    await expectError('deleteGoodsFeedbackComment', await post('deleteGoodsFeedbackComment', {}), 400, /'id'/);
    await expectError('deleteGoodsFeedbackComment', await post('deleteGoodsFeedbackComment'), 400);
    expect(
      fm()
        .reviews.commentsOf(review)
        .map((c) => c.deleted),
    ).toEqual([false]);
  });
});

describe('skipGoodsFeedbacksReaction', () => {
  it('takes 1–50 unique ids and clears their needReaction', async () => {
    await start();
    const a = fm().reviews.addReview();
    const b = fm().reviews.addReview();
    const c = fm().reviews.addReview();
    expect(requestProblems('skipGoodsFeedbacksReaction', { feedbackIds: [a, b] })).toEqual([]);
    const res = await post('skipGoodsFeedbacksReaction', { feedbackIds: [a, b] });
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe('500');
    expect(await ok('skipGoodsFeedbacksReaction', res)).toEqual({ status: 'OK' });
    expect(ids(await reviews({ reactionStatus: 'NEED_REACTION' }))).toEqual([c]);
    expect(fm().reviews.writes).toEqual([{ operation: 'skipGoodsFeedbacksReaction', reviewIds: [a, b], at: T }]);
  });

  it('changes nothing when one id is unknown or deleted (404), and refuses a bad list with 400', async () => {
    await start();
    const a = fm().reviews.addReview();
    const gone = fm().reviews.addReview();
    fm().reviews.deleteReview(gone);
    for (const feedbackIds of [
      [a, 31337],
      [a, gone],
    ]) {
      await expectError('skipGoodsFeedbacksReaction', await post('skipGoodsFeedbacksReaction', { feedbackIds }), 404);
    }
    expect(ids(await reviews({ reactionStatus: 'NEED_REACTION' }))).toEqual([a]);
    const many = Array.from({ length: 51 }, (_, i) => i + 1);
    for (const body of [
      {},
      { feedbackIds: [] },
      { feedbackIds: [a, a] },
      { feedbackIds: many },
      { feedbackIds: null },
    ]) {
      await expectError('skipGoodsFeedbacksReaction', await post('skipGoodsFeedbacksReaction', body), 400);
    }
    expect(fm().reviews.writes).toEqual([]);
  });

  it('leaves needReaction false when a buyer comments later; the cabinet can mark a review read', async () => {
    await start();
    const a = fm().reviews.addReview();
    const b = fm().reviews.addReview();
    await ok('skipGoodsFeedbacksReaction', await post('skipGoodsFeedbacksReaction', { feedbackIds: [a] }));
    fm().reviews.addReviewComment(a);
    fm().reviews.markRead(b);
    expect(ids(await reviews({ reactionStatus: 'NEED_REACTION' }))).toEqual([]);
    fm().reviews.markRead(b, false);
    expect(ids(await reviews({ reactionStatus: 'NEED_REACTION' }))).toEqual([b]);
  });
});

describe('access, quotas and faults', () => {
  it('lets a read-only key read reviews but not write; another business or no key is refused', async () => {
    await start({}, { scopes: ['ALL_METHODS_READ_ONLY'] });
    const review = fm().reviews.addReview();
    expect((await post('getGoodsFeedbacks')).status).toBe(200);
    expect((await post('getGoodsFeedbackComments', { feedbackId: review })).status).toBe(200);
    for (const [operation, body] of [
      ['updateGoodsFeedbackComment', { feedbackId: review, comment: { text: 'x' } }],
      ['deleteGoodsFeedbackComment', { id: 1 }],
      ['skipGoodsFeedbacksReaction', { feedbackIds: [review] }],
    ] as const) {
      await expectError(operation, await post(operation, body), 403, /scopes/);
    }
    expect(fm().reviews.writes).toEqual([]);
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks', {}, '', { 'Api-Key': '' }), 401);
    const foreign = await fetch(`${fm().url}/v2/businesses/78/goods-feedback`, {
      method: 'POST',
      headers: { 'Api-Key': API_KEY },
    });
    await expectError('getGoodsFeedbacks', foreign, 403, 'Access denied');
  });

  it('refuses a key without a scope that allows reviews, and any method but POST', async () => {
    await start({}, { scopes: ['PRICING'] });
    await expectError('getGoodsFeedbacks', await post('getGoodsFeedbacks'), 403);
    const get = await fetch(`${fm().url}/v2/businesses/${BUSINESS_ID}/goods-feedback/comments`, {
      headers: { 'Api-Key': API_KEY },
    });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('charges each method its own hourly quota, 4xx included, and answers 420 when it is spent', async () => {
    await start({}, { limits: { updateGoodsFeedbackComment: 2 } });
    const review = fm().reviews.addReview();
    const remaining = (res: Response) => res.headers.get('x-ratelimit-resource-remaining');
    expect(remaining(await update({ feedbackId: review, comment: { text: '' } }))).toBe('1');
    const own = await created({ feedbackId: review, comment: { text: 'ok' } });
    const limited = await update({ feedbackId: review, comment: { text: 'more' } });
    await expectError(
      'updateGoodsFeedbackComment',
      limited,
      420,
      `Hit rate limit of 2 requests per 1 hour for resource /v2/businesses/${BUSINESS_ID}/goods-feedback/comments/update`,
    );
    // Deleting has a quota of its own.
    const deleted = await post('deleteGoodsFeedbackComment', { id: own.id });
    expect([deleted.status, deleted.headers.get('x-ratelimit-resource-limit'), remaining(deleted)]).toEqual([
      200,
      '1000',
      '999',
    ]);
    clock += 60 * 60 * 1000;
    expect((await update({ feedbackId: review, comment: { text: 'later' } })).status).toBe(200);
  });

  it('acceptThenReset creates the comment and drops the connection; resetBeforeEffect creates nothing', async () => {
    await start();
    const review = fm().reviews.addReview();
    fm().failNext('updateGoodsFeedbackComment', { acceptThenReset: true });
    await expect(update({ feedbackId: review, comment: { text: 'maybe' } })).rejects.toThrow();
    expect(fm().reviews.writes.map((w) => w.operation === 'updateGoodsFeedbackComment' && w.text)).toEqual(['maybe']);
    expect(
      fm()
        .reviews.commentsOf(review)
        .map((c) => c.text),
    ).toEqual(['maybe']);
    fm().failNext('skipGoodsFeedbacksReaction', { resetBeforeEffect: true });
    fm().reviews.markRead(review, false);
    await expect(post('skipGoodsFeedbacksReaction', { feedbackIds: [review] })).rejects.toThrow();
    expect(fm().reviews.reviewsOf()[0]?.needReaction).toBe(true);
    fm().failNext('deleteGoodsFeedbackComment', { acceptThenReset: true });
    const own = fm().reviews.commentsOf(review)[0]?.commentId;
    await expect(post('deleteGoodsFeedbackComment', { id: own })).rejects.toThrow();
    expect(
      fm()
        .reviews.commentsOf(review)
        .map((c) => c.deleted),
    ).toEqual([true]);
  });

  it('injects 420, 5xx and malformed answers without effect', async () => {
    await start();
    const review = fm().reviews.addReview();
    fm().failNext('updateGoodsFeedbackComment', { status: 420, untilMs: T + 30_000 });
    const limited = await update({ feedbackId: review, comment: { text: 'x' } });
    await expectError('updateGoodsFeedbackComment', limited, 420);
    expect(limited.headers.get('x-ratelimit-resource-until')).toBe(new Date(T + 30_000).toUTCString());
    fm().failNext('updateGoodsFeedbackComment', { status: 500 });
    await expectError('updateGoodsFeedbackComment', await update({ feedbackId: review, comment: { text: 'x' } }), 500);
    fm().failNext('getGoodsFeedbacks', { malformed: true });
    const malformed = await post('getGoodsFeedbacks');
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
    expect(fm().reviews.writes).toEqual([]);
    expect(fm().reviews.reviewsOf()[0]?.needReaction).toBe(true);
  });
});

describe('notifications', () => {
  it('announces a review when it is published and every comment, in bodies valid against the notification spec', async () => {
    const seen: ReviewNotification[] = [];
    await start({ onNotification: (n) => seen.push(n) });
    const published = fm().reviews.addReview({ createdAt: at(-2), publishedAt: at(-1) });
    const waiting = fm().reviews.addReview({ createdAt: at(-2), publishedAt: null });
    expect(seen.map((n) => n.notificationType === 'GOODS_FEEDBACK_CREATED' && n.feedbackId)).toEqual([published]);
    clock += 1000;
    fm().reviews.publishReview(waiting);
    const buyer = fm().reviews.addReviewComment(published, { createdAt: at(-0.5) });
    const own = await created({ feedbackId: published, comment: { text: 'Thanks' } });
    expect(seen).toEqual([
      {
        notificationType: 'GOODS_FEEDBACK_CREATED',
        feedbackId: published,
        businessId: BUSINESS_ID,
        createdAt: at(-2),
        publishedAt: at(-1),
      },
      {
        notificationType: 'GOODS_FEEDBACK_CREATED',
        feedbackId: waiting,
        businessId: BUSINESS_ID,
        createdAt: at(-2),
        publishedAt: new Date(clock).toISOString(),
      },
      {
        notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED',
        commentId: buyer,
        businessId: BUSINESS_ID,
        createdAt: at(-0.5),
      },
      {
        notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED',
        commentId: own.id,
        businessId: BUSINESS_ID,
        createdAt: new Date(clock).toISOString(),
      },
    ]);
    for (const n of seen) expect(requestSchemaCheck(n)).toEqual([]);
    expect(fm().reviews.notifications).toEqual(seen);
  });

  it('keeps quiet about the shop’s own comments when told to', async () => {
    await start({ notifyOwnComments: false });
    const review = fm().reviews.addReview();
    await created({ feedbackId: review, comment: { text: 'Thanks' } });
    expect(fm().reviews.notifications.map((n) => n.notificationType)).toEqual(['GOODS_FEEDBACK_CREATED']);
  });
});

describe('the six-month window', () => {
  it('goes back six calendar months on Moscow’s calendar, clamped to the month’s last day', () => {
    const back = (iso: string) => new Date(sixMonthsBefore(Date.parse(iso))).toISOString();
    expect(back('2025-03-15T09:00:00Z')).toBe('2024-09-15T09:00:00.000Z');
    expect(back('2025-08-31T09:00:00Z')).toBe('2025-02-28T09:00:00.000Z');
    // 23:30 UTC on 31 August is already 1 September in Moscow.
    expect(back('2025-08-31T23:30:00Z')).toBe('2025-02-28T23:30:00.000Z');
    expect(back('2024-08-31T09:00:00Z')).toBe('2024-02-29T09:00:00.000Z');
  });
});
