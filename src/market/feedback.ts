/**
 * The FeedbackPort of a cabinet: the product-question methods (questions.ts) and the product-review methods
 * (reviews.ts), both on the MarketClient's transport, quotas and retry point (`MarketClient.feedback`).
 */
import type { Answer, Question, Review, ReviewComment } from '../bridge/feedback-model.ts';
import type {
  FeedbackPort,
  QuestionQuery,
  QuestionTextEntity,
  QuestionTextOperation,
  ReviewQuery,
  WriteOutcome,
} from '../bridge/feedback-port.ts';
import type { Page, SendOptions } from '../bridge/ports.ts';
import type { QuestionMethods } from './questions.ts';
import type { ReviewMethods } from './reviews.ts';

export class FeedbackMethods implements FeedbackPort {
  constructor(
    private readonly questions_: QuestionMethods,
    private readonly reviews_: ReviewMethods,
  ) {}

  // ---- product questions

  /** getGoodsQuestions, one page (at most 50), with how many questions match (see `QuestionMethods.questions`). */
  questions(query: QuestionQuery): Promise<Page<Question> & { totalCount: number }> {
    return this.questions_.questions(query);
  }

  /** getGoodsQuestionAnswers, one page (at most 50): a question's answers, or the answers with these ids (1–50). */
  answers(query: { questionId: number } | { answerIds: number[] }, pageToken?: string): Promise<Page<Answer>> {
    return this.questions_.answers(query, pageToken);
  }

  /**
   * updateGoodsQuestionTextEntity: an answer or a comment created (the new entity), edited or deleted. Sent at most
   * once; expected failures are outcomes, as for `sendMessage`.
   */
  writeQuestionText(
    op: QuestionTextOperation,
    options: SendOptions = {},
  ): Promise<WriteOutcome<QuestionTextEntity | undefined>> {
    return this.questions_.writeQuestionText(op, options);
  }

  // ---- product reviews

  /** getGoodsFeedbacks, one page (at most 50); `ids` are looked up alone (see `ReviewMethods.reviews`). */
  reviews(query: ReviewQuery): Promise<Page<Review>> {
    return this.reviews_.reviews(query);
  }

  /** getGoodsFeedbackComments, one page (at most 50): a review's comments, or the comments with these ids (1–50). */
  reviewComments(
    query: { reviewId: number } | { commentIds: number[] },
    pageToken?: string,
  ): Promise<Page<ReviewComment>> {
    return this.reviews_.reviewComments(query, pageToken);
  }

  /**
   * updateGoodsFeedbackComment: the shop's new comment (no `id`; `parentId` to reply to a comment) or an edit (`id`),
   * answered with the comment. Sent at most once; expected failures are outcomes, as for `sendMessage`.
   */
  saveReviewComment(
    comment: { reviewId: number; text: string; id?: number; parentId?: number },
    options: SendOptions = {},
  ): Promise<WriteOutcome<ReviewComment>> {
    return this.reviews_.saveReviewComment(comment, options);
  }

  /** deleteGoodsFeedbackComment: the shop's comment. Sent at most once. */
  deleteReviewComment(commentId: number, options: SendOptions = {}): Promise<WriteOutcome<undefined>> {
    return this.reviews_.deleteReviewComment(commentId, options);
  }

  /** skipGoodsFeedbacksReaction: the reviews (1–50) need no reaction from the shop. Sent at most once. */
  skipReviews(reviewIds: number[], options: SendOptions = {}): Promise<WriteOutcome<undefined>> {
    return this.reviews_.skipReviews(reviewIds, options);
  }
}
