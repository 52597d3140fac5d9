/**
 * The daily digest (DIGEST_AT): once a day, at that time on the clock of BOT_TIMEZONE, a message in General
 * with yesterday's figures and what still waits (digest-text.ts). Exactly once a day across restarts: the
 * store's desk record keeps the local day of the last digest, saved and committed after the post. A process
 * that was down at DIGEST_AT posts the digest when it comes back the same day; days it missed get none.
 */
import type { TelegramPort } from '../bridge/ports.ts';
import { TelegramRefusedError } from '../bridge/ports.ts';
import type { Log } from '../bridge/log.ts';
import type { Texts } from '../bridge/texts.ts';
import type { TopicLinker } from './chat-line.ts';
import { digestText } from './digest-text.ts';
import type { DeskStore } from './port.ts';
import { DAY_MS, ZoneClock } from './zone-clock.ts';

const MINUTE_MS = 60_000;
/** Posts tried a day before the digest is given up until the next day; and the least gap between two. */
const MAX_ATTEMPTS = 5;
const RETRY_AFTER_MS = 5 * MINUTE_MS;

export interface DigestOptions {
  store: DeskStore;
  telegram: Pick<TelegramPort, 'sendGeneral'>;
  texts: Texts;
  /** BOT_TIMEZONE. */
  timeZone: string;
  /** DIGEST_AT: minutes after midnight on the clock of `timeZone`. */
  atMinute: number;
  link: TopicLinker;
  log: Log;
  /** A day whose digest time came before this instant gets none (the store did not exist yet). */
  notBeforeMs?: number;
  now?: () => number;
  /** How often the time is looked at (default 30 s). */
  checkEveryMs?: number;
}

/**
 * What a tick did: `not-yet` (today's time has not come), `done` (today's digest is out already), `posted`,
 * `skipped` (the store is younger than today's digest time), `failed` (tried again later), `given-up` (until
 * tomorrow), `busy` (another tick is posting).
 */
export type DigestTick = 'not-yet' | 'done' | 'posted' | 'skipped' | 'failed' | 'given-up' | 'busy';

export class Digest {
  private readonly clock: ZoneClock;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<DigestTick>;
  /** Failed posts of the local day `day`, the last at `lastMs`. */
  private failures = { day: Number.NaN, count: 0, lastMs: 0 };

  constructor(private readonly o: DigestOptions) {
    this.clock = new ZoneClock(o.timeZone);
    this.now = o.now ?? Date.now;
  }

  /** Looks at once (a process started after today's time posts now), then every `checkEveryMs`. */
  start(): void {
    if (this.timer) return;
    const look = () => void this.tick().catch((err: unknown) => this.o.log.error({ err }, 'daily digest failed'));
    look();
    this.timer = setInterval(look, this.o.checkEveryMs ?? 30_000);
    this.timer.unref();
  }

  /** Stops looking; waits for a post in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Posts today's digest if its time has come and it is not out yet. One tick at a time. */
  tick(nowMs: number = this.now()): Promise<DigestTick> {
    if (this.running) return Promise.resolve('busy');
    const run = this.look(nowMs).finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async look(nowMs: number): Promise<DigestTick> {
    const { store, log } = this.o;
    const day = this.clock.dayAt(nowMs);
    const dueMs = this.clock.firstInstantOf(day * DAY_MS + this.o.atMinute * MINUTE_MS);
    if (nowMs < dueMs) return 'not-yet';
    const last = store.desk().digestDay;
    if (last !== undefined && last >= day) return 'done';
    if (this.o.notBeforeMs !== undefined && dueMs < this.o.notBeforeMs) return 'skipped';
    if (this.failures.day === day) {
      if (this.failures.count >= MAX_ATTEMPTS) return 'given-up';
      if (nowMs - this.failures.lastMs < RETRY_AFTER_MS) return 'failed';
    }
    const yesterday = {
      fromMs: this.clock.firstInstantOf((day - 1) * DAY_MS),
      toMs: this.clock.firstInstantOf(day * DAY_MS),
    };
    const text = digestText(store.chats(), yesterday, nowMs, this.o);
    try {
      await this.o.telegram.sendGeneral(text, { lane: 'live' });
    } catch (err) {
      const count = this.failures.day === day ? this.failures.count + 1 : 1;
      // Telegram will never take this text: trying again cannot help.
      const final = err instanceof TelegramRefusedError || count >= MAX_ATTEMPTS;
      this.failures = { day, count: final ? MAX_ATTEMPTS : count, lastMs: nowMs };
      log.warn(
        { err, day, attempt: count },
        final ? 'daily digest not posted; giving up until tomorrow' : 'daily digest not posted; will try again',
      );
      return final ? 'given-up' : 'failed';
    }
    store.desk().digestDay = day;
    store.saveDesk();
    try {
      await store.commit();
    } catch (err) {
      // Kept in memory (no second post from this process) and written with the store's next write.
      log.warn({ err, day }, 'daily digest posted; its day could not be written yet');
    }
    log.info({ day }, 'daily digest posted');
    return 'posted';
  }
}
