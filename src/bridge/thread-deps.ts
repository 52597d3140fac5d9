/**
 * What the rooms of reviews and questions (thread-*.ts) are given: the Market's review and question methods,
 * the Telegram port, the store's threads, the texts, and the per-thread queue they share.
 */
import type { KeyedQueue } from './chat-queue.ts';
import type { FeedbackPort } from './feedback-port.ts';
import type { Log } from './log.ts';
import type { TelegramPort } from './ports.ts';
import type { Texts } from './texts.ts';
import type { ThreadKey, ThreadStore } from './thread-store.ts';

export interface ThreadOptions {
  texts: Texts;
  logger: Log;
  /** Reviews and questions older than this get no topic (REVIEWS_SINCE_DAYS). */
  sinceDays: number;
  now?: () => Date;
}

export interface ThreadDeps {
  feedback: FeedbackPort;
  telegram: TelegramPort;
  store: ThreadStore;
  t: Texts;
  log: Log;
  now: () => Date;
  options: ThreadOptions;
  /** One serial queue per thread: everything that touches a thread runs in it. */
  queue: KeyedQueue<ThreadKey>;
}
