/**
 * How updates reach the bot: long polling, or a webhook Telegram posts to (served by the HTTP listener).
 */
import type { Bot } from 'grammy';
import type { Logger } from 'pino';

/** Long polling, or a webhook at a public URL with the secret Telegram sends along with every update. */
export type UpdatesMode = { kind: 'polling' } | { kind: 'webhook'; url: string; secret: string };

export interface StartUpdatesOptions {
  /** Ask for chat_member updates too (they keep the administrators current for OPERATORS=admins). */
  watchMembers: boolean;
  logger: Logger;
  /** Long polling ended on an error: the service must stop. */
  onFatal: (err: Error) => void;
}

/**
 * Starts receiving updates. Webhook: registers it with Telegram (rejects with what Telegram said); updates
 * that waited meanwhile are delivered to it, so nothing is dropped. Polling: starts the loop and resolves
 * at once; `running` settles when the loop has ended.
 */
export async function startUpdates(
  bot: Bot,
  mode: UpdatesMode,
  o: StartUpdatesOptions,
): Promise<{ running: Promise<void> }> {
  // chat_member updates come only when asked for.
  const allowedUpdates = [
    'message',
    'edited_message',
    'callback_query',
    ...(o.watchMembers ? (['chat_member'] as const) : []),
  ] as const;
  if (mode.kind === 'webhook') {
    await bot.api.setWebhook(mode.url, {
      secret_token: mode.secret,
      allowed_updates: [...allowedUpdates],
      max_connections: 1,
    });
    return { running: Promise.resolve() };
  }
  const running = bot
    .start({
      allowed_updates: [...allowedUpdates],
      onStart: (me) => o.logger.debug({ bot: me.username }, 'telegram long polling started'),
    })
    .catch((err: unknown) => {
      o.logger.fatal({ err }, 'Telegram polling stopped');
      o.onFatal(err instanceof Error ? err : new Error(String(err)));
    });
  return { running };
}
