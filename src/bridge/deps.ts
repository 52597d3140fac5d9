/**
 * What every room of the bridge core is given: the three ports, the options, and the chat queue they share.
 * Built once by the façade (bridge.ts); rooms never build one another's state.
 */
import type { ChatQueue } from './chat-queue.ts';
import type { Log } from './log.ts';
import type { BridgeObserver, MarketPort, ReplyGuardPort, TelegramPort } from './ports.ts';
import type { StorePort } from './store-port.ts';
import type { Texts } from './texts.ts';

export interface BridgeOptions {
  businessId: number;
  /** Messages mirrored into a new topic for a chat older than the store. */
  historyOnFirstSight: number;
  texts: Texts;
  logger: Log;
  now?: () => Date;
  /** Delay before the history is checked for a reply whose fate is unknown. */
  ambiguousCheckDelayMs?: number;
  /**
   * How old an attempt must be before a history without it proves it never arrived: the Market may still
   * be working on a request whose answer we lost (or whose sender was killed). Default 20 s, twice the
   * Market's own 10 s server timeout.
   */
  ambiguousSettleMs?: number;
  /** Backoff before a failed sync or an unsent reply is tried again. */
  retryDelayMs?: (attempt: number) => number;
  /** Seconds a reply waits, with a Cancel button, before it goes; 0 sends at once. */
  undoSeconds?: number;
  /** IANA time zone for times told to operators (e.g. when a queued reply will go). */
  timeZone?: string;
  /** Called with an error that must stop the service (bad credentials). */
  onFatal?: (err: Error) => void;
  observer?: BridgeObserver;
  /** false: every Market message gets posts of its own (the behaviour before joint posts, for benchmarks). */
  coalescePosts?: boolean;
  /** Checks every text that would reach a buyer (REPLY_GUARD); none: replies are not checked. */
  guard?: ReplyGuardPort;
  /**
   * true: the topic of a chat the Market finished is closed, and reopened when the chat comes alive again
   * (CLOSE_FINISHED_TOPICS). Default false. Topics closed before are reopened either way when they need to be.
   */
  closeFinishedTopics?: boolean;
}

/** The shared wiring of the core's rooms. */
export interface Deps {
  market: MarketPort;
  telegram: TelegramPort;
  store: StorePort;
  options: BridgeOptions;
  log: Log;
  t: Texts;
  now: () => Date;
  retryDelayMs: (attempt: number) => number;
  queue: ChatQueue;
}
