/**
 * The Yandex Market Partner API client for one cabinet (business): the Market side of the bridge.
 *
 * Three thin layers: `#exchange` performs one HTTP exchange (limiter, timeouts, capped body, network
 * error classification); `#read` / `#write` turn answers into values or typed errors, reads through the
 * one retry loop `#retrying`, writes never retried; the public methods are the typed facade of
 * `MarketPort`. The Api-Key goes only to the configured Market origin and never into logs or errors.
 * Attachment downloads share one small concurrency limit of their own (the Market origin's also take a
 * Market slot) and, on hosts other than the Market origin, connect only to public addresses unless
 * `allowPrivateAttachmentHosts` is set.
 */
import { Blob } from 'node:buffer';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Agent, FormData, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { MarketChatId, MarketMessageId } from '../bridge/ids.ts';
import { CHAT_STATUSES } from '../bridge/model.ts';
import type { ChatStatus, MarketChat, MarketMessage } from '../bridge/model.ts';
import type { MarketFile, MarketPort, Page, SendOptions, SendOutcome } from '../bridge/ports.ts';
import { PrivateAddressError, guardedConnector } from './address-guard.ts';
import {
  MarketApiError,
  MarketCredentialsError,
  MarketAttachmentHostRefusedError,
  MarketAttachmentTooLargeError,
  MarketError,
  MarketNetworkError,
  MarketRateLimitError,
  MarketSchemaError,
} from './errors.ts';
import type { MarketErrorEntry } from './errors.ts';
import { ConcurrencyLimiter, QuotaTracker, header, parseHttpDate, parseRetryAfter } from './quota.ts';
import type { QuotaState, ResponseHeaders } from './quota.ts';
import {
  apiErrorResponseSchema,
  createChatResponseSchema,
  emptyApiResponseSchema,
  getChatHistoryResponseSchema,
  getChatMessageResponseSchema,
  getChatResponseSchema,
  getChatsResponseSchema,
  getTokenInfoResponseSchema,
} from './schemas.ts';
import type { TokenInfo } from './schemas.ts';

export type { TokenInfo } from './schemas.ts';

/** Options of `MarketClient`. Everything after `integration` has a production default. */
export interface MarketClientOptions {
  /** `https://api.partner.market.yandex.ru` in production. The Api-Key is sent only to this origin. */
  baseUrl: string;
  /** The cabinet's Api-Key (needs the `communication` scope). */
  apiKey: string;
  /** The cabinet (business) id. */
  businessId: number;
  logger: Logger;
  /** Sent as `X-Market-Integration`, e.g. 'marketgram/0.1.0' (ASCII, at most 100 characters). */
  integration: string;
  /** Requests in flight at once for this cabinet (default 2; the Market allows 2–4). */
  maxConcurrent?: number;
  /** Deadline of one HTTP exchange, from sending to the last body byte (default 15 000 ms). */
  requestTimeoutMs?: number;
  /** Read retries: total attempts (default 4) and full-jitter exponential backoff bounds. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Waits between attempts and for quota windows; injectable for tests. Must reject when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock in epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
  /** HTTP dispatcher; by default the client owns an undici Agent and closes it in `close()`. */
  dispatcher?: Dispatcher;
  /** Aborted on shutdown: stops waits (backoff, quota windows, the limiter queue); requests in flight finish. */
  signal?: AbortSignal;
  /** Longest 420 window a read waits out (default 60 000 ms); a longer one throws MarketRateLimitError at once. */
  maxRateLimitWaitMs?: number;
  /** Longest 420 window a write waits out before starting (default 3 000 ms); longer → `rate-limited`. */
  maxWriteWaitMs?: number;
  /** Attachment downloads in flight at once, all hosts together (default 2); each buffers up to its `maxBytes`. */
  maxConcurrentDownloads?: number;
  /**
   * Let attachment downloads connect to loopback, private and link-local addresses (default false).
   * The configured Market origin is always allowed: the operator chose it.
   */
  allowPrivateAttachmentHosts?: boolean;
}

