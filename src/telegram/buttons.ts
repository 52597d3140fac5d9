/**
 * Button data on the wire: an OperatorAction from the bridge is encoded into callback_data when a notice is
 * posted, and decoded again when the button is pressed. The format ("r:<topic>:<message>", ≤ 64 bytes) is
 * the one every button already posted carries: it must not change.
 */
import { telegramMessageId, topicId } from '../bridge/ids.ts';
import type { OperatorAction } from '../bridge/ports.ts';

/** One-letter codes of the actions in button data. */
const ACTION_CODES: Record<OperatorAction['kind'], string> = { retry: 'r', correct: 'c', cancel: 'u', allow: 'a' };

const ACTIONS = Object.fromEntries(Object.entries(ACTION_CODES).map(([kind, code]) => [code, kind])) as Record<
  string,
  OperatorAction['kind'] | undefined
>;

/** Encodes an action as button data, e.g. "r:12:345". */
export function encodeAction(a: OperatorAction): string {
  return `${ACTION_CODES[a.kind]}:${a.topicId}:${a.messageId}`;
}

/** Decodes button data made by encodeAction(); undefined for anything else. */
export function parseAction(data: string): OperatorAction | undefined {
  const m = /^([rcua]):(\d{1,15}):(\d{1,15})$/.exec(data);
  const kind = m && ACTIONS[m[1] ?? ''];
  if (!m || !kind) return undefined;
  return { kind, topicId: topicId(Number(m[2])), messageId: telegramMessageId(Number(m[3])) };
}
