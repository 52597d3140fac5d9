/**
 * Attachment downloads from Market messages: their own concurrency limit (all hosts together), their
 * own agent that connects only to public addresses on hosts other than the Market origin (unless
 * allowed), redirects with the Api-Key kept to the Market origin, and the byte cap while streaming.
 * Retries go through the one retry point (`ReadRetry`), one download slot per attempt.
 */
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { guardedConnector } from './address-guard.ts';
import {
  MarketApiError,
  MarketAttachmentHostRefusedError,
  MarketAttachmentTooLargeError,
  MarketSchemaError,
} from './errors.ts';
import type { MarketSettings } from './options.ts';
import { errorFrom } from './outcomes.ts';
import type { ErrorContext } from './outcomes.ts';
import { ConcurrencyLimiter, header } from './quota.ts';
import type { QuotaTracker } from './quota.ts';
import type { ReadRetry } from './retry.ts';
import { agentOptions, isSuccess } from './transport.ts';
import type { MarketTransport, RawResponse } from './transport.ts';

const MAX_REDIRECTS = 5;

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** What `AttachmentDownloader` works with; the client owns all of it. */
export interface AttachmentDeps {
  transport: MarketTransport;
  quota: QuotaTracker;
  retry: ReadRetry;
  errors: ErrorContext;
}

/** Downloads attachment URLs for `MarketClient.downloadAttachment`. */
export class AttachmentDownloader {
  readonly #log: Logger;
  readonly #signal: AbortSignal | undefined;
  readonly #deps: AttachmentDeps;
  /** Attachment downloads, all hosts together; separate from the Market's request slots. */
  readonly #downloads: ConcurrencyLimiter;
  /** Connects to attachment hosts other than the Market origin (refusing private addresses unless allowed). */
  readonly #dispatcher: Dispatcher;

  constructor(settings: MarketSettings, deps: AttachmentDeps) {
    this.#log = settings.log;
    this.#signal = settings.signal;
    this.#deps = deps;
    this.#downloads = new ConcurrencyLimiter(settings.maxConcurrentDownloads);
    const { connectTimeout, ...agent } = agentOptions(settings.requestTimeoutMs);
    this.#dispatcher = new Agent({
      ...agent,
      connect: settings.allowPrivateAttachmentHosts
        ? { timeout: connectTimeout }
        : guardedConnector({ timeout: connectTimeout }),
    });
  }

  /** Closes the attachment agent. */
  close(): Promise<void> {
    return this.#dispatcher.close();
  }

  /** See `MarketClient.downloadAttachment`. */
  async download(url: string, maxBytes: number): Promise<{ data: Uint8Array; contentType?: string }> {
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
      let res = await this.#fetch(target, false, maxBytes);
      if ((res.status === 401 || res.status === 403) && this.#deps.transport.isMarketOrigin(target)) {
        this.#log.debug({ operation: 'downloadAttachment', status: res.status }, 'retrying attachment with Api-Key');
        res = await this.#fetch(target, true, maxBytes);
      }
      if (!isSuccess(res.status)) {
        throw errorFrom(this.#deps.errors, 'downloadAttachment', res, { fatalOnAuth: false });
      }
      const contentType = header(res.headers, 'content-type');
      const data = new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
      return contentType !== undefined ? { data, contentType } : { data };
    };
    try {
      // The download slot is held per attempt, not across the backoff between attempts.
      return await this.#deps.retry.run('downloadAttachment', () => this.#downloads.run(attempt, this.#signal));
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

  /** GETs an attachment, following redirects; the key is attached only on the Market origin. */
  async #fetch(start: URL, withKey: boolean, maxBytes: number): Promise<RawResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const onMarket = this.#deps.transport.isMarketOrigin(url);
      const res = await this.#deps.transport.exchange('downloadAttachment', url, 'GET', {}, undefined, {
        limited: onMarket,
        credentials: onMarket && withKey,
        // undefined: the Market's own dispatcher.
        dispatcher: onMarket ? undefined : this.#dispatcher,
        maxBytes,
        onExcess: () => new MarketAttachmentTooLargeError(url.host, maxBytes),
        errorBodyOnly: (status) => !isSuccess(status),
      });
      if (onMarket) this.#deps.quota.record('downloadAttachment', res.headers);
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
}
