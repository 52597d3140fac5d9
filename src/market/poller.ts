/**
 * Discovers new and changed Market chats by polling, cheaply: each round lists only chats that are not
 * finished (a handful, even in a cabinet with thousands of old chats), asks getChat only for chats we
 * mirror that left that list, and sweeps every chat rarely. History is read only for chats that changed
 * (the bridge compares updatedAt). The round interval stretches when listing would eat too much quota.
 */
import type { Logger } from 'pino';
import type { MarketChatId } from '../bridge/ids.ts';
import { OPEN_CHAT_STATUSES, type MarketChat } from '../bridge/model.ts';
import { FatalError, type MarketPort } from '../bridge/ports.ts';

/** A chat the bridge mirrors, as far as the poller needs to know it. */
export interface WatchedChat {
  id: MarketChatId;
  /** The status the bridge last saw. */
  status: MarketChat['status'];
}

/** What the poller reports to and asks (the bridge). */
export interface ChatSink {
  /** The Market showed a chat (listed, or fetched once more). */
  chatSeen(chat: MarketChat): void;
  /** The chats the bridge mirrors: those that left the open list are fetched once more. */
  watchedChats(): Iterable<WatchedChat>;
  /** A round begins (with push notifications, the bridge counts rounds to tell what push has covered). */
  roundStarted(): void;
}

/** How often a chat in a status this version does not know is looked at with getChat. */
const UNKNOWN_STATUS_RECHECK_MS = 10 * 60_000;

export interface PollerOptions {
  intervalMs: number;
  /** 0 disables the sweep over all chats. */
  fullSyncIntervalMs: number;
  logger: Logger;
  /** Share of the hourly getChats quota the poller may use (the rest is left for people and other tools). */
  listQuotaShare?: number;
  listQuotaPerHour?: number;
  onFatal?: (err: Error) => void;
  /** Called after every round (metrics). */
  onRound?: (ok: boolean) => void;
  now?: () => number;
}

const PAGE = 20;
const MAX_PAGES = 5000;

export class MarketPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastFullSync: number;
  private failures = 0;
  private stretchedMs: number | undefined;
  private readonly unknownCheckedAt = new Map<MarketChatId, number>();
  /** When the last round completed successfully (for health). */
  lastSuccessAt: number | undefined;
  rounds = 0;

  constructor(
    private readonly market: MarketPort,
    private readonly sink: ChatSink,
    private readonly options: PollerOptions,
  ) {
    this.lastFullSync = this.now();
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the round in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One polling round; returns the getChats pages it used. Throws what the Market threw. */
  async pollOnce(): Promise<number> {
    const full =
      this.options.fullSyncIntervalMs > 0 && this.now() - this.lastFullSync >= this.options.fullSyncIntervalMs;
    const seen = new Set<MarketChatId>();
    this.sink.roundStarted();
    const pages = await this.listAll(full ? undefined : OPEN_CHAT_STATUSES, (chat) => {
      seen.add(chat.id);
      this.sink.chatSeen(chat);
    });
    if (full) this.lastFullSync = this.now();
    // Chats we mirror that were open last time but are no longer listed as open: finished, or in a state we
    // did not ask for. One getChat each tells which, and lets the bridge pick up their last messages.
    for (const chat of this.sink.watchedChats()) {
      if (seen.has(chat.id) || chat.status === 'FINISHED') continue;
      if (this.stopped) break;
      // A status this version does not know is never listed as open: look at such a chat now and then,
      // not every round (a notification still brings its news at once).
      if (chat.status === 'UNKNOWN') {
        const last = this.unknownCheckedAt.get(chat.id);
        if (last !== undefined && this.now() - last < UNKNOWN_STATUS_RECHECK_MS) continue;
        this.unknownCheckedAt.set(chat.id, this.now());
      }
      try {
        this.sink.chatSeen(await this.market.getChat(chat.id));
      } catch (err) {
        if (err instanceof FatalError) throw err;
        this.options.logger.warn({ err, marketChatId: chat.id }, 'could not refresh a chat');
      }
    }
    this.rounds++;
    this.lastSuccessAt = this.now();
    return pages;
  }

  private async listAll(statuses: readonly MarketChat['status'][] | undefined, each: (chat: MarketChat) => void) {
    let pageToken: string | undefined;
    const tokens = new Set<string>();
    let pages = 0;
    while (pages < MAX_PAGES && !this.stopped) {
      const page = await this.market.listChats({ statuses, pageToken, limit: PAGE });
      pages++;
      page.items.forEach(each);
      pageToken = page.nextPageToken;
      if (!pageToken || tokens.has(pageToken)) break;
      tokens.add(pageToken);
    }
    return pages;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  /**
   * The time between successful rounds: the configured interval, or longer when listing every open chat
   * that often would spend too much of the getChats quota (backoff after failures not included).
   */
  get roundIntervalMs(): number {
    return this.stretchedMs ?? this.options.intervalMs;
  }

  private async round(): Promise<void> {
    let next = this.options.intervalMs;
    try {
      const wasFull = this.lastFullSync;
      let pages = await this.pollOnce();
      this.failures = 0;
      // A rare full sweep is budgeted on its own; only regular rounds stretch the interval.
      if (this.lastFullSync !== wasFull) pages = 1;
      this.options.onRound?.(true);
      // Keep listing within a share of the getChats quota, however many open chats there are.
      const perHour = (this.options.listQuotaPerHour ?? 5000) * (this.options.listQuotaShare ?? 0.5);
      next = Math.max(next, Math.ceil((pages * 3_600_000) / perHour));
      this.stretchedMs = next;
    } catch (err) {
      if (err instanceof FatalError) {
        this.options.logger.fatal({ err }, 'stopping: the Market refused our credentials');
        this.stopped = true;
        this.options.onFatal?.(err);
        return;
      }
      this.options.onRound?.(false);
      this.failures++;
      // Back off after failures, up to 5 minutes, but never poll sooner than the interval itself.
      next = Math.max(
        this.options.intervalMs,
        Math.min(300_000, this.options.intervalMs * 2 ** Math.min(this.failures, 6)),
      );
      this.options.logger.warn({ err, failures: this.failures, nextMs: next }, 'poll failed, will retry');
    }
    this.schedule(next);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
