/**
 * The product reviews of the fake Market (market-server.ts): buyers' reviews of the shop's goods and the comment
 * threads under them, served by the five goods-feedback methods of the Partner API (REVIEWS-QUESTIONS.md §3, spec
 * commit 1318e9b), all `POST /v2/businesses/{businessId}/goods-feedback…`: getGoodsFeedbacks,
 * getGoodsFeedbackComments, updateGoodsFeedbackComment, deleteGoodsFeedbackComment and skipGoodsFeedbacksReaction.
 * The fake Market routes, authenticates, charges the quota (the spec's `none` tier: 5 000/h for each read, 1 000/h
 * for update and for delete, 500/h for skip-reaction) and injects faults (`failNext`, `acceptThenReset` included) for
 * them as for the chat methods; this module owns their state, their answers and the test's handle on them
 * (`market.reviews`). The spec's constants and the types tests use are in market-review-types.ts, the reading of
 * requests in market-review-requests.ts.
 *
 * Tests build the world with `addReview` (`publishReview` for one added in moderation) and `addReviewComment`,
 * change it with `deleteReview`, `deleteReviewComment`, `setCommentStatus` and `markRead` (the shop opened the review
 * in the cabinet), inspect it with `reviewsOf`/`commentsOf`, see the client's writes in `writes`, and the
 * GOODS_FEEDBACK_* notifications the Market would send in `notifications` (and through `onNotification`, e.g. to post
 * them to the bridge).
 *
 * Where the spec is silent the fake decides, and the undocumented choices that matter to a client are options:
 * - getGoodsFeedbacks: the body is optional. `feedbackIds` combined with any other filter is 400. The date window
 *   applies to `createdAt` and excludes both ends; without `dateTimeTo` it ends now (included), without
 *   `dateTimeFrom` it starts six calendar months (Moscow) before its end; a longer or empty window is 400. Whether the
 *   default window limits a `feedbackIds` lookup is `feedbackIdsInDateWindow` (default false: a lookup by id finds a
 *   review of any age). `paid: true` keeps the reviews with Plus points, `paid: false` those without. Unknown ids are
 *   skipped. Reviews still in moderation and deleted ones are never listed.
 * - Both lists go in publication order (reviews by publication time, comments by creation time, ties by id), `order`
 *   `asc` (default) or `desc`. A page token is a cursor after the last item returned, bound to its list and order,
 *   so a token kept from earlier goes on after that item, as the spec promises. `nextPageToken` only when more exist.
 * - getGoodsFeedbackComments: `feedbackId` or `commentIds`, not both and not neither (400). An unknown review (or
 *   one in moderation) is 404; a deleted review has no comments (the spec excludes them), so it is an empty list.
 *   `parentId` is set only on replies to comments. `commentsCount` counts the live direct replies to the review.
 * - updateGoodsFeedbackComment: without `comment.id` it creates a comment by the shop (author BUSINESS named
 *   `shopName`, `canModify` true), under `comment.parentId` when given; with `comment.id` it edits that comment
 *   (`parentId` is then ignored, as the spec says). The shop's new and edited comments get `newCommentStatus`
 *   (default PUBLISHED, listed at once). Creating or editing clears the review's `needReaction`. An unknown or deleted
 *   review, comment or parent (or one of another review) is 404; a comment the shop may not modify is 400, not 403,
 *   which a client would read as a problem of its key. Text: 1–4 096 UTF-16 code units; the rule on contacts and
 *   links is not checked.
 * - deleteGoodsFeedbackComment: the shop's own comments only (400 otherwise); unknown or already deleted is 404.
 *   Replies to a deleted comment stay.
 * - skipGoodsFeedbacksReaction: 1–50 unique ids; if any review is unknown, in moderation or deleted, 404 and nothing
 *   changes. A buyer's later comment does not raise `needReaction` again.
 * - `sourceType` (comment methods and skip-reaction) must be SELLER or absent; ADVERTISER is 400.
 * - Notifications: GOODS_FEEDBACK_CREATED when a review is published (at once for `addReview` unless `publishedAt` is
 *   null); GOODS_FEEDBACK_COMMENT_CREATED for every comment added by a helper and, unless `notifyOwnComments` is
 *   false, for the shop's comments created through the API (whether the Market reports those is undocumented).
 */
