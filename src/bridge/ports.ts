/**
 * The bridge core's ports: the small interfaces through which it talks to the Market, to Telegram and to
 * the store. The Market and Telegram sides implement them; the core imports nothing else.
 */
import type { MarketChatId, MarketMessageId, TelegramMessageId, TelegramUserId, TopicId } from './ids.ts';
import type { ChatStatus, ChatSubject, MarketChat, MarketMessage, MessageSender, OrderSummary } from './model.ts';
import type { Html } from './html.ts';

/**
 * An error that must stop the service (bad credentials, missing scope, wrong business id): retrying cannot
 * help, a person has to fix the configuration, and the message says how. A port's errors of this kind extend
 * this class; every other error of a port is worth retrying later.
 */
export class FatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FatalError';
  }
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; undefined on the last page. */
  nextPageToken?: string;
}

/** The outcome of a write to the Market. Expected failures are values, not exceptions. */
export type SendOutcome =
  | { kind: 'sent' }
  /** The Market answered and refused (4xx other than 420): re-sending the same thing will not help. */
  | { kind: 'rejected'; status: number; reason: string }
  /** Rate-limited (420) before the request was accepted: nothing was sent; try again at `retryAt`. */
  | { kind: 'rate-limited'; retryAt: Date; reason: string }
  /** The Market may or may not have accepted it (timeout, reset after the request was written, 5xx). */
  | { kind: 'ambiguous'; reason: string }
  /** It surely did not reach the Market (connection refused, DNS, request never written). */
  | { kind: 'not-sent'; reason: string };

/**
 * The outcome of starting a chat at the Market (createChat). Expected failures are values: the Market's
 * refusal is shown to the operator who asked.
 */
export type NewChatOutcome =
  /** The Market's chat about the subject: created now, or the one that already existed. */
  | { kind: 'opened'; chatId: MarketChatId }
  /** 404: the Market knows no such order or return in this cabinet. */
  | { kind: 'not-found'; reason: string }
  /** 400/403 and other refusals: the Market will not open a chat about it (too old, not ours, a DBS return). */
  | { kind: 'refused'; status: number; reason: string }
  /** 420: createChat's quota is used up until `retryAt`; nothing was done. */
  | { kind: 'rate-limited'; retryAt: Date; reason: string }
  /** No answer, 5xx or an unreadable one: asking again is safe (the Market returns an existing chat). */
  | { kind: 'failed'; reason: string };

export interface MarketFile {
  name: string;
  data: Uint8Array;
  contentType?: string;
}

export interface SendOptions {
  /**
   * Runs once the request is about to be written, after any wait for a request slot or a quota window. The
   * request is written only after it resolves, and not at all if it throws (the outcome is then `not-sent`).
   * A crash while the request waited therefore leaves no sign of an attempt that never happened.
   */
  beforeSend?: () => Promise<void>;
}

/**
 * The Market side. Reads retry internally (network errors, 5xx, 420 until the quota window ends) and
 * throw only when that is exhausted, or with a FatalError for 401/403. Writes are never retried blindly.
 */
export interface MarketPort {
  /** One page of chats (at most 20), optionally filtered by status. */
  listChats(query: { statuses?: readonly ChatStatus[]; pageToken?: string; limit?: number }): Promise<Page<MarketChat>>;
  getChat(chatId: MarketChatId): Promise<MarketChat>;
  /** Like getChat, but undefined when the Market says there is no such chat (or none of ours). */
  findChat(chatId: MarketChatId): Promise<MarketChat | undefined>;
  /** One page of history (at most 100), starting at `messageIdFrom` (treat as inclusive). Order unspecified. */
  getHistory(
    chatId: MarketChatId,
    query: { messageIdFrom?: MarketMessageId; pageToken?: string; limit?: number },
  ): Promise<Page<MarketMessage>>;
  /** Text of 1–4096 characters. The Market returns no message id. */
  sendMessage(chatId: MarketChatId, text: string, options?: SendOptions): Promise<SendOutcome>;
  /** A file of at most 5 MB. */
  sendFile(chatId: MarketChatId, file: MarketFile, options?: SendOptions): Promise<SendOutcome>;
  /**
   * Starts the chat about an order or a return, or finds the one there is (createChat). Sent at most once;
   * throws only a FatalError (bad credentials).
   */
  createChat(subject: ChatSubject): Promise<NewChatOutcome>;
  /** Downloads an attachment of a Market message. Throws on failure. */
  downloadAttachment(url: string, maxBytes: number): Promise<{ data: Uint8Array; contentType?: string }>;
  /**
   * The order a chat is about, for its context card. `campaignId` and `orderId` come from the chat's context
   * (`MarketChat.context`). Undefined when the Market says there is no such order, or none of ours. A refusal
   * of the order methods alone (403) is an ordinary error here, not a FatalError: chats still work without it.
   */
  getOrder(context: { campaignId?: number; orderId: number }): Promise<OrderSummary | undefined>;
}

