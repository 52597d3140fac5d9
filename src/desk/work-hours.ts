/**
 * Working hours (WORK_HOURS): when the desk is open, in the bot's time zone. Answers whether an instant is
 * inside them, when they next open or close, and how much of an interval they cover, across days and summer
 * time changes. Pure: no I/O, only Intl for the zone's clock. The syntax lives in week-syntax.ts.
 */
import { parseWeek, type Stretch } from './week-syntax.ts';
import { DAY_MS, ZoneClock } from './zone-clock.ts';

export { WorkHoursError } from './week-syntax.ts';

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: day 0 is the fourth day of a Monday-first week. */
const EPOCH_WEEKDAY = 3;
/** How far nextOpening / nextClosing look: hours open and close every week, but a clock change may skip one. */
const HORIZON_WEEKS = 64;
/** Weeks of spans kept per WorkHours: a desk asks about the same few weeks again and again. */
const CACHED_WEEKS = 16;

/** An interval of instants, in milliseconds since the epoch: open from `start`, closed again at `end`. */
interface Span {
  start: number;
  end: number;
}

/**
 * Reads a WORK_HOURS text (`mon-fri 09:00-18:00; sat 10:00-14:00`; empty or `always` for always open) as hours
 * on the clock of `timeZone`, an IANA name. Throws WorkHoursError for a malformed text, RangeError for a time
 * zone Intl does not know (unless the hours are always open, which need none).
 */
export function parseWorkHours(text: string, timeZone: string): WorkHours {
  return WorkHours.parse(text, timeZone);
}

/**
 * A weekly schedule in a time zone. A boundary `HH:MM` on a day is the first instant at which the zone's clock
 * shows that day and time or later: an hour the clock skips in spring opens or closes at the jump, an hour it
 * repeats in autumn at its first pass. Every interval is open at its start and closed at its end.
 */
export class WorkHours {
  /** Always open: the default. Needs no time zone; its `timeZone` is UTC and means nothing. */
  static readonly always = new WorkHours('always', 'UTC');

  private readonly clock: ZoneClock;
  private readonly weeks = new Map<number, Span[]>();

  private constructor(
    private readonly stretches: readonly Stretch[] | 'always',
    timeZone: string,
  ) {
    this.clock = new ZoneClock(timeZone);
  }

  /** See parseWorkHours. */
  static parse(text: string, timeZone: string): WorkHours {
    const week = parseWeek(text);
    return week === 'always' ? WorkHours.always : new WorkHours(week, timeZone);
  }

  get alwaysOpen(): boolean {
    return this.stretches === 'always';
  }

  get timeZone(): string {
    return this.clock.timeZone;
  }

  /** The same hours on the clock of another time zone. */
  inZone(timeZone: string): WorkHours {
    return this.stretches === 'always' ? this : new WorkHours(this.stretches, timeZone);
  }

  isOpen(at: Date): boolean {
    if (this.stretches === 'always') return true;
    const t = at.getTime();
    return this.spans(t, t).some((s) => s.start <= t && t < s.end);
  }

  /** The next instant after `at` at which the hours open (while open: after they close); undefined when always open. */
  nextOpening(at: Date): Date | undefined {
    const t = at.getTime();
    return this.lookAhead(t, (spans) => spans.find((s) => s.start > t)?.start);
  }

  /** The next instant after `at` at which the hours close (while closed: after they open); undefined when always open. */
  nextClosing(at: Date): Date | undefined {
    const t = at.getTime();
    // The last span seen may go on into the next week's first one: its end is only known with that week.
    return this.lookAhead(t, (spans) => spans.slice(0, -1).find((s) => s.end > t)?.end);
  }

  /** How many milliseconds of [from, to) fall inside the hours; 0 when `to` is not after `from`. */
  workingMsBetween(from: Date, to: Date): number {
    const a = from.getTime();
    const b = to.getTime();
    if (b <= a) return 0;
    if (this.stretches === 'always') return b - a;
    return this.spans(a, b).reduce((sum, s) => sum + Math.max(0, Math.min(s.end, b) - Math.max(s.start, a)), 0);
  }

  private lookAhead(t: number, pick: (spans: Span[]) => number | undefined): Date | undefined {
    if (this.stretches === 'always') return undefined;
    for (let weeks = 2; weeks <= HORIZON_WEEKS; weeks *= 2) {
      const found = pick(this.spans(t, t + weeks * WEEK_MS));
      if (found !== undefined) return new Date(found);
    }
    return undefined;
  }

  /**
   * The open spans that may touch [from, to], in order, merged: those of the local weeks from the one before
   * `from` (a stretch may run into the next week) through the one of `to`. Spans that a skipped hour emptied
   * are dropped; spans that a skipped hour made touch are joined.
   */
  private spans(from: number, to: number): Span[] {
    const merged: Span[] = [];
    for (let monday = this.mondayOf(from) - 7; monday <= this.mondayOf(to); monday += 7) {
      for (const s of this.weekSpans(monday)) {
        const last = merged.at(-1);
        if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
        else if (s.end > s.start) merged.push({ ...s });
      }
    }
    return merged;
  }

  /** The local day number of the Monday of the local week holding the instant `t`. */
  private mondayOf(t: number): number {
    const day = this.clock.dayAt(t);
    return day - ((((day + EPOCH_WEEKDAY) % 7) + 7) % 7);
  }

  /** The stretches of the local week that begins on day `monday`, as instants. */
  private weekSpans(monday: number): Span[] {
    const cached = this.weeks.get(monday);
    if (cached) return cached;
    const base = monday * DAY_MS;
    const stretches = this.stretches === 'always' ? [] : this.stretches;
    const spans = stretches.map((s) => ({
      start: this.clock.firstInstantOf(base + s.start * MINUTE_MS),
      end: this.clock.firstInstantOf(base + s.end * MINUTE_MS),
    }));
    if (this.weeks.size >= CACHED_WEEKS) this.weeks.clear();
    this.weeks.set(monday, spans);
    return spans;
  }
}
