/**
 * Telling the desk's Telegram calls from the mirroring's in the fake Telegram's call log (for bench/desk.ts): what
 * each call did, known by what it posts (its thread and first characters) or by the message it edits (what that
 * message was when first sent); and why the board was edited, its texts compared with the waits cut out.
 */
import { GROUP_ID } from '../test/e2e/harness.ts';
import type { FakeCall } from '../test/fakes/telegram-server.ts';
import { MARKER, type BenchWorld } from './lib.ts';

/** What each Telegram call of the hour did. */
export const KINDS = [
  'post',
  'card',
  'rename',
  'progress',
  'other',
  'boardEdit',
  'boardPost',
  'boardPin',
  'reminder',
  'escalation',
  'reminderDone',
  'escalationDone',
] as const;
export type Kind = (typeof KINDS)[number];
/** The desk's calls: the board's, the reminders and escalations, and their "answered" edits. */
export const DESK_KINDS = new Set<Kind>([
  'boardEdit',
  'boardPost',
  'boardPin',
  'reminder',
  'escalation',
  'reminderDone',
  'escalationDone',
]);

// ---------------------------------------------------------------------------------------------------
// What a call did

const MARKER_TEST = new RegExp(MARKER.source);
/** A message's markup without its tags: what its first characters say it is. */
const plain = (markup: string) => markup.replace(/<[^>]*>/g, '');

export type MessageKind = 'board' | 'reminder' | 'escalation' | 'progress' | 'card' | 'other';

/** What a message of General is, by its first characters. */
function generalKind(text: string): MessageKind {
  if (text.startsWith('📋')) return 'board';
  if (text.startsWith('🚨')) return 'escalation';
  if (text.startsWith('⏳')) return 'progress';
  return 'other';
}

/** Bot messages of the group by id, as first sent (later edits aside): what they are. */
export function messageKinds(bench: BenchWorld): Map<number, MessageKind> {
  const out = new Map<number, MessageKind>();
  const cardSeen = new Set<number>();
  for (const m of bench.world.telegram.messages(GROUP_ID, { fromBot: true })) {
    const first = plain(m.editHistory[0]?.rawText ?? m.rawText ?? '');
    if (m.threadId === undefined) {
      out.set(m.message_id, generalKind(first));
    } else if (first.startsWith('⏰')) {
      out.set(m.message_id, 'reminder');
    } else if (!cardSeen.has(m.threadId) && m.replyToMessageId === undefined && !MARKER_TEST.test(first)) {
      cardSeen.add(m.threadId);
      out.set(m.message_id, 'card');
    } else {
      out.set(m.message_id, 'other');
    }
  }
  return out;
}

const POSTS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendMediaGroup', 'copyMessage']);

/** What a budgeted call did: a post by its thread and first characters, an edit by the message it edits. */
export function kindOf(call: FakeCall, messages: ReturnType<typeof messageKinds>): Kind {
  const p = call.params;
  const text = plain(typeof p.text === 'string' ? p.text : typeof p.caption === 'string' ? p.caption : '');
  if (call.method === 'editForumTopic') return 'rename';
  if (call.method === 'pinChatMessage') return 'boardPin';
  if (call.method === 'editMessageText') {
    const kind = messages.get(Number(p.message_id));
    if (kind === 'board') return 'boardEdit';
    if (kind === 'reminder') return 'reminderDone';
    if (kind === 'escalation') return 'escalationDone';
    if (kind === 'card' || kind === 'progress') return kind;
    return 'other';
  }
  if (POSTS.has(call.method)) {
    if (p.message_thread_id === undefined) {
      const kind = generalKind(text);
      return kind === 'board' ? 'boardPost' : kind === 'escalation' || kind === 'progress' ? kind : 'other';
    }
    if (text.startsWith('⏰')) return 'reminder';
    if (MARKER_TEST.test(text)) return 'post';
  }
  return 'other';
}

