/**
 * Waiting episodes: a chat waits for the seller from its first buyer message that no seller message follows
 * until the seller answers (a reply the Market accepted, or a seller message in the history, written in the
 * cabinet say). The Market ranks shops by this time; the desk (src/desk/) shows who waits and reminds. Kept on
 * the chat's record, so it survives restarts, together with the chat's recent response times.
 */
import type { Deps } from './deps.ts';
import type { MarketMessage } from './model.ts';
import type { ChatRecord } from './store-port.ts';

/** How long answered episodes are kept on a chat's record (today's and yesterday's figures, the daily digest). */
const KEEP_ANSWERS_MS = 2 * 86_400_000;

/** A mirrored (or recognised) message of the chat, in order: a buyer's starts a wait, a seller's ends it. */
export function noteMessage(d: Deps, rec: ChatRecord, message: MarketMessage): void {
  if (message.sender === 'CUSTOMER') rec.waitingSince ??= message.createdAt;
  else if (message.sender === 'PARTNER') answered(d, rec, message.createdAt);
}

/**
 * The seller answered at `at`: the wait (if any) is over, and its length is kept as a response time, unless it
 * is history from before marketgram's store (a first start's old chats are not today's response times).
 */
export function answered(d: Deps, rec: ChatRecord, at: string): void {
  const since = rec.waitingSince;
  // The Market now waits for the buyer too (its next description of the chat will say so).
  if (rec.chat.status === 'WAITING_FOR_PARTNER' || rec.chat.status === 'NEW') {
    rec.chat = { ...rec.chat, status: 'WAITING_FOR_CUSTOMER' };
  }
  if (since === undefined) return;
  rec.waitingSince = undefined;
  const waitedMs = Math.max(0, Date.parse(at) - Date.parse(since));
  if (Number.isNaN(waitedMs) || Date.parse(at) < Date.parse(d.store.initializedAt)) return;
  const now = d.now().getTime();
  rec.answers = [...(rec.answers ?? []).filter((a) => now - Date.parse(a.at) < KEEP_ANSWERS_MS), { at, waitedMs }];
  d.options.observer?.answered(waitedMs);
}

/**
 * Since when the chat waits for the seller, or undefined: the Market says it waits for the partner, or a buyer
 * message has no seller message after it. A finished chat waits for nobody.
 */
export function waitingSince(rec: Readonly<ChatRecord>): string | undefined {
  const { chat } = rec;
  if (chat.status === 'FINISHED') return undefined;
  if (rec.waitingSince !== undefined) return rec.waitingSince;
  if (chat.status === 'WAITING_FOR_PARTNER') return chat.updatedAt || chat.createdAt;
  return undefined;
}
