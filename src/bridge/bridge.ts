/**
 * The bridge core's façade. Each Market chat is a portal with its own serial queue (chat-queue.ts): syncing
 * its history into the topic (mirror.ts) and delivering operator replies to the Market (replies.ts,
 * delivery.ts) both run there, in order, so a topic is created exactly once (topics.ts) and echoes of our
 * own replies are recognised (echo.ts). This file only wires the rooms and hands the entry points over.
 *
 * Where the next features go: the reply guard's rules are a room of their own (src/guard/) behind
 * BridgeOptions.guard; what the core does with a flagged reply (hold, Send anyway, Cancel, edit) is
 * holds.ts. A desk that watches waiting chats reads `chats()` and the observer's events and posts into General
 * through the TelegramPort, in a room of its own. Chats an operator opens (`openChat`) are new-chats.ts. Further
 * kinds of conversation (reviews, questions) get a mirror of their own beside mirror.ts, reusing Topics,
 * Refusals, the reply book and the delivery.
 */
import { ChatQueue } from './chat-queue.ts';
import type { BridgeOptions, Deps } from './deps.ts';
import { Delivery } from './delivery.ts';
import { Echoes } from './echo.ts';
import { Cards } from './card.ts';
import { Holds } from './holds.ts';
import { Ownership, type Person } from './ownership.ts';
import type { ImportProgress } from './imports.ts';
import type { MarketChatId, MarketMessageId, TelegramMessageId, TopicId } from './ids.ts';
import type { ChatSubject, MarketChat } from './model.ts';
import { Mirror, type ChatEvent } from './mirror.ts';
import { NewChats, type OpenChatOutcome } from './new-chats.ts';
import { Notices } from './notices.ts';
import {
  FatalError,
  type ButtonHost,
  type MarketPort,
  type OperatorMessage,
  type OwnerAction,
  type ReplyAction,
  type TelegramPort,
} from './ports.ts';
import { Replies } from './replies.ts';
import type { ChatRecord, StorePort } from './store-port.ts';
import { Topics } from './topics.ts';

export type { BridgeOptions } from './deps.ts';
export type { ChatEvent } from './mirror.ts';
export type { ImportProgress } from './imports.ts';
export type { OpenChatOutcome } from './new-chats.ts';
export { MARKET_FILE_LIMIT, REACTION_DELIVERED } from './delivery.ts';

export class Bridge {
  private readonly d: Deps;
  private readonly mirror: Mirror;
  private readonly delivery: Delivery;
  private readonly replies: Replies;
  private readonly ownership: Ownership;
  private readonly newChats: NewChats;

  constructor(market: MarketPort, telegram: TelegramPort, store: StorePort, options: BridgeOptions) {
    const queue = new ChatQueue((marketChatId, err) => this.taskFailed(marketChatId, err));
    this.d = {
      market,
      telegram,
      store,
      options,
      log: options.logger,
      t: options.texts,
      now: options.now ?? (() => new Date()),
      retryDelayMs: options.retryDelayMs ?? ((n) => Math.min(300_000, 2_000 * 2 ** Math.min(n, 8))),
      queue,
    };
    const notices = new Notices(this.d);
    const holds = new Holds(this.d, notices);
    const echoes = new Echoes(store, this.d.log, (reply) => this.delivery.markSent(reply));
    const cards = new Cards(this.d);
    this.ownership = new Ownership(this.d, cards);
    this.mirror = new Mirror(this.d, new Topics(this.d, cards), echoes);
    this.delivery = new Delivery(this.d, notices, holds, cards, (rec, chat) => this.mirror.mirrorNew(rec, chat));
    this.replies = new Replies(this.d, notices, this.delivery, holds, this.ownership);
    this.newChats = new NewChats(this.d, this.mirror);
  }

  // ---------------------------------------------------------------- Market → Telegram

  /**
   * The Market showed us a chat (poll or notification). Queues a sync when something may have changed;
   * finished chats the bridge never saw stay out of Telegram until they come alive again.
   */
  chatSeen(chat: MarketChat): void {
    this.mirror.chatSeen(chat);
  }

  /**
   * The chats the bridge mirrors, with the status it has when the caller gets to each one (the poller fetches
   * those that left the open list).
   */
  *watchedChats(): Generator<{ id: MarketChatId; status: MarketChat['status'] }> {
    for (const rec of this.d.store.chats()) yield { id: rec.marketChatId, status: rec.chat.status };
  }

  /**
   * A push notification: something happened in a chat. Notifications are triggers, not truth: the chat is
   * synced from the API through its queue. `messageId` (CHAT_MESSAGE_SENT) is the message announced: a read
   * is spent only when it may be past what is mirrored, so duplicates, late notifications and a burst that
   * arrives while the chat's read is queued or running cost one more read at most.
   */
  notified(marketChatId: MarketChatId, event: ChatEvent, receivedAt = Date.now(), messageId?: MarketMessageId): void {
    this.mirror.notified(marketChatId, event, receivedAt, messageId);
  }

