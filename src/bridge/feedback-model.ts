/**
 * The bridge's view of the buyer's other two voices on the Market: product reviews (goods feedback) with their
 * comment threads, and product questions with their answers and comments on those answers. The Market client
 * maps the API payloads onto these types; unknown enum values arrive as 'UNKNOWN' rather than failing.
 */

/** Who wrote a review comment, an answer or a comment on an answer. */
export type FeedbackAuthorType = 'USER' | 'BUSINESS' | 'BRAND' | 'VENDOR' | 'UNKNOWN';
/** The Market's moderation of a comment or answer. */
export type ModerationStatus = 'PUBLISHED' | 'UNMODERATED' | 'BANNED' | 'DELETED' | 'UNKNOWN';

export interface FeedbackAuthor {
  type: FeedbackAuthorType;
  name?: string;
}

/** A product review (GoodsFeedbackDTO). */
export interface Review {
  id: number;
  /** ISO 8601. */
  createdAt: string;
  /** The Market waits for the shop's reaction (a comment, or "no reply needed"). */
  needReaction: boolean;
  orderId?: number;
  /** The shop's SKU of the product. */
  offerId?: string;
  /** The author's display name. */
  author?: string;
  advantages?: string;
  disadvantages?: string;
  comment?: string;
  photos: string[];
  videos: string[];
  /** 1–5. */
  rating: number;
  /** Direct replies to the review (not nested comments). */
  commentsCount: number;
  recommended?: boolean;
}

/** A comment on a review (GoodsFeedbackCommentDTO): it has no time of its own. */
export interface ReviewComment {
  id: number;
  reviewId: number;
  /** The comment it replies to; absent for a reply to the review itself. */
  parentId?: number;
  text: string;
  status: ModerationStatus;
  /** The shop may edit or delete it. */
  canModify: boolean;
  author: FeedbackAuthor;
}

/** A product question (QuestionDTO). */
export interface Question {
  id: number;
  offerId: string;
  categoryId?: number;
  text: string;
  /** ISO 8601. */
  createdAt: string;
  author: FeedbackAuthor;
}

/** A comment on an answer (CommentDTO). */
export interface AnswerComment {
  id: number;
  answerId: number;
  /** The comment it replies to, if any. */
  parentId?: number;
  text: string;
  status: ModerationStatus;
  createdAt: string;
  canModify: boolean;
  author: FeedbackAuthor;
}

/** An answer to a question (AnswerDTO), with its comments (at most 100, as the Market embeds them). */
export interface Answer {
  id: number;
  questionId: number;
  text: string;
  status: ModerationStatus;
  createdAt: string;
  canModify: boolean;
  author: FeedbackAuthor;
  comments: AnswerComment[];
}
