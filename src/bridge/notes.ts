/**
 * Internal notes: an operator message in a topic that starts with `//` is for colleagues. It is never written
 * down as a reply, so it can never reach the buyer; the bot marks it with a reaction so everyone sees it stayed
 * inside. A waiting reply edited to start with `//` becomes a note: it is cancelled.
 */
import type { Deps } from './deps.ts';
import type { MarketChatId, TelegramMessageId, TopicId } from './ids.ts';
import type { Notices } from './notices.ts';
import { changeDurably } from './reply-book.ts';
import type { ReplyRecord } from './store-port.ts';

/** A reaction Telegram allows that marks a note (📝 is not among the allowed ones). */
export const REACTION_NOTE = '✍';

/** Whether an operator text is a note for colleagues. */
export function isNote(text: string | undefined): boolean {
  return text !== undefined && text.trimStart().startsWith('//');
}

/** Marks a note; a reaction that cannot be set is only logged. */
export async function markNote(
  d: Pick<Deps, 'log' | 'telegram'>,
  topicId: TopicId,
  messageId: TelegramMessageId,
): Promise<void> {
  d.log.debug({ topicId, messageId }, 'internal note, not sent');
  await d.telegram.react(messageId, REACTION_NOTE).catch((err: unknown) => {
    d.log.warn({ err, topicId, messageId }, 'could not mark an internal note');
  });
}

/**
 * A waiting reply edited into a note: its parts are cancelled (durably) and it is marked. Returns its chat,
 * whose later replies may go now, or undefined when the change could not be written (the operator is told).
 */
export async function becomeNote(
  d: Deps,
  notices: Notices,
  topicId: TopicId,
  messageId: TelegramMessageId,
  parts: ReplyRecord[],
): Promise<MarketChatId | undefined> {
  const notSaved = await changeDurably(d, topicId, messageId, () => {
    for (const r of parts) {
      r.state = 'cancelled';
      d.store.saveReply(r);
    }
  });
  if (notSaved) {
    await notices.tell(topicId, messageId, d.t.editNotSaved(notSaved));
    return undefined;
  }
  await markNote(d, topicId, messageId);
  if (parts.some((r) => r.noticeId !== undefined)) await notices.update(parts, d.t.guard.becameNote);
  return parts[0]?.marketChatId;
}
