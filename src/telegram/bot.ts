/**
 * Builds the grammY bot for the one configured group: API root, flood-limit pacing with priorities for the
 * calls that count (budget.ts) and the retry policy below.
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
import { Bot } from 'grammy';
import { CallBudget } from './budget.ts';
import type { UserFromGetMe } from 'grammy/types';
import { networkRetry, repeatWatch, type NetworkRetryOptions } from './retries.ts';

export interface BotOptions {
  token: string;
  apiRoot: string;
  /** Pace the calls that count to the limits below (budget.ts). */
  pacing: boolean;
  /** The group's budget, shared with the TelegramPort (which sets the lane of each call); made here if absent. */
  budget?: CallBudget;
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

export { GROUP_SPACING_MARGIN } from './budget.ts';

export function createBot(options: BotOptions): Bot {
  const bot = new Bot(options.token, {
    botInfo: options.botInfo,
    client: { apiRoot: options.apiRoot, timeoutSeconds: options.timeoutSeconds ?? 60 },
  });
  // Each attempt of a call that counts takes its turn in the group's budget (budget.ts): paced, by priority.
  if (options.pacing) bot.api.config.use((options.budget ?? new CallBudget(options)).transformer());
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
