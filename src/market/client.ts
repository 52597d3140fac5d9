/**
 * The Yandex Market Partner API client for one cabinet (business): the Market side of the bridge, and
 * the typed facade of `MarketPort` over the layers below it.
 *
 * `MarketTransport` (transport.ts) performs one HTTP exchange and owns the Api-Key; `outcomes.ts` turns
 * answers into values, typed errors and send outcomes; reads go through the one retry point `ReadRetry`
 * (retry.ts), writes (`#write` here) are sent at most once; attachment downloads live in attachments.ts,
 * order details (and the choice of the order method) in orders.ts, product reviews in reviews.ts, product
 * questions in questions.ts, product names in products.ts, the shops the key reaches in campaigns.ts. Settings and
 * their defaults are in options.ts.
 */
import { Blob } from 'node:buffer';
import type { Logger } from 'pino';
import { FormData } from 'undici';
import type { FeedbackPort } from '../bridge/feedback-port.ts';
import type { MarketChatId, MarketMessageId } from '../bridge/ids.ts';
import { CHAT_STATUSES } from '../bridge/model.ts';
import type { ChatStatus, ChatSubject, MarketChat, MarketMessage, OrderSummary } from '../bridge/model.ts';
import type { MarketFile, MarketPort, NewChatOutcome, Page, SendOptions, SendOutcome } from '../bridge/ports.ts';
import type { ProductPort } from '../bridge/product-port.ts';
import { AttachmentDownloader } from './attachments.ts';
import { readCampaigns } from './campaigns.ts';
import type { MarketCampaign } from './campaigns.ts';
import { MarketApiError, MarketRateLimitError } from './errors.ts';
import { resolveOptions } from './options.ts';
import type { MarketClientOptions } from './options.ts';
import { OrderReader } from './orders.ts';
import type { OrderSource, Read } from './orders.ts';
import { FeedbackMethods } from './feedback.ts';
import { errorFrom, newChatOutcome, parseAnswer, readThrough, sendOutcome } from './outcomes.ts';
import type { ErrorContext } from './outcomes.ts';
import { ProductReader } from './products.ts';
import { QuestionMethods } from './questions.ts';
import { QuotaTracker } from './quota.ts';
import type { QuotaState } from './quota.ts';
import { ReadRetry } from './retry.ts';
import { ReviewMethods } from './reviews.ts';
import {
  createChatResponseSchema,
  getChatHistoryResponseSchema,
  getChatMessageResponseSchema,
  getChatResponseSchema,
  getChatsResponseSchema,
  getTokenInfoResponseSchema,
} from './schemas.ts';
import type { TokenInfo } from './schemas.ts';
import { MarketTransport, isSuccess } from './transport.ts';
import type { ApiRequest, Operation, RawResponse } from './transport.ts';

export type { MarketCampaign } from './campaigns.ts';
export type { MarketClientOptions } from './options.ts';
export type { OrderSource } from './orders.ts';
export type { TokenInfo } from './schemas.ts';

const LIST_CHATS_MAX_LIMIT = 20;
const HISTORY_MAX_LIMIT = 100;

