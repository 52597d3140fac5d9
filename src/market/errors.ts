/**
 * Every error the Market boundary throws, in one module. Callers branch on the class or on the stable
 * `code`, never on message text. None of them ever carries the Api-Key: messages that echo text from
 * the Market are passed through `MarketTransport.redact` before they get here.
 */
import type { z } from 'zod';
import { FatalError } from '../bridge/ports.ts';

/** The Market's own error entry (`ApiErrorDTO`): `code` is free-form, `message` optional. */
export interface MarketErrorEntry {
  code: string;
  message?: string;
}

/** Stable codes of the Market boundary's errors. */
export type MarketErrorCode =
  | 'MARKET_API_ERROR'
  | 'MARKET_CREDENTIALS_REFUSED'
  | 'MARKET_RATE_LIMITED'
  | 'MARKET_NETWORK_ERROR'
  | 'MARKET_SCHEMA_ERROR'
  | 'MARKET_ATTACHMENT_TOO_LARGE'
  | 'MARKET_ATTACHMENT_HOST_REFUSED';

/** Base of every Market error: the Partner API operation (spec `operationId`) and a stable code. */
export abstract class MarketError extends Error {
  abstract readonly code: MarketErrorCode;
  constructor(
    /** Spec operationId (`getChats`, `sendMessageToChat`, ...) or `downloadAttachment`. */
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function describeEntries(errors: readonly MarketErrorEntry[]): string {
  return errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ');
}

const CREDENTIALS_HINT =
  'Check MARKET_API_KEY (Settings → API and modules in the seller cabinet), that the key has the ' +
  '"communication" scope (Общение с покупателями), and that MARKET_BUSINESS_ID is the id of the cabinet ' +
  'the key belongs to.';

/** The Market answered with an error status (other than 420, and other than 401/403 from the Partner API). */
export class MarketApiError extends MarketError {
  readonly code = 'MARKET_API_ERROR';
  constructor(
    operation: string,
    /** HTTP status. */
    readonly status: number,
    /** The body's `errors[]`, empty when the body was not an ApiErrorResponse. */
    readonly errors: readonly MarketErrorEntry[],
    options: { detail?: string } = {},
  ) {
    const what = errors.length > 0 ? describeEntries(errors) : (options.detail ?? 'no error details');
    super(operation, `Yandex Market ${operation} failed with HTTP ${status}: ${what}`);
    this.name = 'MarketApiError';
  }

  /** The Market's explanation, for showing to an operator ("Chat not found"). */
  get reason(): string {
    return this.errors.length > 0 ? describeEntries(this.errors) : `HTTP ${this.status}`;
  }
}

/**
 * 401/403 from the Partner API: the key is wrong, lacks the scope, or belongs to another cabinet. Retrying
 * cannot help, so this is the bridge's FatalError (it stops the service); the message says how to fix it.
 * Carries the same facts as a MarketApiError; it is not a MarketError, whose kinds are all retried or mapped.
 */
export class MarketCredentialsError extends FatalError {
  readonly code = 'MARKET_CREDENTIALS_REFUSED';
  constructor(
    /** Spec operationId. */
    readonly operation: string,
    /** HTTP status: 401 or 403. */
    readonly status: number,
    /** The body's `errors[]`, empty when the body was not an ApiErrorResponse. */
    readonly errors: readonly MarketErrorEntry[],
    options: { detail?: string } = {},
  ) {
    const what = errors.length > 0 ? describeEntries(errors) : (options.detail ?? 'no error details');
    super(`Yandex Market refused ${operation} with HTTP ${status} (${what}). ${CREDENTIALS_HINT}`);
    this.name = 'MarketCredentialsError';
  }

  /** The Market's explanation. */
  get reason(): string {
    return this.errors.length > 0 ? describeEntries(this.errors) : `HTTP ${this.status}`;
  }
}

/**
 * 420 "Enhance Your Calm": the operation's quota (or the parallel-request limit) is exhausted until
 * `until`. Nothing was done by the Market.
 */
export class MarketRateLimitError extends MarketError {
  readonly code = 'MARKET_RATE_LIMITED';
  readonly status = 420;
  constructor(
    operation: string,
    /** When the quota window ends (from X-RateLimit-Resource-Until / Retry-After, or a fallback). */
    readonly until: Date,
    /** The rate-limited resource: the operationId, whose quota the Market counts separately. */
    readonly resource: string,
    /** The Market's message, e.g. "Hit rate limit of 1000 requests per 1 hour for resource ...". */
    readonly reason: string,
  ) {
    super(operation, `Yandex Market rate limit hit for ${resource} until ${until.toISOString()}: ${reason}`);
    this.name = 'MarketRateLimitError';
  }
}

/**
 * The HTTP exchange itself failed (DNS, refused connection, reset, timeout). `mayHaveReachedServer`
 * tells a writer whether the Market could have acted on the request: false only when the connection
 * was never established, so nothing was written.
 */
export class MarketNetworkError extends MarketError {
  readonly code = 'MARKET_NETWORK_ERROR';
  constructor(
    operation: string,
    readonly mayHaveReachedServer: boolean,
    cause: unknown,
    /** A short description, e.g. "timed out after 15000 ms". */
    detail: string,
  ) {
    super(
      operation,
      `Yandex Market ${operation} request failed ${
        mayHaveReachedServer ? 'after it may have reached the server' : 'before reaching the server'
      }: ${detail}`,
      { cause },
    );
    this.name = 'MarketNetworkError';
  }
}

/** A 2xx answer whose body does not match the schema we rely on (or is not JSON at all). */
export class MarketSchemaError extends MarketError {
  readonly code = 'MARKET_SCHEMA_ERROR';
  constructor(
    operation: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    super(operation, `Yandex Market ${operation} returned an unexpected response: ${summary}`);
    this.name = 'MarketSchemaError';
  }
}

/** An attachment is larger than the caller's limit; reading stopped at the limit. */
export class MarketAttachmentTooLargeError extends MarketError {
  readonly code = 'MARKET_ATTACHMENT_TOO_LARGE';
  constructor(
    /** The attachment's host (not the full URL, which may carry a signature). */
    readonly host: string,
    readonly maxBytes: number,
    /** The size the server announced, when it did. */
    readonly announcedBytes?: number,
  ) {
    super(
      'downloadAttachment',
      `Attachment from ${host} is larger than the limit of ${maxBytes} bytes` +
        (announcedBytes !== undefined ? ` (announced ${announcedBytes} bytes)` : ''),
    );
    this.name = 'MarketAttachmentTooLargeError';
  }
}

/**
 * An attachment URL (or a redirect it led to) points at a loopback, private or link-local address, and
 * ATTACHMENTS_ALLOW_PRIVATE_HOSTS is off: nothing was requested. Not retried.
 */
export class MarketAttachmentHostRefusedError extends MarketError {
  readonly code = 'MARKET_ATTACHMENT_HOST_REFUSED';
  constructor(
    /** The attachment's host (not the full URL, which may carry a signature). */
    readonly host: string,
    /** The refused address the host is or resolved to. */
    readonly address: string,
  ) {
    super(
      'downloadAttachment',
      `Attachment host ${host} is or resolves to ${address}, a loopback, private or link-local address; ` +
        'refused. Set ATTACHMENTS_ALLOW_PRIVATE_HOSTS=true only if attachments are meant to come from such a network.',
    );
    this.name = 'MarketAttachmentHostRefusedError';
  }
}
