/**
 * The one retry point of the Market side. Reads and attachment downloads go through `ReadRetry.run`;
 * writes never do (a send is never blindly repeated). Retries network errors, 5xx, 423, 420 (after its
 * window) and one malformed 2xx body, with full-jitter exponential backoff; open 420 windows of an
 * operation are waited out before each attempt.
 */
import type { Logger } from 'pino';
import { MarketApiError, MarketError, MarketNetworkError, MarketRateLimitError, MarketSchemaError } from './errors.ts';
import type { MarketConnection } from './options.ts';
import type { QuotaTracker } from './quota.ts';
import type { Operation } from './transport.ts';

/** Retries of idempotent requests: attempts, backoff and the longest 420 window worth waiting for. */
export class ReadRetry {
  readonly #log: Logger;
  readonly #quota: QuotaTracker;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #signal: AbortSignal | undefined;

  constructor(settings: MarketConnection, quota: QuotaTracker) {
    this.#log = settings.log;
    this.#quota = quota;
    this.#attempts = settings.attempts;
    this.#baseDelayMs = settings.baseDelayMs;
    this.#maxDelayMs = settings.maxDelayMs;
    this.#maxRateLimitWaitMs = settings.maxRateLimitWaitMs;
    this.#sleepFn = settings.sleep;
    this.#now = settings.now;
    this.#random = settings.random;
    this.#signal = settings.signal;
  }

  /**
   * Runs `attempt` until it succeeds. Everything not listed as retryable, and the last failure, is
   * thrown. Before each attempt a known 420 window of the operation is waited out, or thrown if it is
   * longer than `maxRateLimitWaitMs`. `once`: a single attempt, and an open 420 window is thrown at once,
   * for a read nothing should wait on.
   */
  async run<T>(operation: Operation, attempt: () => Promise<T>, options: { once?: boolean } = {}): Promise<T> {
    const attempts = options.once === true ? 1 : this.#attempts;
    const maxWaitMs = options.once === true ? 0 : this.#maxRateLimitWaitMs;
    let schemaRetried = false;
    for (let n = 1; ; n++) {
      await this.#waitForWindow(operation, maxWaitMs);
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof MarketError) || n >= attempts) throw err;
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
            reason: err.message,
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

  async #waitForWindow(operation: Operation, maxWaitMs: number): Promise<void> {
    const until = this.#quota.blockedUntil(operation);
    if (until === undefined) return;
    const waitMs = until.getTime() - this.#now();
    if (waitMs > maxWaitMs) {
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
}
