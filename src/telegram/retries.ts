/**
 * The transport's answer to calls that got no answer (network errors, timeouts): idempotent calls are tried
 * again a bounded number of times; calls that post something new are never repeated here, because the
 * request may have been carried out and only its answer lost. Repeats of such posts by anyone (the bridge's
 * own retry, or auto-retry after a 5xx) are recognised by a fingerprint of the request and reported.
 */
import { createHash } from 'node:crypto';
import { HttpError, InputFile, type Transformer } from 'grammy';

/** Methods that post something new: done twice, they show twice. Everything else is safe to repeat. */
export function isPosting(method: string): boolean {
  return /^(send(?!ChatAction$)|copy|forward)/.test(method) || method === 'createForumTopic';
}

export interface NetworkRetryOptions {
  /** Further attempts after the first for an idempotent call that got no answer. */
  attempts: number;
  /** Pause before the first further attempt; doubles each time, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Tries idempotent calls again after a network error, at most `attempts` times. Posting calls and getUpdates
 * (grammY's polling loop has its own) are passed through: their network errors reach the caller at once.
 */
export function networkRetry(options: NetworkRetryOptions): Transformer {
  return async (prev, method, payload, signal) => {
    if (isPosting(method) || method === 'getUpdates') return prev(method, payload, signal);
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        if (!(err instanceof HttpError) || attempt >= options.attempts || signal?.aborted) throw err;
        await pause(Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt), signal);
      }
    }
  };
}

/**
 * Watches posting calls: one whose attempt got no answer or a 5xx (either may have been carried out) is
 * remembered by a hash of its request; when the same request is made again, `onRepeat` is told. Holds at most
 * `capacity` hashes (no request contents).
 */
export function repeatWatch(onRepeat: (method: string) => void, capacity = 1000): Transformer {
  const unsure = new Set<string>();
  const remember = (key: string) => {
    unsure.add(key);
    if (unsure.size > capacity) unsure.delete(unsure.values().next().value as string);
  };
  return async (prev, method, payload, signal) => {
    if (!isPosting(method)) return prev(method, payload, signal);
    // Hashed only when something is remembered or an attempt fails: the common post costs nothing here.
    let key = unsure.size > 0 ? fingerprint(method, payload) : undefined;
    if (key !== undefined && unsure.delete(key)) onRepeat(method);
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok && result.error_code >= 500) remember((key ??= fingerprint(method, payload)));
      return result;
    } catch (err) {
      remember((key ??= fingerprint(method, payload)));
      throw err;
    }
  };
}

function fingerprint(method: string, payload: unknown): string {
  return createHash('sha256')
    .update(`${method}\n${JSON.stringify(withoutFiles(payload)) ?? ''}`)
    .digest('base64url');
}

/** The payload with each upload replaced by its file name (an InputFile refuses to be turned into JSON). */
function withoutFiles(value: unknown): unknown {
  if (value instanceof InputFile) return `InputFile:${value.filename ?? ''}`;
  if (Array.isArray(value)) return value.map(withoutFiles);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withoutFiles(v)]));
}

/** grammY's signal type is the abort-controller polyfill's; only these members are used. */
interface Abortable {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

function pause(ms: number, signal?: Abortable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(new Error('Request aborted while waiting to try it again'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
