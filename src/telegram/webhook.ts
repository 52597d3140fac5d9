/**
 * Telegram webhook mode: what to answer a POST of an update. Requests without the secret token are refused
 * before their body is read; the update is handled before the answer, so a failure (e.g. the store could
 * not be written) makes Telegram deliver it again. The HTTP side hands a request over and sends the answer.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';

/** An update is far smaller; the HTTP side refuses a larger body. */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/** A webhook request as the HTTP side hands it over. */
export interface WebhookRequest {
  /** The X-Telegram-Bot-Api-Secret-Token header. */
  secretToken: string | undefined;
  /** The body is declared as application/json. */
  json: boolean;
  /** The peer address, for the log. */
  from: string | undefined;
  /** Reads the body; what it throws (too large, aborted) is passed on unchanged. */
  body(): Promise<Buffer>;
}

/** 200 with `{}` when the update was handled, otherwise a refusal with its reason. */
export interface WebhookAnswer {
  status: 200 | 400 | 401 | 415;
  body: { error?: string };
}

/** Returns the handler of webhook requests for `bot`; what the bot throws is passed on (the update is retried). */
export function webhookHandler(
  bot: { handleUpdate(update: Update): Promise<void> },
  secret: string,
  log: Logger,
): (req: WebhookRequest) => Promise<WebhookAnswer> {
  const expected = Buffer.from(secret);
  return async (req): Promise<WebhookAnswer> => {
    const given = Buffer.from(req.secretToken ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      log.warn({ from: req.from }, 'webhook request without the right secret token');
      return { status: 401, body: { error: 'wrong or missing secret token' } };
    }
    if (!req.json) return { status: 415, body: { error: 'Content-Type must be application/json' } };
    const raw = await req.body();
    let update: Update;
    try {
      update = JSON.parse(raw.toString('utf8')) as Update;
    } catch {
      return { status: 400, body: { error: 'the body is not valid JSON' } };
    }
    if (typeof update !== 'object' || update === null || typeof update.update_id !== 'number') {
      return { status: 400, body: { error: 'the body is not a Telegram update' } };
    }
    await bot.handleUpdate(update);
    return { status: 200, body: {} };
  };
}
