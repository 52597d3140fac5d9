/**
 * What the desk's reminders and escalations need of a chat, a review or a question, whatever it is: its topic,
 * title and owner, whether it is mirrored enough to be nudged, since when it waits now, and the record that
 * keeps its reminder and escalation (saved through the store).
 */
import type { TopicId } from '../bridge/ids.ts';
import type { ChatRecord, NudgeRecord } from '../bridge/store-port.ts';
import type { ThreadKind, ThreadRecord } from '../bridge/thread-store.ts';
import { waitingSince } from '../bridge/waits.ts';
import type { DeskStore } from './port.ts';

export interface Nudgee {
  readonly key: string;
  readonly kind: 'chat' | ThreadKind;
  readonly topicId?: TopicId;
  readonly title: string;
  readonly owner?: { id: number; name: string };
  /** Mirrored enough to be nudged (a chat's first sync done, a thread's card posted) and its topic open. */
  readonly ready: boolean;
  /** The record that keeps the nudges (change it, then `save`). */
  readonly record: { reminder?: NudgeRecord; escalation?: NudgeRecord };
  /** Since when it waits for the seller now, or undefined. */
  since(): string | undefined;
  /** How long the buyer had waited when the episode that began at `since` was answered, if that is on record. */
  answeredAfter(since: string): number | undefined;
  save(): void;
}

export function chatNudgee(rec: ChatRecord, store: DeskStore): Nudgee {
  return {
    key: String(rec.marketChatId),
    kind: 'chat',
    ...(rec.topicId !== undefined && { topicId: rec.topicId }),
    title: rec.title ?? `#${rec.marketChatId}`,
    ...(rec.owner && { owner: rec.owner }),
    ready: rec.backfilled === true && !rec.closed,
    record: rec,
    since: () => waitingSince(rec),
    answeredAfter: (since) => {
      const start = Date.parse(since);
      return rec.answers?.find(
        (a) => Date.parse(a.at) >= start && Math.abs(Date.parse(a.at) - a.waitedMs - start) < 1000,
      )?.waitedMs;
    },
    save: () => store.saveChat(rec),
  };
}

export function threadNudgee(rec: ThreadRecord, store: DeskStore): Nudgee {
  return {
    key: rec.key,
    kind: rec.kind,
    ...(rec.topicId !== undefined && { topicId: rec.topicId }),
    title: rec.title ?? rec.key,
    ready: rec.topicId !== undefined && !rec.cardPending && !rec.closed,
    record: rec,
    since: () => (rec.state === 'waiting' ? rec.waitingSince : undefined),
    answeredAfter: () => undefined,
    save: () => store.saveThread(rec),
  };
}

/** Every chat and thread of the store, as nudgees. */
export function nudgees(store: DeskStore): Nudgee[] {
  return [...store.chats().map((r) => chatNudgee(r, store)), ...store.threads().map((r) => threadNudgee(r, store))];
}
