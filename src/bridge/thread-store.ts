/**
 * Reviews and questions that need the seller, each mirrored into a topic of its own (a "thread"): what the
 * bridge keeps of them across restarts. Like a chat's record, a thread's record is a plain object: change it,
 * `saveThread` it, then `commit()`.
 */
import type { Question, Review } from './feedback-model.ts';
import type { TelegramMessageId, TopicId } from './ids.ts';
import type { GuardFinding } from './ports.ts';
import type { Product } from './product-port.ts';
import type { NudgeRecord } from './store-port.ts';

export type ThreadKind = 'review' | 'question';
/** `review:<feedbackId>` or `question:<questionId>`. */
export type ThreadKey = `${ThreadKind}:${number}`;

export function threadKey(kind: ThreadKind, marketId: number): ThreadKey {
  return `${kind}:${marketId}`;
}

/**
 * Where a thread stands for the seller: `waiting` for the shop's reply (a review that needs a reaction, a
 * question without the shop's answer), `answered` (the shop replied), `skipped` (No reply needed).
 */
export type ThreadState = 'waiting' | 'answered' | 'skipped';

export interface ThreadRecord {
  key: ThreadKey;
  kind: ThreadKind;
  /** The review's feedbackId or the question's id. */
  marketId: number;
  topicId?: TopicId;
  /** The title last given to the topic. */
  title?: string;
  /** The topic exists but its card is not posted yet. */
  cardPending?: boolean;
  cardId?: TelegramMessageId;
  /** The card shows No reply needed (a review that waits). */
  cardButtons?: boolean;
  /** The topic is closed as far as the bridge knows (it closed it and has not reopened it). */
  closed?: boolean;
  /** The review as last read (review threads). */
  review?: Review;
  /** The question as last read (question threads). */
  question?: Question;
  /**
   * The product as the catalogue named it when the topic was created (its SKU, name and page on the Market), for
   * the title and the card; absent when it was not known then (they show the SKU). Kept, so it is asked once.
   */
  product?: Product;
  /**
   * What of the thread is posted, by Market id (`c:<comment id>` of a review, `a:<answer id>` and
   * `c:<comment id>` of a question) → the Telegram message that carries it: never posted twice, and a reply to
   * that message in Telegram is a reply to it at the Market.
   */
  posted: Record<string, TelegramMessageId>;
  state: ThreadState;
  /** An operator pressed No reply needed; it holds until a buyer writes again. */
  skipped?: boolean;
  firstSeenAt: string;
  /** The answer each mirrored comment of a question belongs to (`c:<id>` → answer id), to reply under it. */
  answerOf?: Record<string, number>;
  /** When the thread was last read in full. */
  syncedAt?: string;
  /** Since when it waits for the seller (the desk counts it), while `state` is `waiting`. */
  waitingSince?: string;
  /** The desk's reminder in the topic and escalation in General for a waiting episode (src/desk/nudges.ts). */
  reminder?: NudgeRecord;
  escalation?: NudgeRecord;
}

/** What an operator's reply in a thread's topic publishes. */
export type ThreadReplyTarget =
  /** A comment on the review, or (with `parentId`) a reply to one of its comments. */
  | { kind: 'review-comment'; parentId?: number }
  /** An answer to the question. */
  | { kind: 'answer' }
  /** A comment on one of the question's answers. */
  | { kind: 'answer-comment'; answerId: number };

/**
 * An operator's reply in a thread's topic on its way to the Market, like a chat reply (ReplyRecord): written down
 * before anything is sent, sent at most once (an attempt of unknown fate is looked for at the Market before any
 * resend), its notice edited as its state changes.
 */
export interface ThreadReplyRecord {
  /** `<topic>:<message>`. */
  id: string;
  thread: ThreadKey;
  topicId: TopicId;
  telegramMessageId: TelegramMessageId;
  text: string;
  target: ThreadReplyTarget;
  state: 'queued' | 'held' | 'sending' | 'sent' | 'unknown' | 'failed' | 'cancelled';
  attempts: number;
  createdAt: string;
  attemptedAt?: string;
  /** Not before this time (the undo window, a rate limit, a backoff). */
  notBefore?: string;
  /** The Market's id of what was published (a comment, an answer). */
  resultId?: number;
  error?: string;
  /** A failed reply that Retry can help (not one the Market refused). */
  retryable?: boolean;
  noticeId?: TelegramMessageId;
  /**
   * false from the first attempt until the notice says how it went (published, or not): a restart tells the
   * operator then. Undefined for replies of older stores.
   */
  told?: boolean;
  findings?: GuardFinding[];
  /** Send anyway was pressed: the guard lets this text through. */
  allowed?: boolean;
}

export interface ThreadStore {
  readonly initializedAt: string;
  threads(): ThreadRecord[];
  findThread(key: ThreadKey): ThreadRecord | undefined;
  findThreadByTopic(topicId: TopicId): ThreadRecord | undefined;
  /** Adds (or replaces) a thread, marked changed; returns the stored record to change (and save) from now on. */
  putThread(record: ThreadRecord): ThreadRecord;
  /** Marks a stored thread changed and indexes its current topic. */
  saveThread(record: ThreadRecord): void;
  threadReplies(): ThreadReplyRecord[];
  findThreadReply(id: string): ThreadReplyRecord | undefined;
  /** Adds (or replaces) a reply, marked changed; returns the stored record. */
  putThreadReply(record: ThreadReplyRecord): ThreadReplyRecord;
  saveThreadReply(record: ThreadReplyRecord): void;
  /** Forgets a reply (a finished one, old enough); marked changed. */
  deleteThreadReply(id: string): void;
  commit(): Promise<void>;
}
