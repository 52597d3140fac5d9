/**
 * The bridge core. Each Market chat is a portal with its own serial queue: syncing its history into the
 * topic and delivering operator replies to the Market both run there, in order, so a topic is created
 * exactly once and echoes of our own replies are recognised. The per-chat cursor advances only after
 * Telegram accepted a message, and replies are written to the store before anything is sent.
 */
import type { Logger } from 'pino';
import {
  CAPTION_LIMIT,
  escapeHtml,
  messageHeader,
  messageTexts,
  splitText,
  TEXT_LIMIT,
  topicTitle,
  contextCard,
  formatSize,
} from './format.ts';
import type { MarketChatId, MarketMessageId, TelegramMessageId, TopicId } from './ids.ts';
import type { MarketAttachment, MarketChat, MarketMessage, MessageSender } from './model.ts';
import {
  actionData,
  isFatal,
  isNotFound,
  type BridgeObserver,
  type Button,
  type ButtonHost,
  type OperatorAction,
  TopicGoneError,
  type MarketPort,
  type OperatorMessage,
  type SendOutcome,
  type TelegramPort,
} from './ports.ts';
import { KeyedQueue } from './queue.ts';
import { Refusals, type PartKind } from './refusals.ts';
import type { ChatRecord, ReplyRecord, StorePort } from './store-port.ts';
import type { Texts } from './texts.ts';

/** The Market accepts files up to 5 MB. */
export const MARKET_FILE_LIMIT = 5 * 1024 * 1024;
/** Telegram bots may upload documents up to 50 MB and photos up to 10 MB. */
const TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024;
const TELEGRAM_PHOTO_LIMIT = 10 * 1024 * 1024;
const PHOTO_EXTENSIONS = /\.(jpe?g|png)$/i;
/** Longest operator message accepted for splitting, in parts of 4096. */
const MAX_REPLY_PARTS = 10;
const MAX_HISTORY_PAGES = 1000;
/** A reply that the Market may have taken is re-sent after a clean history check at most this often. */
const MAX_AMBIGUOUS_ATTEMPTS = 3;
/** Finished replies are forgotten after this long (their echoes have long been matched). */
const REPLY_TTL_MS = 3 * 24 * 3600 * 1000;
const FORGET_REPLIES_EVERY_MS = 3600 * 1000;
/**
 * How close to our last history read a chat's last message must be for the chat to be read again: the
 * Market's times have whole seconds, plus a margin for the two clocks disagreeing.
 */
const SAME_TIME_SLACK_MS = 5_000;

export const REACTION_DELIVERED = '👍';

export interface BridgeOptions {
  businessId: number;
  /** Messages mirrored into a new topic for a chat older than the store. */
  historyOnFirstSight: number;
  texts: Texts;
  logger: Logger;
  now?: () => Date;
  /** Delay before the history is checked for a reply whose fate is unknown. */
  ambiguousCheckDelayMs?: number;
  /**
   * How old an attempt must be before a history without it proves it never arrived: the Market may still
   * be working on a request whose answer we lost (or whose sender was killed). Default 20 s, twice the
   * Market's own 10 s server timeout.
   */
  ambiguousSettleMs?: number;
  /** Backoff before a failed sync or an unsent reply is tried again. */
  retryDelayMs?: (attempt: number) => number;
  /** Seconds a reply waits, with a Cancel button, before it goes; 0 sends at once. */
  undoSeconds?: number;
  /** IANA time zone for times told to operators (e.g. when a queued reply will go). */
  timeZone?: string;
  /** Called with an error that must stop the service (bad credentials). */
  onFatal?: (err: Error) => void;
  observer?: BridgeObserver;
}

/** What a Market push notification says happened in a chat. */
export type ChatEvent = 'created' | 'message' | 'arbitrage';

export class Bridge {
  private readonly queue: KeyedQueue<MarketChatId>;
  /** Newest chat info received while a sync was queued. */
  private readonly latest = new Map<MarketChatId, MarketChat>();
  private readonly syncQueued = new Set<MarketChatId>();
  private readonly deliverQueued = new Set<MarketChatId>();
  private readonly syncFailures = new Map<MarketChatId, number>();
  /** Chats whose info must be fetched afresh at the next sync (status changed at the Market). */
  private readonly refresh = new Set<MarketChatId>();
  /** When the earliest not-yet-handled notification for a chat arrived (epoch ms). */
  private readonly triggers = new Map<MarketChatId, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Replies written down in memory whose first commit has not succeeded yet: not to be sent. */
  private readonly unsaved = new Set<string>();
  /** Messages fetched from the Market and not yet posted, per chat. */
  private readonly unposted = new Map<MarketChatId, number>();
  private stopped = false;
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly t: Texts;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly refusals: Refusals;

  constructor(
    private readonly market: MarketPort,
    private readonly telegram: TelegramPort,
    private readonly store: StorePort,
    private readonly options: BridgeOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.log = options.logger;
    this.t = options.texts;
    this.retryDelayMs = options.retryDelayMs ?? ((n) => Math.min(300_000, 2_000 * 2 ** Math.min(n, 8)));
    this.queue = new KeyedQueue((marketChatId, err) => this.taskFailed(marketChatId, err));
    this.refusals = new Refusals(telegram, { ...options, logger: this.log });
  }

  // ---------------------------------------------------------------- Market → Telegram

