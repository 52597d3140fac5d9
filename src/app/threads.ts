/**
 * Reviews and questions as topics, composed: the bridge's threads and the poller that finds what needs the
 * seller. None when both MARKET_REVIEWS and MARKET_QUESTIONS are off.
 */
import type { Logger } from 'pino';
import type { BridgeObserver, ReplyGuardPort, TelegramPort } from '../bridge/ports.ts';
import type { Texts } from '../bridge/texts.ts';
import { Threads } from '../bridge/threads.ts';
import type { Config } from '../config.ts';
import type { MarketClient } from '../market/client.ts';
import { ThreadPoller } from '../market/thread-poller.ts';
import type { JsonStore } from '../store/store.ts';
import type { AppOverrides } from './overrides.ts';

/** Thread polls are at least this far apart, whatever the chats' interval. */
const MIN_THREAD_POLL_MS = 60_000;

export interface ThreadParts {
  threads: Threads;
  poller: ThreadPoller;
}

export function buildThreads(
  config: Config,
  logger: Logger,
  overrides: AppOverrides,
  deps: {
    market: MarketClient;
    telegram: TelegramPort;
    store: JsonStore;
    texts: Texts;
    reportFatal: (err: Error) => void;
    guard: ReplyGuardPort | undefined;
    observer: Pick<BridgeObserver, 'guard'>;
  },
): ThreadParts | undefined {
  const { reviews, questions, sinceDays } = config.threads;
  if (!reviews && !questions) return undefined;
  const threads = new Threads(deps.market.feedback, deps.telegram, deps.store.threadStore, {
    texts: deps.texts,
    logger: logger.child({ side: 'threads' }),
    sinceDays,
    guard: deps.guard,
    undoSeconds: config.undoSeconds,
    timeZone: config.timeZone,
    observer: deps.observer,
    ambiguousSettleMs: overrides.ambiguousSettleMs,
    retryDelayMs: overrides.retryDelayMs,
    products: deps.market.products,
  });
  const chatInterval =
    config.intake.kind === 'notifications' ? config.intake.reconcileIntervalMs : config.intake.intervalMs;
  const poller = new ThreadPoller(deps.market.feedback, threads, {
    reviews,
    questions,
    sinceDays,
    push: config.intake.kind === 'notifications',
    intervalMs: overrides.threadPollMs ?? Math.max(MIN_THREAD_POLL_MS, chatInterval),
    recheckMs: overrides.threadRecheckMs,
    logger: logger.child({ side: 'poller' }),
    onFatal: deps.reportFatal,
  });
  return { threads, poller };
}
