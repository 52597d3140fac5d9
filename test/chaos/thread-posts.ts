/**
 * Reading what the bridge posted for reviews and questions: a topic's card (which thread it names), a mirrored
 * comment or answer (header line, then a body starting with its marker `t<n>`), and which thread a topic belongs to
 * (by the SKU in its title).
 */
import type { FakeCall } from '../fakes/telegram-server.ts';
import { threadOfSku } from './thread-plan.ts';

export const REVIEW_CARD = 'Yandex Market product review';
export const QUESTION_CARD = 'Yandex Market product question';
/** The header line of a post by a buyer (the chaos run's comments and answers are all by buyers). */
export const FEEDBACK_BUYER_HEADER = '👤 Buyer';
/** The marker of a comment or answer in a posting call's text: the first word after the header line. */
const MARKER_IN_CALL = /\nt(\d+)(?= |\n|$)/;

export type ParsedThreadPost =
  { kind: 'card'; thread: number | undefined } | { kind: 'post'; n: number; body: string } | { kind: 'other' };

/** What a bot message in a review's or question's topic is. */
export function parseThreadPost(text: string): ParsedThreadPost {
  if (text.startsWith(REVIEW_CARD) || text.startsWith(QUESTION_CARD)) {
    return { kind: 'card', thread: threadOfSku(text) };
  }
  const newline = text.indexOf('\n');
  if (newline < 0 || !text.startsWith(FEEDBACK_BUYER_HEADER)) return { kind: 'other' };
  const body = text.slice(newline + 1);
  const m = /^t(\d+)(?: |$)/.exec(body);
  return m ? { kind: 'post', n: Number(m[1]), body } : { kind: 'other' };
}

/** The comment or answer (n) a Telegram call posts, if it posts one. */
export function threadMarkerIn(call: FakeCall): number | undefined {
  if (call.method !== 'sendMessage' || typeof call.params.text !== 'string') return undefined;
  const m = MARKER_IN_CALL.exec(call.params.text);
  return m ? Number(m[1]) : undefined;
}

/** Whether a Telegram call posts a review's or question's card into topic `threadId`. */
export function isCardCall(call: FakeCall, threadId: number): boolean {
  const text = call.params.text;
  return (
    call.method === 'sendMessage' &&
    Number(call.params.message_thread_id) === threadId &&
    typeof text === 'string' &&
    (text.includes(REVIEW_CARD) || text.includes(QUESTION_CARD))
  );
}
