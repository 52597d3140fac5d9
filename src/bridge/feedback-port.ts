/**
 * The Market side for product reviews and questions. Reads retry internally like the chat reads (network
 * errors, 5xx, 420 until the quota window ends) and throw only when that is exhausted, or with a FatalError for
 * 401/403. Writes are sent at most once: expected failures are outcomes, as for chat messages.
 */
import type { Answer, Question, Review, ReviewComment } from './feedback-model.ts';
import type { Page, SendOptions, SendOutcome } from './ports.ts';

/** A write's outcome: the Market's answer when it took it, otherwise as for a chat message. */
export type WriteOutcome<T> = { kind: 'sent'; result: T } | Exclude<SendOutcome, { kind: 'sent' }>;

/** getGoodsFeedbacks' filters. `ids` (1–50) is used alone, as the Market asks. */
export interface ReviewQuery {
  ids?: number[];
  /** Only reviews that wait for the shop's reaction (NEED_REACTION). */
  needReaction?: boolean;
  /** ISO date-times, both exclusive; at most 6 months apart (the Market's default: the 6 months before `to`). */
  from?: string;
  to?: string;
  pageToken?: string;
  /** 1–50, default 50. */
  limit?: number;
}

/** getGoodsQuestions' filters. */
export interface QuestionQuery {
  ids?: number[];
  /** Only questions without the shop's answer. */
  needAnswer?: boolean;
  /** Creation dates `YYYY-MM-DD`, at most a month apart (the Market's default: the month before `to`). */
  from?: string;
  to?: string;
  sort?: 'CREATED_AT_ASC' | 'CREATED_AT_DESC';
  pageToken?: string;
  /** 1–50, default 50. */
  limit?: number;
}

/** A question's answer or a comment on an answer, as the Market identifies them for writes. */
export interface QuestionTextEntity {
  id: number;
  type: 'QUESTION' | 'ANSWER' | 'COMMENT';
}

/** updateGoodsQuestionTextEntity: an answer to a question or a comment on an answer, created, edited or deleted. */
export type QuestionTextOperation =
  | { operation: 'CREATE'; parent: QuestionTextEntity; text: string }
  | { operation: 'UPDATE'; entity: QuestionTextEntity; text: string }
  | { operation: 'DELETE'; entity: QuestionTextEntity };

export interface FeedbackPort {
  /** getGoodsFeedbacks, one page. Reviews deleted by the buyer or the Market are not listed. */
  reviews(query: ReviewQuery): Promise<Page<Review>>;
  /** getGoodsFeedbackComments, one page: a review's comments, or the comments with these ids (1–50). */
  reviewComments(
    query: { reviewId: number } | { commentIds: number[] },
    pageToken?: string,
  ): Promise<Page<ReviewComment>>;
  /** updateGoodsFeedbackComment: a new shop comment (no `id`; `parentId` to reply to a comment) or an edit (`id`). */
  saveReviewComment(
    comment: { reviewId: number; text: string; id?: number; parentId?: number },
    options?: SendOptions,
  ): Promise<WriteOutcome<ReviewComment>>;
  /** deleteGoodsFeedbackComment. */
  deleteReviewComment(commentId: number): Promise<WriteOutcome<undefined>>;
  /** skipGoodsFeedbacksReaction: the reviews (1–50) need no reaction from the shop. */
  skipReviews(reviewIds: number[]): Promise<WriteOutcome<undefined>>;
  /** getGoodsQuestions, one page, with how many questions match the filter. */
  questions(query: QuestionQuery): Promise<Page<Question> & { totalCount: number }>;
  /** getGoodsQuestionAnswers, one page: a question's answers, or the answers with these ids (1–50). */
  answers(query: { questionId: number } | { answerIds: number[] }, pageToken?: string): Promise<Page<Answer>>;
  /** updateGoodsQuestionTextEntity; a CREATE is answered with the new entity, UPDATE and DELETE with nothing. */
  writeQuestionText(
    op: QuestionTextOperation,
    options?: SendOptions,
  ): Promise<WriteOutcome<QuestionTextEntity | undefined>>;
}
