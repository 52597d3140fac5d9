/**
 * Quota bookkeeping and the concurrency limiter, without HTTP.
 */
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyLimiter,
  QuotaTracker,
  parseHttpDate,
  parseQuotaHeaders,
  parseRetryAfter,
} from '../../src/market/quota.ts';

describe('quota headers', () => {
  it('parses limit, remaining and an RFC 822 until', () => {
    expect(
      parseQuotaHeaders({
        'x-ratelimit-resource-limit': '1000',
        'x-ratelimit-resource-remaining': '0',
        'x-ratelimit-resource-until': 'Thu, 10 Jul 2018 00:42:42 GMT',
      }),
    ).toEqual({ limit: 1000, remaining: 0, until: new Date('2018-07-10T00:42:42Z') });
  });

  it('ignores absent and garbage values', () => {
    expect(parseQuotaHeaders({ 'content-type': 'application/json' })).toBeUndefined();
    expect(parseQuotaHeaders({ 'x-ratelimit-resource-limit': 'lots', 'x-ratelimit-resource-remaining': '5' })).toEqual({
      remaining: 5,
    });
    expect(parseHttpDate('not a date')).toBeUndefined();
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('30')).toEqual({ delayMs: 30_000 });
    expect(parseRetryAfter('Thu, 10 Jul 2018 00:42:42 GMT')).toEqual({ at: new Date('2018-07-10T00:42:42Z') });
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('QuotaTracker', () => {
  it('blocks an operation until its window ends, never shortening it', () => {
    let now = 1_000;
    const quota = new QuotaTracker(() => now);

    quota.block('getChat', new Date(5_000));
    quota.block('getChat', new Date(3_000));

    expect(quota.blockedUntil('getChat')).toEqual(new Date(5_000));
    expect(quota.blockedUntil('getChats')).toBeUndefined();
    now = 5_000;
    expect(quota.blockedUntil('getChat')).toBeUndefined();
  });

  it('returns a snapshot that callers cannot mutate', () => {
    const quota = new QuotaTracker();
    quota.record('getChats', { 'x-ratelimit-resource-limit': '5000', 'x-ratelimit-resource-remaining': '10' });
    quota.record('getChat', {});

    const snapshot = quota.snapshot();
    expect(snapshot).toEqual({ getChats: { limit: 5000, remaining: 10 } });
    snapshot.getChats!.remaining = 0;
    expect(quota.snapshot().getChats!.remaining).toBe(10);
  });
});

describe('ConcurrencyLimiter', () => {
  it('admits at most maxConcurrent holders and serves waiters first in, first out', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const order: number[] = [];
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    const waiting = [3, 4, 5].map((n) => limiter.acquire().then((release) => (order.push(n), release)));

    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(3);
    a();
    a(); // a second call is harmless
    const c = await waiting[0]!;
    expect(limiter.active).toBe(2);
    b();
    c();
    const [, d, e] = await Promise.all(waiting);
    d?.();
    e?.();

    expect(order).toEqual([3, 4, 5]);
    expect(limiter.active).toBe(0);
  });

  it('drops a waiter whose signal aborts', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = limiter.acquire();

    controller.abort(new Error('shutdown'));
    await expect(aborted).rejects.toThrow('shutdown');
    expect(limiter.waiting).toBe(1);
    held();
    const release = await next;
    release();
    expect(limiter.active).toBe(0);
  });

  it('rejects a non-positive maxConcurrent', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
