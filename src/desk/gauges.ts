/**
 * The desk's figures as the metrics read them at every scrape: counts and today's response times only, in one
 * pass over the chats' records, without sorting them or copying their titles (a cabinet may hold thousands of
 * chats). They agree with figures.ts (`deskFigures`, `responseStats`), which /status and the digest use.
 */
import type { ChatRecord } from '../bridge/store-port.ts';
import { waitingSince } from '../bridge/waits.ts';

const HOUR_MS = 3_600_000;

export interface DeskGauges {
  /** Chats that wait for the seller. */
  waiting: number;
  /** Of them, waiting at least the "too long" time. */
  tooLong: number;
  /** The longest wait now; 0 when nothing waits. */
  oldestWaitMs: number;
  /** Disputes the Market has not finished. */
  disputes: number;
  /** The waits answered in the period (today): how many, median and p90 (nearest rank), share within an hour. */
  answered: number;
  medianMs?: number;
  p90Ms?: number;
  withinHour?: number;
}

/** `period`: the answers counted, [fromMs, toMs) (today on BOT_TIMEZONE's clock). */
export function deskGauges(
  records: Iterable<ChatRecord>,
  nowMs: number,
  tooLongMs: number,
  period: { fromMs: number; toMs: number },
): DeskGauges {
  let waiting = 0;
  let tooLong = 0;
  let oldestWaitMs = 0;
  let disputes = 0;
  const waits: number[] = [];
  for (const rec of records) {
    if (rec.chat.kind === 'ARBITRAGE' && rec.chat.status !== 'FINISHED') disputes++;
    const since = waitingSince(rec);
    if (since !== undefined) {
      const sinceMs = Date.parse(since);
      const waited = Number.isNaN(sinceMs) ? 0 : Math.max(0, nowMs - sinceMs);
      waiting++;
      if (waited >= tooLongMs) tooLong++;
      if (waited > oldestWaitMs) oldestWaitMs = waited;
    }
    for (const a of rec.answers ?? []) {
      const at = Date.parse(a.at);
      if (at >= period.fromMs && at < period.toMs) waits.push(a.waitedMs);
    }
  }
  const base = { waiting, tooLong, oldestWaitMs, disputes, answered: waits.length };
  if (waits.length === 0) return base;
  waits.sort((a, b) => a - b);
  const rank = (p: number) => waits[Math.max(0, Math.ceil(p * waits.length) - 1)] as number;
  let withinHour = 0;
  for (const w of waits) if (w <= HOUR_MS) withinHour++;
  return { ...base, medianMs: rank(0.5), p90Ms: rank(0.9), withinHour: withinHour / waits.length };
}
