/**
 * One HTTP exchange with the Market or an attachment host: the request slot (at most `maxConcurrent` in
 * flight), the deadline, the capped body, and network failures classified by whether the request may
 * have reached the server. Owns the Api-Key: it is attached only to the configured Market origin and
 * redacted from any text that came from elsewhere. Partner API exchanges record the quota headers.
 */
import { Agent, request } from 'undici';
import type { Dispatcher, FormData } from 'undici';
import {
  MarketAttachmentHostRefusedError,
  MarketAttachmentTooLargeError,
  MarketError,
  MarketNetworkError,
  MarketSchemaError,
} from './errors.ts';
import { errorCode, failedBeforeSending, privateAddressError } from './network-failures.ts';
import type { MarketConnection } from './options.ts';
import { ConcurrencyLimiter, header, rateLimitUntil } from './quota.ts';
import type { QuotaTracker, ResponseHeaders } from './quota.ts';

/** Spec operationIds, used as quota keys, log fields and error `operation`s. */
export type Operation =
  | 'getChats'
  | 'getChat'
  | 'getChatHistory'
  | 'getChatMessage'
  | 'sendMessageToChat'
  | 'sendFileToChat'
  | 'createChat'
  | 'getAuthTokenInfo'
  | 'getOrder'
  | 'getBusinessOrders'
  | 'getCampaigns'
  | 'getGoodsQuestions'
  | 'getGoodsQuestionAnswers'
  | 'updateGoodsQuestionTextEntity'
  | 'getGoodsFeedbacks'
  | 'getGoodsFeedbackComments'
  | 'updateGoodsFeedbackComment'
  | 'deleteGoodsFeedbackComment'
  | 'skipGoodsFeedbacksReaction'
  | 'getOfferMappings'
  | 'downloadAttachment';

/** One Partner API call, relative to the Market origin. */
export interface ApiRequest {
  operation: Operation;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** For writes: runs after the request got its slot, just before it is written (see SendOptions). */
  beforeSend?: () => Promise<void>;
}

/** An answer with its body read (within the exchange's cap). */
export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
}

/** Options of one `MarketTransport.exchange`. */
export interface ExchangeOptions {
  /** Take one of the Market's request slots (every exchange with the Market origin does). */
  limited: boolean;
  /** Attach the Api-Key; honoured only when the URL is on the configured Market origin. */
  credentials?: boolean;
  /** Default: the Market's own dispatcher. */
  dispatcher?: Dispatcher;
  maxBytes: number;
  onExcess: () => Error;
  /** Statuses whose body is read only for an error message (truncated, never too large). */
  errorBodyOnly?: (status: number) => boolean;
  beforeSend?: () => Promise<void>;
}

/** Cap on a JSON answer; the biggest legitimate one (20 chats, 100 messages) is far smaller. */
const MAX_API_BODY_BYTES = 8 * 1024 * 1024;
/** How much of an error body to read for its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export const isSuccess = (status: number) => status >= 200 && status < 300;

/** undici Agent settings for one exchange deadline; the connect timeout is shorter, so a hung connect is "not sent". */
export function agentOptions(timeoutMs: number) {
  return {
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // The Market does not support keep-alive; keep idle sockets briefly only.
    keepAliveTimeout: 1_000,
    connectTimeout: Math.max(1, Math.min(10_000, Math.floor(timeoutMs / 2))),
  };
}

/** HTTP exchanges of one cabinet: the Market's request slots, its dispatcher and its Api-Key. */
export class MarketTransport {
  readonly #baseUrl: URL;
  readonly #apiKey: string;
  readonly #integration: string;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #limiter: ConcurrencyLimiter;
  readonly #quota: QuotaTracker;
  #lastAnswerAt: number | undefined;

  constructor(settings: MarketConnection, quota: QuotaTracker) {
    this.#baseUrl = settings.baseUrl;
    this.#apiKey = settings.apiKey;
    this.#integration = settings.integration;
    this.#timeoutMs = settings.requestTimeoutMs;
    this.#now = settings.now;
    this.#signal = settings.signal;
    this.#limiter = new ConcurrencyLimiter(settings.maxConcurrent);
    this.#quota = quota;
    const { connectTimeout, ...agent } = agentOptions(this.#timeoutMs);
    this.#ownsDispatcher = settings.dispatcher === undefined;
    this.#dispatcher = settings.dispatcher ?? new Agent({ ...agent, connect: { timeout: connectTimeout } });
  }

  /** When the Market last answered any request (epoch ms). */
  get lastAnswerAt(): number | undefined {
    return this.#lastAnswerAt;
  }

  /** Closes the transport's own agent (an injected dispatcher is left to its owner). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** True when `url` is on the configured Market origin (the only one that gets the Api-Key). */
  isMarketOrigin(url: URL): boolean {
    return url.origin === this.#baseUrl.origin;
  }

  /** One Partner API exchange with credentials, through the limiter; records the quota headers. */
  async exchangeApi(req: ApiRequest): Promise<RawResponse> {
    const url = new URL(req.path, this.#baseUrl);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | FormData | undefined;
    if (req.form !== undefined) {
      body = req.form; // undici sets the multipart Content-Type with its boundary
    } else if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const res = await this.exchange(req.operation, url, req.method, headers, body, {
      limited: true,
      credentials: true,
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
      this.#quota.block(req.operation, rateLimitUntil(res.headers, this.#now()));
    }
    return res;
  }

  /**
   * One HTTP exchange: waits for a limiter slot (if `limited`), then sends with a deadline of
   * `requestTimeoutMs` and reads the body. Transport failures become `MarketNetworkError` telling
   * whether the request may have reached the server.
   */
  async exchange(
    operation: Operation,
    url: URL,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: string | FormData | undefined,
    options: ExchangeOptions,
  ): Promise<RawResponse> {
    if (options.credentials === true && this.isMarketOrigin(url)) {
      headers = { 'api-key': this.#apiKey, 'x-market-integration': this.#integration, ...headers };
    }
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
      return new MarketNetworkError(operation, !notSent, err, this.redact(detail));
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
  redact(text: string): string {
    return text.split(this.#apiKey).join('[redacted]');
  }
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

/** Stops reading a body we do not want; undici reports that as an abort, which nobody needs to hear. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}
