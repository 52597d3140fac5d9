/**
 * Telegram webhook mode: updates arrive as POSTs on the shared listener. Requests without the secret
 * token are refused before their body is read; the body is bounded; the update is handled before the
 * answer, so a failure (e.g. the store could not be written) makes Telegram deliver it again.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { HttpError, isJson, sendJson, type BodyReader, type HttpServer } from '../server/http.ts';

const MAX_UPDATE_BYTES = 1024 * 1024;

export function addWebhookRoute(server: HttpServer, bot: Bot, path: string, secret: string, log: Logger): void {
  const expected = Buffer.from(secret);
  server.route(
    'POST',
    path,
    async (req: IncomingMessage, res: ServerResponse, body: BodyReader) => {
      const given = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        log.warn({ from: req.socket.remoteAddress }, 'webhook request without the right secret token');
        throw new HttpError(401, { error: 'wrong or missing secret token' });
      }
      if (!isJson(req)) throw new HttpError(415, { error: 'Content-Type must be application/json' });
      let update: Update;
      try {
        update = JSON.parse((await body()).toString('utf8')) as Update;
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, { error: 'the body is not valid JSON' });
      }
      if (typeof update !== 'object' || update === null || typeof update.update_id !== 'number') {
        throw new HttpError(400, { error: 'the body is not a Telegram update' });
      }
      await bot.handleUpdate(update);
      sendJson(res, 200, {});
    },
    MAX_UPDATE_BYTES,
  );
}
