/**
 * Small in-memory implementations of the bridge's ports for unit tests of the core. The end-to-end tests
 * use the HTTP fakes in test/fakes/ instead.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Bridge, type BridgeOptions } from '../../src/bridge/bridge.ts';
import {
  marketChatId,
  marketMessageId,
  telegramMessageId,
  topicId,
  type MarketChatId,
  type MarketMessageId,
  type TelegramMessageId,
  type TopicId,
} from '../../src/bridge/ids.ts';
import type { ChatSubject, MarketChat, MarketMessage, OrderSummary } from '../../src/bridge/model.ts';
import {
  MessageGoneError,
  TelegramRefusedError,
  TopicGoneError,
  type Button,
  type MarketFile,
  type Lane,
  type MarketPort,
  type NewChatOutcome,
  type Page,
  type SendOptions,
  type SendOutcome,
  type TelegramFile,
  type TelegramPort,
} from '../../src/bridge/ports.ts';
import type { Html } from '../../src/bridge/html.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { JsonStore } from '../../src/store/store.ts';
import { encodeAction } from '../../src/telegram/buttons.ts';

export class MemoryMarket implements MarketPort {
  chats = new Map<number, MarketChat>();
  history = new Map<number, MarketMessage[]>();
  sent: Array<{ chatId: number; text?: string; file?: string }> = [];
  /** Scripted outcomes for the next sends; 'sent' otherwise. `ambiguous-delivered` stores it and says ambiguous. */
  outcomes: Array<SendOutcome | 'ambiguous-delivered' | 'ambiguous-late'> = [];
  historyCalls = 0;
  /** getChat and findChat calls. */
  chatCalls = 0;
  /** Orders and returns createChat may open a chat about: `ORDER:<id>`, `RETURN:<id>`. */
  subjects = new Set<string>();
  /** Scripted answers (or a thrown error) for the next createChat calls; otherwise it finds or opens the chat. */
  newChatAnswers: Array<NewChatOutcome | Error> = [];
  createChatCalls = 0;
  /** What getOrder answers (an Error is thrown); undefined: no such order. */
  order: OrderSummary | Error | undefined;
  /** The getOrder calls, with what each asked for. */
  orderCalls: Array<{ campaignId?: number; orderId: number }> = [];
  private nextId = 1000;
  private nextChatId = 500;

  addChat(id: number, over: Partial<MarketChat> = {}): MarketChat {
    const chat: MarketChat = {
      id: marketChatId(id),
      kind: 'CHAT',
      status: 'WAITING_FOR_PARTNER',
      context: { type: 'ORDER', orderId: id * 10, customer: { name: `Buyer ${id}` } },
      createdAt: new Date(Date.now() + 60_000).toISOString(),
      updatedAt: new Date().toISOString(),
      ...over,
    };
    this.chats.set(id, chat);
    this.history.set(id, []);
    return chat;
  }

  addMessage(chatId: number, sender: MarketMessage['sender'], text?: string): MarketMessage {
    const m: MarketMessage = {
      id: marketMessageId(this.nextId++),
      createdAt: new Date().toISOString(),
      sender,
      text,
      attachments: [],
    };
    this.history.get(chatId)?.push(m);
    const chat = this.chats.get(chatId);
    if (chat) this.chats.set(chatId, { ...chat, updatedAt: `${m.createdAt}#${m.id}` });
    return m;
  }

  listChats(): Promise<Page<MarketChat>> {
    return Promise.resolve({ items: [...this.chats.values()] });
  }
  getChat(id: MarketChatId): Promise<MarketChat> {
    this.chatCalls++;
    const c = this.chats.get(id);
    return c ? Promise.resolve(c) : Promise.reject(Object.assign(new Error('chat not found'), { status: 404 }));
  }
  findChat(id: MarketChatId): Promise<MarketChat | undefined> {
    this.chatCalls++;
    return Promise.resolve(this.chats.get(id));
  }
  getHistory(id: MarketChatId, q: { messageIdFrom?: MarketMessageId }): Promise<Page<MarketMessage>> {
    this.historyCalls++;
    const all = this.history.get(id) ?? [];
    return Promise.resolve({ items: all.filter((m) => q.messageIdFrom === undefined || m.id >= q.messageIdFrom) });
  }
  async sendMessage(id: MarketChatId, text: string, options?: SendOptions): Promise<SendOutcome> {
    await options?.beforeSend?.();
    return this.deliver(id, { text });
  }
  async sendFile(id: MarketChatId, file: MarketFile, options?: SendOptions): Promise<SendOutcome> {
    await options?.beforeSend?.();
    return this.deliver(id, { file: file.name });
  }
  createChat(subject: ChatSubject): Promise<NewChatOutcome> {
    this.createChatCalls++;
    const scripted = this.newChatAnswers.shift();
    if (scripted instanceof Error) return Promise.reject(scripted);
    if (scripted) return Promise.resolve(scripted);
    const about = (c: MarketChat) =>
      c.context.type === subject.type &&
      (subject.type === 'ORDER' ? c.context.orderId : c.context.returnId) === subject.id;
    const existing = [...this.chats.values()].find(about);
    if (existing) return Promise.resolve({ kind: 'opened', chatId: existing.id });
    if (!this.subjects.has(`${subject.type}:${subject.id}`)) {
      return Promise.resolve({ kind: 'not-found', reason: `NOT_FOUND: ${subject.type} ${subject.id} not found` });
    }
    const id = this.nextChatId++;
    const ids = subject.type === 'ORDER' ? { orderId: subject.id } : { returnId: subject.id, orderId: 1 };
    this.addChat(id, { status: 'NEW', context: { type: subject.type, ...ids, customer: { name: `Buyer ${id}` } } });
    return Promise.resolve({ kind: 'opened', chatId: marketChatId(id) });
  }
  downloadAttachment(): Promise<{ data: Uint8Array }> {
    return Promise.resolve({ data: new Uint8Array([1, 2, 3]) });
  }
  getOrder(context: { campaignId?: number; orderId: number }): Promise<OrderSummary | undefined> {
    this.orderCalls.push(context);
    const order = this.order;
    return order instanceof Error ? Promise.reject(order) : Promise.resolve(order && structuredClone(order));
  }
  private deliver(id: MarketChatId, what: { text?: string; file?: string }): SendOutcome {
    const next = this.outcomes.shift() ?? { kind: 'sent' };
    if (next === 'ambiguous-late') {
      // The Market is still working on it when our answer is lost; it lands a little later.
      setTimeout(() => {
        this.sent.push({ chatId: id, ...what });
        this.addMessage(id, 'PARTNER', what.text);
      }, 40);
      return { kind: 'ambiguous', reason: 'timeout' };
    }
    if (next === 'ambiguous-delivered' || next.kind === 'sent') {
      this.sent.push({ chatId: id, ...what });
      const m = this.addMessage(id, 'PARTNER', what.text);
      if (what.file) m.attachments.push({ name: what.file, url: 'u', size: 3 });
    }
    return next === 'ambiguous-delivered' ? { kind: 'ambiguous', reason: 'socket reset' } : next;
  }
}