/** Spec operationIds, used as quota keys, log fields and error `operation`s. */
type Operation =
  | 'getChats'
  | 'getChat'
  | 'getChatHistory'
  | 'getChatMessage'
  | 'sendMessageToChat'
  | 'sendFileToChat'
  | 'createChat'
  | 'getAuthTokenInfo'
  | 'downloadAttachment';

interface ApiRequest {
  operation: Operation;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** For writes: runs after the request got its slot, just before it is written (see SendOptions). */
  beforeSend?: () => Promise<void>;
}

interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
}

const DEFAULTS = {
  maxConcurrent: 2,
  requestTimeoutMs: 15_000,
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRateLimitWaitMs: 60_000,
  maxWriteWaitMs: 3_000,
  maxConcurrentDownloads: 2,
} as const;

/** Wait after a 420 that carries no usable window (e.g. the parallel-request limit). */
const RATE_LIMIT_FALLBACK_MS = 2_000;
/** Cap on a JSON answer; the biggest legitimate one (20 chats, 100 messages) is far smaller. */
const MAX_API_BODY_BYTES = 8 * 1024 * 1024;
/** How much of an error body to read for its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 5;
const LIST_CHATS_MAX_LIMIT = 20;
const HISTORY_MAX_LIMIT = 100;

/** Connection-phase failures: the request was never written, so a write surely did not happen. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `err` certainly happened before the request was written (including Happy Eyeballs aggregates). */
function failedBeforeSending(err: unknown): boolean {
  const code = errorCode(err);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return true;
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.every(failedBeforeSending);
  return false;
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

function clampLimit(limit: number | undefined, max: number): number | undefined {
  if (limit === undefined) return undefined;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}

/** Reads a body up to `maxBytes`; past it, stops reading and calls `onExcess` (throw) or truncates. */
async function readBody(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  maxBytes: number,
  onExcess: (() => Error) | 'truncate',
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    if (total + chunk.length > maxBytes) {
      body.destroy();
      if (onExcess === 'truncate') {
        chunks.push(chunk.subarray(0, maxBytes - total));
        total = maxBytes;
        break;
      }
      throw onExcess();
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks, total);
}

/**
 * `MarketPort` over the Yandex Market Partner API for one cabinet.
 *
 * Reads retry network errors, 5xx, 423 and 420 (after the quota window) with full-jitter backoff and
 * throw a typed error when attempts run out; 401/403 throw a `MarketCredentialsError` (the bridge's FatalError) at once. Writes
 * are sent at most once: `sendMessage`/`sendFile` return a `SendOutcome`, `createChat` throws.
 */
export class MarketClient implements MarketPort {
  readonly #baseUrl: URL;
  readonly #apiKey: string;
  readonly #businessId: number;
  readonly #log: Logger;
  readonly #integration: string;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #maxWriteWaitMs: number;
  readonly #sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #limiter: ConcurrencyLimiter;
  /** Attachment downloads, all hosts together; separate from the Market's request slots. */
  readonly #downloads: ConcurrencyLimiter;
  /** Connects to attachment hosts other than the Market origin (refusing private addresses unless allowed). */
  readonly #attachmentDispatcher: Dispatcher;
  readonly #quota: QuotaTracker;
  #lastAnswerAt: number | undefined;

  constructor(options: MarketClientOptions) {
    this.#baseUrl = new URL(options.baseUrl);
    if (this.#baseUrl.protocol !== 'https:' && this.#baseUrl.protocol !== 'http:') {
      throw new TypeError('MarketClient baseUrl must be an http(s) URL');
    }
    if (!options.apiKey) throw new TypeError('MarketClient needs an apiKey (MARKET_API_KEY)');
    if (!Number.isSafeInteger(options.businessId) || options.businessId < 1) {
      throw new TypeError('MarketClient businessId (MARKET_BUSINESS_ID) must be a positive integer');
    }
    if (!/^[\x20-\x7e]{1,100}$/.test(options.integration)) {
      throw new TypeError('MarketClient integration must be 1–100 printable ASCII characters');
    }
    this.#apiKey = options.apiKey;
    this.#businessId = options.businessId;
    this.#integration = options.integration;
    this.#log = options.logger.child({ component: 'market-client', businessId: options.businessId });
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.#attempts = Math.max(1, options.retry?.attempts ?? DEFAULTS.attempts);
    this.#baseDelayMs = options.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs;
    this.#maxDelayMs = options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? DEFAULTS.maxRateLimitWaitMs;
    this.#maxWriteWaitMs = options.maxWriteWaitMs ?? DEFAULTS.maxWriteWaitMs;
    this.#sleepFn = options.sleep ?? defaultSleep;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#signal = options.signal;
    this.#limiter = new ConcurrencyLimiter(options.maxConcurrent ?? DEFAULTS.maxConcurrent);
    this.#quota = new QuotaTracker(this.#now);
    this.#downloads = new ConcurrencyLimiter(options.maxConcurrentDownloads ?? DEFAULTS.maxConcurrentDownloads);
    // Shorter than the request deadline, so a hung connect is reported as "not sent".
    const connectTimeout = Math.max(1, Math.min(10_000, Math.floor(this.#timeoutMs / 2)));
    const agentOptions = {
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      // The Market does not support keep-alive; keep idle sockets briefly only.
      keepAliveTimeout: 1_000,
    };
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ ...agentOptions, connect: { timeout: connectTimeout } });
    this.#attachmentDispatcher = new Agent({
      ...agentOptions,
      connect:
        options.allowPrivateAttachmentHosts === true
          ? { timeout: connectTimeout }
          : guardedConnector({ timeout: connectTimeout }),
    });
  }

  /** When the Market last answered any request (epoch ms), for health checks. */
  get lastAnswerAt(): number | undefined {
    return this.#lastAnswerAt;
  }

  /** Closes the client's own HTTP agents (an injected dispatcher is left to its owner). */
  async close(): Promise<void> {
    await Promise.all([
      this.#ownsDispatcher ? this.#dispatcher.close() : undefined,
      this.#attachmentDispatcher.close(),
    ]);
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

  /** The Api-Key's name and scopes (getAuthTokenInfo, 100 calls/hour): a startup credentials check. */
  async getTokenInfo(): Promise<TokenInfo> {
    const res = await this.#read(
      { operation: 'getAuthTokenInfo', method: 'POST', path: '/v2/auth/token' },
      getTokenInfoResponseSchema,
    );
    return res.result;
  }

  /**
   * Downloads an attachment URL from a Market message. Asks first without credentials; only when that
   * gets 401/403 and the URL is on the configured Market origin, asks once more with the Api-Key.
   * Redirects are followed (at most 5), and the key never follows one to another origin. Reading stops
   * past `maxBytes` with `MarketAttachmentTooLargeError`. At most `maxConcurrentDownloads` run at once.
   * A host other than the Market origin that is or resolves to a private address (on any hop) ends in
   * `MarketAttachmentHostRefusedError`, unless allowed. Errors here are never fatal.
   */
  async downloadAttachment(url: string, maxBytes: number): Promise<{ data: Uint8Array; contentType?: string }> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new MarketSchemaError('downloadAttachment', [
        { code: 'custom', path: ['url'], message: 'attachment URL is not a valid URL' },
      ]);
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      throw new MarketSchemaError('downloadAttachment', [
        { code: 'custom', path: ['url'], message: `unsupported attachment URL scheme ${target.protocol}` },
      ]);
    }
    const attempt = async () => {
      let res = await this.#fetchAttachment(target, false, maxBytes);
      if ((res.status === 401 || res.status === 403) && target.origin === this.#baseUrl.origin) {
        this.#log.debug({ operation: 'downloadAttachment', status: res.status }, 'retrying attachment with Api-Key');
        res = await this.#fetchAttachment(target, true, maxBytes);
      }
      if (!isSuccess(res.status)) throw this.#errorFrom('downloadAttachment', res, { fatalOnAuth: false });
      const contentType = header(res.headers, 'content-type');
      const data = new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
      return contentType !== undefined ? { data, contentType } : { data };
    };
    try {
      // The download slot is held per attempt, not across the backoff between attempts.
      return await this.#retrying('downloadAttachment', () => this.#downloads.run(attempt, this.#signal));
    } catch (err) {
      if (err instanceof MarketAttachmentHostRefusedError) {
        this.#log.warn(
          { operation: 'downloadAttachment', host: err.host, address: err.address },
          'attachment host refused',
        );
      }
      throw err;
    }
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
   * Starts (or finds) the chat about an order or a return (createChat). Sent at most once; throws the
   * typed Market errors. The Market returns the existing chat when there is one, so a caller may repeat it.
   */
  async createChat(context: { type: 'ORDER' | 'RETURN'; id: number }): Promise<MarketChatId> {
    const res = await this.#write({
      operation: 'createChat',
      method: 'POST',
      path: this.#businessPath('/chats/new'),
      json: { context: { type: context.type, id: context.id } },
    });
    return this.#parse('createChat', res, createChatResponseSchema).result;
  }

  // ---- reads and writes -----------------------------------------------------------------------

  async #read<S extends z.ZodType>(req: ApiRequest, schema: S): Promise<z.output<S>> {
    return this.#retrying(req.operation, async () => {
      const res = await this.#exchangeApi(req);
      if (!isSuccess(res.status)) throw this.#errorFrom(req.operation, res);
      return this.#parse(req.operation, res, schema);
    });
  }

  /**
   * The only retry loop. Retries network errors, 5xx, 423, 420 (after the window) and one malformed
   * 2xx body; everything else, and the last failure, is thrown. Before each attempt a known 420
   * window of the operation is waited out, or thrown if it is longer than `maxRateLimitWaitMs`.
   */
  async #retrying<T>(operation: Operation, attempt: () => Promise<T>): Promise<T> {
    let schemaRetried = false;
    for (let n = 1; ; n++) {
      await this.#waitForWindow(operation);
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof MarketError) || n >= this.#attempts) throw err;
        let delayMs: number;
        if (err instanceof MarketRateLimitError) {
          delayMs = Math.max(0, err.until.getTime() - this.#now());
          if (delayMs > this.#maxRateLimitWaitMs) throw err;
        } else if (
          err instanceof MarketNetworkError ||
          (err instanceof MarketApiError && (err.status >= 500 || err.status === 423)) ||
          (err instanceof MarketSchemaError && !schemaRetried)
        ) {
          if (err instanceof MarketSchemaError) schemaRetried = true;
          delayMs = this.#backoff(n);
        } else {
          throw err;
        }
        this.#log.warn(
          {
            operation,
            status: err instanceof MarketApiError || err instanceof MarketRateLimitError ? err.status : undefined,
            code: err.code,
            attempt: n,
            delayMs,
          },
          'Market request failed, retrying',
        );
        // A 420 window is waited out by #waitForWindow at the top of the loop.
        if (!(err instanceof MarketRateLimitError)) await this.#sleepFn(delayMs, this.#signal);
      }
    }
  }

  async #waitForWindow(operation: Operation): Promise<void> {
    const until = this.#quota.blockedUntil(operation);
    if (until === undefined) return;
    const waitMs = until.getTime() - this.#now();
    if (waitMs > this.#maxRateLimitWaitMs) {
      throw new MarketRateLimitError(operation, until, operation, 'quota window from an earlier 420 is still open');
    }
    this.#log.debug({ operation, waitMs }, 'waiting for the Market quota window');
    await this.#sleepFn(waitMs, this.#signal);
  }

  /** Full jitter: uniform in [0, min(max, base · 2^(n-1))]. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.#random() * ceiling);
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
    const res = await this.#exchangeApi(req);
    if (!isSuccess(res.status)) throw this.#errorFrom(req.operation, res);
    return res;
  }

  /** Maps a write's result onto a SendOutcome. Only a fatal error (401/403) or a bug is thrown. */
  async #outcome(operation: Operation, sending: Promise<RawResponse>): Promise<SendOutcome> {
    try {
      const res = await sending;
      const parsed = this.#tryJson(res.body);
      if (!emptyApiResponseSchema.safeParse(parsed).success) {
        this.#log.warn({ operation, status: res.status }, 'Market accepted the write with an unexpected body');
      }
      return { kind: 'sent' };
    } catch (err) {
      const outcome = this.#failureOutcome(err);
      if (outcome === undefined) throw err;
      this.#log.info({ operation, outcome: outcome.kind, reason: outcome.reason }, 'Market write not delivered');
      return outcome;
    }
  }

  #failureOutcome(err: unknown): Exclude<SendOutcome, { kind: 'sent' }> | undefined {
    if (err instanceof MarketRateLimitError) return { kind: 'rate-limited', retryAt: err.until, reason: err.reason };
    if (err instanceof MarketCredentialsError) return undefined;
    if (err instanceof MarketApiError) {
      if (err.status >= 500) return { kind: 'ambiguous', reason: `HTTP ${err.status}: ${err.reason}` };
      // 423 Locked (e.g. the cabinet is migrating): refused before anything happened, later may work.
      if (err.status === 423) return { kind: 'not-sent', reason: `HTTP 423: ${err.reason}` };
      return { kind: 'rejected', status: err.status, reason: err.reason };
    }
    if (err instanceof MarketNetworkError) {
      return err.mayHaveReachedServer
        ? { kind: 'ambiguous', reason: err.message }
        : { kind: 'not-sent', reason: err.message };
    }
    // Aborted while waiting for the limiter or a quota window: nothing was written.
    if (this.#signal?.aborted) return { kind: 'not-sent', reason: 'shutting down before the request was sent' };
    return undefined;
  }

  #parse<S extends z.ZodType>(operation: Operation, res: RawResponse, schema: S): z.output<S> {
    const json = this.#tryJson(res.body);
    if (json === undefined) {
      throw new MarketSchemaError(operation, [{ code: 'custom', path: [], message: 'body is not JSON' }]);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new MarketSchemaError(operation, parsed.error.issues);
    return parsed.data;
  }

  #tryJson(body: Buffer): unknown {
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Turns a non-2xx answer into the typed error; a 420 also blocks the operation until its window ends. */
  #errorFrom(
    operation: Operation,
    res: RawResponse,
    options: { fatalOnAuth?: boolean } = {},
  ): MarketError | MarketCredentialsError {
    const parsed = apiErrorResponseSchema.safeParse(this.#tryJson(res.body));
    const entries: MarketErrorEntry[] = parsed.success ? (parsed.data.errors ?? []) : [];
    const errors: MarketErrorEntry[] = entries.map((e) =>
      e.message !== undefined
        ? { code: this.#redact(e.code), message: this.#redact(e.message) }
        : { code: this.#redact(e.code) },
    );
    if (res.status === 420) {
      const until = this.#rateLimitUntil(res.headers);
      this.#quota.block(operation, until);
      const reason = errors.length > 0 ? errors.map((e) => e.message ?? e.code).join('; ') : 'HTTP 420';
      return new MarketRateLimitError(operation, until, operation, reason);
    }
    const fatal = (options.fatalOnAuth ?? true) && (res.status === 401 || res.status === 403);
    const text = this.#redact(res.body.toString('utf8', 0, Math.min(res.body.length, 200))).trim();
    if (fatal) return new MarketCredentialsError(operation, res.status, errors, { detail: text || undefined });
    return new MarketApiError(operation, res.status, errors, { detail: text || undefined });
  }

  /**
   * The end of a 420 window in local time: the later of X-RateLimit-Resource-Until and Retry-After,
   * corrected for clock skew by the answer's Date header; a short fallback when neither is usable.
   */
  #rateLimitUntil(headers: ResponseHeaders): Date {
    const nowMs = this.#now();
    const serverNow = parseHttpDate(header(headers, 'date'))?.getTime();
    const toLocal = (at: Date) => (serverNow !== undefined ? nowMs + (at.getTime() - serverNow) : at.getTime());
    const candidates: number[] = [];
    const until = parseHttpDate(header(headers, 'x-ratelimit-resource-until'));
    if (until) candidates.push(toLocal(until));
    const retryAfter = parseRetryAfter(header(headers, 'retry-after'));
    if (retryAfter) candidates.push('delayMs' in retryAfter ? nowMs + retryAfter.delayMs : toLocal(retryAfter.at));
    const best = Math.max(...candidates);
    return new Date(candidates.length > 0 && best > nowMs ? best : nowMs + RATE_LIMIT_FALLBACK_MS);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  #businessPath(suffix: string): string {
    return `/v2/businesses/${this.#businessId}${suffix}`;
  }

  /** One Partner API exchange with credentials, through the limiter; records the quota headers. */
  async #exchangeApi(req: ApiRequest): Promise<RawResponse> {
    const url = new URL(req.path, this.#baseUrl);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      'api-key': this.#apiKey,
      'x-market-integration': this.#integration,
      accept: 'application/json',
    };
    let body: string | FormData | undefined;
    if (req.form !== undefined) {
      body = req.form; // undici sets the multipart Content-Type with its boundary
    } else if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const res = await this.#exchange(req.operation, url, req.method, headers, body, {
      limited: true,
      beforeSend: req.beforeSend,
      maxBytes: MAX_API_BODY_BYTES,
      onExcess: () =>
        new MarketSchemaError(req.operation, [
          { code: 'custom', path: [], message: `body larger than ${MAX_API_BODY_BYTES} bytes` },
        ]),
    });
    this.#quota.record(req.operation, res.headers);
    // Nothing left in this window: later calls wait for it to end instead of spending requests on 420s
    // (the Market counts those too). A 420 itself is handled by the caller.
    if (res.status !== 420 && this.#quota.snapshot()[req.operation]?.remaining === 0) {
      this.#quota.block(req.operation, this.#rateLimitUntil(res.headers));
    }
    return res;
  }

  /** GETs an attachment, following redirects; the key is attached only on the Market origin. */
  async #fetchAttachment(start: URL, withKey: boolean, maxBytes: number): Promise<RawResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const onMarket = url.origin === this.#baseUrl.origin;
      const headers: Record<string, string> = {};
      if (onMarket && withKey) {
        headers['api-key'] = this.#apiKey;
        headers['x-market-integration'] = this.#integration;
      }
      const res = await this.#exchange('downloadAttachment', url, 'GET', headers, undefined, {
        limited: onMarket,
        dispatcher: onMarket ? this.#dispatcher : this.#attachmentDispatcher,
        maxBytes,
        onExcess: () => new MarketAttachmentTooLargeError(url.host, maxBytes),
        errorBodyOnly: (status) => !isSuccess(status),
      });
      if (onMarket) this.#quota.record('downloadAttachment', res.headers);
      const location = header(res.headers, 'location');
      if (!isRedirect(res.status) || location === undefined) return res;
      if (hop >= MAX_REDIRECTS) {
        throw new MarketApiError('downloadAttachment', res.status, [], { detail: 'too many redirects' });
      }
      url = new URL(location, url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new MarketApiError('downloadAttachment', res.status, [], { detail: 'redirect to a non-HTTP URL' });
      }
    }
  }

  /**
   * One HTTP exchange: waits for a limiter slot (if `limited`), then sends with a deadline of
   * `requestTimeoutMs` and reads the body. Transport failures become `MarketNetworkError` telling
   * whether the request may have reached the server.
   */
  async #exchange(
    operation: Operation,
    url: URL,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: string | FormData | undefined,
    options: {
      limited: boolean;
      /** Default: the Market's own dispatcher. */
      dispatcher?: Dispatcher;
      maxBytes: number;
      onExcess: () => Error;
      /** Statuses whose body is read only for an error message (truncated, never too large). */
      errorBodyOnly?: (status: number) => boolean;
      beforeSend?: () => Promise<void>;
    },
  ): Promise<RawResponse> {
    const release = options.limited ? await this.#limiter.acquire(this.#signal) : undefined;
    if (options.beforeSend) {
      try {
        await options.beforeSend();
      } catch (err) {
        release?.();
        throw new MarketNetworkError(operation, false, err, `not sent: ${(err as Error).message}`);
      }
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    const fail = (err: unknown, phase: 'send' | 'body'): MarketNetworkError => {
      if (deadline.signal.aborted) {
        return new MarketNetworkError(operation, true, err, `timed out after ${this.#timeoutMs} ms`);
      }
      const notSent = phase === 'send' && failedBeforeSending(err);
      const code = errorCode(err);
      const text = err instanceof Error ? err.message : String(err);
      const detail = code !== undefined && !text.includes(code) ? `${code}: ${text}` : text || (code ?? 'unknown');
      return new MarketNetworkError(operation, !notSent, err, this.#redact(detail));
    };
    try {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          dispatcher: options.dispatcher ?? this.#dispatcher,
          method,
          headers,
          body: body ?? null,
          signal: deadline.signal,
          headersTimeout: this.#timeoutMs,
          bodyTimeout: this.#timeoutMs,
        });
      } catch (err) {
        const refused = privateAddressError(err);
        if (refused) throw new MarketAttachmentHostRefusedError(url.host, refused.address);
        throw fail(err, 'send');
      }
      this.#lastAnswerAt = this.#now();
      const errorOnly = options.errorBodyOnly?.(res.statusCode) ?? false;
      const announced = Number(header(res.headers, 'content-length'));
      if (!errorOnly && Number.isFinite(announced) && announced > options.maxBytes) {
        discard(res.body);
        const err = options.onExcess();
        if (err instanceof MarketAttachmentTooLargeError) {
          throw new MarketAttachmentTooLargeError(err.host, err.maxBytes, announced);
        }
        throw err;
      }
      let data: Buffer;
      try {
        data = await readBody(
          res.body,
          errorOnly ? MAX_ERROR_BODY_BYTES : options.maxBytes,
          errorOnly ? 'truncate' : options.onExcess,
        );
      } catch (err) {
        if (err instanceof MarketError) throw err;
        throw fail(err, 'body');
      }
      return { status: res.statusCode, headers: res.headers, body: data };
    } finally {
      clearTimeout(timer);
      release?.();
    }
  }

  /** Removes the Api-Key from text that came from elsewhere (error bodies, transport messages). */
  #redact(text: string): string {
    return text.split(this.#apiKey).join('[redacted]');
  }
}

/** The `PrivateAddressError` behind a failed connection, if that is why it failed (Happy Eyeballs aggregates too). */
function privateAddressError(err: unknown): PrivateAddressError | undefined {
  if (err instanceof PrivateAddressError) return err;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const found = privateAddressError(e);
      if (found) return found;
    }
  }
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== err ? privateAddressError(cause) : undefined;
}

/** Stops reading a body we do not want; undici reports that as an abort, which nobody needs to hear. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function page<T>(items: T[], nextPageToken: string | undefined): Page<T> {
  return nextPageToken !== undefined ? { items, nextPageToken } : { items };
}