/** A call in a few words: method, status, the message it edits or the thread it posts in, the start of its text. */
export function describeCall(c: FakeCall): string {
  const p = c.params;
  const text = plain(typeof p.text === 'string' ? p.text : '')
    .slice(0, 50)
    .replace(/\n/g, ' ');
  const where =
    p.message_id !== undefined ? `message ${Number(p.message_id)}` : `thread ${Number(p.message_thread_id)}`;
  return `${c.method} ${c.status} ${where}${p.reply_parameters ? ' (a reply)' : ''}: ${text}`;
}

/** How many chats an escalation names: the count in its first line. */
export function escalationSize(markup: string): number {
  return Number(/\d+/.exec(plain(markup).split('\n')[0] ?? '')?.[0] ?? NaN);
}

// ---------------------------------------------------------------------------------------------------
// Why the board was edited

/** One chat line of the board: its topic link (or title), title, ⚠️ mark and owner; the wait left out. */
export interface BoardLine {
  key: string;
  title: string;
  mark: boolean;
  owner: string;
  /** The line without its wait. */
  still: string;
}

export interface ParsedBoard {
  /** The header: how many wait, how many too long, disputes, off hours. */
  head: string;
  lines: BoardLine[];
  /** Everything but the waits. */
  still: string;
}

export function parseBoard(markup: string): ParsedBoard {
  const rows = markup.split('\n');
  const blank = rows.indexOf('');
  const head = rows.slice(0, blank < 0 ? 1 : blank).join('\n');
  const lines: BoardLine[] = [];
  const rest: string[] = [];
  for (const row of rows.slice(blank < 0 ? 1 : blank + 1)) {
    const dot = /^\d+\. /.exec(row);
    const ownerAt = row.lastIndexOf(' · ');
    const waitAt = row.lastIndexOf(' — ', ownerAt);
    if (!dot || ownerAt < 0 || waitAt < 0) {
      rest.push(row);
      continue;
    }
    const still = `${row.slice(0, waitAt)}${row.slice(ownerAt)}`;
    const href = /href="([^"]*)"/.exec(row)?.[1];
    const title = /<a [^>]*>(.*)<\/a>/.exec(row)?.[1] ?? row.slice(dot[0].length, waitAt);
    lines.push({
      key: href ?? title,
      title,
      mark: row.slice(dot[0].length).startsWith('⚠️'),
      owner: row.slice(ownerAt + 3),
      still,
    });
  }
  return { head, lines, still: [head, ...lines.map((l) => l.still), ...rest].join('\n') };
}

export const CAUSES = ['list', 'owner', 'title', 'mark', 'order', 'waits', 'hidden'] as const;
export type Cause = (typeof CAUSES)[number];

/**
 * What changed on the board since the previous text it showed: a chat began or stopped waiting (the count, or the
 * chats shown), an owner, a title (a rename), a ⚠️ mark, only the order; or only the waits — 'waits' when the edit
 * came `refreshFromMs` or more after the previous one (the refresh), else 'hidden': what made the board edit is
 * not on it (a chat below the lines shown).
 */
export function causeOf(prev: ParsedBoard, cur: ParsedBoard, gapMs: number, refreshFromMs: number): Cause {
  if (cur.still === prev.still) return gapMs >= refreshFromMs ? 'waits' : 'hidden';
  const count = (b: ParsedBoard) => /\d+/.exec(b.head)?.[0];
  const keys = (b: ParsedBoard) => b.lines.map((l) => l.key).sort();
  if (count(prev) !== count(cur) || JSON.stringify(keys(prev)) !== JSON.stringify(keys(cur))) return 'list';
  const byKey = new Map(prev.lines.map((l) => [l.key, l]));
  if (cur.lines.some((l) => byKey.get(l.key)?.owner !== l.owner)) return 'owner';
  if (cur.lines.some((l) => byKey.get(l.key)?.title !== l.title)) return 'title';
  if (prev.head !== cur.head || cur.lines.some((l) => byKey.get(l.key)?.mark !== l.mark)) return 'mark';
  return 'order';
}
