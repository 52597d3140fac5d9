/**
 * The waiting board's text: a header (waiting / too long / disputes), "off hours" when WORK_HOURS are closed,
 * then every waiting chat, the longest wait first — its wait, title (a link to its topic, where topics have
 * links) and owner — as many as fit (about 30) and "and N more". Its `structure` is what changes when the list does (chats, titles,
 * owners, marks), as opposed to the waits merely growing: the board edits at once for the first, rarely for
 * the second.
 */
import type { BoardTexts } from '../bridge/board-texts.ts';
import { html, joinHtml, type Html } from '../bridge/html.ts';
import { linkedTitle, type TopicLinker } from './chat-line.ts';
import type { DeskFigures, WaitingChat } from './figures.ts';

/** Lines of chats at most, and characters at most (Telegram takes 4096). */
const MAX_LINES = 30;
const MAX_CHARS = 3_800;

export interface BoardContext {
  t: BoardTexts;
  duration: (seconds: number) => string;
  link: TopicLinker;
  tooLongMs: number;
  /** Set outside WORK_HOURS: when they open, as text (undefined when unknown). */
  offHours?: { opens: string | undefined };
}

export interface BoardView {
  text: Html;
  structure: string;
}

export function boardView(f: DeskFigures, c: BoardContext): BoardView {
  const { t } = c;
  const counts = [t.tooLong(f.tooLong), ...(f.disputes > 0 ? [t.disputes(f.disputes)] : [])];
  const head: Html[] = [html`<b>${t.waiting(f.waiting.length)}</b> · ${counts.join(' · ')}`];
  if (c.offHours) head.push(html`${t.offHours(c.offHours.opens)}`);
  const lines: Html[] = [];
  let chars = joinHtml(head, '\n').markup.length;
  for (const w of f.waiting) {
    const line = chatLine(w, lines.length + 1, c);
    if (lines.length >= MAX_LINES || chars + line.markup.length + 40 > MAX_CHARS) break;
    lines.push(line);
    chars += line.markup.length + 1;
  }
  const more = f.waiting.length - lines.length;
  const body =
    f.waiting.length === 0 ? [html`${t.nobodyWaits}`] : [...lines, ...(more > 0 ? [html`${t.andMore(more)}`] : [])];
  // What the board shows, but the waits: the lines shown (not the chats below them), the counts, off hours.
  const shown = f.waiting.slice(0, lines.length);
  const structure = JSON.stringify([
    f.waiting.length,
    f.tooLong,
    f.disputes,
    c.offHours?.opens ?? null,
    shown.map((w) => [w.key, w.title, w.owner?.id ?? 0, w.topicId ?? 0, w.waitedMs >= c.tooLongMs]),
  ]);
  return { text: joinHtml([...head, html``, ...body], '\n'), structure };
}

function chatLine(w: WaitingChat, n: number, c: BoardContext): Html {
  const kind = w.kind === 'review' ? `${c.t.reviewLabel} ` : w.kind === 'question' ? `${c.t.questionLabel} ` : '';
  const mark = `${w.waitedMs >= c.tooLongMs ? '⚠️ ' : ''}${w.dispute ? '⚖️ ' : ''}${kind}`;
  const title = linkedTitle(w.title, w.topicId, c.link);
  const owner = w.owner ? w.owner.name : c.t.unowned;
  return html`${n}. ${mark}${title} — ${c.duration(w.waitedMs / 1000)} · ${owner}`;
}