  /**
   * The Market showed us a chat (poll or notification). Queues a sync when something may have changed;
   * finished chats the bridge never saw stay out of Telegram until they come alive again.
   */
  chatSeen(chat: MarketChat): void {
    const rec = this.store.getChat(chat.id);
    // A finished chat is left out until it comes alive: reopened, or written to since the store began.
    if (!rec && chat.status === 'FINISHED' && !(Date.parse(chat.updatedAt) > Date.parse(this.store.initializedAt))) {
      return;
    }
    if (
      rec?.topicId !== undefined &&
      rec.backfilled &&
      !isLater(chat.updatedAt, rec.chat.updatedAt) &&
      rec.chat.status === chat.status &&
      rec.chat.kind === chat.kind &&
      !this.mayHaveMore(rec)
    ) {
      return;
    }
    this.latest.set(chat.id, chat);
    this.requestSync(chat.id);
  }

  /**
   * The chats the bridge mirrors, with the status it has when the caller gets to each one (the poller fetches
   * those that left the open list).
   */
  *watchedChats(): Generator<{ id: MarketChatId; status: MarketChat['status'] }> {
    for (const rec of this.store.chats()) yield { id: rec.marketChatId, status: rec.chat.status };
  }

  /**
   * The Market's updatedAt has whole seconds, so a message written in the same second as (or just after)
   * our last history read leaves it unchanged. Until the last message is clearly older than that read
   * (SAME_TIME_SLACK_MS, covering the rounding and clock skew), the chat is read again.
   */
  private mayHaveMore(rec: ChatRecord): boolean {
    if (!rec.syncedAt) return true;
    return Date.parse(rec.chat.updatedAt) >= Date.parse(rec.syncedAt) - SAME_TIME_SLACK_MS;
  }

  /**
   * A push notification: something happened in a chat. Notifications are triggers, not truth: the chat is
   * synced from the API through its queue, so duplicates and bursts cost one history read.
   */
  notified(marketChatId: MarketChatId, event: ChatEvent, receivedAt = Date.now()): void {
    if (event !== 'message') this.refresh.add(marketChatId);
    if (!this.triggers.has(marketChatId)) this.triggers.set(marketChatId, receivedAt);
    this.requestSync(marketChatId);
  }

  /** Something happened in a chat (e.g. a push notification without details): fetch what is new. */
  requestSync(marketChatId: MarketChatId): void {
    if (this.stopped || this.syncQueued.has(marketChatId)) return;
    this.syncQueued.add(marketChatId);
    void this.queue.push(marketChatId, () => this.sync(marketChatId));
  }

  private async sync(marketChatId: MarketChatId): Promise<void> {
    this.syncQueued.delete(marketChatId);
    if (this.stopped) return;
    let chat = this.latest.get(marketChatId);
    this.latest.delete(marketChatId);
    const triggeredAt = this.triggers.get(marketChatId);
    this.triggers.delete(marketChatId);
    let rec = this.store.getChat(marketChatId);
    // A chat we do not know yet, or one whose status changed at the Market, is described afresh.
    const refresh = this.refresh.delete(marketChatId);
    if (!rec) {
      const fresh = chat && !refresh ? chat : await this.describeNewChat(marketChatId, triggeredAt !== undefined);
      if (!fresh) return;
      chat = fresh;
      // updatedAt stays unknown until the first sync completes, so an interrupted one is retried after a restart.
      rec = { marketChatId, chat: { ...fresh, updatedAt: '' }, firstSeenAt: this.now().toISOString() };
      rec = this.store.putChat(rec);
      this.log.info({ marketChatId, status: fresh.status }, 'new chat');
    } else if (refresh) {
      chat = await this.market.getChat(marketChatId);
    }
    let current = chat ?? rec.chat;
    await this.ensureTopic(rec, current);
    const last = await this.mirrorNew(rec, current, triggeredAt);
    current = withDerivedStatus(current, last?.sender);
    // Synced without fresh chat info (a notification): the newest message is the chat's last activity, so
    // the next poll does not see a change that was already mirrored.
    if (last && isLater(last.createdAt, current.updatedAt)) current = { ...current, updatedAt: last.createdAt };
    // Only now is the chat's state known to be mirrored: a failure above leaves the old state, so the next
    // poll still sees a change and tries again.
    rec.chat = current;
    await this.updateTitle(rec);
    await this.store.commit();
    this.syncFailures.delete(marketChatId);
  }

  /**
   * getChat for a chat the store does not know. When only a notification named it (which anyone who can
   * reach the endpoint could forge), a chat the Market will not show us is ignored rather than retried
   * forever or taken as a sign that our credentials are bad.
   */
  private async describeNewChat(
    marketChatId: MarketChatId,
    fromNotification: boolean,
  ): Promise<MarketChat | undefined> {
    try {
      return await this.market.getChat(marketChatId);
    } catch (err) {
      if (fromNotification && (isNotFound(err) || isFatal(err))) {
        this.log.warn({ err, marketChatId }, 'a notification named a chat the Market does not show us; ignored');
        return undefined;
      }
      throw err;
    }
  }

