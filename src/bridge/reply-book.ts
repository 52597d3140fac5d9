/**
 * The operator replies on record: writing down the parts of one operator message, finding them again, and
 * changing them durably (a change that cannot be written is undone). Every operator text enters the store
 * through `writeDown`; none is sent from anywhere but the delivery (delivery.ts).
 */
import type { Deps } from './deps.ts';
import { markHeld, screen } from './holds.ts';
import type { MarketChatId, TelegramMessageId, TopicId } from './ids.ts';
import type { ReplyRecord, StorePort } from './store-port.ts';

/** What one part of a reply carries. */
export type ReplyContent = Pick<ReplyRecord, 'text' | 'file'>;

/** The parts of one operator message, in order. */
export function repliesOf(store: StorePort, topicId: TopicId, messageId: TelegramMessageId): ReplyRecord[] {
  return store
    .allReplies()
    .filter((r) => r.topicId === topicId && r.telegramMessageId === messageId)
    .sort((a, b) => a.part - b.part);
}

/**
 * Writes down the parts of one operator message (ids `<topic>:<message>:<part>`, offset by `first`), queued
 * behind the undo window if there is one, or held when the reply guard finds something in them (holds.ts);
 * parts already known are skipped, which makes a redelivered update harmless. Not durable until the caller
 * commits.
 */
export function writeDown(
  d: Deps,
  marketChatId: MarketChatId,
  topicId: TopicId,
  messageId: TelegramMessageId,
  items: ReplyContent[],
  first: number,
): ReplyRecord[] {
  const createdAt = d.now().toISOString();
  const undo = d.options.undoSeconds ?? 0;
  const notBefore = undo > 0 ? new Date(d.now().getTime() + undo * 1000).toISOString() : undefined;
  const known = new Set(d.store.allReplies().map((r) => r.id));
  const added: ReplyRecord[] = [];
  items.forEach((item, i) => {
    const part = first + i;
    const id = `${topicId}:${messageId}:${part}`;
    if (known.has(id)) return;
    const reply: ReplyRecord = {
      id,
      marketChatId,
      topicId,
      telegramMessageId: messageId,
      part,
      parts: first + items.length,
      ...item,
      state: 'queued',
      attempts: 0,
      createdAt,
      notBefore,
    };
    added.push(d.store.putReply(reply));
  });
  const findings = screen(d, marketChatId, added);
  if (findings.length > 0) markHeld(d, added, findings);
  return added;
}

/**
 * Applies `change` to the replies of one operator message and writes it down. When the store cannot be
 * written (a full disk), the change is undone, so nothing is sent or held back on the strength of a
 * decision that is not on disk, and the reason is returned for the operator; undefined when it was saved.
 */
export async function changeDurably(
  d: Deps,
  topicId: TopicId,
  messageId: TelegramMessageId,
  change: () => void,
): Promise<string | undefined> {
  const before = repliesOf(d.store, topicId, messageId).map((r) => ({ ...r }));
  change();
  try {
    await d.store.commit();
    return undefined;
  } catch (err) {
    for (const r of repliesOf(d.store, topicId, messageId)) d.store.deleteReply(r.id);
    for (const r of before) d.store.putReply(r);
    d.log.error({ err, topicId, messageId }, 'operator change refused: the store cannot be written');
    return describeError(err);
  }
}

/** An error's code (ENOSPC, EACCES…) when it has one, its message otherwise. */
export function describeError(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
