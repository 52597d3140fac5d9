/** What tests (and benchmarks) may change about a started app: shorter delays, a fixed bot identity, hooks. */
import type { UserFromGetMe } from 'grammy/types';

export interface AppOverrides {
  /** Skip getMe (tests). */
  botInfo?: UserFromGetMe;
  /** Delay before checking the history for a reply of unknown fate. */
  ambiguousCheckDelayMs?: number;
  ambiguousSettleMs?: number;
  retryDelayMs?: (attempt: number) => number;
  /** How long after a failed store write the pending changes are written again. */
  storeWriteRetryMs?: number;
  /** Test-only: runs before each store file write; what it throws fails the write (see StoreOptions.beforeWrite). */
  storeBeforeWrite?: (file: string) => void;
  /** How often the bot's rights in the group are checked (default a minute) and the least gap after a refusal. */
  rightsCheckIntervalMs?: number;
  rightsCheckMinGapMs?: number;
  /** Benchmarks only: false posts every Market message on its own, as before joint posts (the "before" figures). */
  coalescePosts?: boolean;
  /**
   * Benchmarks only: the group rate beyond TELEGRAM_GROUP_RATE's maximum, to run the cabinets in minutes.
   * Replaces `config.telegram.groupPerMinute` for the call budget, the bot and the progress estimate; the
   * setting itself keeps its bounds.
   */
  telegramGroupPerMinute?: number;
  /** Tests and benchmarks: the progress in General (src/telegram/progress.ts): when, how often edited, looked at. */
  progress?: { thresholdMs?: number; editEveryMs?: number; checkEveryMs?: number };
  /** Tests and benchmarks: how often the desk looks, and the least time between board edits (src/desk/options.ts). */
  desk?: { tickMs?: number; boardGapMs?: number; boardRefreshMs?: number; pinCheckMs?: number };
  /** Tests: how often reviews and questions are polled (default: the chats' interval, at least a minute). */
  threadPollMs?: number;
  /** Tests: how long a listed review or question already mirrored is left alone after a read (default 10 min or more). */
  threadRecheckMs?: number;
  /** Test-only: the clock of the health report (to look at it as if time had passed). */
  healthNow?: () => number;
  /** Tests: the daily digest's clock and how often it looks at it (src/desk/digest.ts). */
  digest?: { now?: () => number; checkEveryMs?: number };
}