  private async ensureTopic(rec: ChatRecord, chat: MarketChat, recreated = false): Promise<TopicId> {
    if (rec.topicId !== undefined) {
      if (!rec.cardPending) return rec.topicId;
      try {
        await this.postCard(rec, chat, rec.topicId);
        return rec.topicId;
      } catch (err) {
        if (!(err instanceof TopicGoneError)) throw err;
        // Deleted before its card was posted: make a new one, like any deleted topic.
        rec.topicId = undefined;
        recreated = true;
      }
    }
    const title = topicTitle(chat, this.t);
    const topicId = await this.telegram.createTopic(title);
    rec.topicId = topicId;
    rec.title = title;
    rec.cardPending = true;
    await this.store.commit();
    this.log.info({ marketChatId: rec.marketChatId, topicId, recreated }, 'topic created');
    await this.postCard(rec, chat, topicId);
    if (recreated) await this.telegram.sendText(topicId, escapeHtml(this.t.topicRecreated));
    return topicId;
  }

  /** The context card; remembered as pending until Telegram has it, so a crash cannot leave a topic without one. */
  private async postCard(rec: ChatRecord, chat: MarketChat, topicId: TopicId): Promise<void> {
    await this.telegram.sendText(topicId, contextCard(chat, this.t, this.options.businessId));
    rec.cardPending = undefined;
    await this.store.commit();
  }

  /** Runs `post` in the chat's topic, recreating the topic once if it was deleted in Telegram. */
  private async inTopic<T>(rec: ChatRecord, chat: MarketChat, post: (topicId: TopicId) => Promise<T>): Promise<T> {
    const topicId = await this.ensureTopic(rec, chat);
    try {
      return await post(topicId);
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      this.log.warn({ marketChatId: rec.marketChatId, topicId }, 'topic was deleted, recreating it');
      rec.topicId = undefined;
      return post(await this.ensureTopic(rec, chat, true));
    }
  }

  private async updateTitle(rec: ChatRecord): Promise<void> {
    const title = topicTitle(rec.chat, this.t);
    if (title === rec.title || rec.topicId === undefined) return;
    try {
      await this.telegram.renameTopic(rec.topicId, title);
      rec.title = title;
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      // The next message recreates it with the right title.
      rec.topicId = undefined;
    }
  }

  /** Fetches the messages after the cursor and mirrors each, advancing the cursor after each one. */
  /** Returns the newest message mirrored (or recognised as ours), if any. */
  private async mirrorNew(rec: ChatRecord, chat: MarketChat, triggeredAt?: number): Promise<MarketMessage | undefined> {
    const readAt = this.now().toISOString();
    let messages = await this.fetchSince(rec.marketChatId, rec.cursor);
    if (!rec.backfilled) {
      // A minute of slack: the Market's times have whole seconds, and a chat born as the bridge first
      // started is new, not history.
      const isOld = Date.parse(chat.createdAt) < Date.parse(this.store.initializedAt) - 60_000;
      const keep = this.options.historyOnFirstSight;
      if (isOld && messages.length > keep) {
        const skipped = messages.slice(0, messages.length - keep);
        messages = messages.slice(messages.length - keep);
        rec.cursor = skipped[skipped.length - 1]?.id ?? rec.cursor;
        if (keep > 0) {
          await this.inTopic(rec, chat, (topicId) =>
            this.telegram.sendText(topicId, escapeHtml(this.t.historyNote(keep))),
          );
        }
      }
      rec.backfilled = true;
      await this.store.commit();
    }
    let left = messages.length;
    this.unposted.set(rec.marketChatId, left);
    try {
      for (const message of messages) {
        if (this.stopped) break; // finish the message in flight, start no other
        await this.mirrorOne(rec, chat, message, triggeredAt);
        this.unposted.set(rec.marketChatId, --left);
      }
    } finally {
      this.unposted.delete(rec.marketChatId);
    }
    rec.syncedAt = readAt;
    return messages.at(-1);
  }

  /** Mirrors one message (or recognises our own echo) and advances the cursor past it. */
  private async mirrorOne(
    rec: ChatRecord,
    chat: MarketChat,
    message: MarketMessage,
    triggeredAt: number | undefined,
  ): Promise<void> {
    if (message.sender === 'PARTNER' && this.matchEcho(rec, message)) {
      this.log.debug({ marketChatId: rec.marketChatId, marketMessageId: message.id }, 'ignoring echo of our reply');
    } else {
      await this.post(rec, chat, message);
      const now = this.now().getTime();
      this.options.observer?.mirrored(
        message.sender,
        now - Date.parse(message.createdAt),
        triggeredAt === undefined ? undefined : now - triggeredAt,
      );
    }
    // The cursor moves only now that Telegram has the message: a crash before this repeats it, never loses it.
    rec.cursor = message.id;
    rec.partial = undefined;
    await this.store.commit();
  }

