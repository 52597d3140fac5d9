/**
 * The wall clock of an IANA time zone, read through Intl: what the clock on the wall shows at an instant, and
 * the first instant at which it shows a given time. Wall times are counted like instants (milliseconds since
 * 1970-01-01 00:00), but on the local clock.
 */

const SECOND_MS = 1000;
export const DAY_MS = 86_400_000;

export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;

  /** Throws a RangeError for a time zone Intl does not know. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** What the local clock shows at the instant `ms`. */
  wallAt(ms: number): number {
    const parts = this.format.formatToParts(ms);
    const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
    const fields = Date.UTC(
      field('year'),
      field('month') - 1,
      field('day'),
      field('hour'),
      field('minute'),
      field('second'),
    );
    return fields + (ms - Math.floor(ms / SECOND_MS) * SECOND_MS);
  }

  /** The local day (days since 1970-01-01 on the local clock) of the instant `ms`. */
  dayAt(ms: number): number {
    return Math.floor(this.wallAt(ms) / DAY_MS);
  }

  /**
   * The first instant at which the local clock shows `wall` or later. A time the clock shows twice (the hour
   * repeated when summer time ends) gives its first occurrence; a time it skips (the hour lost when summer
   * time begins) gives the instant of the jump, when the clock already shows a later time.
   */
  firstInstantOf(wall: number): number {
    const before = this.wallAt(wall - DAY_MS) - (wall - DAY_MS);
    const after = this.wallAt(wall + DAY_MS) - (wall + DAY_MS);
    const exact = [wall - before, wall - after].filter((t) => this.wallAt(t) === wall);
    if (exact.length > 0) return Math.min(...exact);
    // Skipped: the jump lies between the two readings; find its first millisecond.
    let lo = wall - Math.max(before, after);
    let hi = wall - Math.min(before, after);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.wallAt(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}
