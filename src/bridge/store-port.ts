/**
 * The bridge's view of its persistent state: which Market chat lives in which topic, how far each chat is
 * mirrored, and the operator replies on their way to the Market. Records are plain objects: change one, then
 * save it (`saveChat`, `saveReply`: nothing else tells the store it changed, nested fields included), then
 * `commit()` to make every change saved so far durable.
 */
import type { MarketChatId, MarketMessageId, TelegramMessageId, TopicId } from './ids.ts';
import type { ChatStatus, MarketChat, OrderSummary } from './model.ts';
import type { GuardFinding } from './ports.ts';

export interface ChatRecord {
  marketChatId: MarketChatId;
  /** The topic the chat is mirrored into; undefined until created (or after it was found deleted). */
  topicId?: TopicId;
  /** The title last given to the topic. */
  title?: string;
  /** The topic exists but its context card is not posted yet. */
  cardPending?: boolean;
  /** The context card's message (edited as the chat changes); unknown for cards of older versions. */
  cardId?: TelegramMessageId;
  /** A hash of what the card shows now (text and buttons): a card that would not change is not edited. */
  cardHash?: string;
  /**
   * The order an ORDER or RETURN chat is about, as its card shows it (card.ts): read once, and again when the
   * chat's status changes. A failed read keeps the summary read before, if any, and is tried again at the next
   * status change or an hour later.
   */
  order?: {
    summary?: OrderSummary;
    /** The chat's status when it was read: another status asks for a new read. */
    forStatus: ChatStatus;
    /** When the last read ended, well or not. */
    fetchedAt: string;
    /** The last read failed (the Market did not answer, refused, or has no such order). */
    failed?: boolean;
  };
  /**
   * The topic is closed in Telegram as far as the bridge knows: it closed it (the chat was finished) and has not
   * reopened it since. A close or reopen by hand in Telegram is not seen here.
   */
  closed?: boolean;
  /** The chat as the Market last described it. */
  chat: MarketChat;
  /** Highest Market message id already mirrored (or recognised as our own echo). */
  cursor?: MarketMessageId;
  /** When the history was last read: a chat whose last message is not clearly older may hold more. */
  syncedAt?: string;
  /** The first sync is done: from now on every new message is mirrored (no trimming to recent history). */
  backfilled?: boolean;
  /** A message whose first `partsDone` Telegram posts are out; the rest follow on resume. */
  partial?: { messageId: MarketMessageId; partsDone: number };
  firstSeenAt: string;
  /** The first buyer message that no seller message follows (waits.ts): the chat waits for the seller since. */
  waitingSince?: string;
  /** The operator who owns the chat (Take on its card or a reminder, or the first to reply in it). */
  owner?: { id: number; name: string };
  /** The owner before the last hand-over (the card says who took the chat over from whom). */
  previousOwner?: { id: number; name: string };
  /** Recent answered waits (two days): when the seller answered and how long the buyer had waited. */
  answers?: Array<{ at: string; waitedMs: number }>;
  /** The desk's reminder in the topic for a waiting episode (src/desk/nudges.ts). */
  reminder?: NudgeRecord;
  /** The desk's escalation in General naming this chat for a waiting episode (one message may name several). */
  escalation?: NudgeRecord;
}

/** A message of the desk about one waiting episode of a chat: sent once, marked done when the chat is answered. */
export interface NudgeRecord {
  /** The episode: the chat's waiting-since when the message was sent. */
  since: string;
  messageId: TelegramMessageId;
  /** When it was sent. */
  at: string;
  /** The message says the chat was answered. */
  shownDone?: boolean;
}

export type ReplyState =
  /** Written down, waiting for its turn (or for a rate-limit window). */
  | 'queued'
  /** Handed to the Market; if the process dies now, it is unknown whether it arrived. */
  | 'sending'
  /** The Market accepted it. */
  | 'sent'
  /** The Market may or may not have it; the chat history decides. */
  | 'unknown'
  /** It will not be sent; `error` says why. */
  | 'failed'
  /** The operator cancelled it during the undo window. */
  | 'cancelled'
  /** The reply guard found something against the Market's chat rules: it waits for an edit, Send anyway or Cancel. */
  | 'held';

/** One operator message (or one part of a split one) on its way to the Market. */
export interface ReplyRecord {
  id: string;
  marketChatId: MarketChatId;
  topicId: TopicId;
  /** The operator's Telegram message this part comes from. */
  telegramMessageId: TelegramMessageId;
  part: number;
  parts: number;
  text?: string;
  file?: { fileId: string; name: string };
  state: ReplyState;
  attempts: number;
  createdAt: string;
  /** When the last send attempt started. */
  attemptedAt?: string;
  sentAt?: string;
  /** Not before this time (rate limit or backoff). */
  notBefore?: string;
  /** The Market message that turned out to be this reply, once seen in the history. */
  echoMessageId?: MarketMessageId;
  error?: string;
  /** The operator was already told it is waiting. */
  toldQueued?: boolean;
  /** The bot's notice about this reply (queued, undo window, failure), updated as the state changes. */
  noticeId?: TelegramMessageId;
  /** The text the operator edited the message to, offered for sending as a correction. */
  correction?: string;
  /** The bot's notice offering to send `correction`, the only message whose button may send it. */
  correctionNoticeId?: TelegramMessageId;
  /** What the reply guard found in this part (state `held`). */
  findings?: GuardFinding[];
  /** The operator pressed Send anyway: the guard lets this text through. */
  allowed?: boolean;
  /** The operator was told this reply waits behind a held one. */
  toldBehindHeld?: boolean;
}

export interface StorePort {
  /** When this store was first created: chats born before it are "old" and get only recent history. */
  readonly initializedAt: string;
  findChat(id: MarketChatId): ChatRecord | undefined;
  findChatByTopic(topicId: TopicId): ChatRecord | undefined;
  chats(): ChatRecord[];
  /** Adds (or replaces) a chat, marked changed; returns the stored record to change (and save) from now on. */
  putChat(record: ChatRecord): ChatRecord;
  /**
   * Marks a stored chat (as returned by findChat, putChat…) changed, for the next commit, and indexes its
   * current `topicId` for findChatByTopic. Call it after every change of the record, nested fields included.
   */
  saveChat(record: ChatRecord): void;
  replies(chatId: MarketChatId): ReplyRecord[];
  allReplies(): ReplyRecord[];
  /** Adds (or replaces) a reply, marked changed; returns the stored record to change (and save) from now on. */
  putReply(reply: ReplyRecord): ReplyRecord;
  /**
   * Marks a stored reply changed, for the next commit. Call it after every change of the record. A reply
   * replaced or deleted meanwhile is not written (the record that replaced it is the one on file).
   */
  saveReply(reply: ReplyRecord): void;
  deleteReply(id: string): void;
  /** Resolves once every change made before the call is on disk. Concurrent calls share one write. */
  commit(): Promise<void>;
}