/** Thrown by the Telegram port when the topic no longer exists (deleted by someone in Telegram). */
/** The message to edit is gone: someone deleted it (or it is too old to edit). */
export class MessageGoneError extends Error {
  readonly code = 'MESSAGE_GONE';
  constructor(readonly messageId: TelegramMessageId) {
    super(`Telegram message ${messageId} can no longer be edited`);
    this.name = 'MessageGoneError';
  }
}

export class TopicGoneError extends Error {
  readonly code = 'TOPIC_GONE';
  constructor(readonly topicId: TopicId) {
    super(`Telegram topic ${topicId} no longer exists`);
    this.name = 'TopicGoneError';
  }
}

/**
 * Thrown by the Telegram port when Telegram refused one message for good (HTTP 400 or 413 other than a deleted
 * topic: can't parse entities, message is too long, a file it will not take): sending the same thing again
 * cannot help. 429, 5xx and network failures are never refusals. Carries Telegram's description, not the request.
 */
export class TelegramRefusedError extends Error {
  readonly code = 'TELEGRAM_REFUSED';
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(`Telegram refused ${method} (${errorCode}: ${description})`);
    this.name = 'TelegramRefusedError';
  }
}

/** An inline button under a bot notice: its label and the action pressing it asks for. The Telegram side
 * encodes the action into the button and decodes it when pressed. */
export interface Button {
  text: string;
  action: OperatorAction;
}

/** What a button of the bot asks for when an operator presses it. */
export type OperatorAction = ReplyAction | TemplatesAction | OwnerAction | SkipAction;

/** No reply needed, on a review's card: the Market stops waiting for the shop's reaction (skip-reaction). */
export interface SkipAction {
  kind: 'skip';
  topicId: TopicId;
}

/** Take (own the chat, or take it over) or Release, on the context card or a reminder. */
export interface OwnerAction {
  kind: 'take' | 'release';
  topicId: TopicId;
}

/** An operator pressed a button under one of the bot's notices about their reply. */
export interface ReplyAction {
  /** `allow`: Send anyway, for a reply the guard holds. */
  kind: 'retry' | 'correct' | 'cancel' | 'allow';
  topicId: TopicId;
  /** The operator's message the notice is about. */
  messageId: TelegramMessageId;
}

/** The context card's button: show the topic's quick replies. The Telegram side answers it, not the bridge. */
export interface TemplatesAction {
  kind: 'templates';
  topicId: TopicId;
}

/** The message a pressed button sits under, as Telegram reports it (not as the button data claims). */
export interface ButtonHost {
  messageId: TelegramMessageId;
  /** When the message is the bot's own reply to an operator message: that message. */
  botReplyTo?: TelegramMessageId;
}

export interface TelegramFile {
  name: string;
  data: Uint8Array;
  /** 'photo' is shown inline; everything else is posted as a document. */
  kind: 'photo' | 'document';
}

/**
 * Which of the group's Telegram calls goes first (every post, topic creation, rename, close, reopen and edit
 * counts against about 20 a minute): `operator` what a person waits for (notices, receipts), `waiting` chats
 * that wait for the seller, `live` other new messages, `history` messages older than marketgram, `cosmetic`
 * renames, the closing of finished chats' topics and the edits of context cards.
 */
export const LANES = ['operator', 'waiting', 'live', 'history', 'cosmetic'] as const;
export type Lane = (typeof LANES)[number];

/**
 * The Telegram side, bound to the one configured chat: a forum supergroup, or a person's private chat with the
 * bot (solo mode), which has topics too but cannot close them. Texts are Html (parse_mode HTML), built with the
 * `html` template. Calls are paced and retried on 429/5xx inside the implementation.
 */
