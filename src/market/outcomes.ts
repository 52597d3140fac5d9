/**
 * What a Market answer means: a 2xx body parsed by its zod schema, a non-2xx answer turned into the
 * typed error (a 420 also blocks its operation until the window ends), a read made of those through the
 * retry point (`readThrough`), a write's result or failure turned into a `SendOutcome`, telling apart
 * "not sent", "rejected", "rate-limited" and "ambiguous", and createChat's into a `NewChatOutcome`.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { MarketChatId } from '../bridge/ids.ts';
import type { NewChatOutcome, SendOutcome } from '../bridge/ports.ts';
import {
  MarketApiError,
  MarketCredentialsError,
  MarketNetworkError,
  MarketRateLimitError,
  MarketSchemaError,
} from './errors.ts';
import type { MarketError, MarketErrorEntry } from './errors.ts';
import type { Read, ReadOptions } from './orders.ts';
import { rateLimitUntil } from './quota.ts';
import type { QuotaTracker } from './quota.ts';
import type { ReadRetry } from './retry.ts';
import { apiErrorResponseSchema, emptyApiResponseSchema } from './schemas.ts';
import { isSuccess } from './transport.ts';
import type { ApiRequest, MarketTransport, Operation, RawResponse } from './transport.ts';

/** What turning an error answer into a typed error needs: the quota a 420 blocks, the clock, the key's redaction. */
export interface ErrorContext {
  readonly quota: QuotaTracker;
  readonly now: () => number;
  redact(text: string): string;
}

/** Parses a 2xx body with `schema`; a body that is not JSON or does not match throws `MarketSchemaError`. */
export function parseAnswer<S extends z.ZodType>(operation: Operation, res: RawResponse, schema: S): z.output<S> {
  const json = tryJson(res.body);
  if (json === undefined) {
    throw new MarketSchemaError(operation, [{ code: 'custom', path: [], message: 'body is not JSON' }]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new MarketSchemaError(operation, parsed.error.issues);
  return parsed.data;
}

function tryJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Turns a non-2xx answer into the typed error; a 420 also blocks the operation until its window ends. */
export function errorFrom(
  context: ErrorContext,
  operation: Operation,
  res: RawResponse,
  options: { fatalOnAuth?: boolean } = {},
): MarketError | MarketCredentialsError {
  const parsed = apiErrorResponseSchema.safeParse(tryJson(res.body));
  const entries: MarketErrorEntry[] = parsed.success ? (parsed.data.errors ?? []) : [];
  const errors: MarketErrorEntry[] = entries.map((e) =>
    e.message !== undefined
      ? { code: context.redact(e.code), message: context.redact(e.message) }
      : { code: context.redact(e.code) },
  );
  if (res.status === 420) {
    const until = rateLimitUntil(res.headers, context.now());
    context.quota.block(operation, until);
    const reason = errors.length > 0 ? errors.map((e) => e.message ?? e.code).join('; ') : 'HTTP 420';
    return new MarketRateLimitError(operation, until, operation, reason);
  }
  const fatal = (options.fatalOnAuth ?? true) && (res.status === 401 || res.status === 403);
  const text = context.redact(res.body.toString('utf8', 0, Math.min(res.body.length, 200))).trim();
  if (fatal) return new MarketCredentialsError(operation, res.status, errors, { detail: text || undefined });
  return new MarketApiError(operation, res.status, errors, { detail: text || undefined });
}

/**
 * Reads through the one retry point: exchange, typed error for a non-2xx answer, parsed body. A 401 is always
 * fatal; a 403 unless the read's `forbiddenIsFatal` is false.
 */
export function readThrough(parts: { transport: MarketTransport; retry: ReadRetry; errors: ErrorContext }): Read {
  const { transport, retry, errors } = parts;
  return <S extends z.ZodType>(req: ApiRequest, schema: S, options: ReadOptions = {}): Promise<z.output<S>> =>
    retry.run(
      req.operation,
      async () => {
        const res = await transport.exchangeApi(req);
        if (!isSuccess(res.status)) {
          const fatalOnAuth = res.status === 401 || (options.forbiddenIsFatal ?? true);
          throw errorFrom(errors, req.operation, res, { fatalOnAuth });
        }
        return parseAnswer(req.operation, res, schema);
      },
      { once: options.once },
    );
}

/**
 * Maps a write's result onto a SendOutcome. Only a fatal error (401/403) or a bug is thrown.
 * `signal` is the client's shutdown signal: aborted while waiting, nothing was written.
 */
export async function sendOutcome(
  operation: Operation,
  sending: Promise<RawResponse>,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<SendOutcome> {
  try {
    const res = await sending;
    const parsed = tryJson(res.body);
    if (!emptyApiResponseSchema.safeParse(parsed).success) {
      log.warn({ operation, status: res.status }, 'Market accepted the write with an unexpected body');
    }
    return { kind: 'sent' };
  } catch (err) {
    const outcome = failureOutcome(err, signal);
    if (outcome === undefined) throw err;
    log.info({ operation, outcome: outcome.kind, reason: outcome.reason }, 'Market write not delivered');
    return outcome;
  }
}

/**
 * The outcome of a write that failed with `err`: rate-limited (420), rejected (4xx), ambiguous (5xx, or a network
 * failure after the request may have reached the Market) or not sent. Undefined for a fatal error (401/403) or a
 * bug, which the caller throws.
 */
export function failureOutcome(
  err: unknown,
  signal: AbortSignal | undefined,
): Exclude<SendOutcome, { kind: 'sent' }> | undefined {
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
  if (signal?.aborted) return { kind: 'not-sent', reason: 'shutting down before the request was sent' };
  return undefined;
}

/**
 * Maps createChat's result onto a NewChatOutcome. A 403 is the Market refusing this order or return (the key's
 * scope covers reads too, which would stop the service on their own), not a credentials problem; a 401 is, and
 * is thrown, as is a bug.
 */
export async function newChatOutcome(
  sending: Promise<MarketChatId>,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<NewChatOutcome> {
  try {
    return { kind: 'opened', chatId: await sending };
  } catch (err) {
    const outcome = newChatFailure(err, signal);
    if (outcome === undefined) throw err;
    log.info({ operation: 'createChat', outcome: outcome.kind, reason: outcome.reason }, 'Market did not open a chat');
    return outcome;
  }
}

function newChatFailure(
  err: unknown,
  signal: AbortSignal | undefined,
): Exclude<NewChatOutcome, { kind: 'opened' }> | undefined {
  if (err instanceof MarketRateLimitError) return { kind: 'rate-limited', retryAt: err.until, reason: err.reason };
  if (err instanceof MarketCredentialsError) {
    return err.status === 403 ? { kind: 'refused', status: 403, reason: err.reason } : undefined;
  }
  if (err instanceof MarketApiError) {
    if (err.status === 404) return { kind: 'not-found', reason: err.reason };
    if (err.status >= 500 || err.status === 423) return { kind: 'failed', reason: `HTTP ${err.status}: ${err.reason}` };
    return { kind: 'refused', status: err.status, reason: err.reason };
  }
  if (err instanceof MarketNetworkError || err instanceof MarketSchemaError)
    return { kind: 'failed', reason: err.message };
  if (signal?.aborted) return { kind: 'failed', reason: 'shutting down before the request was sent' };
  return undefined;
}