export interface Post {
  topicId: number;
  messageId: number;
  html: string;
  file?: TelegramFile;
  replyTo?: number;
  /** The topic was closed when this was posted. */
  closed?: boolean;
  /** As the Telegram port puts them on the wire. */
  buttons?: Array<{ text: string; data: string }>;
  lane?: Lane;
  /** The URL shown as a large preview. */
  preview?: string;
}

const onWire = (buttons: Button[] | undefined) => buttons?.map((b) => ({ text: b.text, data: encodeAction(b.action) }));

export class MemoryTelegram implements TelegramPort {
  /** false: the chat is a private one (solo mode), whose topics Telegram does not close. */
  canCloseTopics = true;
  topics = new Map<number, { title: string; deleted: boolean; closed?: boolean }>();
  /** Every close and reopen, in order, with the lane a reopen took. */
  toggles: Array<{ topicId: number; closed: boolean; lane?: Lane }> = [];
  /** Every post, close and reopen in order (`post 3`, `close 3`, `reopen 3`): what came before what. */
  readonly calls: string[] = [];
  /** When set, a close waits for it (Telegram's answer takes a while). */
  closeGate?: () => Promise<void>;
  posts: Post[] = [];
  reactions: Array<{ messageId: number; emoji: string }> = [];
  createCalls = 0;
  /** Topic creations running now, and the most that ever ran at once. */
  creating = 0;
  mostCreatingAtOnce = 0;
  private nextId = 1;

