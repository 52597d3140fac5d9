/**
 * The pino logger, built by the composition root (never at import time), with secrets redacted.
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

/** Builds the logger. `secrets` are also scrubbed from messages and error texts as a last line of defence. */
export function createLogger(options: { level: string; secrets?: string[] }, destination?: DestinationStream): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      hooks: secrets.length
        ? {
            streamWrite: scrub,
          }
        : undefined,
    },
    destination,
  );
}
