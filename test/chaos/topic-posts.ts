/**
 * Reading what the bridge posted into the fake Telegram group: which bot message is a mirrored buyer message (and
 * which one), a seller message or a context card, and which topic belongs to which chat (by the order number in
 * its title).
 */
import { GROUP_ID } from '../e2e/harness.ts';
import type { FakeTelegram } from '../fakes/telegram-server.ts';

export const CARD_TITLE = 'Yandex Market buyer chat';
export const BUYER_HEADER = '👤 Buyer';
export const SELLER_HEADER = '🏪 Seller';
export const ORDER_BASE = 70_000;
export const POSTING_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'createForumTopic',
  'editForumTopic',
]);
/** The first line of a mirrored message's body after the header line: `m<n> …` (one per message of a post). */
export const MARKER_IN_CALL = /\nm(\d+)(?= |\n|$)/g;

/** The markers of the buyer messages a posting call carries (messages waiting together share a post). */
export function markersIn(text: string): number[] {
  return [...text.matchAll(MARKER_IN_CALL)].map((m) => Number(m[1]));
}

/** The mirrored messages one post carries: it is split before every header line that follows a blank line. */
const BLOCK_START = /\n\n(?=👤 |🏪 |🤖 |🛟 |❔ )/u;

/** A bot message in a topic, as read from the fake or saved before its topic was deleted. */
export interface TopicPost {
  messageId: number;
  threadId: number;
  text: string;
}

export type Parsed =
  { kind: 'buyer'; n: number; body: string } | { kind: 'seller'; body: string } | { kind: 'card' | 'other' };

/** What each message a bot post carries is (a post of mirrored messages may carry several). */
export function parseBlocks(text: string): Parsed[] {
  if (text.startsWith(CARD_TITLE)) return [{ kind: 'card' }];
  return text.split(BLOCK_START).map(parsePost);
}

/** What a bot message in a topic is: a mirrored buyer message (header line, then the body), a seller one, … */
export function parsePost(text: string): Parsed {
  if (text.startsWith(CARD_TITLE)) return { kind: 'card' };
  const newline = text.indexOf('\n');
  const header = newline < 0 ? text : text.slice(0, newline);
  const body = newline < 0 ? '' : text.slice(newline + 1);
  if (header.startsWith(BUYER_HEADER)) {
    const m = /^m(\d+)(?: |$)/.exec(body);
    return m ? { kind: 'buyer', n: Number(m[1]), body } : { kind: 'other' };
  }
  if (header.startsWith(SELLER_HEADER)) return { kind: 'seller', body };
  return { kind: 'other' };
}

export const orderOfTopicName = (name: string): number | undefined => {
  const m = /\bOrder (\d+)\b/.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** The live topic the bridge uses for each chat (by chat index): it carries the context card, posted after the link was stored. */
export function linkedTopics(telegram: FakeTelegram): Map<number, number> {
  const carded = new Set<number>();
  for (const m of telegram.messages(GROUP_ID, { fromBot: true })) {
    if (m.threadId !== undefined && (m.text ?? '').startsWith(CARD_TITLE)) carded.add(m.threadId);
  }
  const byChat = new Map<number, number>();
  for (const t of telegram.topics(GROUP_ID)) {
    const order = orderOfTopicName(t.name);
    if (t.deleted || order === undefined || !carded.has(t.threadId)) continue;
    const chat = order - ORDER_BASE;
    byChat.set(chat, Math.max(byChat.get(chat) ?? 0, t.threadId));
  }
  return byChat;
}

/**
 * Every bot message of every topic, in the order Telegram took them: the live ones and those in `archive`, saved
 * before their topic was deleted.
 */
export function topicPosts(telegram: FakeTelegram, archive: ReadonlyMap<number, TopicPost>): TopicPost[] {
  const all = new Map(archive);
  for (const m of telegram.messages(GROUP_ID, { fromBot: true })) {
    if (m.threadId === undefined) continue;
    all.set(m.message_id, {
      messageId: m.message_id,
      threadId: m.threadId,
      text: m.text ?? m.caption ?? '',
    });
  }
  return [...all.values()].sort((a, b) => a.messageId - b.messageId);
}
