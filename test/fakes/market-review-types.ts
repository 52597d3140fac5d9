/**
 * The product reviews of the fake Market as tests see them (the state and the methods are in market-reviews.ts): the
 * five goods-feedback methods' operationIds, paths, scopes and quotas from the spec, its enums and text limit, the
 * options for what the spec leaves open, what a test describes (`addReview`, `addReviewComment`), what it inspects,
 * the record of the client's writes and the notification bodies.
 */

/** The review methods, by spec operationId. */
export const REVIEW_OPERATION_IDS = [
  'getGoodsFeedbacks',
  'getGoodsFeedbackComments',
  'updateGoodsFeedbackComment',
  'deleteGoodsFeedbackComment',
  'skipGoodsFeedbacksReaction',
] as const;
export type ReviewOperationId = (typeof REVIEW_OPERATION_IDS)[number];

/**
 * Hourly quotas of the spec's `x-resource-limit-config`, `none` tier (the `medium` one is 10 000 / 10 000 / 1 000 /
 * 1 000 / 1 000). Creating and editing a comment share updateGoodsFeedbackComment's; deleting has its own.
 */
export const REVIEW_LIMITS: Readonly<Record<ReviewOperationId, number>> = {
  getGoodsFeedbacks: 5000,
  getGoodsFeedbackComments: 5000,
  updateGoodsFeedbackComment: 1000,
  deleteGoodsFeedbackComment: 1000,
  skipGoodsFeedbacksReaction: 500,
};

const READ = ['ALL_METHODS', 'ALL_METHODS_READ_ONLY', 'COMMUNICATION'] as const;
const WRITE = ['ALL_METHODS', 'COMMUNICATION'] as const;

/** `x-auth-scopes` of each review method, in ApiKeyScopeType spelling. */
export const REVIEW_SCOPES: Readonly<Record<ReviewOperationId, readonly string[]>> = {
  getGoodsFeedbacks: READ,
  getGoodsFeedbackComments: READ,
  updateGoodsFeedbackComment: WRITE,
  deleteGoodsFeedbackComment: WRITE,
  skipGoodsFeedbacksReaction: WRITE,
};

/** Paths below `/v2/businesses/{businessId}/`, each served by POST only (the shape of the fake's route table). */
export const REVIEW_ROUTES: Readonly<Record<string, Readonly<{ POST: ReviewOperationId }>>> = {
  'goods-feedback': { POST: 'getGoodsFeedbacks' },
  'goods-feedback/comments': { POST: 'getGoodsFeedbackComments' },
  'goods-feedback/comments/update': { POST: 'updateGoodsFeedbackComment' },
  'goods-feedback/comments/delete': { POST: 'deleteGoodsFeedbackComment' },
  'goods-feedback/skip-reaction': { POST: 'skipGoodsFeedbacksReaction' },
};

/** GoodsFeedbackCommentText: 1–4 096 characters (UTF-16 code units, as Java counts them). */
export const MAX_REVIEW_COMMENT_LENGTH = 4096;
/** The most ids one request takes (`feedbackIds`, `commentIds`). */
export const MAX_REVIEW_LOOKUP_IDS = 50;

/** The spec's GoodsFeedbackCommentAuthorType. */
export const REVIEW_COMMENT_AUTHOR_TYPES = ['USER', 'BUSINESS', 'BRAND'] as const;
/** The spec's GoodsFeedbackCommentStatusType. */
export const REVIEW_COMMENT_STATUSES = ['PUBLISHED', 'UNMODERATED', 'BANNED', 'DELETED'] as const;
/** The spec's FeedbackReactionStatusType. */
export const REACTION_STATUSES = ['ALL', 'NEED_REACTION'] as const;

