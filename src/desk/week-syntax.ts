/**
 * The WORK_HOURS syntax: `mon-fri 09:00-18:00; sat 10:00-14:00` read into the stretches of the week it keeps
 * open, with errors that say what is wrong and what to write instead. No time zone here: a week is counted in
 * minutes of the local clock from Monday 00:00.
 */

export const DAY_MINUTES = 1440;
export const WEEK_MINUTES = 7 * DAY_MINUTES;

/** What the error messages suggest. */
export const WORK_HOURS_EXAMPLE = 'mon-fri 09:00-18:00; sat 10:00-14:00';

/** A malformed WORK_HOURS text. `problem` says what is wrong in it; the message adds an example. */
export class WorkHoursError extends Error {
  readonly code = 'WORK_HOURS_INVALID';
  constructor(readonly problem: string) {
    super(`${problem}; write for example "${WORK_HOURS_EXAMPLE}"`);
    this.name = 'WorkHoursError';
  }
}

/**
 * An open stretch of the local week in minutes from Monday 00:00: `start` within the week, `end` after it, so
 * a stretch that passes Sunday 24:00 goes on into the next Monday.
 */
export interface Stretch {
  start: number;
  end: number;
}

/** Day names, Monday first: English (short and full) and the Russian abbreviations. */
const DAYS: Record<string, number> = {
  mon: 0,
  monday: 0,
  tue: 1,
  tuesday: 1,
  wed: 2,
  wednesday: 2,
  thu: 3,
  thursday: 3,
  fri: 4,
  friday: 4,
  sat: 5,
  saturday: 5,
  sun: 6,
  sunday: 6,
  пн: 0,
  вт: 1,
  ср: 2,
  чт: 3,
  пт: 4,
  сб: 5,
  вс: 6,
};

/**
 * Reads a WORK_HOURS text into the stretches it keeps open, merged and sorted by start; `'always'` when it is
 * empty, `always`, or covers the whole week. Throws WorkHoursError.
 */
export function parseWeek(text: string): Stretch[] | 'always' {
  const source = text.trim();
  if (source === '' || source.toLowerCase() === 'always') return 'always';
  const clauses = source
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) throw new WorkHoursError(`"${source}" names no days and hours`);
  return merge(clauses.flatMap(parseClause));
}

/** One clause, `days hours`: every day it names gets every time range it gives. */
function parseClause(clause: string): Stretch[] {
  const text = clause.replace(/[\u2010-\u2015\u2212]/g, '-');
  const at = text.search(/\d/);
  const daysText = (at < 0 ? text : text.slice(0, at)).trim();
  const timesText = at < 0 ? '' : text.slice(at).trim();
  if (daysText === '') {
    throw new WorkHoursError(`"${clause}" has no days: put them before the hours, like "mon-fri ${timesText}"`);
  }
  if (timesText === '') {
    throw new WorkHoursError(
      `"${clause}" has no hours: put them after the days, like "${daysText} 09:00-18:00" (00:00-24:00 for the whole day)`,
    );
  }
  const days = parseDays(daysText, clause);
  const ranges = items(timesText).map((item) => parseRange(item, clause));
  return days.flatMap((day) =>
    ranges.map((r) => ({ start: day * DAY_MINUTES + r.start, end: day * DAY_MINUTES + r.end })),
  );
}

/** Items separated by commas or spaces, with the spaces around a dash dropped: `mon - fri, sun` → two items. */
function items(text: string): string[] {
  return text
    .replace(/\s*-\s*/g, '-')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** Days and ranges of days: `mon,wed`, `mon-fri`; a range may run over the week's end (`fri-mon`, `sun-thu`). */
function parseDays(text: string, clause: string): number[] {
  const days = new Set<number>();
  for (const item of items(text)) {
    const ends = item.split('-');
    const [first = '', last = first] = ends;
    if (ends.length > 2 || ends.some((e) => e === '')) {
      throw new WorkHoursError(`"${item}" in "${clause}" is neither a day nor a range of days like mon-fri`);
    }
    const from = day(first, clause);
    const to = day(last, clause);
    if (ends.length === 2 && from === to) {
      throw new WorkHoursError(
        `"${item}" in "${clause}" starts and ends on the same day: write just "${first}", or mon-sun for every day`,
      );
    }
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days];
}

function day(name: string, clause: string): number {
  const index = DAYS[name.toLowerCase()];
  if (index === undefined) {
    throw new WorkHoursError(
      `unknown day "${name}" in "${clause}": days are mon, tue, wed, thu, fri, sat, sun (or пн, вт, ср, чт, пт, сб, вс)`,
    );
  }
  return index;
}

/** `HH:MM-HH:MM` in minutes of the day; an end before the start runs past midnight into the next day. */
function parseRange(item: string, clause: string): Stretch {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(item);
  if (!m) {
    throw new WorkHoursError(
      `"${item}" in "${clause}" is not a time range: write start-end in 24-hour time, like 09:00-18:00`,
    );
  }
  const start = minuteOfDay(m[1], m[2], clause);
  const end = minuteOfDay(m[3], m[4], clause);
  if (start === DAY_MINUTES) {
    throw new WorkHoursError(`"${item}" in "${clause}" starts at 24:00: 24:00 only ends a range; start at 00:00`);
  }
  if (start === end) {
    throw new WorkHoursError(
      `"${item}" in "${clause}" starts and ends at the same time: write 00:00-24:00 for the whole day`,
    );
  }
  return { start, end: end < start ? end + DAY_MINUTES : end };
}

function minuteOfDay(hh = '', mm = '', clause: string): number {
  const h = Number(hh);
  const m = Number(mm);
  if (h > 24 || m > 59 || (h === 24 && m > 0)) {
    throw new WorkHoursError(
      `"${hh}:${mm}" in "${clause}" is not a time of day: hours go from 00 to 23 and minutes from 00 to 59 (24:00 ends the day)`,
    );
  }
  return h * 60 + m;
}

/**
 * Stretches merged where they overlap or touch, sorted by start; `'always'` when they cover the whole week.
 * A stretch that runs past Sunday 24:00 may still overlap Monday's: the weeks are joined in instants, where
 * summer time can make stretches touch as well. Only a stretch that reaches round to its own start covers the
 * week, as stretches that do not touch leave a pause between them.
 */
function merge(stretches: Stretch[]): Stretch[] | 'always' {
  const merged: Stretch[] = [];
  for (const s of [...stretches].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged.some((s) => s.end - s.start >= WEEK_MINUTES) ? 'always' : merged;
}
