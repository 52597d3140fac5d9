/**
 * The webhook check: what Telegram has registered for the bot (getWebhookInfo) against the mode marketgram is
 * set to. In webhook mode marketgram registers TELEGRAM_WEBHOOK_URL at start; in polling mode it removes any
 * webhook at start (keeping the waiting updates). So a registration only matters while marketgram runs:
 * then it must be marketgram's own, and deliveries must not be failing.
 */
import type { Api } from 'grammy';
import type { WebhookInfo } from 'grammy/types';
import { telegramReason } from '../telegram/reason.ts';
import type { UpdatesMode } from '../telegram/updates.ts';
import { fail, pass, type CheckResult } from './check.ts';

export const WEBHOOK_CHECK = 'Telegram webhook';

/** A delivery error younger than this, while marketgram runs, means deliveries are failing now. */
const RECENT_ERROR_S = 600;

export interface WebhookCheckOptions {
  mode: UpdatesMode;
  /** A marketgram holds DATA_DIR now (the lock check). */
  running: boolean;
  now?: () => number;
}

export async function webhookCheck(api: Api, o: WebhookCheckOptions): Promise<CheckResult> {
  let info: WebhookInfo;
  try {
    info = await api.getWebhookInfo();
  } catch (err) {
    return fail(
      WEBHOOK_CHECK,
      `getWebhookInfo failed: ${telegramReason(err)}`,
      'check the network or TELEGRAM_API_ROOT.',
    );
  }
  const waiting = `${info.pending_update_count} update(s) waiting`;
  const nowS = Math.floor((o.now ?? Date.now)() / 1000);
  const error = info.last_error_date
    ? `the last delivery failed at ${new Date(info.last_error_date * 1000).toISOString()}: "${info.last_error_message ?? ''}"`
    : undefined;
  const recentError = error !== undefined && nowS - (info.last_error_date ?? 0) < RECENT_ERROR_S;

  if (o.mode.kind === 'polling') {
    if (info.url === '') return pass(WEBHOOK_CHECK, 'none registered: updates come by long polling');
    if (o.running) {
      return fail(
        WEBHOOK_CHECK,
        `a webhook to ${info.url} is registered while marketgram fetches updates by long polling, which Telegram then refuses`,
        'another program uses this bot token: give each program its own bot, then restart marketgram (it removes the webhook at start).',
      );
    }
    return pass(
      WEBHOOK_CHECK,
      `a webhook to ${info.url} is still registered (${waiting}); marketgram removes it at start and fetches the waiting updates by long polling`,
    );
  }

  const url = o.mode.url;
  if (info.url !== url) {
    const registered = info.url === '' ? 'no webhook is registered' : `the webhook registered is ${info.url}`;
    if (!o.running) {
      return pass(
        WEBHOOK_CHECK,
        `${registered} (${waiting}); marketgram registers TELEGRAM_WEBHOOK_URL when it starts`,
      );
    }
    return fail(
      WEBHOOK_CHECK,
      `${registered}, not TELEGRAM_WEBHOOK_URL, while marketgram runs`,
      'another program uses this bot token: give each program its own bot, then restart marketgram (it registers its URL at start).',
    );
  }
  if (o.running && recentError) {
    return fail(
      WEBHOOK_CHECK,
      `Telegram cannot deliver to TELEGRAM_WEBHOOK_URL: ${error} (${waiting})`,
      'have the reverse proxy forward the URL\'s path unchanged to HTTP_PORT, with a certificate from a recognised authority (docs/operations.md, "Telegram webhook mode").',
    );
  }
  const past = error ? `; ${error}${o.running ? '' : ' (expected while marketgram is stopped)'}` : '';
  return pass(WEBHOOK_CHECK, `registered to TELEGRAM_WEBHOOK_URL (${waiting})${past}`);
}