export interface TelegramPort {
  /**
   * Whether the chat's topics can be closed and reopened: true in a forum supergroup, false in a private chat
   * (Telegram closes topics only in supergroups). When false, closeTopic and reopenTopic are never called.
   */
  readonly canCloseTopics: boolean;
  /** `lane`: the turn it takes in the group's budget (default `live`). */
  createTopic(title: string, lane?: Lane): Promise<TopicId>;
  renameTopic(topicId: TopicId, title: string): Promise<void>;
  /**
   * Closes the topic (only admins can write in it then; the bot can, with Manage topics), in the `cosmetic`
   * lane. A topic closed already counts as done. Throws TopicGoneError when the topic was deleted.
   */
  closeTopic(topicId: TopicId): Promise<void>;
  /**
   * Reopens a closed topic, in `lane` (default `live`): the turn of what is about to be posted into it. A topic
   * open already counts as done. Throws TopicGoneError when the topic was deleted.
   */
  reopenTopic(topicId: TopicId, lane?: Lane): Promise<void>;
  /**
   * Waits for a turn in `lane` and keeps it for the topic's next call (which then starts at once), so what
   * that call carries is decided when the turn has come. Resolves with the function that hands the turn back
   * if it was not used (harmless after the call); an unused turn is also handed back after a couple of seconds.
   */
  reserveTurn(topicId: TopicId, lane: Lane): Promise<() => void>;
  /** Throws TopicGoneError when the topic was deleted, TelegramRefusedError when Telegram will never take it. */
  sendText(
    topicId: TopicId,
    text: Html,
    /**
     * `lane`: the turn it takes in the group's budget (default `operator`: a notice someone waits for).
     * `preview`: a URL Telegram shows as a large preview under the text (a review's photo); links show none otherwise.
     */
    options?: { replyTo?: TelegramMessageId; buttons?: Button[]; lane?: Lane; preview?: string },
  ): Promise<TelegramMessageId>;
  /**
   * Replaces the text (and the buttons: none when omitted) of a message the bot sent; MessageGoneError when it is
   * gone. `lane`: the turn it takes in the group's budget (default: an operator's, like any call outside a lane).
   */
  editText(messageId: TelegramMessageId, text: Html, buttons?: Button[], lane?: Lane): Promise<void>;
  /**
   * Posts into the group's General topic (the desk's board, escalations, the digest), in `lane` (default
   * `operator`). Throws TelegramRefusedError when Telegram will never take it.
   */
  sendGeneral(text: Html, options?: { buttons?: Button[]; lane?: Lane }): Promise<TelegramMessageId>;
  /** Pins a message of the group without notifying anyone, in `lane` (default `cosmetic`); MessageGoneError when it is gone. */
  pin(messageId: TelegramMessageId, lane?: Lane): Promise<void>;
  /**
   * The group's pinned message as Telegram reports it (getChat: the most recent pinned message by sending
   * date), with its sending time in ms; undefined when nothing is pinned. Not a call that counts.
   */
  pinned(): Promise<{ messageId: TelegramMessageId; sentAtMs: number } | undefined>;
  /** Deletes a message of the bot's; one gone already counts as done. Not a call that counts. */
  deleteMessage(messageId: TelegramMessageId): Promise<void>;
  /** Throws TopicGoneError when the topic was deleted, TelegramRefusedError when Telegram will never take it. */
  sendFile(topicId: TopicId, file: TelegramFile, caption?: Html, lane?: Lane): Promise<TelegramMessageId>;
  /** Sets a single emoji reaction on a message of the group. Failures are ignored by callers. */
  react(messageId: TelegramMessageId, emoji: string): Promise<void>;
  /** Downloads a file an operator posted. */
  downloadFile(fileId: string, maxBytes: number): Promise<{ data: Uint8Array; path?: string }>;
}

/** What an operator typed in a topic, after the Telegram side filtered out bots, commands and service messages. */
export interface OperatorMessage {
  topicId: TopicId;
  messageId: TelegramMessageId;
  from: { id: TelegramUserId; name: string };
  text?: string;
  file?: { fileId: string; name: string; size?: number; kind: 'photo' | 'document' };
  /** Caption of a photo or document. */
  caption?: string;
  /** The message of the topic it replies to (not the topic itself). */
  replyTo?: TelegramMessageId;
}

/** What the bridge reports as it works (metrics); every method must be cheap and must not throw. */
export interface BridgeObserver {
  /**
   * A Market message reached its topic. `sinceCreatedMs`: since it was written, undefined for history (written
   * before marketgram's store was created); `sinceTriggerMs`: since the notification that led to it, if any.
   */
  mirrored(sender: MessageSender, sinceCreatedMs: number | undefined, sinceTriggerMs?: number): void;
  /** The seller answered a buyer who had waited `waitedMs` (waits.ts): a response time. */
  answered(waitedMs: number): void;
  /** An operator reply reached an outcome. */
  replyOutcome(outcome: SendOutcome['kind'] | 'failed'): void;
  /**
   * Telegram refused part of a Market message for good; `outcome`: what the topic got instead (the full
   * placeholder, the minimal one, or nothing yet because the placeholders were refused too).
   */
  refused(kind: 'text' | 'file', outcome: 'placeholder' | 'minimal' | 'failed'): void;
  /** The reply guard held a reply (`kinds`: what it found), or the operator sent a held reply anyway. */
  guard(decision: 'held' | 'sent-anyway', kinds: readonly GuardFindingKind[]): void;
}

/** What the reply guard can find in a text that would reach a buyer. */
export type GuardFindingKind = 'phone' | 'email' | 'messenger' | 'link' | 'contactRequest';

/** One thing the guard found: its kind and the fragment exactly as the operator wrote it. */
export interface GuardFinding {
  kind: GuardFindingKind;
  fragment: string;
}

/**
 * The reply guard's seat: every text that would reach a buyer (message texts, captions, file names) is
 * checked before it is queued and again just before it is sent. `warn`: a flagged reply is held until the
 * operator edits it, sends it anyway or cancels it; `block`: Send anyway is not offered.
 */
export interface ReplyGuardPort {
  readonly mode: 'warn' | 'block';
  /** `knownNumbers`: numbers the chat knows (order, return, chat ids), never taken for phone numbers. */
  check(text: string, context: { knownNumbers: readonly string[] }): readonly GuardFinding[];
}
