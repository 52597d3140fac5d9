/**
 * Product reviews at the Market: the review half of the bridge's `FeedbackPort`, through the five goods-feedback
 * methods under `/v2/businesses/{businessId}/goods-feedback` (getGoodsFeedbacks, getGoodsFeedbackComments,
 * updateGoodsFeedbackComment, deleteGoodsFeedbackComment, skipGoodsFeedbacksReaction). Reads go through the client's
 * one retry point; a write is sent once through the client's write path and becomes a `WriteOutcome`, as a chat
 * message becomes a `SendOutcome`. The request bodies are exactly those of REVIEWS-QUESTIONS.md §3, without
 * `sourceType`; what the Market decides (a text's length and content, whose comments the shop may change, the date
 * window's length) is left to it, and its refusal is the outcome, or the read's error.
 */
import type { Logger } from 'pino';
import type { Review, ReviewComment } from '../bridge/feedback-model.ts';
import type { ReviewQuery, WriteOutcome } from '../bridge/feedback-port.ts';
import type { Page, SendOptions } from '../bridge/ports.ts';
import { MarketApiError, MarketSchemaError } from './errors.ts';
import type { Read } from './orders.ts';
import { failureOutcome, parseAnswer } from './outcomes.ts';
import {
  getReviewCommentsResponseSchema,
  getReviewsResponseSchema,
  saveReviewCommentResponseSchema,
} from './review-schemas.ts';
import { emptyApiResponseSchema } from './schemas.ts';
import type { ApiRequest, Operation, RawResponse } from './transport.ts';

/** The longest page of both reads (PageLimit50), and the page asked for when the caller names none. */
export const REVIEW_PAGE_LIMIT = 50;
/** The most ids one request takes (`feedbackIds`, `commentIds`). */
export const MAX_REVIEW_IDS = 50;

/** RFC 3339 date-time with an offset: the spec's `format: date-time`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

export interface ReviewMethodsDeps {
  businessId: number;
  /** A read through the client's one retry point. */
  read: Read;
  /** Sends a write once and returns its 2xx answer, or throws the typed error (the client's write path). */
  write: (req: ApiRequest) => Promise<RawResponse>;
  log: Logger;
  /** The client's shutdown signal: a write aborted while it waited was not sent. */
  signal: AbortSignal | undefined;
}

/** The unique ids of a request; throws on a value that is not an id or on more than 50. */
function uniqueIds(ids: readonly number[], what: string): number[] {
  const unique = [...new Set(ids)];
  const bad = unique.find((v) => !isId(v));
  if (bad !== undefined) throw new TypeError(`${what} needs positive integer ids, got ${String(bad)}`);
  if (unique.length > MAX_REVIEW_IDS) {
    throw new RangeError(`${what} takes at most ${MAX_REVIEW_IDS} ids at once, got ${unique.length}`);
  }
  return unique;
}

function requireId(value: number, what: string): number {
  if (!isId(value)) throw new TypeError(`${what} needs a positive integer, got ${String(value)}`);
  return value;
}

function dateTime(value: string, what: string): string {
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TypeError(`reviews needs '${what}' as an ISO 8601 date-time with an offset, got '${value}'`);
  }
  return value;
}

/**
 * The body of updateGoodsFeedbackComment, exactly as REVIEWS-QUESTIONS.md §3.3's table has it: a new comment on the
 * review, a reply to a comment (`parentId`), or an edit (`id`; the Market edits that comment and ignores a
 * `parentId`, so none is sent).
 */
export function reviewCommentBody(comment: {
  reviewId: number;
  text: string;
  id?: number;
  parentId?: number;
}): Record<string, unknown> {
  const feedbackId = requireId(comment.reviewId, 'saveReviewComment reviewId');
  if (comment.id !== undefined) {
    return { feedbackId, comment: { id: requireId(comment.id, 'saveReviewComment id'), text: comment.text } };
  }
  if (comment.parentId !== undefined) {
    const parentId = requireId(comment.parentId, 'saveReviewComment parentId');
    return { feedbackId, comment: { parentId, text: comment.text } };
  }
  return { feedbackId, comment: { text: comment.text } };
}

const page = <T>(items: T[], nextPageToken: string | undefined): Page<T> =>
  nextPageToken !== undefined ? { items, nextPageToken } : { items };

/** The review methods of one cabinet. */
export class ReviewMethods {
  readonly #deps: ReviewMethodsDeps;

  constructor(deps: ReviewMethodsDeps) {
    this.#deps = deps;
  }

