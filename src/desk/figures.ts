/**
 * The desk's figures, read from the chats' records: which chats wait for the seller (oldest wait first), how
 * many wait too long, open disputes, who owns what, and response times over a period. Pure functions: the
 * board, the reminders, /status, /mine, the metrics and the digest all read the same figures.
 */
import type { TopicId } from '../bridge/ids.ts';
import type { ChatRecord } from '../bridge/store-port.ts';
import type { ThreadKind, ThreadRecord } from '../bridge/thread-store.ts';
import { waitingSince } from '../bridge/waits.ts';
import { DAY_MS, ZoneClock } from './zone-clock.ts';

/** A chat, review or question that waits for the seller. */
export interface WaitingChat {
  readonly kind: 'chat' | ThreadKind;
  /** A chat's record (reviews and questions have none). */
  readonly rec?: ChatRecord;
  /** What it is across kinds: the chat's id, or the thread's key. */
  readonly key: string;
  /** The topic's title (the chat's id while it has none). */
  readonly title: string;
  readonly topicId?: TopicId;
  /** Since when it waits (ISO). */
  readonly since: string;
  readonly waitedMs: number;
  /** A dispute (ARBITRAGE) rather than a chat. */
  readonly dispute: boolean;
  readonly owner?: { id: number; name: string };
}

/** A waiting chat (not a review or question), with its record. */
export type ChatWaiting = WaitingChat & { readonly kind: 'chat'; readonly rec: ChatRecord };

/** The chats that wait for the seller at `nowMs`, the longest wait first. */
export function waitingChats(records: Iterable<ChatRecord>, nowMs: number): ChatWaiting[] {
  const waiting: ChatWaiting[] = [];
  for (const rec of records) {
    const since = waitingSince(rec);
    if (since === undefined) continue;
    const sinceMs = Date.parse(since);
    waiting.push({
      kind: 'chat',
      rec,
      key: String(rec.marketChatId),
      title: rec.title ?? `#${rec.marketChatId}`,
      ...(rec.topicId !== undefined && { topicId: rec.topicId }),
      since,
      waitedMs: Number.isNaN(sinceMs) ? 0 : Math.max(0, nowMs - sinceMs),
      dispute: rec.chat.kind === 'ARBITRAGE',
      ...(rec.owner && { owner: rec.owner }),
    });
  }
  return waiting.sort(longestFirst);
}

const longestFirst = (a: WaitingChat, b: WaitingChat) => b.waitedMs - a.waitedMs || a.key.localeCompare(b.key);

/** The reviews and questions that wait for the seller at `nowMs`, the longest wait first. */
export function waitingThreads(threads: Iterable<ThreadRecord>, nowMs: number): WaitingChat[] {
  const waiting: WaitingChat[] = [];
  for (const t of threads) {
    if (t.state !== 'waiting' || t.waitingSince === undefined) continue;
    const sinceMs = Date.parse(t.waitingSince);
    waiting.push({
      kind: t.kind,
      key: t.key,
      title: t.title ?? t.key,
      ...(t.topicId !== undefined && { topicId: t.topicId }),
      since: t.waitingSince,
      waitedMs: Number.isNaN(sinceMs) ? 0 : Math.max(0, nowMs - sinceMs),
      dispute: false,
    });
  }
  return waiting.sort(longestFirst);
}

/** What a seller asks first: how many wait, how long, and who is on them. */
export interface DeskFigures {
  /** The longest wait first. */
  waiting: WaitingChat[];
  /** Waiting at least the "too long" time. */
  tooLong: number;
  /** Disputes the Market has not finished, waiting or not. */
  disputes: number;
  /** Owners of waiting chats with how many each, most first; `unowned` counts the rest. */
  owners: Array<{ id: number; name: string; waiting: number }>;
  unowned: number;
}

/** `tooLongMs`: from how long a wait counts as too long (ESCALATE_AFTER, or REMIND_AFTER when that is off). */
export function deskFigures(
  records: readonly ChatRecord[],
  nowMs: number,
  tooLongMs: number,
  threads: readonly ThreadRecord[] = [],
): DeskFigures {
  const waiting = [...waitingChats(records, nowMs), ...waitingThreads(threads, nowMs)].sort(longestFirst);
  const owners = new Map<number, { id: number; name: string; waiting: number }>();
  for (const w of waiting) {
    if (!w.owner) continue;
    const entry = owners.get(w.owner.id) ?? { ...w.owner, waiting: 0 };
    entry.waiting++;
    owners.set(w.owner.id, entry);
  }
  return {
    waiting,
    tooLong: waiting.filter((w) => w.waitedMs >= tooLongMs).length,
    disputes: records.filter((r) => r.chat.kind === 'ARBITRAGE' && r.chat.status !== 'FINISHED').length,
    owners: [...owners.values()].sort((a, b) => b.waiting - a.waiting || a.name.localeCompare(b.name)),
    unowned: waiting.filter((w) => !w.owner).length,
  };
}

/** Response times of the waits answered in a period. */
export interface ResponseStats {
  answered: number;
  medianMs?: number;
  p90Ms?: number;
  longestMs?: number;
  /** Answered within an hour, 0…1. */
  withinHour?: number;
}

const HOUR_MS = 3_600_000;

/** The waits answered in [fromMs, toMs). */
export function responseStats(records: Iterable<ChatRecord>, fromMs: number, toMs: number): ResponseStats {
  const waits: number[] = [];
  for (const rec of records) {
    for (const a of rec.answers ?? []) {
      const at = Date.parse(a.at);
      if (at >= fromMs && at < toMs) waits.push(a.waitedMs);
    }
  }
  if (waits.length === 0) return { answered: 0 };
  waits.sort((a, b) => a - b);
  return {
    answered: waits.length,
    medianMs: percentile(waits, 0.5),
    p90Ms: percentile(waits, 0.9),
    longestMs: waits[waits.length - 1],
    withinHour: waits.filter((w) => w <= HOUR_MS).length / waits.length,
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

/** The local day of `nowMs` on the clock of `timeZone`: [its first instant, the next day's first instant). */
export function dayBounds(timeZone: string, nowMs: number, daysBack = 0): { fromMs: number; toMs: number } {
  const clock = new ZoneClock(timeZone);
  const day = clock.dayAt(nowMs) - daysBack;
  return { fromMs: clock.firstInstantOf(day * DAY_MS), toMs: clock.firstInstantOf((day + 1) * DAY_MS) };
}