  createTopic(title: string): Promise<TopicId> {
    this.createCalls++;
    this.mostCreatingAtOnce = Math.max(this.mostCreatingAtOnce, ++this.creating);
    const id = this.nextId++;
    this.topics.set(id, { title, deleted: false });
    // Topic creation takes a moment, so concurrent callers would race without single-flight.
    return new Promise((r) =>
      setTimeout(() => {
        this.creating--;
        r(topicId(id));
      }, 5),
    );
  }
  /** Turns reserved (topic, lane), in order: the memory Telegram has no budget, so each is given at once. */
  readonly reserved: Array<{ topicId: TopicId; lane: Lane }> = [];
  /** When set, a reservation waits for it (a turn that is slow to come: Telegram's limit). */
  turnGate?: (lane: Lane) => Promise<void>;
  async reserveTurn(topicId: TopicId, lane: Lane): Promise<() => void> {
    this.reserved.push({ topicId, lane });
    await this.turnGate?.(lane);
    return () => {};
  }
  async closeTopic(id: TopicId): Promise<void> {
    await this.closeGate?.();
    this.toggle(id, true);
  }
  reopenTopic(id: TopicId, lane: Lane = 'live'): Promise<void> {
    return Promise.resolve().then(() => this.toggle(id, false, lane));
  }
  /** Like Telegram in a private chat: closing or reopening a topic is refused for good (`refused close 3` in calls). */
  private refuseClosing(id: TopicId, closed: boolean): void {
    if (this.canCloseTopics) return;
    this.calls.push(`refused ${closed ? 'close' : 'reopen'} ${id}`);
    const method = closed ? 'closeForumTopic' : 'reopenForumTopic';
    throw new TelegramRefusedError(method, 400, 'Bad Request: method is available only for supergroups');
  }
  /** Like Telegram: a deleted topic is gone, one closed (or open) already is left as it is, with success. */
  private toggle(id: TopicId, closed: boolean, lane?: Lane): void {
    this.refuseClosing(id, closed);
    const t = this.topics.get(id);
    if (!t || t.deleted) throw new TopicGoneError(id);
    this.toggles.push({ topicId: id, closed, lane });
    this.calls.push(`${closed ? 'close' : 'reopen'} ${id}`);
    t.closed = closed;
  }
  renameTopic(id: TopicId, title: string): Promise<void> {
    const t = this.topics.get(id);
    if (!t || t.deleted) return Promise.reject(new TopicGoneError(id));
    t.title = title;
    return Promise.resolve();
  }
  sendText(
    id: TopicId,
    text: Html,
    o?: { replyTo?: TelegramMessageId; buttons?: Button[]; preview?: string },
  ): Promise<TelegramMessageId> {
    return this.push(id, { html: text.markup, replyTo: o?.replyTo, buttons: onWire(o?.buttons), preview: o?.preview });
  }
  /** Every edit of a message, with the lane it took (undefined: outside any lane, an operator's). */
  edits: Array<{ messageId: number; lane?: Lane }> = [];
  editText(messageId: TelegramMessageId, text: Html, buttons?: Button[], lane?: Lane): Promise<void> {
    this.edits.push({ messageId, lane });
    const post = this.posts.find((p) => p.messageId === messageId);
    if (!post) return Promise.reject(new MessageGoneError(messageId));
    post.html = text.markup;
    post.buttons = onWire(buttons);
    return Promise.resolve();
  }
  /** Posts into General have topic id 0 (`inTopic(0)`). */
  sendGeneral(text: Html, o?: { buttons?: Button[]; lane?: Lane }): Promise<TelegramMessageId> {
    const messageId = this.nextId++;
    this.posts.push({ topicId: 0, messageId, html: text.markup, buttons: onWire(o?.buttons), lane: o?.lane });
    this.calls.push('post general');
    return Promise.resolve(telegramMessageId(messageId));
  }
  /** Pinned messages, oldest pin first. */
  pins: number[] = [];
  pin(messageId: TelegramMessageId): Promise<void> {
    if (!this.posts.some((p) => p.messageId === messageId)) return Promise.reject(new MessageGoneError(messageId));
    if (!this.pins.includes(messageId)) this.pins.push(messageId);
    this.calls.push(`pin ${messageId}`);
    return Promise.resolve();
  }
  /** Like getChat: the pinned message sent last (message ids grow with time here). */
  pinned(): Promise<{ messageId: TelegramMessageId; sentAtMs: number } | undefined> {
    const id = Math.max(...this.pins.filter((m) => this.posts.some((p) => p.messageId === m)));
    return Promise.resolve(Number.isFinite(id) ? { messageId: telegramMessageId(id), sentAtMs: id } : undefined);
  }
  deleteMessage(messageId: TelegramMessageId): Promise<void> {
    this.posts = this.posts.filter((p) => p.messageId !== messageId);
    this.pins = this.pins.filter((m) => m !== messageId);
    this.calls.push(`delete ${messageId}`);
    return Promise.resolve();
  }
  sendFile(id: TopicId, file: TelegramFile, caption?: Html): Promise<TelegramMessageId> {
    return this.push(id, { html: caption?.markup ?? '', file });
  }
  react(messageId: TelegramMessageId, emoji: string): Promise<void> {
    this.reactions.push({ messageId, emoji });
    return Promise.resolve();
  }
  downloadFile(): Promise<{ data: Uint8Array }> {
    return Promise.resolve({ data: new Uint8Array([9]) });
  }
  inTopic(id: number): Post[] {
    return this.posts.filter((p) => p.topicId === id);
  }
  private push(id: TopicId, p: Omit<Post, 'topicId' | 'messageId'>): Promise<TelegramMessageId> {
    const t = this.topics.get(id);
    if (!t || t.deleted) return Promise.reject(new TopicGoneError(id));
    const messageId = this.nextId++;
    this.posts.push({ topicId: id, messageId, closed: t.closed === true, ...p });
    this.calls.push(`post ${id}`);
    return Promise.resolve(telegramMessageId(messageId));
  }
}

export async function makeBridge(over: Partial<BridgeOptions> = {}) {
  const market = new MemoryMarket();
  const telegram = new MemoryTelegram();
  const store = await JsonStore.open(await mkdtemp(path.join(tmpdir(), 'marketgram-bridge-')));
  const bridge = new Bridge(market, telegram, store, {
    businessId: 1,
    historyOnFirstSight: 3,
    texts: textsFor('en'),
    logger: pino({ level: 'silent' }),
    ambiguousCheckDelayMs: 1,
    ambiguousSettleMs: 0,
    retryDelayMs: () => 5,
    ...over,
  });
  return { market, telegram, store, bridge };
}

export { marketChatId, telegramMessageId, topicId };