import { ReviewRequestReader, isPositiveInt, shopSku, type Cursor, type Reject } from './market-review-requests.ts';
import {
  MAX_REVIEW_COMMENT_LENGTH,
  MAX_REVIEW_LOOKUP_IDS,
  REACTION_STATUSES,
  type FakeReview,
  type FakeReviewComment,
  type FakeReviewCommentInput,
  type FakeReviewInput,
  type FakeReviewsOptions,
  type ReviewNotification,
  type ReviewOperationId,
  type ReviewWriteRecord,
} from './market-review-types.ts';

/** What the fake Market gives its review state. */
export interface FakeReviewsDeps {
  businessId: number;
  now: () => number;
  /** Makes the error the fake Market answers as an ApiErrorResponse with that status. */
  reject: Reject;
}

// ---------------------------------------------------------------------------------------------------
// Internals

const FIRST_REVIEW_ID = 8000001;
const FIRST_COMMENT_ID = 9000001;
const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;

/** The Partner API's date-time form: `2025-01-01T10:00:00+03:00`. */
const apiDate = (ms: number): string => `${new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 19)}+03:00`;
/** A notification's time: ISO 8601 in UTC, as the notification API writes it. */
const iso = (ms: number): string => new Date(ms).toISOString();

interface ReviewState {
  readonly id: number;
  readonly createdAtMs: number;
  publishedAtMs: number | undefined;
  needReaction: boolean;
  readonly rating: number;
  readonly orderId?: number;
  readonly offerId?: string;
  readonly author?: string;
  readonly advantages?: string;
  readonly disadvantages?: string;
  readonly comment?: string;
  readonly photos: readonly string[];
  readonly videos: readonly string[];
  readonly recommended?: boolean;
  readonly paidAmount?: number;
  deleted: boolean;
}

interface CommentState {
  readonly id: number;
  readonly reviewId: number;
  readonly parentId?: number;
  text: string;
  status: string;
  readonly author: { readonly type: string; readonly name?: string };
  readonly canModify: boolean;
  readonly createdAtMs: number;
  deleted: boolean;
}

function parseTime(value: string, caller: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`FakeMarket.reviews.${caller}: bad date ${value}`);
  return ms;
}

/** Compares two list positions in ascending order. */
const ascending = (a: Cursor, b: Cursor): number => a.ms - b.ms || a.id - b.id;

/** The review state of one fake Market: its five methods and the helpers tests use. */
export class FakeReviews {
  /** The client's writes that took effect, in order. */
  readonly writes: ReviewWriteRecord[] = [];
  /** Every GOODS_FEEDBACK_* notification due so far, in order. */
  readonly notifications: ReviewNotification[] = [];

  private readonly businessId: number;
  private readonly now: () => number;
  private readonly reject: Reject;
  private readonly read: ReviewRequestReader;
  private readonly order: 'asc' | 'desc';
  private readonly feedbackIdsInDateWindow: boolean;
  private readonly newCommentStatus: string;
  private readonly shopName: string;
  private readonly notifyOwnComments: boolean;
  private readonly onNotification: ((n: ReviewNotification) => void) | undefined;
  private readonly reviews = new Map<number, ReviewState>();
  private readonly comments = new Map<number, CommentState>();
  private nextReviewId = FIRST_REVIEW_ID;
  private nextCommentId = FIRST_COMMENT_ID;

  constructor(deps: FakeReviewsDeps, options: FakeReviewsOptions = {}) {
    this.businessId = deps.businessId;
    this.now = deps.now;
    this.reject = deps.reject;
    this.read = new ReviewRequestReader(deps.reject);
    this.order = options.order ?? 'asc';
    this.feedbackIdsInDateWindow = options.feedbackIdsInDateWindow ?? false;
    this.newCommentStatus = options.newCommentStatus ?? 'PUBLISHED';
    this.shopName = options.shopName ?? 'Test shop';
    this.notifyOwnComments = options.notifyOwnComments ?? true;
    this.onNotification = options.onNotification;
  }

