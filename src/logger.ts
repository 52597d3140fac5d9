/**
 * The pino logger, built by the composition root (never at import time), with secrets redacted and errors
 * stripped of what people wrote: a Telegram error carries its request (`payload`: buyer texts, names, file
 * names), which is logged as ids and sizes only.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

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

/** Builds the logger. `secrets` are also scrubbed from messages and error texts as a last line of defence. */
export function createLogger(options: { level: string; secrets?: string[] }, destination?: DestinationStream): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      // pino cannot take `hooks: undefined`: the key is left out when there is nothing to scrub.
      ...(secrets.length ? { hooks: { streamWrite: scrub } } : {}),
    },
    destination,
  );
}
