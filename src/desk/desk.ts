/**
 * The triage desk: looks at the chats every few seconds and keeps the group's view of them current — the
 * waiting board pinned in General (board.ts) and the reminders and escalations (nudges.ts). It reads the
 * chats' records (waiting episodes, owners: src/bridge/waits.ts, ownership.ts) and never touches the Market:
 * what it knows comes from the bridge's mirroring. Each of its two jobs runs one look at a time, so a turn that
 * is slow to come in Telegram's budget delays only the next look of that job.
 */
import { Board } from './board.ts';
import { boardView } from './board-view.ts';
import { deskFigures } from './figures.ts';
import { nudgees } from './nudgees.ts';
import { Nudges } from './nudges.ts';
import type { DeskOptions } from './options.ts';
import { tooLongAfter } from './summary.ts';

export class Desk {
  private readonly board: Board;
  private readonly nudges: Nudges;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = {
    board: undefined as Promise<void> | undefined,
    nudges: undefined as Promise<void> | undefined,
  };

  constructor(private readonly o: DeskOptions) {
    this.board = new Board(o);
    this.nudges = new Nudges(o);
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.tickMs ?? 15_000);
    this.timer.unref();
  }

  /** Stops looking; resolves when the looks in progress are over. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.running.board, this.running.nudges]);
  }

  /** One look: starts each job unless its previous look still runs. Never throws. */
  tick(): Promise<void> {
    const jobs = (['board', 'nudges'] as const).map((job) => {
      if (this.running[job]) return this.running[job];
      const run = (job === 'board' ? this.showBoard() : this.nudge())
        .catch((err: unknown) => this.o.log.warn({ err, job }, 'the desk could not update'))
        .finally(() => {
          this.running[job] = undefined;
        });
      this.running[job] = run;
      return run;
    });
    return Promise.all(jobs).then(() => undefined);
  }

  private async showBoard(): Promise<void> {
    const { o } = this;
    const now = this.now();
    const tooLong = tooLongAfter(o);
    const figures = deskFigures(o.store.chats(), now, tooLong, o.store.threads());
    const open = o.workHours.isOpen(new Date(now));
    const view = boardView(figures, {
      t: o.t.board,
      duration: o.t.progress.duration,
      link: o.link,
      tooLongMs: tooLong,
      ...(!open && { offHours: { opens: this.opening(now) } }),
    });
    await this.board.update(view, now);
  }

  private async nudge(): Promise<void> {
    const { o } = this;
    const now = this.now();
    await this.nudges.run(nudgees(o.store), now, o.workHours.isOpen(new Date(now)));
  }

  /** When WORK_HOURS open next, as "Mon 09:00" in BOT_TIMEZONE and the bot's language. */
  private opening(now: number): string | undefined {
    const at = this.o.workHours.nextOpening(new Date(now));
    if (!at) return undefined;
    return new Intl.DateTimeFormat(this.o.t.board.locale, {
      timeZone: this.o.timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(at);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}
