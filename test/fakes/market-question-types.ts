/**
 * The product questions of the fake Market as tests see them (the state and the methods are in market-questions.ts):
 * the three methods' operationIds, paths, scopes and quotas from the spec, its enums and text limits, the options
 * for what the spec leaves open, what a test describes (`addQuestion`, …), what it inspects, and the notification
 * bodies.
 */
import type { TypedEntityId } from './market-question-requests.ts';

/** The question methods, by spec operationId. */
export const QUESTION_OPERATION_IDS = [
  'getGoodsQuestions',
  'getGoodsQuestionAnswers',
  'updateGoodsQuestionTextEntity',
] as const;
export type QuestionOperationId = (typeof QUESTION_OPERATION_IDS)[number];

/** Hourly quotas of the spec's `x-resource-limit-config`, `none` tier (the `medium` one is 5 000 / 5 000 / 1 000). */
export const QUESTION_LIMITS: Readonly<Record<QuestionOperationId, number>> = {
  getGoodsQuestions: 1000,
  getGoodsQuestionAnswers: 1000,
  updateGoodsQuestionTextEntity: 500,
};

/** `x-auth-scopes` of each question method, in ApiKeyScopeType spelling. */
export const QUESTION_SCOPES: Readonly<Record<QuestionOperationId, readonly string[]>> = {
  getGoodsQuestions: ['ALL_METHODS', 'ALL_METHODS_READ_ONLY', 'COMMUNICATION'],
  getGoodsQuestionAnswers: ['ALL_METHODS', 'ALL_METHODS_READ_ONLY', 'COMMUNICATION'],
  updateGoodsQuestionTextEntity: ['ALL_METHODS', 'COMMUNICATION'],
};

/** Paths below `/v1/businesses/{businessId}/`, each served by POST only. */
export const QUESTION_ROUTES: Readonly<Record<string, QuestionOperationId>> = {
  'goods-questions': 'getGoodsQuestions',
  'goods-questions/answers': 'getGoodsQuestionAnswers',
  'goods-questions/update': 'updateGoodsQuestionTextEntity',
};

/** QuestionsTextContent: at most 5 000 characters (UTF-16 code units). */
export const MAX_QUESTION_TEXT_LENGTH = 5000;
/** AnswerDTO.comments: at most 100. */
export const MAX_EMBEDDED_COMMENTS = 100;

/** The spec's QuestionsTextContentAuthorType. */
export const QUESTION_AUTHOR_TYPES = ['USER', 'BUSINESS', 'VENDOR', 'BRAND'] as const;
/** The spec's QuestionsTextContentModerationStatusType. */
export const QUESTION_TEXT_STATUSES = ['PUBLISHED', 'UNMODERATED', 'BANNED', 'DELETED'] as const;
/** The spec's QuestionSortOrderType. */
export const QUESTION_SORTS = ['CREATED_AT_DESC', 'CREATED_AT_ASC'] as const;
export type QuestionSort = (typeof QUESTION_SORTS)[number];

/** How the fake answers where the spec is silent; see the module's header. */
export interface FakeQuestionsOptions {
  /** getGoodsQuestions' order without `sort`. Default CREATED_AT_DESC. */
  defaultSort?: QuestionSort;
  /** Whether the default one-month window also limits a `questionIds` lookup. Default false. */
  questionIdsInDateWindow?: boolean;
  /** A CREATE under a COMMENT: refused with 400, or a comment on the same answer with `parentId`. Default 'refuse'. */
  commentReplies?: 'refuse' | 'accept';
  /** The moderation status of the shop's new answers and comments. Default PUBLISHED. */
  newTextStatus?: (typeof QUESTION_TEXT_STATUSES)[number];
  /** The author name of the shop's answers and comments. Default 'Test shop'. */
  shopName?: string;
  /** Whether the shop's own answers and comments, written through the API, are notified. Default true. */
  notifyOwnWrites?: boolean;
  /** Called with each notification as it is due (e.g. to post it to the bridge). */
  onNotification?: (notification: QuestionNotification) => void;
}

/** Who wrote a question, an answer or a comment; any string as `type`, to test tolerance of unknown values. */
export interface FakeAuthorInput {
  type?: (typeof QUESTION_AUTHOR_TYPES)[number] | (string & {});
  name?: string;
}

export interface FakeQuestionInput {
  /** Default: the next free id from 4000001. */
  questionId?: number;
  /** The shop's SKU. Default 'SKU-1'. */
  offerId?: string;
  categoryId?: number;
  /** Default 'Is it waterproof?'. */
  text?: string;
  /** Default a USER named 'Buyer'. */
  author?: FakeAuthorInput;
  /** ISO 8601. Default now. */
  createdAt?: string;
  votes?: { likes: number; dislikes: number };
}

export interface FakeAnswerInput {
  /** Default: the next free id from 5000001. */
  answerId?: number;
  /** Default a USER named 'Buyer'. */
  author?: FakeAuthorInput;
  /** Default 'Yes, it is.'. */
  text?: string;
  /** Any string, to test tolerance. Default PUBLISHED. */
  status?: string;
  /** ISO 8601. Default now. */
  createdAt?: string;
  /** Default: whether the author is the shop (BUSINESS). */
  canModify?: boolean;
  votes?: { likes: number; dislikes: number };
}

export interface FakeCommentInput extends Omit<FakeAnswerInput, 'answerId'> {
  /** Default: the next free id from 6000001. */
  commentId?: number;
  /** The comment this one replies to (of the same answer). */
  parentId?: number;
}

/** A question as stored; `createdAt` as the API formats it. */
export interface FakeQuestion {
  readonly questionId: number;
  readonly offerId: string;
  readonly categoryId?: number;
  readonly text: string;
  readonly author: { readonly type: string; readonly name?: string };
  readonly createdAt: string;
  readonly deleted: boolean;
  /** Whether `needAnswer: true` lists it. */
  readonly needsAnswer: boolean;
}

export interface FakeAnswerComment {
  readonly commentId: number;
  readonly answerId: number;
  readonly parentId?: number;
  readonly text: string;
  readonly author: { readonly type: string; readonly name?: string };
  readonly status: string;
  readonly createdAt: string;
  readonly canModify: boolean;
  readonly deleted: boolean;
}

export interface FakeAnswer {
  readonly answerId: number;
  readonly questionId: number;
  readonly text: string;
  readonly author: { readonly type: string; readonly name?: string };
  readonly status: string;
  readonly createdAt: string;
  readonly canModify: boolean;
  readonly deleted: boolean;
  /** Every comment, deleted ones included, oldest first. */
  readonly comments: readonly FakeAnswerComment[];
}

/** One write that took effect through updateGoodsQuestionTextEntity (whether or not its answer reached the client). */
export interface QuestionWriteRecord {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The entity created, edited or deleted. */
  readonly entity: TypedEntityId;
  /** CREATE: the parent named in the request. */
  readonly parent?: TypedEntityId;
  readonly text?: string;
  /** On the fake's clock. */
  readonly at: number;
}

/** The notification-api bodies the Market sends about questions (`createdAt` in UTC). */
export type QuestionNotification =
  | { notificationType: 'QUESTION_CREATED'; questionId: number; businessId: number; createdAt: string }
  | { notificationType: 'QUESTION_ANSWER_CREATED'; answerId: number; businessId: number; createdAt: string }
  | {
      notificationType: 'QUESTION_COMMENT_CREATED';
      answerId: number;
      commentId: number;
      businessId: number;
      createdAt: string;
    };