/** How the fake answers where the spec is silent; see market-reviews.ts's header. */
export interface FakeReviewsOptions {
  /**
   * The order of both lists, by publication (reviews) or creation (comments): `asc` oldest first, `desc` newest
   * first. Default `asc`.
   */
  order?: 'asc' | 'desc';
  /** Whether the default 6-month window also limits a `feedbackIds` lookup. Default false. */
  feedbackIdsInDateWindow?: boolean;
  /** The moderation status of the shop's new and edited comments. Default PUBLISHED. */
  newCommentStatus?: (typeof REVIEW_COMMENT_STATUSES)[number];
  /** The author name of the shop's comments. Default 'Test shop'. */
  shopName?: string;
  /** Whether the shop's own comments, written through the API, are notified. Default true. */
  notifyOwnComments?: boolean;
  /** Called with each notification as it is due (e.g. to post it to the bridge). */
  onNotification?: (notification: ReviewNotification) => void;
}

/** A review as a test describes it; every field has a default. Dates are ISO 8601. */
export interface FakeReviewInput {
  /** Default: the next free id from 8000001. */
  reviewId?: number;
  /** 1–5. Default 5. */
  rating?: number;
  advantages?: string;
  disadvantages?: string;
  /** Default 'Works well.' when none of the three texts is given. */
  comment?: string;
  /** Photo and video URLs. */
  photos?: string[];
  videos?: string[];
  orderId?: number;
  /** The shop's SKU. Default 'SKU-1'; `null` leaves it out. */
  offerId?: string | null;
  /** The author's display name. Default 'Buyer'; `null` leaves it out. */
  author?: string | null;
  /** Default now. */
  createdAt?: string;
  /** When it passed moderation. Default `createdAt`; `null`: still in moderation (see `publishReview`). */
  publishedAt?: string | null;
  /** Default true. */
  needReaction?: boolean;
  recommended?: boolean;
  /** Plus points the author got for it; a review with some is `paid`. */
  paidAmount?: number;
}

/** A comment on a review as a test describes it. */
export interface FakeReviewCommentInput {
  /** Default: the next free id from 9000001. */
  commentId?: number;
  /** Any string, to test tolerance of unknown values. Default USER. */
  authorType?: (typeof REVIEW_COMMENT_AUTHOR_TYPES)[number] | (string & {});
  /** Default 'Buyer' for a USER, the shop's name for BUSINESS, 'Brand' for BRAND; `null` leaves it out. */
  authorName?: string | null;
  /** Default 'Thank you!'. */
  text?: string;
  /** The comment this one replies to (of the same review). */
  parentId?: number;
  /** Any string, to test tolerance. Default PUBLISHED. */
  status?: string;
  /** Default: whether the author is the shop (BUSINESS). */
  canModify?: boolean;
  /** Default now. */
  createdAt?: string;
}

/** A review as stored; dates as the API formats them. */
export interface FakeReview {
  readonly reviewId: number;
  readonly createdAt: string;
  /** Undefined while in moderation. */
  readonly publishedAt?: string;
  readonly needReaction: boolean;
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
  readonly deleted: boolean;
}

/** A comment as stored. */
export interface FakeReviewComment {
  readonly commentId: number;
  readonly reviewId: number;
  readonly parentId?: number;
  readonly text: string;
  readonly status: string;
  readonly author: { readonly type: string; readonly name?: string };
  readonly canModify: boolean;
  readonly createdAt: string;
  readonly deleted: boolean;
}

/** One write of the client that took effect (whether or not its answer reached the client). */
export type ReviewWriteRecord =
  | {
      readonly operation: 'updateGoodsFeedbackComment';
      readonly kind: 'create' | 'edit';
      readonly reviewId: number;
      readonly commentId: number;
      readonly parentId?: number;
      readonly text: string;
      /** On the fake's clock. */
      readonly at: number;
    }
  | {
      readonly operation: 'deleteGoodsFeedbackComment';
      readonly reviewId: number;
      readonly commentId: number;
      readonly at: number;
    }
  | { readonly operation: 'skipGoodsFeedbacksReaction'; readonly reviewIds: readonly number[]; readonly at: number };

/** The notification-api bodies the Market sends about reviews (times in UTC). */
export type ReviewNotification =
  | {
      notificationType: 'GOODS_FEEDBACK_CREATED';
      feedbackId: number;
      businessId: number;
      createdAt: string;
      publishedAt: string;
    }
  | { notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED'; commentId: number; businessId: number; createdAt: string };
