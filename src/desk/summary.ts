/**
 * What a seller asks first, read from the chats' records at one instant: the desk's figures (who waits, how
 * long, who owns what) and today's response times on the clock of BOT_TIMEZONE. /status shows it, /mine reads
 * the waiting chats of it; both get it through a source function, never the store.
 */
import type { ChatRecord } from '../bridge/store-port.ts';
import type { ThreadRecord } from '../bridge/thread-store.ts';
import { dayBounds, deskFigures, responseStats, type DeskFigures, type ResponseStats } from './figures.ts';

const HOUR_MS = 3_600_000;

export interface DeskSummary {
  figures: DeskFigures;
  /** The waits answered today so far. */
  today: ResponseStats;
}

/**
 * From how long a wait counts as too long: ESCALATE_AFTER, or REMIND_AFTER when escalation is off, or an hour
 * when both are off.
 */
export function tooLongAfter(desk: { remindAfterMs: number; escalateAfterMs: number }): number {
  return desk.escalateAfterMs || desk.remindAfterMs || HOUR_MS;
}

export function deskSummary(
  records: readonly ChatRecord[],
  nowMs: number,
  o: { tooLongMs: number; timeZone: string; threads?: readonly ThreadRecord[] },
): DeskSummary {
  const { fromMs, toMs } = dayBounds(o.timeZone, nowMs);
  return {
    figures: deskFigures(records, nowMs, o.tooLongMs, o.threads),
    today: responseStats(records, fromMs, toMs),
  };
}
