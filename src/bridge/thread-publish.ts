/**
 * Publishing a thread reply at the Market — what it answers (a comment, an answer, the review or question
 * itself), the write — and finding it there after an attempt whose answer was lost: the shop's text, equal to the
 * reply's, that no post of the thread stands for yet.
 */
import type { FeedbackPort, WriteOutcome } from './feedback-port.ts';
import { allItems } from './pages.ts';
import type { ThreadRecord, ThreadReplyRecord, ThreadReplyTarget } from './thread-store.ts';

/** Sends the reply once: a comment on the review (or one of its comments), an answer, or a comment on an answer. */
export async function publish(
  feedback: FeedbackPort,
  rec: ThreadRecord,
  reply: ThreadReplyRecord,
): Promise<WriteOutcome<{ id: number }>> {
  const target = reply.target;
  if (target.kind === 'review-comment') {
    const parent = target.parentId === undefined ? {} : { parentId: target.parentId };
    return feedback.saveReviewComment({ reviewId: rec.marketId, text: reply.text, ...parent });
  }
  const parent =
    target.kind === 'answer'
      ? ({ id: rec.marketId, type: 'QUESTION' } as const)
      : ({ id: target.answerId, type: 'ANSWER' } as const);
  const outcome = await feedback.writeQuestionText({ operation: 'CREATE', parent, text: reply.text });
  if (outcome.kind !== 'sent') return outcome;
  return outcome.result ? { kind: 'sent', result: outcome.result } : { kind: 'ambiguous', reason: 'no id answered' };
}

/** The id of the shop's published text equal to the reply's that no post of the thread stands for yet. */
export async function findPublished(
  feedback: FeedbackPort,
  rec: ThreadRecord,
  reply: ThreadReplyRecord,
): Promise<number | undefined> {
  const same = (e: { text: string; author: { type: string } }) =>
    e.author.type === 'BUSINESS' && e.text.trim() === reply.text.trim();
  const target = reply.target;
  if (target.kind === 'review-comment') {
    const comments = await allItems((p) => feedback.reviewComments({ reviewId: rec.marketId }, p));
    return comments.find((c) => same(c) && rec.posted[`c:${c.id}`] === undefined)?.id;
  }
  if (target.kind === 'answer') {
    const answers = await allItems((p) => feedback.answers({ questionId: rec.marketId }, p));
    return answers.find((a) => same(a) && rec.posted[`a:${a.id}`] === undefined)?.id;
  }
  const answers = await allItems((p) => feedback.answers({ answerIds: [target.answerId] }, p));
  const comments = answers.flatMap((a) => a.comments);
  return comments.find((c) => same(c) && rec.posted[`c:${c.id}`] === undefined)?.id;
}

/** What the reply answers: the post the operator replied to, or the review or question itself. */
export function replyTarget(rec: ThreadRecord, replyTo: number | undefined): ThreadReplyTarget {
  const key = replyTo === undefined ? undefined : Object.entries(rec.posted).find(([, id]) => id === replyTo)?.[0];
  const id = key === undefined ? undefined : Number(key.slice(2));
  if (rec.kind === 'review') {
    return key?.startsWith('c:') ? { kind: 'review-comment', parentId: id! } : { kind: 'review-comment' };
  }
  if (key?.startsWith('a:')) return { kind: 'answer-comment', answerId: id! };
  const answerId = key === undefined ? undefined : rec.answerOf?.[key];
  return answerId === undefined ? { kind: 'answer' } : { kind: 'answer-comment', answerId };
}
