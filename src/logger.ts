/**
 * The pino logger, built by the composition root (never at import time), with secrets redacted and errors
 * stripped of what people wrote: a Telegram error carries its request (`payload`: buyer texts, names, file
 * names), which is logged as ids and sizes only. A failure the service rides out by itself (the Market or
 * Telegram unreachable, a rate limit) is one line with its reason, not a stack. On a terminal, pino-pretty
 * makes the lines readable (LOG_FORMAT).
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import { GrammyError, HttpError } from 'grammy';
import { MarketApiError, MarketNetworkError, MarketRateLimitError } from './market/errors.ts';

export type { Logger };

/** How log lines are written: readable lines for a person, or JSON lines for a collector. */
export type LogFormat = 'pretty' | 'json';

/**
 * The format LOG_FORMAT asks for: `auto` is readable lines when the log goes to a terminal, and JSON lines when it
 * goes anywhere else (Docker, a process manager, a pipe or a file).
 */
export function chooseLogFormat(setting: 'auto' | LogFormat, isTTY: boolean): LogFormat {
  if (setting !== 'auto') return setting;
  return isTTY ? 'pretty' : 'json';
}

/** Paths pino replaces with [redacted] wherever they appear in a log object. */
const REDACT = [
  'apiKey',
  'token',
  'headers["api-key"]',
  'headers["Api-Key"]',
  '*.apiKey',
  '*.token',
  '*.headers["api-key"]',
  '*.headers["Api-Key"]',
  'config.telegram.token',
  'config.market.apiKey',
];

/** Request fields that are ids or settings; every other value of a payload is logged as its size only. */
const PAYLOAD_IDS = new Set([
  'chat_id',
  'from_chat_id',
  'message_thread_id',
  'message_id',
  'parse_mode',
  'offset',
  'limit',
  'timeout',
]);

/** Logs errors as pino does, but with any request payload (at any depth) reduced to ids and sizes. */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  return scrubPayloads(pino.stdSerializers.err(err), 0);
}

function scrubPayloads(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => scrubPayloads(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === 'payload' ? summarisePayload(v) : scrubPayloads(v, depth + 1);
  }
  return out;
}

function summarisePayload(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) return sizeOf(payload);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(payload)) {
    out[key] = PAYLOAD_IDS.has(key) && (typeof v === 'number' || typeof v === 'string') ? v : sizeOf(v);
  }
  return out;
}

function sizeOf(value: unknown): unknown {
  if (typeof value === 'string') return `[${value.length} characters]`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return value;
  return '[object]';
}

/**
 * A destination that turns the JSON lines into readable ones (pino-pretty, in pino's worker thread), writing
 * them to `destination` (a file descriptor or path); undefined when pino-pretty is not installed.
 */
export function prettyDestination(destination: number | string = 1): DestinationStream | undefined {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return pino.transport({
    target: 'pino-pretty',
    // One line a record (its fields as JSON after the message); an unexpected error's stack still follows it.
    options: { destination, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
  });
}

/**
 * Builds the logger, writing to `destination`, or else to standard output in `options.format` (JSON by default).
 * Redaction happens before a line is written, so it holds in either format. `secrets` are also scrubbed from
 * messages and error texts as a last line of defence.
 */
export function createLogger(
  options: { level: string; secrets?: string[]; format?: LogFormat },
  destination?: DestinationStream,
): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
  const pretty = destination === undefined && options.format === 'pretty' ? prettyDestination() : undefined;
  const logger = pino(
    {
      level: options.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      formatters: { log: briefFailures },
      // pino cannot take `hooks: undefined`: the key is left out when there is nothing to scrub.
      ...(secrets.length ? { hooks: { streamWrite: scrub } } : {}),
    },
    destination ?? pretty,
  );
  if (options.format === 'pretty' && destination === undefined && pretty === undefined)
    logger.warn('LOG_FORMAT=pretty needs the pino-pretty package, which is not installed; the log stays JSON');
  return logger;
}

/** A record whose `err` is a failure the service rides out gets its reason instead: one line, no stack. */
function briefFailures(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of ['err', 'error']) {
    const brief = passingFailure(record[key]);
    if (brief === undefined) continue;
    const { [key]: _err, ...rest } = record;
    return { ...rest, ...brief };
  }
  return record;
}

/**
 * A failure of the outside world that the service rides out by itself (retries, backs off, waits out a limit):
 * the Market or Telegram unreachable, a rate limit, a server error. Its reason, and for a Telegram call the
 * method and the request's ids; undefined for any other error, which is logged whole.
 */
export function passingFailure(err: unknown): { reason: string; call?: Record<string, unknown> } | undefined {
  if (err instanceof MarketNetworkError || err instanceof MarketRateLimitError) return { reason: err.message };
  if (err instanceof MarketApiError && (err.status >= 500 || err.status === 423 || err.status === 429))
    return { reason: err.message };
  if (err instanceof HttpError) {
    const code = codeOf(err.error);
    return { reason: code ? `${err.message} (${code})` : err.message };
  }
  if (err instanceof GrammyError && (err.error_code === 429 || err.error_code >= 500))
    return { reason: err.message, call: { method: err.method, ...idsOf(err.payload) } };
  return undefined;
}

/** The system error code (ECONNREFUSED, ETIMEDOUT, …) of a failed request or its cause; never its message. */
function codeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timed out';
  }
  return undefined;
}

function idsOf(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null) return {};
  return Object.fromEntries(
    Object.entries(payload).filter(
      ([key, v]) => PAYLOAD_IDS.has(key) && (typeof v === 'number' || typeof v === 'string'),
    ),
  );
}