function clampLimit(limit: number | undefined, max: number): number | undefined {
  if (limit === undefined) return undefined;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

function page<T>(items: T[], nextPageToken: string | undefined): Page<T> {
  return nextPageToken !== undefined ? { items, nextPageToken } : { items };
}

/**
 * `MarketPort` over the Yandex Market Partner API for one cabinet.
 *
 * Reads retry network errors, 5xx, 423 and 420 (after the quota window) with full-jitter backoff and
 * throw a typed error when attempts run out; 401/403 throw a `MarketCredentialsError` (the bridge's
 * FatalError) at once, except a 403 to an order read (`getOrder`), which only the card needs. Writes are
 * sent at most once: `sendMessage`/`sendFile` return a `SendOutcome`, `createChat` a `NewChatOutcome`.
 */
export class MarketClient implements MarketPort {
  readonly #businessId: number;
  readonly #log: Logger;
  readonly #maxWriteWaitMs: number;
  readonly #sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #quota: QuotaTracker;
  readonly #transport: MarketTransport;
  readonly #errors: ErrorContext;
  readonly #retry: ReadRetry;
  /** A read through the one retry point (see `readThrough`). */
  readonly #read: Read;
  readonly #attachments: AttachmentDownloader;
  readonly #orders: OrderReader;
  /** The FeedbackPort: product reviews and questions, through the same transport, quotas and retries. */
  readonly feedback: FeedbackPort;
  readonly #products: ProductReader;

  constructor(options: MarketClientOptions) {
    const settings = resolveOptions(options);
    this.#businessId = settings.businessId;
    this.#log = settings.log;
    this.#maxWriteWaitMs = settings.maxWriteWaitMs;
    this.#sleepFn = settings.sleep;
    this.#now = settings.now;
    this.#signal = settings.signal;
    this.#quota = new QuotaTracker(this.#now);
    const transport = new MarketTransport(settings, this.#quota);
    this.#transport = transport;
    this.#errors = { quota: this.#quota, now: this.#now, redact: (text) => transport.redact(text) };
    this.#retry = new ReadRetry(settings, this.#quota);
    this.#read = readThrough({ transport, retry: this.#retry, errors: this.#errors });
    this.#attachments = new AttachmentDownloader(settings, {
      transport,
      quota: this.#quota,
      retry: this.#retry,
      errors: this.#errors,
    });
    this.#orders = new OrderReader({
      businessId: this.#businessId,
      read: this.#read,
      tokenInfo: () => this.getTokenInfo(),
      now: this.#now,
      log: this.#log,
    });
    const feedbackDeps = () => ({
      businessId: this.#businessId,
      read: this.#read,
      write: (req: ApiRequest) => this.#write(req),
      log: this.#log,
      signal: this.#signal,
    });
    this.feedback = new FeedbackMethods(new QuestionMethods(feedbackDeps()), new ReviewMethods(feedbackDeps()));
    this.#products = new ProductReader({
      businessId: this.#businessId,
      read: (req, schema, readOptions) => this.#read(req, schema, readOptions),
      now: this.#now,
      log: this.#log,
    });
  }

  /**
   * The ProductPort: product names and links by SKU (getOfferMappings), one attempt each, through the same transport
   * and quotas. Needs the "offers and cards" access, which `communication` does not give: without it, no names.
   */
  get products(): ProductPort {
    return this.#products;
  }

  /** When the Market last answered any request (epoch ms), for health checks. */
  get lastAnswerAt(): number | undefined {
    return this.#transport.lastAnswerAt;
  }

  /** Closes the client's own HTTP agents (an injected dispatcher is left to its owner). */
  async close(): Promise<void> {
    await Promise.all([this.#transport.close(), this.#attachments.close()]);
  }

  /** The last quota the Market reported, per operationId, for metrics. */
  quotaSnapshot(): Record<string, QuotaState> {
    return this.#quota.snapshot();
  }

  /** When the 420 window of `operation` (a spec operationId) ends, if it is blocked now. */
  blockedUntil(operation: string): Date | undefined {
    return this.#quota.blockedUntil(operation);
  }

  // ---- MarketPort: reads ----------------------------------------------------------------------

  /**
   * One page of chats (getChats). `statuses` filters; 'UNKNOWN' is never sent, and a filter made only
   * of 'UNKNOWN' matches nothing, so it returns an empty page without a request. `limit` is clamped to 1–20.
   */
  async listChats(query: {
    statuses?: readonly ChatStatus[];
    pageToken?: string;
    limit?: number;
  }): Promise<Page<MarketChat>> {
    const body: { statuses?: ChatStatus[] } = {};
    if (query.statuses !== undefined && query.statuses.length > 0) {
      const known = new Set<string>(CHAT_STATUSES);
      const statuses = [...new Set(query.statuses)].filter((s) => known.has(s));
      if (statuses.length === 0) return { items: [] };
      body.statuses = statuses;
    }
    const res = await this.#read(
      {
        operation: 'getChats',
        method: 'POST',
        path: this.#businessPath('/chats'),
        query: { pageToken: query.pageToken, limit: clampLimit(query.limit, LIST_CHATS_MAX_LIMIT) },
        json: body,
      },
      getChatsResponseSchema,
    );
    return page(res.result.chats, res.result.paging);
  }

  /** One chat by id (getChat); undefined when the Market answers 404 (no such chat, or not ours). */
  async findChat(chatId: MarketChatId): Promise<MarketChat | undefined> {
    try {
      return await this.getChat(chatId);
    } catch (err) {
      if (err instanceof MarketApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** One chat by id (getChat). */
  async getChat(chatId: MarketChatId): Promise<MarketChat> {
    const res = await this.#read(
      { operation: 'getChat', method: 'GET', path: this.#businessPath('/chat'), query: { chatId } },
      getChatResponseSchema,
    );
    return res.result;
  }

  /** One page of a chat's history (getChatHistory). `limit` is clamped to 1–100. */
  async getHistory(
    chatId: MarketChatId,
    query: { messageIdFrom?: MarketMessageId; pageToken?: string; limit?: number },
  ): Promise<Page<MarketMessage>> {
    const res = await this.#read(
      {
        operation: 'getChatHistory',
        method: 'POST',
        path: this.#businessPath('/chats/history'),
        query: { chatId, pageToken: query.pageToken, limit: clampLimit(query.limit, HISTORY_MAX_LIMIT) },
        json: query.messageIdFrom !== undefined ? { messageIdFrom: query.messageIdFrom } : {},
      },
      getChatHistoryResponseSchema,
    );
    return page(res.result.messages, res.result.paging);
  }

  /** One message (getChatMessage). */
  async getMessage(chatId: MarketChatId, messageId: MarketMessageId): Promise<MarketMessage> {
    const res = await this.#read(
      {
        operation: 'getChatMessage',
        method: 'GET',
        path: this.#businessPath('/chats/message'),
        query: { chatId, messageId },
      },
      getChatMessageResponseSchema,
    );
    return res.result;
  }

  /**
   * The Api-Key's name and scopes (getAuthTokenInfo, 100 calls/hour): a startup credentials check. The
   * scopes also tell which order method `getOrder` uses, and whether product names may be read.
   */
  async getTokenInfo(): Promise<TokenInfo> {
    const res = await this.#read(
      { operation: 'getAuthTokenInfo', method: 'POST', path: '/v2/auth/token' },
      getTokenInfoResponseSchema,
    );
    this.#orders.noteScopes(res.result.scopes);
    this.#products.noteScopes(res.result.scopes);
    return res.result;
  }

  /** Every shop the key reaches, with its cabinet (getCampaigns, all pages; see campaigns.ts). */
  campaigns(): Promise<MarketCampaign[]> {
    return readCampaigns(this.#read);
  }

  /**
   * The order a chat is about (see `MarketPort.getOrder`): through getBusinessOrders when the key has an
   * order-processing scope, else through the deprecated getOrder, which needs `campaignId`. Undefined when
   * the Market does not find it. A 403 is a `MarketApiError` here, not a fatal error.
   */
  getOrder(context: { campaignId?: number; orderId: number }): Promise<OrderSummary | undefined> {
    return this.#orders.getOrder(context);
  }

  /**
   * Which order method `getOrder` uses, as far as known without a request. `legacy` means the key loses
   * order details when the Market switches getOrder off (`GET_ORDER_SHUTDOWN_DATE` in orders.ts).
   */
  orderSource(): OrderSource {
    return this.#orders.source();
  }

  /** Like `orderSource`, but asks the Market for the key's scopes (getAuthTokenInfo) when they are not known. */
  resolveOrderSource(): Promise<OrderSource> {
    return this.#orders.resolveSource();
  }

  /**
   * Downloads an attachment URL from a Market message. Asks first without credentials; only when that
   * gets 401/403 and the URL is on the configured Market origin, asks once more with the Api-Key.
   * Redirects are followed (at most 5), and the key never follows one to another origin. Reading stops
   * past `maxBytes` with `MarketAttachmentTooLargeError`. At most `maxConcurrentDownloads` run at once.
   * A host other than the Market origin that is or resolves to a private address (on any hop) ends in
   * `MarketAttachmentHostRefusedError`, unless allowed. Errors here are never fatal.
   */
  downloadAttachment(url: string, maxBytes: number): Promise<{ data: Uint8Array; contentType?: string }> {
    return this.#attachments.download(url, maxBytes);
  }

  // ---- MarketPort: writes ---------------------------------------------------------------------

  /** Sends a text (sendMessageToChat). Sent at most once; expected failures are outcomes. */
  sendMessage(chatId: MarketChatId, text: string, options: SendOptions = {}): Promise<SendOutcome> {
    return this.#outcome(
      'sendMessageToChat',
      this.#write({
        operation: 'sendMessageToChat',
        method: 'POST',
        path: this.#businessPath('/chats/message'),
        query: { chatId },
        json: { message: text },
        beforeSend: options.beforeSend,
      }),
    );
  }

  /** Sends a file as the multipart part `file` (sendFileToChat). Sent at most once. */
  sendFile(chatId: MarketChatId, file: MarketFile, options: SendOptions = {}): Promise<SendOutcome> {
    const form = new FormData();
    form.append('file', new Blob([file.data], { type: file.contentType ?? 'application/octet-stream' }), file.name);
    return this.#outcome(
      'sendFileToChat',
      this.#write({
        operation: 'sendFileToChat',
        method: 'POST',
        path: this.#businessPath('/chats/file/send'),
        query: { chatId },
        form,
        beforeSend: options.beforeSend,
      }),
    );
  }

  /**
   * Starts (or finds) the chat about an order or a return (createChat). Sent at most once; expected failures
   * are outcomes (404 not found, 400/403 refused, 420, no answer). The Market returns the existing chat when
   * there is one, so a caller may ask again after a failure.
   */
  createChat(subject: ChatSubject): Promise<NewChatOutcome> {
    const creating = async (): Promise<MarketChatId> => {
      const res = await this.#write({
        operation: 'createChat',
        method: 'POST',
        path: this.#businessPath('/chats/new'),
        json: { context: { type: subject.type, id: subject.id } },
      });
      return parseAnswer('createChat', res, createChatResponseSchema).result;
    };
    return newChatOutcome(creating(), this.#log, this.#signal);
  }

  // ---- reads and writes -----------------------------------------------------------------------

  #businessPath(suffix: string): string {
    return `/v2/businesses/${this.#businessId}${suffix}`;
  }

  /**
   * Sends a write once and returns its 2xx answer, or throws a typed error. A short open 420 window
   * is waited out first (nothing has been sent yet); a long one throws `MarketRateLimitError` at once.
   */
  async #write(req: ApiRequest): Promise<RawResponse> {
    const until = this.#quota.blockedUntil(req.operation);
    if (until !== undefined) {
      const waitMs = until.getTime() - this.#now();
      if (waitMs > this.#maxWriteWaitMs) {
        throw new MarketRateLimitError(req.operation, until, req.operation, 'quota window from an earlier 420');
      }
      await this.#sleepFn(waitMs, this.#signal);
    }
    const res = await this.#transport.exchangeApi(req);
    if (!isSuccess(res.status)) throw errorFrom(this.#errors, req.operation, res);
    return res;
  }

  /** Maps a write's result onto a SendOutcome. Only a fatal error (401/403) or a bug is thrown. */
  #outcome(operation: Operation, sending: Promise<RawResponse>): Promise<SendOutcome> {
    return sendOutcome(operation, sending, this.#log, this.#signal);
  }
}
