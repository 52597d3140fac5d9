import { describe, expect, it } from 'vitest';
import { parseWorkHours, WorkHours, WorkHoursError } from '../../src/desk/work-hours.ts';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
/** The instant of an answer, as an ISO string (undefined stays undefined). */
const iso = (d: Date | undefined) => d?.toISOString();

/** Hours open in the week of Monday 2025-06-02 (UTC). */
function weeklyHours(text: string): number {
  return parseWorkHours(text, 'UTC').workingMsBetween(at('2025-06-02T00:00Z'), at('2025-06-09T00:00Z')) / HOUR;
}

function problemOf(text: string): WorkHoursError {
  try {
    parseWorkHours(text, 'UTC');
  } catch (err) {
    if (err instanceof WorkHoursError) return err;
    throw err;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('parseWorkHours: the syntax', () => {
  it('reads clauses separated by ;, lists of days and several time ranges a day', () => {
    const hours = parseWorkHours('mon,wed 09:00-13:00,14:00-18:00; fri 10:00-12:00', 'UTC');
    // 2025-06-02 is a Monday.
    expect(hours.isOpen(at('2025-06-02T09:00Z'))).toBe(true);
    expect(hours.isOpen(at('2025-06-02T13:30Z'))).toBe(false);
    expect(hours.isOpen(at('2025-06-02T14:00Z'))).toBe(true);
    expect(hours.isOpen(at('2025-06-03T10:00Z'))).toBe(false);
    expect(hours.isOpen(at('2025-06-04T17:59Z'))).toBe(true);
    expect(hours.isOpen(at('2025-06-06T11:00Z'))).toBe(true);
    expect(hours.isOpen(at('2025-06-06T12:00Z'))).toBe(false);
    expect(weeklyHours('mon,wed 09:00-13:00,14:00-18:00; fri 10:00-12:00')).toBe(18);
  });

  it('takes day names in any case, in full, in Russian, and dashes with spaces or typographic dashes', () => {
    for (const text of [
      'mon-fri 09:00-18:00',
      'MON–Fri 09:00 - 18:00',
      'Monday-Friday 9:00-18:00',
      'пн-пт 09:00-18:00',
      'mon, tue, wed,thu fri 09:00-18:00;',
    ]) {
      expect({ text, hours: weeklyHours(text) }).toEqual({ text, hours: 45 });
    }
  });

  it('reads a day range that runs over the week end forward: fri-mon is Friday to Monday', () => {
    const hours = parseWorkHours('fri-mon 10:00-12:00', 'UTC');
    const openOn = ['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-07', '2025-06-08']
      .filter((day) => hours.isOpen(at(`${day}T11:00Z`)))
      .map((day) => new Date(day).getUTCDay());
    expect(openOn).toEqual([1, 5, 6, 0]);
    expect(weeklyHours('sun-thu 09:00-18:00')).toBe(45);
  });

  it('takes 24:00 as the end of a day', () => {
    const hours = parseWorkHours('mon 18:00-24:00', 'UTC');
    expect(hours.isOpen(at('2025-06-02T23:59:59.999Z'))).toBe(true);
    expect(iso(hours.nextClosing(at('2025-06-02T20:00Z')))).toBe('2025-06-03T00:00:00.000Z');
    expect(weeklyHours('sat 00:00-24:00')).toBe(24);
  });

  it('gives a range that ends before it starts to its starting day, running past midnight', () => {
    const hours = parseWorkHours('fri 22:00-02:00', 'UTC');
    expect(hours.isOpen(at('2025-06-06T23:00Z'))).toBe(true); // Friday night
    expect(hours.isOpen(at('2025-06-07T01:59Z'))).toBe(true); // Saturday early morning
    expect(hours.isOpen(at('2025-06-07T02:00Z'))).toBe(false);
    expect(hours.isOpen(at('2025-06-06T01:00Z'))).toBe(false); // Friday early morning: Thursday has no hours
    expect(hours.isOpen(at('2025-06-07T22:30Z'))).toBe(false); // Saturday night
    expect(weeklyHours('fri 22:00-02:00')).toBe(4);
    // Sunday night runs into Monday.
    expect(parseWorkHours('sun 22:00-02:00', 'UTC').isOpen(at('2025-06-02T01:00Z'))).toBe(true);
  });

  it('joins clauses that overlap or touch, over midnight and the week end too', () => {
    const days = parseWorkHours('mon 00:00-24:00; tue 00:00-12:00; mon 10:00-11:00', 'UTC');
    expect(iso(days.nextClosing(at('2025-06-02T10:00Z')))).toBe('2025-06-03T12:00:00.000Z');
    const weekEnd = parseWorkHours('sun 20:00-24:00; mon 00:00-08:00', 'UTC');
    expect(iso(weekEnd.nextClosing(at('2025-06-08T21:00Z')))).toBe('2025-06-09T08:00:00.000Z');
    expect(iso(weekEnd.nextOpening(at('2025-06-09T07:00Z')))).toBe('2025-06-15T20:00:00.000Z');
  });

  it.each([
    ['mo-fri 09:00-18:00', /^unknown day "mo" in "mo-fri 09:00-18:00": days are mon, tue, wed/],
    ['mon-fri', /^"mon-fri" has no hours: put them after the days, like "mon-fri 09:00-18:00"/],
    ['09:00-18:00', /^"09:00-18:00" has no days: put them before the hours, like "mon-fri 09:00-18:00"/],
    ['mon-fri 9-18', /^"9-18" in "mon-fri 9-18" is not a time range: write start-end in 24-hour time/],
    ['mon-fri 0900-1800', /^"0900-1800" in .* is not a time range/],
    ['mon 25:00-26:00', /^"25:00" in "mon 25:00-26:00" is not a time of day: hours go from 00 to 23/],
    ['mon 09:60-18:00', /^"09:60" in .* is not a time of day/],
    ['mon 09:00-24:30', /^"24:30" in .* is not a time of day/],
    ['mon 24:00-02:00', /^"24:00-02:00" in "mon 24:00-02:00" starts at 24:00/],
    ['mon 09:00-09:00', /^"09:00-09:00" in .* starts and ends at the same time: write 00:00-24:00/],
    ['mon-mon 09:00-18:00', /^"mon-mon" in .* starts and ends on the same day: write just "mon"/],
    ['mon--fri 09:00-18:00', /^"mon--fri" in .* is neither a day nor a range of days/],
    ['mon-wed-fri 09:00-18:00', /^"mon-wed-fri" in .* is neither a day nor a range of days/],
    [';', /^";" names no days and hours/],
    ['mon-fri 09:00-18:00; sat', /^"sat" has no hours/],
  ])('refuses %s and says what is wrong', (text, problem) => {
    const err = problemOf(text);
    expect(err.code).toBe('WORK_HOURS_INVALID');
    expect(err.problem).toMatch(problem);
    expect(err.message).toContain('write for example "mon-fri 09:00-18:00; sat 10:00-14:00"');
  });

  it('refuses a time zone Intl does not know', () => {
    expect(() => parseWorkHours('mon 09:00-18:00', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('always open, the default', () => {
  it.each(['', '  ', 'always', 'ALWAYS', 'mon-sun 00:00-24:00', 'sat-thu 00:00-24:00; fri 12:00-24:00,00:00-12:00'])(
    '"%s" is always open',
    (text) => {
      const hours = parseWorkHours(text, 'Europe/Berlin');
      expect(hours.alwaysOpen).toBe(true);
      expect(hours.isOpen(at('2025-06-08T03:00Z'))).toBe(true);
      expect(hours.nextOpening(at('2025-06-08T03:00Z'))).toBeUndefined();
      expect(hours.nextClosing(at('2025-06-08T03:00Z'))).toBeUndefined();
      expect(hours.workingMsBetween(at('2025-03-29T00:00Z'), at('2025-04-01T00:00Z'))).toBe(72 * HOUR);
    },
  );

  it('is what an empty text gives, and stays itself in any zone', () => {
    expect(parseWorkHours('', 'UTC')).toBe(WorkHours.always);
    expect(WorkHours.always.inZone('Asia/Tokyo')).toBe(WorkHours.always);
  });

  it('is not what a week with an hour off gives', () => {
    const hours = parseWorkHours('mon-sat 00:00-24:00; sun 00:00-23:00', 'UTC');
    expect(hours.alwaysOpen).toBe(false);
    expect(iso(hours.nextClosing(at('2025-06-02T00:00Z')))).toBe('2025-06-08T23:00:00.000Z');
    expect(iso(hours.nextOpening(at('2025-06-02T00:00Z')))).toBe('2025-06-09T00:00:00.000Z');
  });
});

describe('a working week in Moscow (no summer time)', () => {
  // 2025-06-02 is a Monday; Moscow is UTC+3 all year.
  const hours = parseWorkHours('mon-fri 09:00-18:00', 'Europe/Moscow');

  it('is open from the first millisecond of 09:00 to the last one before 18:00', () => {
    expect(hours.isOpen(at('2025-06-02T05:59:59.999Z'))).toBe(false);
    expect(hours.isOpen(at('2025-06-02T06:00:00.000Z'))).toBe(true);
    expect(hours.isOpen(at('2025-06-02T14:59:59.999Z'))).toBe(true);
    expect(hours.isOpen(at('2025-06-02T15:00:00.000Z'))).toBe(false);
    expect(hours.isOpen(at('2025-06-07T09:00Z'))).toBe(false); // Saturday
  });

  it('opens next on Monday morning when asked on Friday evening or at the weekend', () => {
    expect(iso(hours.nextOpening(at('2025-06-06T15:00Z')))).toBe('2025-06-09T06:00:00.000Z');
    expect(iso(hours.nextOpening(at('2025-06-07T12:00Z')))).toBe('2025-06-09T06:00:00.000Z');
    expect(iso(hours.nextClosing(at('2025-06-07T12:00Z')))).toBe('2025-06-09T15:00:00.000Z');
  });

  it('while open, opens next after it closes, and closes at 18:00', () => {
    expect(iso(hours.nextOpening(at('2025-06-02T07:00Z')))).toBe('2025-06-03T06:00:00.000Z');
    expect(iso(hours.nextOpening(at('2025-06-02T06:00Z')))).toBe('2025-06-03T06:00:00.000Z');
    expect(iso(hours.nextClosing(at('2025-06-02T07:00Z')))).toBe('2025-06-02T15:00:00.000Z');
    expect(iso(hours.nextClosing(at('2025-06-06T14:59Z')))).toBe('2025-06-06T15:00:00.000Z');
  });

  it('counts only working time across a weekend', () => {
    // Friday 17:00 to Monday 10:00: Friday's last hour and Monday's first.
    expect(hours.workingMsBetween(at('2025-06-06T14:00Z'), at('2025-06-09T07:00Z'))).toBe(2 * HOUR);
    const withSaturday = parseWorkHours('mon-fri 09:00-18:00; sat 10:00-14:00', 'Europe/Moscow');
    expect(withSaturday.workingMsBetween(at('2025-06-06T14:00Z'), at('2025-06-09T07:00Z'))).toBe(6 * HOUR);
    expect(hours.workingMsBetween(at('2025-06-02T07:00Z'), at('2025-06-02T07:20Z'))).toBe(20 * 60_000);
    expect(hours.workingMsBetween(at('2025-06-09T07:00Z'), at('2025-06-06T14:00Z'))).toBe(0);
    expect(hours.workingMsBetween(at('2025-06-02T00:00Z'), at('2025-06-30T00:00Z'))).toBe(4 * 45 * HOUR);
  });

  it('reads the same hours on another clock with inZone', () => {
    const tokyo = hours.inZone('Asia/Tokyo');
    expect(tokyo.timeZone).toBe('Asia/Tokyo');
    expect(iso(tokyo.nextOpening(at('2025-06-06T12:00Z')))).toBe('2025-06-09T00:00:00.000Z');
  });
});

describe('summer time in Berlin', () => {
  // 2025-03-30: 02:00 CET (UTC+1) jumps to 03:00 CEST (UTC+2) at 01:00Z.
  // 2025-10-26: 03:00 CEST goes back to 02:00 CET at 01:00Z; 02:00-03:00 is lived twice.

  it('keeps 09:00 on the clock across the change: Friday opens at 08:00Z, Monday at 07:00Z', () => {
    const hours = parseWorkHours('mon-fri 09:00-18:00', 'Europe/Berlin');
    expect(iso(hours.nextOpening(at('2025-03-28T00:00Z')))).toBe('2025-03-28T08:00:00.000Z');
    expect(iso(hours.nextOpening(at('2025-03-28T17:00Z')))).toBe('2025-03-31T07:00:00.000Z');
    expect(iso(hours.nextClosing(at('2025-03-31T07:00Z')))).toBe('2025-03-31T16:00:00.000Z');
    expect(hours.workingMsBetween(at('2025-03-28T16:00Z'), at('2025-03-31T08:00Z'))).toBe(2 * HOUR);
    expect(iso(hours.nextOpening(at('2025-10-24T17:00Z')))).toBe('2025-10-27T08:00:00.000Z');
  });

  it('counts a whole day by the real time it lasts: 23 hours in March, 25 in October', () => {
    const sunday = parseWorkHours('sun 00:00-24:00', 'Europe/Berlin');
    expect(sunday.workingMsBetween(at('2025-03-29T00:00Z'), at('2025-04-01T00:00Z'))).toBe(23 * HOUR);
    expect(sunday.workingMsBetween(at('2025-10-25T00:00Z'), at('2025-10-28T00:00Z'))).toBe(25 * HOUR);
    const night = parseWorkHours('sat 22:00-06:00', 'Europe/Berlin');
    expect(night.workingMsBetween(at('2025-10-25T00:00Z'), at('2025-10-27T00:00Z'))).toBe(9 * HOUR);
    expect(night.workingMsBetween(at('2025-03-29T00:00Z'), at('2025-03-31T00:00Z'))).toBe(7 * HOUR);
  });

  it('opens at the jump when the opening time is skipped', () => {
    const hours = parseWorkHours('sun 02:30-04:00', 'Europe/Berlin');
    expect(iso(hours.nextOpening(at('2025-03-29T00:00Z')))).toBe('2025-03-30T01:00:00.000Z');
    expect(hours.isOpen(at('2025-03-30T00:59:59.999Z'))).toBe(false);
    expect(hours.isOpen(at('2025-03-30T01:00Z'))).toBe(true);
    expect(iso(hours.nextClosing(at('2025-03-30T01:00Z')))).toBe('2025-03-30T02:00:00.000Z');
  });

  it('closes at the first pass of a repeated time and does not open again in the repeated hour', () => {
    const hours = parseWorkHours('sat 22:00-02:30', 'Europe/Berlin');
    expect(iso(hours.nextClosing(at('2025-10-25T21:00Z')))).toBe('2025-10-26T00:30:00.000Z');
    expect(hours.isOpen(at('2025-10-26T00:29Z'))).toBe(true);
    expect(hours.isOpen(at('2025-10-26T01:15Z'))).toBe(false); // 02:15 CET, the second pass
    expect(iso(hours.nextOpening(at('2025-10-26T00:30Z')))).toBe('2025-11-01T21:00:00.000Z');
    expect(hours.workingMsBetween(at('2025-10-25T00:00Z'), at('2025-10-27T00:00Z'))).toBe(4.5 * HOUR);
  });

  it('does not close at a pause that the skipped hour swallows', () => {
    const hours = parseWorkHours('sun 00:00-02:00, 03:00-24:00', 'Europe/Berlin');
    expect(iso(hours.nextClosing(at('2025-03-29T23:30Z')))).toBe('2025-03-30T22:00:00.000Z');
    expect(hours.isOpen(at('2025-03-30T01:00Z'))).toBe(true);
    // A week later the pause is an hour long again.
    expect(iso(hours.nextClosing(at('2025-04-05T22:30Z')))).toBe('2025-04-06T00:00:00.000Z');
  });

  it('stays open from one pause to the next when the only pause of a week is the skipped hour', () => {
    const hours = parseWorkHours('mon-sat 00:00-24:00; sun 00:00-02:00, 03:00-24:00', 'Europe/Berlin');
    expect(hours.alwaysOpen).toBe(false);
    expect(iso(hours.nextClosing(at('2025-03-24T12:00Z')))).toBe('2025-04-06T00:00:00.000Z');
    expect(iso(hours.nextOpening(at('2025-03-24T12:00Z')))).toBe('2025-04-06T01:00:00.000Z');
    // 15 days less the two pauses that do happen, on 23 March and 6 April.
    expect(hours.workingMsBetween(at('2025-03-23T00:00Z'), at('2025-04-07T00:00Z'))).toBe((15 * 24 - 2) * HOUR);
  });

  it('follows other zones’ changes too: New York moves to summer time on 2025-03-09', () => {
    const hours = parseWorkHours('mon-fri 09:00-17:00', 'America/New_York');
    expect(iso(hours.nextOpening(at('2025-03-07T00:00Z')))).toBe('2025-03-07T14:00:00.000Z');
    expect(iso(hours.nextOpening(at('2025-03-07T23:00Z')))).toBe('2025-03-10T13:00:00.000Z');
  });

  it('has no hours on a day the zone skips altogether (Samoa, 2011-12-30)', () => {
    const hours = parseWorkHours('fri 09:00-18:00', 'Pacific/Apia');
    expect(hours.workingMsBetween(at('2011-12-26T00:00Z'), at('2012-01-03T00:00Z'))).toBe(0);
    expect(iso(hours.nextOpening(at('2011-12-28T00:00Z')))).toBe('2012-01-05T19:00:00.000Z');
  });
});
