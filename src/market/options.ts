/**
 * The settings of `MarketClient`: the options a caller passes, their checks and their defaults, resolved
 * once into `MarketSettings`, of which each layer (transport, retry, writes, attachments) reads its part.
 * `MarketConnection` is the part that needs no cabinet: what the shop list (campaigns.ts) asks with before
 * MARKET_BUSINESS_ID is known.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';

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

/** What talking to the Market needs before a cabinet is chosen: the client's options without `businessId`. */
export type MarketConnectionOptions = Omit<MarketClientOptions, 'businessId'>;

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

/** `MarketClientOptions` checked, with every default applied. */
export type MarketSettings = ReturnType<typeof resolveOptions>;
/** `MarketConnectionOptions` checked, with every default applied; the transport and the retry point need no more. */
export type MarketConnection = ReturnType<typeof resolveConnection>;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}

/** Checks the options (throwing a TypeError that names the setting to fix) and applies the defaults. */
export function resolveOptions(options: MarketClientOptions) {
  const connection = resolveConnection(options);
  if (!Number.isSafeInteger(options.businessId) || options.businessId < 1) {
    throw new TypeError('MarketClient businessId (MARKET_BUSINESS_ID) must be a positive integer');
  }
  return {
    ...connection,
    businessId: options.businessId,
    log: options.logger.child({ component: 'market-client', businessId: options.businessId }),
  };
}

/** Like `resolveOptions`, without a cabinet. */
export function resolveConnection(options: MarketConnectionOptions) {
  const baseUrl = new URL(options.baseUrl);
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
    throw new TypeError('MarketClient baseUrl must be an http(s) URL');
  }
  if (!options.apiKey) throw new TypeError('MarketClient needs an apiKey (MARKET_API_KEY)');
  if (!/^[\x20-\x7e]{1,100}$/.test(options.integration)) {
    throw new TypeError('MarketClient integration must be 1–100 printable ASCII characters');
  }
  return {
    baseUrl,
    apiKey: options.apiKey,
    integration: options.integration,
    log: options.logger.child({ component: 'market-client' }),
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    attempts: Math.max(1, options.retry?.attempts ?? DEFAULTS.attempts),
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? DEFAULTS.maxRateLimitWaitMs,
    maxWriteWaitMs: options.maxWriteWaitMs ?? DEFAULTS.maxWriteWaitMs,
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    signal: options.signal,
    maxConcurrent: options.maxConcurrent ?? DEFAULTS.maxConcurrent,
    maxConcurrentDownloads: options.maxConcurrentDownloads ?? DEFAULTS.maxConcurrentDownloads,
    dispatcher: options.dispatcher,
    allowPrivateAttachmentHosts: options.allowPrivateAttachmentHosts === true,
  };
}