  /** Every message after `cursor`, in id order, each once. */
  private async fetchSince(marketChatId: MarketChatId, cursor: MarketMessageId | undefined): Promise<MarketMessage[]> {
    const byId = new Map<number, MarketMessage>();
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const res = await this.market.getHistory(marketChatId, { messageIdFrom: cursor, pageToken, limit: 100 });
      for (const m of res.items) if (cursor === undefined || m.id > cursor) byId.set(m.id, m);
      pageToken = res.nextPageToken;
      if (!pageToken || seenTokens.has(pageToken)) break;
      seenTokens.add(pageToken);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Posts one Market message: its text (split if needed), then each attachment. Resumes a partial post. */
  private async post(rec: ChatRecord, chat: MarketChat, message: MarketMessage): Promise<void> {
    const texts = messageTexts(message, chat, this.t);
    const steps: Array<{ what: PartKind; run: (topicId: TopicId) => Promise<unknown> }> = texts.map((html) => ({
      what: { kind: 'text', characters: message.text?.length ?? 0 },
      run: (topicId) => this.telegram.sendText(topicId, html),
    }));
    const headerHtml = messageHeader(message, chat, this.t);
    const caption = texts.length === 0 ? headerHtml : undefined;
    for (const att of message.attachments) {
      steps.push({
        what: { kind: 'file', name: att.name, size: att.size },
        run: (topicId) => this.postAttachment(topicId, att, caption),
      });
    }
    const start = rec.partial?.messageId === message.id ? rec.partial.partsDone : 0;
    for (let i = start; i < steps.length; i++) {
      const step = steps[i];
      if (step) {
        // A part Telegram refuses for good is replaced by a placeholder, so that it cannot block the chat.
        const part = { marketChatId: rec.marketChatId, marketMessageId: message.id, headerHtml, what: step.what };
        await this.inTopic(rec, chat, (topicId) => this.refusals.postOrReplace(topicId, part, step.run));
      }
      if (i < steps.length - 1) {
        rec.partial = { messageId: message.id, partsDone: i + 1 };
        await this.store.commit();
      }
    }
    this.log.debug({ marketChatId: rec.marketChatId, marketMessageId: message.id, topicId: rec.topicId }, 'mirrored');
  }

  private async postAttachment(topicId: TopicId, att: MarketAttachment, caption: string | undefined): Promise<void> {
    const label = `📎 ${escapeHtml(att.name)}`;
    const fullCaption = caption ? `${caption}\n${label}` : label;
    if (att.size > TELEGRAM_UPLOAD_LIMIT) {
      await this.telegram.sendText(topicId, escapeHtml(this.t.attachmentTooBig(att.name, formatSize(att.size))));
      return;
    }
    let data: Uint8Array;
    try {
      ({ data } = await this.market.downloadAttachment(att.url, TELEGRAM_UPLOAD_LIMIT));
    } catch (err) {
      if (isFatal(err)) throw err;
      this.log.warn({ err, nameLength: att.name.length, size: att.size }, 'attachment download failed');
      const note = escapeHtml(this.t.attachmentFailed(att.name, formatSize(att.size)));
      await this.telegram.sendText(topicId, caption ? `${caption}\n${note}` : note);
      return;
    }
    const kind = PHOTO_EXTENSIONS.test(att.name) && data.length <= TELEGRAM_PHOTO_LIMIT ? 'photo' : 'document';
    // Telegram refuses a caption over its limit (a very long file name): then the caption goes as a text first.
    if (fullCaption.length > CAPTION_LIMIT) {
      await this.telegram.sendText(topicId, fullCaption);
      await this.telegram.sendFile(topicId, { name: att.name, data, kind });
      return;
    }
    await this.telegram.sendFile(topicId, { name: att.name, data, kind }, fullCaption);
  }

  /** A PARTNER message in the history that is one of our own replies: link it and skip it. */
  private matchEcho(rec: ChatRecord, message: MarketMessage): boolean {
    const replies = this.store.replies(rec.marketChatId);
    // Matched before a crash kept the cursor from moving past it: still ours.
    if (replies.some((r) => r.echoMessageId === message.id)) return true;
    const text = normalise(message.text ?? '');
    const fileName = message.attachments[0]?.name;
    const reply = replies.find(
      (r) =>
        r.echoMessageId === undefined &&
        // A queued reply that was attempted before may have landed late (its answer, or its sender, lost).
        (r.state === 'sent' ||
          r.state === 'sending' ||
          r.state === 'unknown' ||
          (r.state === 'queued' && r.attempts > 0)) &&
        (r.file ? r.file.name === fileName : r.text !== undefined && normalise(r.text) === text),
    );
    if (!reply) return false;
    reply.echoMessageId = message.id;
    if (reply.state !== 'sent') {
      this.log.info({ replyId: reply.id, marketMessageId: message.id }, 'reply of unknown fate found in history');
      this.markSent(reply);
    }
    return true;
  }

  // ---------------------------------------------------------------- Telegram → Market

  /**
   * An operator wrote in a topic. The reply is written down (durably) before anything is sent, then
   * delivered through the chat's queue; the operator sees the outcome on their message.
   */
  async operatorMessage(msg: OperatorMessage): Promise<void> {
    const rec = this.store.findChatByTopic(msg.topicId);
    const say = (text: string) => this.tellOperator(msg.topicId, msg.messageId, text);
    if (!rec) {
      await say(this.t.notLinked);
      return;
    }
    const texts: string[] = [];
    const body = msg.file ? msg.caption : msg.text;
    if (body !== undefined && body.trim().length > 0) {
      const parts = splitText(body, TEXT_LIMIT);
      if (parts.length > MAX_REPLY_PARTS) {
        await say(this.t.replyTooLong(parts.length));
        return;
      }
      texts.push(...parts);
    }
    if (msg.file && msg.file.size !== undefined && msg.file.size > MARKET_FILE_LIMIT) {
      await say(this.t.fileTooBig(MARKET_FILE_LIMIT / 1024 / 1024));
      return;
    }
    const items: Array<Pick<ReplyRecord, 'text' | 'file'>> = [];
    if (msg.file) items.push({ file: { fileId: msg.file.fileId, name: msg.file.name } });
    for (const text of texts) items.push({ text });
    if (items.length === 0) {
      await say(this.t.unsupportedMessage);
      return;
    }
    const added = this.addReplies(rec.marketChatId, msg.topicId, msg.messageId, items, 0);
    if (added.length === 0) return; // a redelivered update
    for (const r of added) this.unsaved.add(r.id);
    try {
      await this.store.commit();
    } catch (err) {
      // Never sent behind the operator's back later: the records go, so a resend (or a redelivery) is new.
      for (const r of added) this.store.deleteReply(r.id);
      this.log.error(
        { err, marketChatId: rec.marketChatId, topicId: msg.topicId },
        'reply refused: the store cannot be written',
      );
      await say(this.t.replyNotSaved(describeError(err)));
      return;
    } finally {
      for (const r of added) this.unsaved.delete(r.id);
    }
    this.log.info({ marketChatId: rec.marketChatId, topicId: msg.topicId, parts: items.length }, 'reply queued');
    const undo = this.options.undoSeconds ?? 0;
    if (undo > 0) {
      await this.notice(added, this.t.undoNotice(undo), [
        {
          text: this.t.cancelButton,
          data: actionData({ kind: 'cancel', topicId: msg.topicId, messageId: msg.messageId }),
        },
      ]);
    }
    this.requestDelivery(rec.marketChatId);
  }

  /**
   * Writes down the parts of one operator message (ids `<topic>:<message>:<part>`, offset by `first`);
   * parts already known are skipped, which makes a redelivered update harmless.
   */
  private addReplies(
    marketChatId: MarketChatId,
    topicId: TopicId,
    messageId: OperatorMessage['messageId'],
    items: Array<Pick<ReplyRecord, 'text' | 'file'>>,
    first: number,
  ): ReplyRecord[] {
    const createdAt = this.now().toISOString();
    const undo = this.options.undoSeconds ?? 0;
    const notBefore = undo > 0 ? new Date(this.now().getTime() + undo * 1000).toISOString() : undefined;
    const known = new Set(this.store.allReplies().map((r) => r.id));
    const added: ReplyRecord[] = [];
    items.forEach((item, i) => {
      const part = first + i;
      const id = `${topicId}:${messageId}:${part}`;
      if (known.has(id)) return;
      const reply: ReplyRecord = {
        id,
        marketChatId,
        topicId,
        telegramMessageId: messageId,
        part,
        parts: first + items.length,
        ...item,
        state: 'queued',
        attempts: 0,
        createdAt,
        notBefore,
      };
      added.push(this.store.putReply(reply));
    });
    return added;
  }

  /** The parts of one operator message, in order. */
  private repliesOf(topicId: TopicId, messageId: OperatorMessage['messageId']): ReplyRecord[] {
    return this.store
      .allReplies()
      .filter((r) => r.topicId === topicId && r.telegramMessageId === messageId)
      .sort((a, b) => a.part - b.part);
  }

  /**
   * An operator edited a message. Not sent yet → the new text replaces it. Already sent → the Market
   * cannot change it: say so, and offer to send the corrected text as a new message.
   */
  async operatorEdited(topicId: TopicId, messageId: OperatorMessage['messageId'], newText?: string): Promise<void> {
    const parts = this.repliesOf(topicId, messageId);
    const first = parts[0];
    if (!first) return;
    const untouched = parts.every((r) => r.state === 'queued' && r.attempts === 0 && !r.file);
    if (untouched && newText && newText.trim()) {
      const texts = splitText(newText, TEXT_LIMIT);
      if (texts.length <= MAX_REPLY_PARTS) {
        const notSaved = await this.changeDurably(topicId, messageId, () => {
          for (const r of parts) this.store.deleteReply(r.id);
          const added = this.addReplies(
            first.marketChatId,
            topicId,
            messageId,
            texts.map((text) => ({ text })),
            0,
          );
          for (const r of added) {
            r.notBefore = first.notBefore;
            r.noticeId = first.noticeId;
          }
        });
        await this.tellOperator(topicId, messageId, notSaved ? this.t.editNotSaved(notSaved) : this.t.editApplied);
        return;
      }
    }
    const notSaved = await this.changeDurably(topicId, messageId, () => {
      if (newText && newText.trim()) first.correction = newText;
    });
    if (notSaved) {
      await this.tellOperator(topicId, messageId, this.t.editNotSaved(notSaved));
      return;
    }
    const buttons: Button[] = first.correction
      ? [{ text: this.t.correctionButton, data: actionData({ kind: 'correct', topicId, messageId }) }]
      : [];
    const noticeId = await this.tellOperator(topicId, messageId, this.t.editNotApplied, buttons);
    if (first.correction && noticeId !== undefined) {
      first.correctionNoticeId = noticeId;
      // Not vital: the button also acts under the bot's own reply to the operator message.
      await this.store.commit().catch((err: unknown) => this.log.warn({ err }, 'could not save the correction notice'));
    }
  }

  /**
   * A button under one of the bot's notices. `under` is the message the button sits under, as Telegram
   * reports it: an action acts only when that is the bot's notice about the same operator message, either as
   * recorded, or (a notice Telegram took although its answer was lost) the bot's own reply to that operator
   * message. Button data naming another message does nothing. Returns the short answer shown on the button.
   */
  async operatorAction(action: OperatorAction, under: ButtonHost): Promise<string> {
    const parts = this.repliesOf(action.topicId, action.messageId);
    const first = parts[0];
    if (!first) return this.t.nothingToDo;
    const notices = action.kind === 'correct' ? parts.map((r) => r.correctionNoticeId) : parts.map((r) => r.noticeId);
    if (!notices.includes(under.messageId) && under.botReplyTo !== action.messageId) {
      this.log.warn(
        { ...action, under: under.messageId },
        'button pressed under a message it does not belong to; ignored',
      );
      return this.t.nothingToDo;
    }
    switch (action.kind) {
      case 'retry': {
        const failed = parts.filter((r) => r.state === 'failed' || r.state === 'cancelled');
        if (failed.length === 0) return this.t.nothingToDo;
        const notSaved = await this.changeDurably(action.topicId, action.messageId, () => {
          for (const r of failed) {
            Object.assign(r, {
              state: 'queued',
              attempts: 0,
              error: undefined,
              toldQueued: false,
              notBefore: undefined,
            });
          }
        });
        if (notSaved) return this.t.actionNotSaved(notSaved);
        await this.notice(failed, this.t.retrying);
        this.requestDelivery(first.marketChatId);
        return this.t.retrying;
      }
      case 'cancel': {
        if (parts.some((r) => r.state === 'sent' || r.state === 'sending' || r.state === 'unknown')) {
          return this.t.alreadySent;
        }
        const queued = parts.filter((r) => r.state === 'queued');
        if (queued.length === 0) return this.t.nothingToDo;
        const notSaved = await this.changeDurably(action.topicId, action.messageId, () => {
          for (const r of queued) r.state = 'cancelled';
        });
        if (notSaved) return this.t.actionNotSaved(notSaved);
        this.options.observer?.replyOutcome('failed');
        await this.notice(queued, this.t.cancelled);
        return this.t.cancelled;
      }
      case 'correct': {
        const text = first.correction;
        if (!text) return this.t.nothingToDo;
        let added: ReplyRecord[] = [];
        const notSaved = await this.changeDurably(action.topicId, action.messageId, () => {
          first.correction = undefined;
          const next = Math.max(...parts.map((r) => r.part)) + 1;
          added = this.addReplies(
            first.marketChatId,
            action.topicId,
            action.messageId,
            splitText(text, TEXT_LIMIT).map((t) => ({ text: t })),
            next,
          );
        });
        if (notSaved) return this.t.actionNotSaved(notSaved);
        if (added.length > 0) this.requestDelivery(first.marketChatId);
        return this.t.correctionQueued;
      }
    }
  }

  /**
   * Applies `change` to the replies of one operator message and writes it down. When the store cannot be
   * written (a full disk), the change is undone, so nothing is sent or held back on the strength of a
   * decision that is not on disk, and the reason is returned for the operator; undefined when it was saved.
   */
  private async changeDurably(
    topicId: TopicId,
    messageId: OperatorMessage['messageId'],
    change: () => void,
  ): Promise<string | undefined> {
    const before = this.repliesOf(topicId, messageId).map((r) => ({ ...r }));
    change();
    try {
      await this.store.commit();
      return undefined;
    } catch (err) {
      for (const r of this.repliesOf(topicId, messageId)) this.store.deleteReply(r.id);
      for (const r of before) this.store.putReply(r);
      this.log.error({ err, topicId, messageId }, 'operator change refused: the store cannot be written');
      return describeError(err);
    }
  }

  private requestDelivery(marketChatId: MarketChatId): void {
    if (this.stopped || this.deliverQueued.has(marketChatId)) return;
    this.deliverQueued.add(marketChatId);
    void this.queue.push(marketChatId, () => this.deliver(marketChatId));
  }

  /** Sends this chat's queued replies in order; stops at the first that has to wait. */
  private async deliver(marketChatId: MarketChatId): Promise<void> {
    this.deliverQueued.delete(marketChatId);
    for (const reply of this.store.replies(marketChatId)) {
      if (this.stopped) return;
      if (reply.state === 'unknown' && !(await this.resolveUnknown(reply))) return;
      if (reply.state !== 'queued' || this.unsaved.has(reply.id)) continue;
      const waitMs = reply.notBefore ? Date.parse(reply.notBefore) - this.now().getTime() : 0;
      if (waitMs > 0) {
        this.schedule(`deliver:${marketChatId}`, waitMs, () => this.requestDelivery(marketChatId));
        return;
      }
      const outcome = await this.sendOne(reply);
      if (outcome && !(await this.handleOutcome(reply, outcome))) return;
    }
  }

  /** Sends one reply; undefined when it failed before reaching the Market (already reported). */
  private async sendOne(reply: ReplyRecord): Promise<SendOutcome | undefined> {
    let file: { name: string; data: Uint8Array } | undefined;
    if (reply.file) {
      try {
        const got = await this.telegram.downloadFile(reply.file.fileId, MARKET_FILE_LIMIT);
        file = { name: reply.file.name, data: got.data };
      } catch (err) {
        await this.fail(reply, this.t.fileDownloadFailed((err as Error).message));
        return undefined;
      }
    }
    // Marked as attempted (durably) only once the request has its slot and is about to be written: a crash
    // while it waited for a slot or a quota window leaves a plain queued reply, not one of unknown fate.
    const beforeSend = async () => {
      reply.state = 'sending';
      reply.attempts++;
      reply.attemptedAt = this.now().toISOString();
      await this.store.commit();
    };
    return file
      ? this.market.sendFile(reply.marketChatId, file, { beforeSend })
      : this.market.sendMessage(reply.marketChatId, reply.text ?? '', { beforeSend });
  }

  /** Applies a send outcome; returns whether the next reply of the chat may go now. */
  private async handleOutcome(reply: ReplyRecord, outcome: SendOutcome): Promise<boolean> {
    const chatId = reply.marketChatId;
    const fields = { marketChatId: chatId, replyId: reply.id, outcome: outcome.kind };
    this.options.observer?.replyOutcome(outcome.kind);
    switch (outcome.kind) {
      case 'sent':
        this.markSent(reply);
        await this.store.commit();
        this.log.info(fields, 'reply delivered');
        return true;
      case 'rejected':
        await this.fail(reply, this.t.marketRejected(outcome.status, outcome.reason), false);
        this.log.warn({ ...fields, reason: outcome.reason }, 'reply rejected');
        return true;
      case 'rate-limited':
      case 'not-sent': {
        reply.state = 'queued';
        const retryAt =
          outcome.kind === 'rate-limited'
            ? outcome.retryAt
            : new Date(this.now().getTime() + this.retryDelayMs(reply.attempts));
        reply.notBefore = retryAt.toISOString();
        const tell = !reply.toldQueued;
        reply.toldQueued = true;
        await this.store.commit();
        this.log.warn({ ...fields, reason: outcome.reason, retryAt }, 'reply waits');
        if (tell) {
          await this.notice(
            this.repliesOf(reply.topicId, reply.telegramMessageId),
            this.t.replyQueued(this.clock(retryAt)),
          );
        }
        this.schedule(`deliver:${chatId}`, retryAt.getTime() - this.now().getTime(), () =>
          this.requestDelivery(chatId),
        );
        return false;
      }
      case 'ambiguous':
        reply.state = 'unknown';
        await this.store.commit();
        this.log.warn({ ...fields, reason: outcome.reason }, 'reply fate unknown, will check the history');
        this.schedule(`deliver:${chatId}`, this.options.ambiguousCheckDelayMs ?? 5_000, () =>
          this.requestDelivery(chatId),
        );
        return false;
    }
  }

  /**
   * A reply the Market may or may not have taken: read the history. Found → delivered. Not found, once the
   * attempt has settled → it is safe to send again (a bounded number of times). Returns false when the
   * chat's later replies must wait (the check is not conclusive yet).
   */
  private async resolveUnknown(reply: ReplyRecord): Promise<boolean> {
    const rec = this.store.getChat(reply.marketChatId);
    if (!rec) return true;
    await this.mirrorNew(rec, rec.chat);
    if (reply.state === 'sent') return true;
    // Too early to conclude: the attempt may still land. Look again once it has settled; later replies of
    // this chat wait behind it, so the order is kept.
    const settleAt = Date.parse(reply.attemptedAt ?? reply.createdAt) + (this.options.ambiguousSettleMs ?? 20_000);
    const waitMs = settleAt - this.now().getTime();
    if (waitMs > 0) {
      this.schedule(`deliver:${reply.marketChatId}`, waitMs, () => this.requestDelivery(reply.marketChatId));
      return false;
    }
    if (reply.attempts >= MAX_AMBIGUOUS_ATTEMPTS) {
      await this.fail(reply, this.t.replyUnknown);
      return true;
    }
    reply.state = 'queued';
    await this.store.commit();
    return true;
  }

  private markSent(reply: ReplyRecord): void {
    reply.state = 'sent';
    reply.sentAt = this.now().toISOString();
    reply.error = undefined;
    const siblings = this.repliesOf(reply.topicId, reply.telegramMessageId);
    if (!siblings.every((r) => r.state === 'sent')) return;
    void this.telegram.react(reply.telegramMessageId, REACTION_DELIVERED).catch((err: unknown) => {
      this.log.warn({ err, replyId: reply.id }, 'could not react to the operator message');
    });
    const split = reply.parts > 1 && siblings.every((r) => r.text !== undefined);
    if (reply.noticeId !== undefined || split) {
      const text = split ? `${this.t.delivered} ${this.t.replySplit(siblings.length)}` : this.t.delivered;
      void this.notice(siblings, text);
    }
  }

  /**
   * Marks a reply (and the later parts of the same operator message) failed and tells the operator, with a
   * Retry button. `count`: whether this is a new outcome for metrics (a rejection was counted already).
   */
  private async fail(reply: ReplyRecord, reason: string, count = true): Promise<void> {
    if (count) this.options.observer?.replyOutcome('failed');
    for (const r of this.store.replies(reply.marketChatId)) {
      if (r.telegramMessageId === reply.telegramMessageId && r.topicId === reply.topicId && r.part >= reply.part) {
        r.state = 'failed';
        r.error = reason;
      }
    }
    await this.store.commit();
    await this.notice(this.repliesOf(reply.topicId, reply.telegramMessageId), this.t.replyFailed(reason), [
      {
        text: this.t.retryButton,
        data: actionData({ kind: 'retry', topicId: reply.topicId, messageId: reply.telegramMessageId }),
      },
    ]);
  }

  private async tellOperator(
    topicId: TopicId,
    replyTo: OperatorMessage['messageId'],
    text: string,
    buttons?: Button[],
  ): Promise<TelegramMessageId | undefined> {
    try {
      return await this.telegram.sendText(topicId, escapeHtml(text), { replyTo, buttons });
    } catch (err) {
      this.log.warn({ err, topicId }, 'could not tell the operator');
      return undefined;
    }
  }

  /**
   * The bot's one notice about an operator message: edited as the reply's state changes (waiting →
   * delivered, failed → retrying), so the operator sees the latest state under their message.
   */
  private async notice(parts: ReplyRecord[], text: string, buttons?: Button[]): Promise<void> {
    const first = parts[0];
    if (!first) return;
    const existing = first.noticeId;
    if (existing !== undefined) {
      try {
        await this.telegram.editText(existing, escapeHtml(text), buttons);
        return;
      } catch (err) {
        this.log.debug({ err }, 'notice could not be edited, sending a new one');
      }
    }
    const id = await this.tellOperator(first.topicId, first.telegramMessageId, text, buttons);
    if (id === undefined) return;
    for (const r of this.repliesOf(first.topicId, first.telegramMessageId)) r.noticeId = id;
    await this.store.commit();
  }

  // ---------------------------------------------------------------- lifecycle

  /** After a start: replies that were on their way when the process stopped are picked up again. */
  async resume(): Promise<void> {
    const chats = new Set<MarketChatId>();
    // Failed before the operator was told (the process stopped in between): tell them now.
    const unnoticed: ReplyRecord[] = [];
    this.forgetOldReplies();
    for (const r of this.store.allReplies()) {
      if (r.state === 'sending') r.state = 'unknown';
      if (r.state === 'queued' || r.state === 'unknown') chats.add(r.marketChatId);
      if (
        r.state === 'failed' &&
        r.noticeId === undefined &&
        r.part === this.repliesOf(r.topicId, r.telegramMessageId)[0]?.part
      ) {
        unnoticed.push(r);
      }
    }
    await this.store.commit();
    for (const id of chats) this.requestDelivery(id);
    for (const r of unnoticed) {
      void this.queue.push(r.marketChatId, () =>
        this.notice(this.repliesOf(r.topicId, r.telegramMessageId), this.t.replyFailed(r.error ?? ''), [
          {
            text: this.t.retryButton,
            data: actionData({ kind: 'retry', topicId: r.topicId, messageId: r.telegramMessageId }),
          },
        ]),
      );
    }
  }

  /**
   * Drops finished replies older than REPLY_TTL_MS, now and then every hour: the main store file holds every
   * reply and is rewritten whenever one changes, so it must not grow with the uptime. The next commit writes it.
   */
  private forgetOldReplies(): void {
    const cutoff = this.now().getTime() - REPLY_TTL_MS;
    for (const r of this.store.allReplies()) {
      const finished = r.state === 'sent' || r.state === 'failed' || r.state === 'cancelled';
      if (finished && Date.parse(r.createdAt) < cutoff) this.store.deleteReply(r.id);
    }
    this.schedule('forget-replies', FORGET_REPLIES_EVERY_MS, () => this.forgetOldReplies());
  }

  /** Work queued or running (for status and shutdown). */
  get pending(): number {
    return this.queue.size;
  }

  /** Buyer messages fetched from the Market and waiting for their turn to be posted (for status and metrics). */
  get backlog(): number {
    let n = 0;
    for (const v of this.unposted.values()) n += v;
    return n;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops taking new work and cancels scheduled retries; running tasks finish (await idle()). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private clock(d: Date): string {
    return new Intl.DateTimeFormat('ru-RU', {
      timeZone: this.options.timeZone ?? 'Europe/Moscow',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(d);
  }

  private schedule(key: string, delayMs: number, fn: () => void): void {
    if (this.stopped) return;
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        fn();
      },
      Math.max(0, delayMs),
    );
    timer.unref();
    this.timers.set(key, timer);
  }

  private taskFailed(marketChatId: MarketChatId, err: unknown): void {
    if (isFatal(err)) {
      this.log.fatal({ err }, 'stopping: the Market refused our credentials');
      this.options.onFatal?.(err);
      return;
    }
    const failures = (this.syncFailures.get(marketChatId) ?? 0) + 1;
    this.syncFailures.set(marketChatId, failures);
    const delayMs = this.retryDelayMs(failures);
    this.log.warn({ err, marketChatId, failures, delayMs }, 'chat task failed, will retry');
    this.schedule(`retry:${marketChatId}`, delayMs, () => {
      this.requestSync(marketChatId);
      this.requestDelivery(marketChatId);
    });
  }
}

/**
 * Whose turn it is after the newest message, as the Market itself will say at the next poll: a buyer
 * message waits for us, our reply waits for the buyer. Keeps the topic title right between polls.
 */
function withDerivedStatus(chat: MarketChat, lastSender: MessageSender | undefined): MarketChat {
  if (chat.kind !== 'CHAT' || chat.status === 'FINISHED' || chat.status === 'WAITING_FOR_ARBITER') return chat;
  if (lastSender === 'CUSTOMER') return { ...chat, status: 'WAITING_FOR_PARTNER' };
  if (lastSender === 'PARTNER') return { ...chat, status: 'WAITING_FOR_CUSTOMER' };
  return chat;
}

/** Whether time `a` is after time `b` (ISO strings of any offset); an unreadable `b` counts as earlier. */
function isLater(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(tb) ? true : ta > tb;
}

/** An error's code (ENOSPC, EACCES…) when it has one, its message otherwise. */
function describeError(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

function normalise(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
