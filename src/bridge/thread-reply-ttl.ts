/**
 * How long the store keeps an operator's reply to a review or question: a finished one (published, failed or
 * cancelled) is forgotten THREAD_REPLY_TTL_MS after it was written, so the store does not grow with every reply ever
 * sent. An edit of its Telegram message after that no longer edits it at the Market. Replies still on their way are
 * kept whatever their age.
 */
import type { ThreadStore } from './thread-store.ts';

export const THREAD_REPLY_TTL_MS = 30 * 24 * 3600 * 1000;

/** Deletes the finished replies older than THREAD_REPLY_TTL_MS; returns how many (the caller commits). */
export function forgetOldReplies(store: ThreadStore, now: Date): number {
  const cutoff = now.getTime() - THREAD_REPLY_TTL_MS;
  let forgotten = 0;
  for (const r of store.threadReplies()) {
    const finished = r.state === 'sent' || r.state === 'failed' || r.state === 'cancelled';
    if (finished && Date.parse(r.createdAt) < cutoff) {
      store.deleteThreadReply(r.id);
      forgotten++;
    }
  }
  return forgotten;
}
