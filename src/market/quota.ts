/**
 * Rate-limit bookkeeping for one Market cabinet: the per-operation quota the Market reports in its
 * `X-RateLimit-Resource-*` headers, the windows during which an operation is blocked after a 420, and
 * a FIFO limiter that keeps the number of requests in flight under the Market's parallel limit.
 */

/** What the Market last said about one operation's quota. */
export interface QuotaState {
  /** X-RateLimit-Resource-Limit. */
  limit?: number;
  /** X-RateLimit-Resource-Remaining. */
  remaining?: number;
  /** X-RateLimit-Resource-Until: when the current window ends. */
  until?: Date;
}

/** Response headers as undici returns them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The first value of a response header (names are lower-case in undici). */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Parses an RFC 822/1123 date ("Thu, 10 Jul 2018 00:42:42 GMT"); ISO 8601 is accepted as well. */
export function parseHttpDate(raw: string | undefined): Date | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = Date.parse(raw.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `Retry-After` as delta-seconds or an HTTP date. Not documented by the Market, honoured if present. */
export function parseRetryAfter(raw: string | undefined): { delayMs: number } | { at: Date } | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return { delayMs: Number(trimmed) * 1000 };
  const at = parseHttpDate(trimmed);
  return at ? { at } : undefined;
}

/** Wait after a 420 that carries no usable window (e.g. the parallel-request limit). */
const RATE_LIMIT_FALLBACK_MS = 2_000;

/**
 * The end of a 420 window in local time (`nowMs`): the later of X-RateLimit-Resource-Until and
 * Retry-After, corrected for clock skew by the answer's Date header; a short fallback when neither is usable.
 */
export function rateLimitUntil(headers: ResponseHeaders, nowMs: number): Date {
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

/** Reads the three `X-RateLimit-Resource-*` headers; undefined when none is present. */
export function parseQuotaHeaders(headers: ResponseHeaders): QuotaState | undefined {
  const limit = parseCount(header(headers, 'x-ratelimit-resource-limit'));
  const remaining = parseCount(header(headers, 'x-ratelimit-resource-remaining'));
  const until = parseHttpDate(header(headers, 'x-ratelimit-resource-until'));
  if (limit === undefined && remaining === undefined && until === undefined) return undefined;
  const state: QuotaState = {};
  if (limit !== undefined) state.limit = limit;
  if (remaining !== undefined) state.remaining = remaining;
  if (until !== undefined) state.until = until;
  return state;
}

/**
 * Per-operation quota of one cabinet. Keys are spec operationIds. 2xx and 4xx answers both count
 * against the Market's quota, so every answer's headers are recorded.
 */
export class QuotaTracker {
  readonly #states = new Map<string, QuotaState>();
  readonly #blocked = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records the quota headers of an answer to `operation`, if it carried any. */
  record(operation: string, headers: ResponseHeaders): void {
    const state = parseQuotaHeaders(headers);
    if (state) this.#states.set(operation, state);
  }

  /** Marks `operation` as blocked until `until` (after a 420). Never shortens an existing block. */
  block(operation: string, until: Date): void {
    const current = this.#blocked.get(operation) ?? 0;
    if (until.getTime() > current) this.#blocked.set(operation, until.getTime());
  }

  /** When the 420 window of `operation` ends, or undefined if it is not blocked now. */
  blockedUntil(operation: string): Date | undefined {
    const until = this.#blocked.get(operation);
    if (until === undefined) return undefined;
    if (until <= this.now()) {
      this.#blocked.delete(operation);
      return undefined;
    }
    return new Date(until);
  }

  /** A copy of the last known quota of every operation, for metrics. */
  snapshot(): Record<string, QuotaState> {
    const out: Record<string, QuotaState> = {};
    for (const [operation, state] of this.#states) {
      out[operation] = { ...state, ...(state.until ? { until: new Date(state.until) } : {}) };
    }
    return out;
  }
}

/** Gives back the slot taken by `ConcurrencyLimiter.acquire`. Calling it more than once is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
}

/** At most `maxConcurrent` holders at a time; waiters are served first in, first out. */
export class ConcurrencyLimiter {
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(readonly maxConcurrent = 2) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
    }
  }

  /** Requests in flight now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits for a slot. Rejects with the signal's reason if `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#active < this.maxConcurrent && this.#queue.length === 0) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Runs `task` holding a slot. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) {
        next.grant(this.#releaser()); // the slot passes straight to the next waiter
      } else {
        this.#active--;
      }
    };
  }
}