  /**
   * One page of reviews (getGoodsFeedbacks). With `ids` only the ids are sent, as the Market asks (the other
   * filters are left out), and a review of any age is found; empty `ids` match nothing and cost no request.
   * Otherwise `needReaction` asks for NEED_REACTION only, and `from`/`to` (date-times, both excluded) bound the
   * window, at most 6 months long (the Market's default: the 6 months before `to`). `limit` is clamped to 1–50,
   * default 50.
   */
  async reviews(query: ReviewQuery): Promise<Page<Review>> {
    const body: Record<string, unknown> = {};
    if (query.ids !== undefined) {
      const ids = uniqueIds(query.ids, 'reviews');
      if (ids.length === 0) return { items: [] };
      body['feedbackIds'] = ids;
    } else {
      if (query.needReaction === true) body['reactionStatus'] = 'NEED_REACTION';
      if (query.from !== undefined) body['dateTimeFrom'] = dateTime(query.from, 'from');
      if (query.to !== undefined) body['dateTimeTo'] = dateTime(query.to, 'to');
    }
    const limit = Math.min(REVIEW_PAGE_LIMIT, Math.max(1, Math.floor(query.limit ?? REVIEW_PAGE_LIMIT)));
    const res = await this.#deps.read(
      {
        operation: 'getGoodsFeedbacks',
        method: 'POST',
        path: this.#path(''),
        query: { pageToken: query.pageToken, limit },
        json: body,
      },
      getReviewsResponseSchema,
    );
    return page(res.result.feedbacks, res.result.paging);
  }

  /**
   * One page (of 50) of review comments (getGoodsFeedbackComments), flat, in the Market's order: a review's, or the
   * comments with these ids (1–50). A review the Market no longer knows (404) has none; empty `commentIds` match
   * nothing and cost no request.
   */
  async reviewComments(
    query: { reviewId: number } | { commentIds: number[] },
    pageToken?: string,
  ): Promise<Page<ReviewComment>> {
    let json: Record<string, unknown>;
    if ('commentIds' in query) {
      const ids = uniqueIds(query.commentIds, 'reviewComments');
      if (ids.length === 0) return { items: [] };
      json = { commentIds: ids };
    } else {
      json = { feedbackId: requireId(query.reviewId, 'reviewComments reviewId') };
    }
    try {
      const res = await this.#deps.read(
        {
          operation: 'getGoodsFeedbackComments',
          method: 'POST',
          path: this.#path('/comments'),
          query: { pageToken, limit: REVIEW_PAGE_LIMIT },
          json,
        },
        getReviewCommentsResponseSchema,
      );
      return page(res.result.comments, res.result.paging);
    } catch (err) {
      if ('feedbackId' in json && err instanceof MarketApiError && err.status === 404) {
        this.#deps.log.debug({ operation: 'getGoodsFeedbackComments', reviewId: json['feedbackId'] }, 'no such review');
        return { items: [] };
      }
      throw err;
    }
  }

  /**
   * Creates the shop's comment on a review (no `id`; `parentId` to reply to a comment) or edits one (`id`)
   * (updateGoodsFeedbackComment). Sent at most once; the Market answers with the comment, new id included. An answer
   * the Market gave to a write it took but that cannot be read is `ambiguous`: the text is there, but the caller has
   * to find it. Only a fatal error (401/403) or a bug is thrown.
   */
  async saveReviewComment(
    comment: { reviewId: number; text: string; id?: number; parentId?: number },
    options: SendOptions = {},
  ): Promise<WriteOutcome<ReviewComment>> {
    const operation = 'updateGoodsFeedbackComment';
    const json = reviewCommentBody(comment);
    return this.#send(operation, { path: this.#path('/comments/update'), json, options }, (res) => {
      try {
        return { kind: 'sent', result: parseAnswer(operation, res, saveReviewCommentResponseSchema).result };
      } catch (err) {
        if (!(err instanceof MarketSchemaError)) throw err;
        this.#deps.log.warn(
          { operation, status: res.status, err },
          'Market took the comment but its answer is unreadable',
        );
        return { kind: 'ambiguous', reason: 'the Market took the comment, but its answer could not be read' };
      }
    });
  }

  /** Deletes the shop's comment (deleteGoodsFeedbackComment). Sent at most once. */
  async deleteReviewComment(commentId: number, options: SendOptions = {}): Promise<WriteOutcome<undefined>> {
    const json = { id: requireId(commentId, 'deleteReviewComment') };
    return this.#send('deleteGoodsFeedbackComment', { path: this.#path('/comments/delete'), json, options }, (res) =>
      this.#empty('deleteGoodsFeedbackComment', res),
    );
  }

  /**
   * Tells the Market the reviews (1–50) need no reaction from the shop (skipGoodsFeedbacksReaction). Sent at most
   * once; no ids is nothing to do, `sent` without a request.
   */
  async skipReviews(reviewIds: number[], options: SendOptions = {}): Promise<WriteOutcome<undefined>> {
    const ids = uniqueIds(reviewIds, 'skipReviews');
    if (ids.length === 0) return { kind: 'sent', result: undefined };
    const json = { feedbackIds: ids };
    return this.#send('skipGoodsFeedbacksReaction', { path: this.#path('/skip-reaction'), json, options }, (res) =>
      this.#empty('skipGoodsFeedbacksReaction', res),
    );
  }

  /** Sends a write once and turns its answer (`accepted`) or failure into a WriteOutcome. */
  async #send<T>(
    operation: Operation,
    req: { path: string; json: unknown; options: SendOptions },
    accepted: (res: RawResponse) => WriteOutcome<T>,
  ): Promise<WriteOutcome<T>> {
    let res: RawResponse;
    try {
      res = await this.#deps.write({
        operation,
        method: 'POST',
        path: req.path,
        json: req.json,
        beforeSend: req.options.beforeSend,
      });
    } catch (err) {
      const outcome = failureOutcome(err, this.#deps.signal);
      if (outcome === undefined) throw err;
      this.#deps.log.info({ operation, outcome: outcome.kind, reason: outcome.reason }, 'Market write not delivered');
      return outcome;
    }
    return accepted(res);
  }

  /** A write answered with EmptyApiResponse: taken, whatever the body says (an odd one is only logged). */
  #empty(operation: Operation, res: RawResponse): WriteOutcome<undefined> {
    try {
      parseAnswer(operation, res, emptyApiResponseSchema);
    } catch {
      this.#deps.log.warn({ operation, status: res.status }, 'Market accepted the write with an unexpected body');
    }
    return { kind: 'sent', result: undefined };
  }

  #path(suffix: string): string {
    return `/v2/businesses/${this.#deps.businessId}/goods-feedback${suffix}`;
  }
}
