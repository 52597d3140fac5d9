/**
 * Builds the grammY bot for the one configured group: API root, flood-limit pacing for sends (the official
 * throttler, applied only to methods that post into the group) and auto-retry for 429 and 5xx.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';

export interface BotOptions {
  token: string;
  apiRoot: string;
  /** Pace posting methods to the limits below. */
  pacing: boolean;
  groupPerMinute: number;
  globalPerSecond: number;
  /** Skips getMe at start (tests). */
  botInfo?: UserFromGetMe;
  /** Upper bound for one API call, seconds (long polls add their own timeout). */
  timeoutSeconds?: number;
  /** Sees every API answer (after retries are decided): for health and metrics. Must not throw. */
  onAnswer?: (method: string, ok: boolean, errorCode?: number, description?: string) => void;
  /** A call failed without an answer (network). */
  onNetworkError?: (method: string) => void;
}

/** Methods that post something into a chat and so count against Telegram's flood limits. */
const PACED = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendMediaGroup',
  'copyMessage',
  'forwardMessage',
  'createForumTopic',
  'editForumTopic',
]);

/** Group sends are spaced this much wider than the configured rate strictly needs. */
export const GROUP_SPACING_MARGIN = 1.01;

export function createBot(options: BotOptions): Bot {
  const bot = new Bot(options.token, {
    botInfo: options.botInfo,
    client: { apiRoot: options.apiRoot, timeoutSeconds: options.timeoutSeconds ?? 60 },
  });
  if (options.pacing) {
    const throttle = apiThrottler({
      global: {
        reservoir: options.globalPerSecond,
        reservoirRefreshAmount: options.globalPerSecond,
        reservoirRefreshInterval: 1000,
      },
      group: {
        maxConcurrent: 1,
        // Even spacing: no rolling minute ever sees more than the limit (a fixed-window reservoir alone
        // lets a burst straddle its refill and draw 429s). 1 % slower than the limit, so that a few
        // milliseconds of network jitter cannot put one send too many into Telegram's minute.
        minTime: Math.ceil((60_000 / options.groupPerMinute) * GROUP_SPACING_MARGIN),
        reservoir: options.groupPerMinute,
        reservoirRefreshAmount: options.groupPerMinute,
        reservoirRefreshInterval: 60_000,
      },
    });
    const pacedOnly: Transformer = (prev, method, payload, signal) =>
      PACED.has(method) ? throttle(prev, method, payload, signal) : prev(method, payload, signal);
    bot.api.config.use(pacedOnly);
  }
  // Observes each attempt, inside the retries.
  if (options.onAnswer || options.onNetworkError) {
    bot.api.config.use(async (prev, method, payload, signal) => {
      try {
        const result = await prev(method, payload, signal);
        if (result.ok) options.onAnswer?.(method, true);
        else options.onAnswer?.(method, false, result.error_code, result.description);
        return result;
      } catch (err) {
        options.onNetworkError?.(method);
        throw err;
      }
    });
  }
  // Installed last so it runs first: a retried call goes through the throttler again.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 6, maxDelaySeconds: 3600 }));
  return bot;
}
