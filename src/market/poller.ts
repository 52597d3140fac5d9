/**
 * Discovers new and changed Market chats by polling, cheaply: each round lists only chats that are not
 * finished (a handful, even in a cabinet with thousands of old chats), asks getChat only for chats we
 * mirror that left that list, and sweeps every chat rarely. History is read only for chats that changed
 * (the bridge compares updatedAt). The round interval stretches when listing would eat too much quota, and
 * stretches further while nothing changes (the idle pace), back at once when a round sees a change.
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

/** Rounds slow to the idle pace once this long has passed without a round that saw a change. */
export const IDLE_AFTER_MS = 5 * 60_000;

/**
 * The share of the getChats quota regular rounds may use at the idle pace. With 5,000 chats of which 250 are
 * open, a regular round is 13 pages: 8 % is 400 pages an hour (a round every 117 s), and the full sweep every
 * 6 hours (250 pages in place of a round's 13) adds about 40, so idling costs about 8.8 % of the quota, under 10 %.
 */
const IDLE_QUOTA_SHARE = 0.08;

const isOpen = (status: MarketChat['status']) => (OPEN_CHAT_STATUSES as readonly string[]).includes(status);

/** What a round saw of a chat, to tell whether the next one sees a change. */
interface Sighting {
  status: MarketChat['status'];
  updatedAt: string;
  /** The last round that saw the chat or found it among the bridge's unfinished chats. */
  round: number;
}

export interface PollerOptions {
  intervalMs: number;
  /** 0 disables the sweep over all chats. */
  fullSyncIntervalMs: number;
  logger: Logger;
  /** Share of the hourly getChats quota regular rounds may use (the rest is left for people and other tools). */
  listQuotaShare?: number;
  /** Share of that quota regular rounds may use once no round has seen a change for IDLE_AFTER_MS. */
  idleQuotaShare?: number;
  listQuotaPerHour?: number;
  onFatal?: (err: Error) => void;
  /** Called after every round (metrics). */
  onRound?: (ok: boolean) => void;
  /** The clock of every time the poller compares (sweeps, rechecks, the idle pace); Date.now by default. */
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
  private intervalMs: number;
  /** getChats pages of the last regular round (a full sweep is budgeted on its own). */
  private regularPages = 1;
  /** When a round last saw a change; undefined until the first round after start, which counts as one. */
  private lastChangeAt: number | undefined;
  private roundNo = 0;
  private readonly sightings = new Map<MarketChatId, Sighting>();
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
    this.intervalMs = options.intervalMs;
  }

  start(): void {
    this.stopped = false;
    this.lastChangeAt = undefined;
    this.schedule(0);
  }

  /** Stops after the round in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One polling round; returns the getChats pages it used and leaves `roundIntervalMs` set for the next one.
   * Throws what the Market threw.
   */
  async pollOnce(): Promise<number> {
    const startedAt = this.now();
    const full =
      this.options.fullSyncIntervalMs > 0 && startedAt - this.lastFullSync >= this.options.fullSyncIntervalMs;
    const round = ++this.roundNo;
    let changed = this.lastChangeAt === undefined;
    const seen = new Set<MarketChatId>();
    this.sink.roundStarted();
    const pages = await this.listAll(full ? undefined : OPEN_CHAT_STATUSES, (chat) => {
      seen.add(chat.id);
      // A sweep lists finished chats a regular round never shows: only an unfinished one is news by being new.
      if (this.sighted(chat, round, !full || isOpen(chat.status))) changed = true;
      this.sink.chatSeen(chat);
    });
    if (full) this.lastFullSync = this.now();
    else this.regularPages = pages;
    // Chats we mirror that were open last time but are no longer listed as open: finished, or in a state we
    // did not ask for. One getChat each tells which, and lets the bridge pick up their last messages.
    for (const chat of this.sink.watchedChats()) {
      if (chat.status !== 'FINISHED') {
        const sighting = this.sightings.get(chat.id);
        if (sighting) sighting.round = round;
      }
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
        const fetched = await this.market.getChat(chat.id);
        if (this.sighted(fetched, round, true)) changed = true;
        this.sink.chatSeen(fetched);
      } catch (err) {
        if (err instanceof FatalError) throw err;
        this.options.logger.warn({ err, marketChatId: chat.id }, 'could not refresh a chat');
      }
    }
    // Forget chats this round neither saw nor found among the bridge's unfinished ones (after a sweep, the
    // finished chats), so what is remembered does not grow with the cabinet's history.
    if (!this.stopped) {
      for (const [id, sighting] of this.sightings) if (sighting.round !== round) this.sightings.delete(id);
    }
    if (changed) this.lastChangeAt = startedAt;
    this.rounds++;
    this.lastSuccessAt = this.now();
    this.intervalMs = this.nextInterval();
    return pages;
  }

  /**
   * How many chats the poller remembers the status and updatedAt of: those the last round saw, and the bridge's
   * unfinished ones.
   */
  get rememberedChats(): number {
    return this.sightings.size;
  }

  /** Remembers what the round saw of a chat; true when that is a change (or the chat is new and `newIsChange`). */
  private sighted(chat: MarketChat, round: number, newIsChange: boolean): boolean {
    const before = this.sightings.get(chat.id);
    this.sightings.set(chat.id, { status: chat.status, updatedAt: chat.updatedAt, round });
    if (!before) return newIsChange;
    return before.status !== chat.status || before.updatedAt !== chat.updatedAt;
  }

  /**
   * The configured interval, stretched so regular rounds of the last regular round's size stay within a share
   * of the getChats quota: the busy share while a round has seen a change within IDLE_AFTER_MS, else the idle one.
   */
  private nextInterval(): number {
    const busyShare = this.options.listQuotaShare ?? 0.5;
    const idle = this.lastChangeAt !== undefined && this.now() - this.lastChangeAt >= IDLE_AFTER_MS;
    const share = idle ? Math.min(busyShare, this.options.idleQuotaShare ?? IDLE_QUOTA_SHARE) : busyShare;
    const pagesPerHour = (this.options.listQuotaPerHour ?? 5000) * share;
    const next = Math.max(this.options.intervalMs, Math.ceil((this.regularPages * 3_600_000) / pagesPerHour));
    if (next !== this.intervalMs) {
      this.options.logger.debug({ idle, pages: this.regularPages, intervalMs: next }, 'polling pace changed');
    }
    return next;
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
   * The time between successful rounds, as the last round decided: the configured interval, or longer when
   * listing every open chat that often would spend too much of the getChats quota, and longer still once no
   * round has seen a change for IDLE_AFTER_MS (backoff after failures not included).
   */
  get roundIntervalMs(): number {
    return this.intervalMs;
  }

  private async round(): Promise<void> {
    let next: number;
    try {
      await this.pollOnce();
      this.failures = 0;
      this.options.onRound?.(true);
      next = this.roundIntervalMs;
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
