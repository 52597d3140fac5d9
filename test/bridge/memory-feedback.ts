/** An in-memory FeedbackPort: reviews with comments and questions with answers, as the tests arrange them. */
import type { Answer, Question, Review, ReviewComment } from '../../src/bridge/feedback-model.ts';
import type {
  FeedbackPort,
  QuestionQuery,
  QuestionTextEntity,
  QuestionTextOperation,
  ReviewQuery,
  WriteOutcome,
} from '../../src/bridge/feedback-port.ts';
import type { Page } from '../../src/bridge/ports.ts';

export class MemoryFeedback implements FeedbackPort {
  readonly reviewList: Review[] = [];
  readonly commentList: ReviewComment[] = [];
  readonly questionList: Question[] = [];
  readonly answerList: Answer[] = [];
  /** Every read, by method. */
  readonly reads: string[] = [];
  /** The queries of every reviews() and questions() call. */
  readonly queries: Array<ReviewQuery | QuestionQuery> = [];
  nextId = 9000;

  addReview(over: Partial<Review> & { id: number }): Review {
    const review: Review = {
      createdAt: new Date().toISOString(),
      needReaction: true,
      offerId: 'SKU-1',
      author: 'Anna',
      photos: [],
      videos: [],
      rating: 2,
      commentsCount: 0,
      ...over,
    };
    this.reviewList.push(review);
    return review;
  }

  addComment(reviewId: number, over: Partial<ReviewComment> = {}): ReviewComment {
    const comment: ReviewComment = {
      id: this.nextId++,
      reviewId,
      text: 'a comment',
      status: 'PUBLISHED',
      canModify: false,
      author: { type: 'USER', name: 'Anna' },
      ...over,
    };
    this.commentList.push(comment);
    const review = this.reviewList.find((r) => r.id === reviewId);
    if (review && comment.parentId === undefined) review.commentsCount++;
    return comment;
  }

  addQuestion(over: Partial<Question> & { id: number }): Question {
    const question: Question = {
      offerId: 'SKU-2',
      text: 'Does it fit?',
      createdAt: new Date().toISOString(),
      author: { type: 'USER', name: 'Petr' },
      ...over,
    };
    this.questionList.push(question);
    return question;
  }

  addAnswer(questionId: number, over: Partial<Answer> = {}): Answer {
    const answer: Answer = {
      id: this.nextId++,
      questionId,
      text: 'an answer',
      status: 'PUBLISHED',
      createdAt: new Date().toISOString(),
      canModify: false,
      author: { type: 'USER', name: 'Ivan' },
      comments: [],
      ...over,
    };
    this.answerList.push(answer);
    return answer;
  }

  reviews(query: ReviewQuery): Promise<Page<Review>> {
    this.reads.push('reviews');
    this.queries.push(query);
    const items = this.reviewList.filter(
      (r) => (!query.ids || query.ids.includes(r.id)) && (!query.needReaction || r.needReaction),
    );
    return Promise.resolve({ items: items.map((r) => ({ ...r })) });
  }

  reviewComments(query: { reviewId: number } | { commentIds: number[] }): Promise<Page<ReviewComment>> {
    this.reads.push('reviewComments');
    const items = this.commentList.filter((c) =>
      'reviewId' in query ? c.reviewId === query.reviewId : query.commentIds.includes(c.id),
    );
    return Promise.resolve({ items: items.map((c) => ({ ...c })) });
  }

  /** Every write, as called. */
  readonly writes: unknown[] = [];
  /**
   * The outcome of the next write: `ambiguous-done` takes it and answers ambiguous (the answer was lost),
   * `ambiguous` and other failures do not take it.
   */
  nextWrite: Array<'ambiguous-done' | WriteOutcome<never>> = [];

  private outcome<T>(take: () => T): WriteOutcome<T> {
    const next = this.nextWrite.shift();
    if (next === 'ambiguous-done') {
      take();
      return { kind: 'ambiguous', reason: 'connection reset' };
    }
    if (next) return next;
    return { kind: 'sent', result: take() };
  }

  saveReviewComment(comment: { reviewId: number; text: string; id?: number; parentId?: number }) {
    this.writes.push({ saveReviewComment: comment });
    return Promise.resolve(
      this.outcome(() => {
        const existing = comment.id === undefined ? undefined : this.commentList.find((c) => c.id === comment.id);
        if (existing) {
          existing.text = comment.text;
          return { ...existing };
        }
        const review = this.reviewList.find((r) => r.id === comment.reviewId);
        if (review) review.needReaction = false;
        return this.addComment(comment.reviewId, {
          text: comment.text,
          author: { type: 'BUSINESS', name: 'Shop' },
          canModify: true,
          ...(comment.parentId !== undefined && { parentId: comment.parentId }),
        });
      }),
    );
  }

  deleteReviewComment(): Promise<WriteOutcome<undefined>> {
    return Promise.reject(new Error('not in these tests'));
  }

  /** Every skipReviews call's ids. */
  readonly skips: number[][] = [];
  skipReviews(ids: number[]): Promise<WriteOutcome<undefined>> {
    this.skips.push(ids);
    for (const r of this.reviewList) if (ids.includes(r.id)) r.needReaction = false;
    return Promise.resolve({ kind: 'sent', result: undefined });
  }

  questions(query: QuestionQuery): Promise<Page<Question> & { totalCount: number }> {
    this.reads.push('questions');
    this.queries.push(query);
    const answered = (q: Question) =>
      this.answerList.some((a) => a.questionId === q.id && a.author.type === 'BUSINESS');
    const items = this.questionList.filter(
      (q) => (!query.ids || query.ids.includes(q.id)) && (!query.needAnswer || !answered(q)),
    );
    return Promise.resolve({ items: items.map((q) => ({ ...q })), totalCount: items.length });
  }

  answers(query: { questionId: number } | { answerIds: number[] }): Promise<Page<Answer>> {
    this.reads.push('answers');
    const items = this.answerList.filter((a) =>
      'questionId' in query ? a.questionId === query.questionId : query.answerIds.includes(a.id),
    );
    return Promise.resolve({ items: items.map((a) => ({ ...a, comments: [...a.comments] })) });
  }

  writeQuestionText(op: QuestionTextOperation): Promise<WriteOutcome<QuestionTextEntity | undefined>> {
    this.writes.push({ writeQuestionText: op });
    return Promise.resolve(
      this.outcome((): QuestionTextEntity | undefined => {
        const shop = { type: 'BUSINESS' as const, name: 'Shop' };
        if (op.operation === 'CREATE' && op.parent.type === 'QUESTION') {
          return {
            id: this.addAnswer(op.parent.id, { text: op.text, author: shop, canModify: true }).id,
            type: 'ANSWER',
          };
        }
        if (op.operation === 'CREATE') {
          const answer = this.answerList.find((a) => a.id === op.parent.id)!;
          const id = this.nextId++;
          answer.comments.push({
            id,
            answerId: answer.id,
            text: op.text,
            status: 'PUBLISHED',
            createdAt: new Date().toISOString(),
            canModify: true,
            author: shop,
          });
          return { id, type: 'COMMENT' };
        }
        if (op.operation === 'UPDATE') {
          const answer = this.answerList.find((a) => a.id === op.entity.id);
          if (answer) answer.text = op.text;
          for (const c of this.answerList.flatMap((a) => a.comments)) if (c.id === op.entity.id) c.text = op.text;
        }
        return undefined;
      }),
    );
  }
}