  /** Something happened in a chat (e.g. a push notification without details): fetch what is new. */
  requestSync(marketChatId: MarketChatId): void {
    this.mirror.requestSync(marketChatId);
  }

  /**
   * The poller begins a round. Rounds are what push notifications are measured by: a chat they made us read
   * lately is not re-read for the same-second slack until they have been quiet about it for a while
   * (SyncRequests.mayHoldMore).
   */
  roundStarted(): void {
    this.mirror.roundStarted();
  }

  // ---------------------------------------------------------------- Telegram → Market

  /**
   * An operator wrote in a topic. The reply is written down (durably) before anything is sent, then
   * delivered through the chat's queue; the operator sees the outcome on their message.
   */
  operatorMessage(msg: OperatorMessage): Promise<void> {
    return this.replies.operatorMessage(msg);
  }

  /**
   * An operator edited a message. Not sent yet → the new text replaces it. Already sent → the Market
   * cannot change it: say so, and offer to send the corrected text as a new message.
   */
  operatorEdited(topicId: TopicId, messageId: TelegramMessageId, newText?: string): Promise<void> {
    return this.replies.operatorEdited(topicId, messageId, newText);
  }

  /**
   * A button under one of the bot's notices. `under` is the message the button sits under, as Telegram
   * reports it: an action acts only when that is the bot's notice about the same operator message, either as
   * recorded, or (a notice Telegram took although its answer was lost) the bot's own reply to that operator
   * message. Button data naming another message does nothing. Returns the short answer shown on the button.
   */
  operatorAction(action: ReplyAction, under: ButtonHost): Promise<string> {
    return this.replies.operatorAction(action, under);
  }

  /** Take or Release pressed on a card or a reminder by `by`; resolves with the answer for the button. */
  ownerAction(action: OwnerAction, by: Person): Promise<string> {
    return this.ownership.action(action, by);
  }

  /**
   * An operator asks for the chat about an order or a return (/chat). The Market starts it, or gives the one
   * there is (createChat, at most once per call; asking again is safe); a chat with a topic returns it without a
   * Telegram call, any other gets its topic with its card through its queue, like every chat. The Market's
   * refusals (not found, refused, rate-limited) are outcomes for the operator, not exceptions.
   */
  openChat(subject: ChatSubject): Promise<OpenChatOutcome> {
    return this.newChats.open(subject);
  }

  /**
   * The Market chat a topic mirrors, as last synced (quick replies fill their placeholders from it);
   * undefined for a topic that belongs to no chat.
   */
  chatInTopic(topicId: TopicId): Readonly<MarketChat> | undefined {
    return this.d.store.findChatByTopic(topicId)?.chat;
  }

  // ---------------------------------------------------------------- lifecycle and state

  /** After a start: replies that were on their way when the process stopped are picked up again. */
  resume(): Promise<void> {
    return this.delivery.resume();
  }

  /** The chats the bridge mirrors, as last synced (read-only use: for the poller, status, a desk). */
  chats(): readonly Readonly<ChatRecord>[] {
    return this.d.store.chats();
  }

  /** Work queued or running (for status and shutdown). */
  get pending(): number {
    return this.d.queue.size;
  }

  /** Buyer messages fetched from the Market and waiting for their turn to be posted (for status and metrics). */
  get backlog(): number {
    return this.mirror.backlog;
  }

  /** Chats being imported and imported so far (the progress of a first start, shown in General). */
  imports(): ImportProgress {
    return this.mirror.imports.snapshot();
  }

  idle(): Promise<void> {
    return this.d.queue.idle();
  }

  /** Stops taking new work and cancels scheduled retries; running tasks finish (await idle()). */
  stop(): void {
    this.d.queue.stop();
  }

  /** A chat's task threw: bad credentials stop the service; anything else retries the chat after a backoff. */
  private taskFailed(marketChatId: MarketChatId, err: unknown): void {
    const { d } = this;
    if (err instanceof FatalError) {
      d.log.fatal({ err }, 'stopping: the Market refused our credentials');
      d.options.onFatal?.(err);
      return;
    }
    const failures = this.mirror.countFailure(marketChatId);
    const delayMs = d.retryDelayMs(failures);
    d.log.warn({ err, marketChatId, failures, delayMs }, 'chat task failed, will retry');
    d.queue.schedule(`retry:${marketChatId}`, delayMs, () => {
      this.mirror.requestSync(marketChatId);
      this.delivery.request(marketChatId);
    });
  }
}
