/**
 * What the rooms of reviews and questions (thread-*.ts) are given: the Market's review and question methods,
 * the Telegram port, the store's threads, the texts, the product names, and the per-thread queue they share.
 */
import type { KeyedQueue } from './chat-queue.ts';
import type { FeedbackPort } from './feedback-port.ts';
import type { Log } from './log.ts';
import type { BridgeObserver, ReplyGuardPort, TelegramPort } from './ports.ts';
import type { ProductBook } from './product-book.ts';
import type { ProductPort } from './product-port.ts';
import type { Texts } from './texts.ts';
import type { ThreadKey, ThreadStore } from './thread-store.ts';

export interface ThreadOptions {
  texts: Texts;
  logger: Log;
  /** Reviews and questions older than this get no topic (REVIEWS_SINCE_DAYS). */
  sinceDays: number;
  now?: () => Date;
  /** Checks every reply text before it is written down and before it is sent (REPLY_GUARD). */
  guard?: ReplyGuardPort;
  /** Seconds a reply waits, with Cancel, before it is published (REPLY_UNDO_SECONDS). */
  undoSeconds?: number;
  /** How long an attempt of unknown fate settles before the Market is searched for it (default 20 s). */
  ambiguousSettleMs?: number;
  /** Backoff before an attempt that surely did not reach the Market is made again. */
  retryDelayMs?: (attempt: number) => number;
  /** IANA time zone for times told to operators. */
  timeZone?: string;
  /** The guard's decisions, for the metrics. */
  observer?: Pick<BridgeObserver, 'guard'>;
  /** The Market's catalogue, for the product's name and link in titles and cards; without it they show the SKU. */
  products?: ProductPort;
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
  /** Product names by SKU, for topics about to be created. */
  products: ProductBook;
}