  // --- world set-up ---------------------------------------------------------------------------------

  /**
   * Adds a buyer's review and returns its id. It is published at `publishedAt` (default: when created) and then
   * notified with GOODS_FEEDBACK_CREATED; with `publishedAt: null` it waits in moderation for `publishReview`.
   */
  addReview(input: FakeReviewInput = {}): number {
    const id = input.reviewId ?? this.nextReviewId;
    if (!isPositiveInt(id)) throw new Error(`FakeMarket.reviews.addReview: bad reviewId ${String(id)}`);
    if (this.reviews.has(id)) throw new Error(`FakeMarket.reviews.addReview: review ${id} already exists`);
    const rating = input.rating ?? 5;
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
      throw new Error(`FakeMarket.reviews.addReview: rating must be 1–5, got ${rating}`);
    }
    if (input.orderId !== undefined && !isPositiveInt(input.orderId)) {
      throw new Error('FakeMarket.reviews.addReview: bad orderId');
    }
    const offerId = input.offerId === undefined ? 'SKU-1' : input.offerId;
    if (offerId !== null && shopSku(offerId) !== offerId) {
      throw new Error(`FakeMarket.reviews.addReview: bad offerId '${offerId}'`);
    }
    for (const urls of [input.photos, input.videos]) {
      if (urls !== undefined && new Set(urls).size !== urls.length) {
        throw new Error('FakeMarket.reviews.addReview: photo and video URLs must be unique');
      }
    }
    const createdAtMs = input.createdAt === undefined ? this.now() : parseTime(input.createdAt, 'addReview');
    const texts = input.advantages ?? input.disadvantages ?? input.comment;
    const author = input.author === undefined ? 'Buyer' : input.author;
    const review: ReviewState = {
      id,
      createdAtMs,
      publishedAtMs: undefined,
      needReaction: input.needReaction ?? true,
      rating,
      ...(input.orderId !== undefined && { orderId: input.orderId }),
      ...(offerId !== null && { offerId }),
      ...(author !== null && { author }),
      ...(input.advantages !== undefined && { advantages: input.advantages }),
      ...(input.disadvantages !== undefined && { disadvantages: input.disadvantages }),
      ...(input.comment !== undefined && { comment: input.comment }),
      ...(texts === undefined && { comment: 'Works well.' }),
      photos: [...(input.photos ?? [])],
      videos: [...(input.videos ?? [])],
      ...(input.recommended !== undefined && { recommended: input.recommended }),
      ...(input.paidAmount !== undefined && { paidAmount: input.paidAmount }),
      deleted: false,
    };
    this.reviews.set(id, review);
    this.nextReviewId = Math.max(this.nextReviewId, id + 1);
    if (input.publishedAt !== null) {
      this.publish(review, input.publishedAt === undefined ? createdAtMs : parseTime(input.publishedAt, 'addReview'));
    }
    return id;
  }

  /** A review in moderation is published (default now): it is listed and notified from then on. */
  publishReview(reviewId: number, publishedAt?: string): void {
    const review = this.require(this.reviews, reviewId, 'publishReview');
    if (review.publishedAtMs !== undefined) {
      throw new Error(`FakeMarket.reviews.publishReview: review ${reviewId} is already published`);
    }
    this.publish(review, publishedAt === undefined ? this.now() : parseTime(publishedAt, 'publishReview'));
  }

  /**
   * Adds a comment on a published review (a buyer's by default) and returns its id; notifies
   * GOODS_FEEDBACK_COMMENT_CREATED. A comment by the shop added here is one written in the cabinet.
   */
  addReviewComment(reviewId: number, input: FakeReviewCommentInput = {}): number {
    const review = this.require(this.reviews, reviewId, 'addReviewComment');
    if (review.publishedAtMs === undefined) {
      throw new Error(`FakeMarket.reviews.addReviewComment: review ${reviewId} is still in moderation`);
    }
    const id = input.commentId ?? this.nextCommentId;
    if (!isPositiveInt(id) || this.comments.has(id)) {
      throw new Error(`FakeMarket.reviews.addReviewComment: bad commentId ${String(id)}`);
    }
    if (input.parentId !== undefined && this.comments.get(input.parentId)?.reviewId !== reviewId) {
      throw new Error(`FakeMarket.reviews.addReviewComment: no comment ${input.parentId} on review ${reviewId}`);
    }
    const type = input.authorType ?? 'USER';
    const defaultName = type === 'BUSINESS' ? this.shopName : type === 'BRAND' ? 'Brand' : 'Buyer';
    const name = input.authorName === undefined ? defaultName : input.authorName;
    const createdAtMs = input.createdAt === undefined ? this.now() : parseTime(input.createdAt, 'addReviewComment');
    this.comments.set(id, {
      id,
      reviewId,
      ...(input.parentId !== undefined && { parentId: input.parentId }),
      text: input.text ?? 'Thank you!',
      status: input.status ?? 'PUBLISHED',
      author: { type, ...(name !== null && { name }) },
      canModify: input.canModify ?? type === 'BUSINESS',
      createdAtMs,
      deleted: false,
    });
    this.nextCommentId = Math.max(this.nextCommentId, id + 1);
    this.notifyComment(id, createdAtMs);
    return id;
  }

  /** The buyer or the Market deleted a review: it leaves the list, its comments with it, and writes to it 404. */
  deleteReview(reviewId: number): void {
    this.require(this.reviews, reviewId, 'deleteReview').deleted = true;
  }

  /** A comment is deleted by its author or the Market: it leaves the list; replies to it stay. */
  deleteReviewComment(commentId: number): void {
    this.require(this.comments, commentId, 'deleteReviewComment').deleted = true;
  }

  /** The Market's moderation changed a comment's status (any string, to test tolerance). */
  setCommentStatus(commentId: number, status: string): void {
    this.require(this.comments, commentId, 'setCommentStatus').status = status;
  }

  /** The shop read the review in the cabinet (`needReaction` false), or the test wants it back (true). */
  markRead(reviewId: number, read = true): void {
    this.require(this.reviews, reviewId, 'markRead').needReaction = !read;
  }

  // --- inspection -----------------------------------------------------------------------------------

  /** Every review (in moderation and deleted ones included), oldest first; only those about `offerId` when given. */
  reviewsOf(offerId?: string): FakeReview[] {
    return [...this.reviews.values()]
      .filter((r) => offerId === undefined || r.offerId === offerId)
      .sort((a, b) => ascending({ ms: a.createdAtMs, id: a.id }, { ms: b.createdAtMs, id: b.id }))
      .map((r) => ({
        reviewId: r.id,
        createdAt: apiDate(r.createdAtMs),
        ...(r.publishedAtMs !== undefined && { publishedAt: apiDate(r.publishedAtMs) }),
        needReaction: r.needReaction,
        rating: r.rating,
        ...(r.orderId !== undefined && { orderId: r.orderId }),
        ...(r.offerId !== undefined && { offerId: r.offerId }),
        ...(r.author !== undefined && { author: r.author }),
        ...(r.advantages !== undefined && { advantages: r.advantages }),
        ...(r.disadvantages !== undefined && { disadvantages: r.disadvantages }),
        ...(r.comment !== undefined && { comment: r.comment }),
        photos: [...r.photos],
        videos: [...r.videos],
        ...(r.recommended !== undefined && { recommended: r.recommended }),
        ...(r.paidAmount !== undefined && { paidAmount: r.paidAmount }),
        deleted: r.deleted,
      }));
  }

  /** A review's comments (deleted ones included), oldest first. */
  commentsOf(reviewId: number): FakeReviewComment[] {
    this.require(this.reviews, reviewId, 'commentsOf');
    return [...this.comments.values()]
      .filter((c) => c.reviewId === reviewId)
      .sort((a, b) => ascending(this.commentKey(a), this.commentKey(b)))
      .map((c) => ({
        commentId: c.id,
        reviewId: c.reviewId,
        ...(c.parentId !== undefined && { parentId: c.parentId }),
        text: c.text,
        status: c.status,
        author: { ...c.author },
        canModify: c.canModify,
        createdAt: apiDate(c.createdAtMs),
        deleted: c.deleted,
      }));
  }

  // --- the methods ----------------------------------------------------------------------------------

  /** Answers one request of a review method with its 200 body, or throws the fake's rejection. */
  execute(operation: ReviewOperationId, query: URLSearchParams, contentType: string | undefined, raw: Buffer): unknown {
    if (operation === 'getGoodsFeedbacks') return this.getReviews(query, this.read.body(contentType, raw, false));
    this.read.sourceType(query);
    const body = this.read.body(contentType, raw, true);
    switch (operation) {
      case 'getGoodsFeedbackComments':
        return this.getComments(query, body);
      case 'updateGoodsFeedbackComment':
        return this.update(body);
      case 'deleteGoodsFeedbackComment':
        return this.delete(body);
      case 'skipGoodsFeedbacksReaction':
        return this.skip(body);
    }
  }

  private getReviews(query: URLSearchParams, body: Record<string, unknown>): unknown {
    const limit = this.read.limit(query);
    const feedbackIds = this.read.array(body, 'feedbackIds', (v) => (isPositiveInt(v) ? v : undefined), 50);
    const reactionStatus = this.read.oneOf(body, 'reactionStatus', REACTION_STATUSES);
    const ratings = this.read.array(
      body,
      'ratingValues',
      (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5 ? v : undefined),
      5,
    );
    const offerIds = this.read.array(body, 'offerIds', shopSku, 20);
    const paid = this.read.optionalBoolean(body, 'paid');
    if (feedbackIds !== undefined) {
      const others = ['dateTimeFrom', 'dateTimeTo', 'reactionStatus', 'ratingValues', 'offerIds', 'paid'].filter(
        (key) => body[key] !== undefined && body[key] !== null,
      );
      if (others.length > 0) throw this.read.bad(`'feedbackIds' cannot be combined with ${others.join(', ')}`);
    }
    const window = this.read.window(body, this.now(), feedbackIds === undefined || this.feedbackIdsInDateWindow);
    const cursor = this.read.cursor(query, 'feedbacks', this.order);

    const matching = this.inOrder(
      [...this.reviews.values()].filter(
        (r) =>
          this.listed(r) &&
          (!feedbackIds || feedbackIds.includes(r.id)) &&
          (!window || (r.createdAtMs > window.fromMs && r.createdAtMs < window.toMs)) &&
          (reactionStatus !== 'NEED_REACTION' || r.needReaction) &&
          (!ratings || ratings.includes(r.rating)) &&
          (!offerIds || (r.offerId !== undefined && offerIds.includes(r.offerId))) &&
          (paid === undefined || paid === (r.paidAmount !== undefined && r.paidAmount > 0)),
      ),
      (r) => ({ ms: r.publishedAtMs ?? r.createdAtMs, id: r.id }),
      cursor,
    );
    const { page, next } = this.page(matching, limit, 'feedbacks', (r) => ({
      ms: r.publishedAtMs ?? r.createdAtMs,
      id: r.id,
    }));
    return {
      status: 'OK',
      result: {
        feedbacks: page.map((r) => this.reviewDto(r)),
        paging: next === undefined ? {} : { nextPageToken: next },
      },
    };
  }

  private getComments(query: URLSearchParams, body: Record<string, unknown>): unknown {
    const limit = this.read.limit(query);
    const feedbackId = this.read.id(body, 'feedbackId');
    const commentIds = this.read.array(
      body,
      'commentIds',
      (v) => (isPositiveInt(v) ? v : undefined),
      MAX_REVIEW_LOOKUP_IDS,
    );
    if (feedbackId === undefined && commentIds === undefined) {
      throw this.read.bad("Either 'feedbackId' or 'commentIds' is required");
    }
    if (feedbackId !== undefined && commentIds !== undefined) {
      throw this.read.bad("'feedbackId' and 'commentIds' cannot be combined");
    }
    if (feedbackId !== undefined) {
      const review = this.reviews.get(feedbackId);
      if (!review || review.publishedAtMs === undefined) throw this.reject(404, `Feedback ${feedbackId} not found`);
    }
    const cursor = this.read.cursor(query, 'comments', this.order);
    const matching = this.inOrder(
      [...this.comments.values()].filter(
        (c) =>
          this.visible(c) &&
          (feedbackId === undefined || c.reviewId === feedbackId) &&
          (!commentIds || commentIds.includes(c.id)),
      ),
      (c) => this.commentKey(c),
      cursor,
    );
    const { page, next } = this.page(matching, limit, 'comments', (c) => this.commentKey(c));
    return {
      status: 'OK',
      result: {
        comments: page.map((c) => this.commentDto(c)),
        paging: next === undefined ? {} : { nextPageToken: next },
      },
    };
  }

  private update(body: Record<string, unknown>): unknown {
    const feedbackId = this.read.id(body, 'feedbackId');
    if (feedbackId === undefined) throw this.read.bad("'feedbackId' is required");
    const comment = this.read.object(body, 'comment');
    const text = this.read.text(comment, 'text', MAX_REVIEW_COMMENT_LENGTH);
    const id = this.read.id(comment, 'id');
    const parentId = this.read.id(comment, 'parentId');
    const review = this.liveReview(feedbackId);
    const at = this.now();
    let target: CommentState;
    if (id !== undefined) {
      target = this.modifiable(id, feedbackId);
      target.text = text;
      target.status = this.newCommentStatus;
      this.writes.push({
        operation: 'updateGoodsFeedbackComment',
        kind: 'edit',
        reviewId: feedbackId,
        commentId: id,
        text,
        at,
      });
    } else {
      if (parentId !== undefined) this.liveComment(parentId, feedbackId);
      target = {
        id: this.nextCommentId++,
        reviewId: feedbackId,
        ...(parentId !== undefined && { parentId }),
        text,
        status: this.newCommentStatus,
        author: { type: 'BUSINESS', name: this.shopName },
        canModify: true,
        createdAtMs: at,
        deleted: false,
      };
      this.comments.set(target.id, target);
      this.writes.push({
        operation: 'updateGoodsFeedbackComment',
        kind: 'create',
        reviewId: feedbackId,
        commentId: target.id,
        ...(parentId !== undefined && { parentId }),
        text,
        at,
      });
      if (this.notifyOwnComments) this.notifyComment(target.id, at);
    }
    review.needReaction = false;
    return { status: 'OK', result: this.commentDto(target) };
  }

  private delete(body: Record<string, unknown>): unknown {
    const id = this.read.id(body, 'id');
    if (id === undefined) throw this.read.bad("'id' is required");
    const comment = this.modifiable(id);
    comment.deleted = true;
    this.writes.push({
      operation: 'deleteGoodsFeedbackComment',
      reviewId: comment.reviewId,
      commentId: id,
      at: this.now(),
    });
    return { status: 'OK' };
  }

  private skip(body: Record<string, unknown>): unknown {
    const ids = this.read.array(body, 'feedbackIds', (v) => (isPositiveInt(v) ? v : undefined), MAX_REVIEW_LOOKUP_IDS);
    if (ids === undefined) throw this.read.bad("'feedbackIds' is required");
    const reviews = ids.map((id) => this.liveReview(id));
    for (const review of reviews) review.needReaction = false;
    this.writes.push({ operation: 'skipGoodsFeedbacksReaction', reviewIds: ids, at: this.now() });
    return { status: 'OK' };
  }

  // --- state helpers ----------------------------------------------------------------------------------

  private publish(review: ReviewState, atMs: number): void {
    review.publishedAtMs = atMs;
    this.notify({
      notificationType: 'GOODS_FEEDBACK_CREATED',
      feedbackId: review.id,
      businessId: this.businessId,
      createdAt: iso(review.createdAtMs),
      publishedAt: iso(atMs),
    });
  }

  /** Listed by getGoodsFeedbacks: published and not deleted. */
  private listed(review: ReviewState): boolean {
    return review.publishedAtMs !== undefined && !review.deleted;
  }

  /** Listed by getGoodsFeedbackComments: not deleted, on a listed review. */
  private visible(comment: CommentState): boolean {
    const review = this.reviews.get(comment.reviewId);
    return !comment.deleted && review !== undefined && this.listed(review);
  }

  private liveReview(id: number): ReviewState {
    const review = this.reviews.get(id);
    if (!review || !this.listed(review)) throw this.reject(404, `Feedback ${id} not found`);
    return review;
  }

  /** A live comment, of `reviewId` when given. */
  private liveComment(id: number, reviewId?: number): CommentState {
    const comment = this.comments.get(id);
    if (!comment || !this.visible(comment) || (reviewId !== undefined && comment.reviewId !== reviewId)) {
      throw this.reject(
        404,
        reviewId === undefined ? `Comment ${id} not found` : `Comment ${id} not found in feedback ${reviewId}`,
      );
    }
    return comment;
  }

  /** The shop's own live comment an edit or a delete names. */
  private modifiable(id: number, reviewId?: number): CommentState {
    const comment = this.liveComment(id, reviewId);
    if (!comment.canModify) throw this.read.bad(`Comment ${id} cannot be modified by the shop`);
    return comment;
  }

  private commentKey(c: CommentState): Cursor {
    return { ms: c.createdAtMs, id: c.id };
  }

  /** Sorts in the configured order and keeps what comes after the cursor. */
  private inOrder<T>(items: T[], key: (item: T) => Cursor, cursor: Cursor | undefined): T[] {
    const direction = this.order === 'asc' ? 1 : -1;
    return items
      .filter((item) => cursor === undefined || direction * ascending(key(item), cursor) > 0)
      .sort((a, b) => direction * ascending(key(a), key(b)));
  }

  private page<T>(
    items: T[],
    limit: number,
    kind: string,
    key: (item: T) => Cursor,
  ): { page: T[]; next: string | undefined } {
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const next =
      items.length > limit && last !== undefined ? ReviewRequestReader.token(kind, this.order, key(last)) : undefined;
    return { page, next };
  }

  private require<T>(map: Map<number, T>, id: number, caller: string): T {
    const item = map.get(id);
    if (item === undefined) throw new Error(`FakeMarket.reviews.${caller}: no such id ${id}`);
    return item;
  }

  private notifyComment(commentId: number, atMs: number): void {
    this.notify({
      notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED',
      commentId,
      businessId: this.businessId,
      createdAt: iso(atMs),
    });
  }

  private notify(notification: ReviewNotification): void {
    this.notifications.push(notification);
    this.onNotification?.(notification);
  }

  // --- DTOs (the spec's shapes) -------------------------------------------------------------------------

  private reviewDto(r: ReviewState): Record<string, unknown> {
    const description = {
      ...(r.advantages !== undefined && { advantages: r.advantages }),
      ...(r.disadvantages !== undefined && { disadvantages: r.disadvantages }),
      ...(r.comment !== undefined && { comment: r.comment }),
    };
    const media = {
      ...(r.photos.length > 0 && { photos: [...r.photos] }),
      ...(r.videos.length > 0 && { videos: [...r.videos] }),
    };
    const commentsCount = [...this.comments.values()].filter(
      (c) => c.reviewId === r.id && c.parentId === undefined && !c.deleted,
    ).length;
    return {
      feedbackId: r.id,
      createdAt: apiDate(r.createdAtMs),
      needReaction: r.needReaction,
      identifiers: {
        ...(r.orderId !== undefined && { orderId: r.orderId }),
        ...(r.offerId !== undefined && { offerId: r.offerId }),
      },
      ...(r.author !== undefined && { author: r.author }),
      ...(Object.keys(description).length > 0 && { description }),
      ...(Object.keys(media).length > 0 && { media }),
      statistics: {
        rating: r.rating,
        commentsCount,
        ...(r.recommended !== undefined && { recommended: r.recommended }),
        ...(r.paidAmount !== undefined && { paidAmount: r.paidAmount }),
      },
    };
  }

  private commentDto(c: CommentState): Record<string, unknown> {
    return {
      id: c.id,
      text: c.text,
      canModify: c.canModify,
      ...(c.parentId !== undefined && { parentId: c.parentId }),
      author: { ...c.author },
      status: c.status,
      feedbackId: c.reviewId,
    };
  }
}
