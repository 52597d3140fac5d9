/**
 * Builds the grammY bot for the one configured group: API root, flood-limit pacing for sends (the official
 * throttler, applied only to methods that post into the group) and the retry policy below.
 *
 * Retry policy. Every call ends: nothing is tried again without limit, and no single wait is long.
 * - 429: waited out as Telegram asks (retry_after up to 10 minutes; a longer one goes to the caller), and
 *   5xx: tried again after 3, 6, 12, 24, 48 s; at most 5 repeats in all (auto-retry). Telegram did not
 *   carry out a call it answered with 429.
 * - Network errors and timeouts (no answer): an idempotent call (reads, edits, reactions, topic renames) is
 *   tried again at most 3 times, after 0.5, 1 and 2 s. A call that posts something new (sendMessage,
 *   sendPhoto, sendDocument, copyMessage, forwardMessage, createForumTopic, …) is NOT repeated by the
 *   transport: Telegram may have carried it out and only the answer was lost, so repeating it blindly posts
 *   it twice. The error goes to the caller; the bridge's per-chat retry with backoff is the one place that
 *   posts it again, and only because its cursor says the message is not known to be in the topic.
 * - So a message whose answer was lost appears in its topic at most twice (once more for every further
 *   lost answer), and every such repeat of a posting call is counted (`onRepeat`,
 *   marketgram_telegram_repeats_total{method}) and logged.
 * (@grammyjs/auto-retry alone would repeat any call after a network error forever, every 3 s doubling to an
 * hour, with rethrowHttpErrors off; here it handles only 429 and 5xx.)
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { networkRetry, repeatWatch, type NetworkRetryOptions } from './retries.ts';

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
  /** A posting call is made again after an attempt that got no answer or a 5xx: it may show twice. */
  onRepeat?: (method: string) => void;
  /** Pauses before an idempotent call is tried again after a network error (tests shorten them). */
  networkRetry?: Partial<NetworkRetryOptions>;
}

/** auto-retry's bounds for 429 and 5xx (see the policy above). */
export const RETRY_LIMITS = { maxRetryAttempts: 5, maxDelaySeconds: 600 };

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
  // Sees each attempt, inside the retries: a repeat is recognised whoever makes it.
  if (options.onRepeat) bot.api.config.use(repeatWatch(options.onRepeat));
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
  bot.api.config.use(networkRetry({ attempts: 3, baseDelayMs: 500, maxDelayMs: 5_000, ...options.networkRetry }));
  // Installed last so it runs first: a retried call goes through the throttler again. Network errors are
  // rethrown here: networkRetry above decided about them.
  bot.api.config.use(autoRetry({ ...RETRY_LIMITS, rethrowHttpErrors: true }));
  return bot;
}
