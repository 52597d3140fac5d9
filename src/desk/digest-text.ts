/**
 * What the daily digest says: the figures of a past day as the chats' records allow them (chats that waited
 * for the seller during it, chats first seen that day, the waits answered and their response times) and what
 * still waits now, the longest waits linked. Pure: digest.ts decides when, this module what.
 */
import { html, joinHtml, type Html } from '../bridge/html.ts';
import type { ChatRecord } from '../bridge/store-port.ts';
import type { Texts } from '../bridge/texts.ts';
import { waitingSince } from '../bridge/waits.ts';
import { waitingLine, type TopicLinker } from './chat-line.ts';
import { responseStats, waitingChats, type ResponseStats } from './figures.ts';

/** Waiting chats the digest names; the rest are counted. */
export const DIGEST_WAITING_SHOWN = 5;

export interface DayFigures {
  /** Chats that waited for the seller at some time of the day: a wait answered during or after it that had begun before its end, or a wait not answered yet that began before its end. */
  waited: number;
  /** Chats marketgram saw for the first time that day. */
  fresh: number;
  /** The waits answered during the day. */
  answers: ResponseStats;
}

/** The figures of the day [fromMs, toMs). Answers are kept two days, so yesterday's are complete. */
export function dayFigures(records: readonly ChatRecord[], fromMs: number, toMs: number): DayFigures {
  let waited = 0;
  let fresh = 0;
  for (const rec of records) {
    const first = Date.parse(rec.firstSeenAt);
    if (first >= fromMs && first < toMs) fresh++;
    const since = waitingSince(rec);
    const waitsSince = since === undefined ? NaN : Date.parse(since);
    const answeredWait = (rec.answers ?? []).some((a) => {
      const at = Date.parse(a.at);
      return at >= fromMs && at - a.waitedMs < toMs;
    });
    if (answeredWait || waitsSince < toMs) waited++;
  }
  return { waited, fresh, answers: responseStats(records, fromMs, toMs) };
}

export interface DigestTextOptions {
  texts: Texts;
  timeZone: string;
  link: TopicLinker;
}

/** The digest of the day [fromMs, toMs), with the chats that wait at `nowMs`. */
export function digestText(
  records: readonly ChatRecord[],
  day: { fromMs: number; toMs: number },
  nowMs: number,
  o: DigestTextOptions,
): Html {
  const t = o.texts.deskStatus;
  const d = t.digest;
  const figures = dayFigures(records, day.fromMs, day.toMs);
  const date = new Intl.DateTimeFormat(o.texts.locale, {
    timeZone: o.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  }).format(day.fromMs);
  const a = figures.answers;
  const lines: Html[] = [
    html`<b>${d.title(date)}</b>`,
    html`${d.chats(figures.waited, figures.fresh)}`,
    html`${
      a.answered > 0 && a.medianMs !== undefined && a.longestMs !== undefined
        ? d.answered(a.answered, t.duration(a.medianMs), t.duration(a.longestMs))
        : d.noneAnswered
    }`,
    html``,
  ];
  const waiting = waitingChats(records, nowMs);
  if (waiting.length === 0) lines.push(html`${d.nobodyWaits}`);
  else {
    lines.push(html`${d.waitingNow(waiting.length)}`);
    for (const w of waiting.slice(0, DIGEST_WAITING_SHOWN)) lines.push(waitingLine(w, t, o.link));
    if (waiting.length > DIGEST_WAITING_SHOWN) lines.push(html`${d.more(waiting.length - DIGEST_WAITING_SHOWN)}`);
  }
  return joinHtml(lines, '\n');
}
