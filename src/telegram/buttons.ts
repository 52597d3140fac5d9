/**
 * Button data on the wire (callback_data, at most 64 bytes). An OperatorAction from the bridge is encoded
 * when a message with buttons is posted, and decoded again when the button is pressed:
 *   r:<topic>:<message>  c:<topic>:<message>  u:<topic>:<message>   retry, correct, cancel a reply
 *   a:<topic>:<message>                                             send a reply the guard holds anyway
 *   t:<topic>                                                       show the topic's quick replies (the card)
 *   o:<topic>  l:<topic>                                            take the chat (or take it over), release it
 *   s:<topic>                                                       no reply needed (a review's card)
 * A quick reply's own button is q:<topic>:<key of its name> (nameKey in templates/template.ts). These formats are the ones buttons already posted carry:
 * they must not change.
 */
import { telegramMessageId, topicId, type TopicId } from '../bridge/ids.ts';
import type { OperatorAction, ReplyAction } from '../bridge/ports.ts';
import { nameKey } from '../templates/template.ts';

/** One-letter codes of the actions in button data. */
const ACTION_CODES: Record<OperatorAction['kind'], string> = {
  retry: 'r',
  correct: 'c',
  cancel: 'u',
  allow: 'a',
  templates: 't',
  take: 'o',
  release: 'l',
  skip: 's',
};

const TOPIC_ACTIONS: Record<string, 'templates' | 'take' | 'release' | 'skip' | undefined> = {
  t: 'templates',
  o: 'take',
  l: 'release',
  s: 'skip',
};

const REPLY_ACTIONS: Record<string, ReplyAction['kind'] | undefined> = {
  r: 'retry',
  c: 'correct',
  u: 'cancel',
  a: 'allow',
};

/** Encodes an action as button data, e.g. "r:12:345" or "t:12". */
export function encodeAction(a: OperatorAction): string {
  if (!('messageId' in a)) return `${ACTION_CODES[a.kind]}:${a.topicId}`;
  return `${ACTION_CODES[a.kind]}:${a.topicId}:${a.messageId}`;
}

/** Decodes button data made by encodeAction(); undefined for anything else. */
export function parseAction(data: string): OperatorAction | undefined {
  const topicOnly = /^([tols]):(\d{1,15})$/.exec(data);
  const topicKind = topicOnly && TOPIC_ACTIONS[topicOnly[1] ?? ''];
  if (topicOnly && topicKind) return { kind: topicKind, topicId: topicId(Number(topicOnly[2])) };
  const m = /^([rcua]):(\d{1,15}):(\d{1,15})$/.exec(data);
  const kind = m && REPLY_ACTIONS[m[1] ?? ''];
  if (!m || !kind) return undefined;
  return { kind, topicId: topicId(Number(m[2])), messageId: telegramMessageId(Number(m[3])) };
}

/** A tap on a quick reply's button: send the template whose name has `key` (nameKey) in `topicId`. */
export interface TemplateTap {
  topicId: TopicId;
  key: string;
}

/** Encodes a quick reply's button, e.g. "q:12:1x9e2k" (at most 2 + 15 + 1 + 7 = 25 bytes). */
export function encodeTemplateTap(topic: TopicId, name: string): string {
  return `q:${topic}:${nameKey(name)}`;
}

const TAP = /^q:(\d{1,15}):([0-9a-z]{1,7})$/;

/** Decodes button data made by encodeTemplateTap(); undefined for anything else. */
export function parseTemplateTap(data: string): TemplateTap | undefined {
  const m = TAP.exec(data);
  return m ? { topicId: topicId(Number(m[1])), key: m[2] ?? '' } : undefined;
}
