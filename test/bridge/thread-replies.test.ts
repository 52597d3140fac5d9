import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { telegramMessageId, telegramUserId, type TopicId } from '../../src/bridge/ids.ts';
import type { OperatorMessage, ReplyGuardPort } from '../../src/bridge/ports.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import type { ThreadRecord, ThreadReplyRecord, ThreadStore } from '../../src/bridge/thread-store.ts';
import { Threads } from '../../src/bridge/threads.ts';
import { createGuard } from '../../src/guard/guard.ts';
import { JsonStore } from '../../src/store/store.ts';
import { MemoryFeedback } from './memory-feedback.ts';
import { MemoryTelegram } from './memory-ports.ts';

async function world(over: { guard?: ReplyGuardPort; undoSeconds?: number; ambiguousSettleMs?: number } = {}) {
  const feedback = new MemoryFeedback();
  const telegram = new MemoryTelegram();
  const store = (await JsonStore.open(await mkdtemp(path.join(tmpdir(), 'marketgram-thread-replies-')))).threadStore;
  const threads = new Threads(feedback, telegram, store, {
    texts: textsFor('en'),
    logger: pino({ level: 'silent' }),
    sinceDays: 14,
    ambiguousSettleMs: 5,
    retryDelayMs: () => 5,
    ...over,
  });
  let nextMessage = 5_000;
  /** The operator types `text` in the thread's topic (replying to the post `replyTo`, if given). */
  const type = async (topicId: TopicId, text: string, replyTo?: number): Promise<OperatorMessage> => {
    const msg: OperatorMessage = {
      topicId,
      messageId: telegramMessageId(nextMessage++),
      from: { id: telegramUserId(1), name: 'Olga' },
      text,
      ...(replyTo !== undefined && { replyTo: telegramMessageId(replyTo) }),
    };
    await threads.operatorMessage(msg);
    return msg;
  };
  const settle = () => new Promise((r) => setTimeout(r, 60));
  const notice = (msg: OperatorMessage) => telegram.posts.find((p) => p.replyTo === msg.messageId)?.html;
  return { feedback, telegram, store, threads, type, settle, notice };
}

/** A reply as a process left it in the store (a comment on the review, sent by default), message `id`. */
function storedReply(store: ThreadStore, rec: ThreadRecord, id: number, over: Partial<ThreadReplyRecord> = {}) {
  return store.putThreadReply({
    id: `${rec.topicId}:${id}`,
    thread: rec.key,
    topicId: rec.topicId!,
    telegramMessageId: id as never,
    text: `text ${id}`,
    target: { kind: 'review-comment' },
    state: 'sent',
    attempts: 1,
    createdAt: new Date().toISOString(),
    ...over,
  });
}

describe('replies to reviews and questions', () => {
  it('publish a comment on the review once, say so under the message, and do not mirror it back', async () => {
    const w = await world();
    const review = w.feedback.addReview({ id: 11 });
    const buyer = w.feedback.addComment(11, { text: 'still leaking' });
    await w.threads.reviewSeen(review);
    const rec = w.store.findThread('review:11')!;
    const msg = await w.type(rec.topicId!, 'We will replace it.');
    await w.settle();
    expect(w.feedback.writes).toEqual([{ saveReviewComment: { reviewId: 11, text: 'We will replace it.' } }]);
    expect(w.notice(msg)).toBe('✅ Published on the Market.');
    expect(w.telegram.reactions).toContainEqual({ messageId: msg.messageId, emoji: '👍' });

    // A reply to the buyer's comment's post answers that comment.
    const reply = await w.type(rec.topicId!, 'Sorry!', rec.posted[`c:${buyer.id}`]);
    await w.settle();
    expect(w.feedback.writes[1]).toEqual({ saveReviewComment: { reviewId: 11, text: 'Sorry!', parentId: buyer.id } });
    expect(w.notice(reply)).toBe('✅ Published on the Market.');

    const before = w.telegram.inTopic(rec.topicId!).length;
    await w.threads.reviewSeen({ ...review, needReaction: false });
    expect(w.telegram.inTopic(rec.topicId!)).toHaveLength(before);
    expect(w.store.findThread('review:11')?.state).toBe('answered');
  });

  it('answer a question, and comment on an answer when replying to its post', async () => {
    const w = await world();
    const question = w.feedback.addQuestion({ id: 21 });
    const answer = w.feedback.addAnswer(21, {
      text: 'I think so',
      createdAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await w.threads.questionSeen(question, true);
    const rec = w.store.findThread('question:21')!;
    await w.type(rec.topicId!, 'Yes, it is waterproof.');
    await w.type(rec.topicId!, 'Thanks, Ivan!', rec.posted[`a:${answer.id}`]);
    await w.settle();
    expect(w.feedback.writes).toEqual([
      {
        writeQuestionText: {
          operation: 'CREATE',
          parent: { id: 21, type: 'QUESTION' },
          text: 'Yes, it is waterproof.',
        },
      },
      { writeQuestionText: { operation: 'CREATE', parent: { id: answer.id, type: 'ANSWER' }, text: 'Thanks, Ivan!' } },
    ]);
    const before = w.telegram.inTopic(rec.topicId!).length;
    await w.threads.questionSeen(question);
    expect(w.telegram.inTopic(rec.topicId!)).toHaveLength(before);
    expect(w.store.findThread('question:21')?.state).toBe('answered');
  });

  it('after an answer lost on the way, find the published text instead of publishing it twice', async () => {
    const w = await world();
    await w.threads.reviewSeen(w.feedback.addReview({ id: 31 }));
    const rec = w.store.findThread('review:31')!;
    w.feedback.nextWrite.push('ambiguous-done');
    const msg = await w.type(rec.topicId!, 'Thank you!');
    await w.settle();
    expect(w.feedback.writes).toHaveLength(1);
    expect(w.feedback.commentList.filter((c) => c.text === 'Thank you!')).toHaveLength(1);
    expect(w.notice(msg)).toBe('✅ Published on the Market.');
    expect(w.store.findThreadReply(`${rec.topicId}:${msg.messageId}`)).toMatchObject({ state: 'sent', attempts: 1 });

    // One that never arrived is sent again.
    w.feedback.nextWrite.push({ kind: 'ambiguous', reason: 'timeout' });
    const again = await w.type(rec.topicId!, 'Second thought.');
    await w.settle();
    expect(w.feedback.commentList.filter((c) => c.text === 'Second thought.')).toHaveLength(1);
    expect(w.store.findThreadReply(`${rec.topicId}:${again.messageId}`)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('hold a text the guard flags until Send anyway, and say why the Market refused one', async () => {
    const guard = createGuard({ allow: [] });
    const w = await world({ guard: { mode: 'warn', check: (text, c) => guard.check(text, c) } });
    await w.threads.reviewSeen(w.feedback.addReview({ id: 41 }));
    const rec = w.store.findThread('review:41')!;
    const msg = await w.type(rec.topicId!, 'Call us at +7 912 345-67-89');
    await w.settle();
    expect(w.feedback.writes).toEqual([]);
    const held = w.telegram.posts.find((p) => p.replyTo === msg.messageId)!;
    expect(held.buttons?.map((b) => b.text)).toEqual(['⚠️ Send anyway', '✖️ Cancel']);
    await w.threads.replyAction({ kind: 'allow', topicId: rec.topicId!, messageId: msg.messageId });
    await w.settle();
    expect(w.feedback.writes).toHaveLength(1);

    w.feedback.nextWrite.push({ kind: 'rejected', status: 400, reason: 'contacts are not allowed' });
    const bad = await w.type(rec.topicId!, 'Plain words');
    await w.settle();
    expect(w.notice(bad)).toContain('contacts are not allowed');
    expect(w.store.findThreadReply(`${rec.topicId}:${bad.messageId}`)?.state).toBe('failed');
  });

  it('edit the published comment or answer when the operator edits the message', async () => {
    const w = await world();
    await w.threads.reviewSeen(w.feedback.addReview({ id: 51 }));
    const rec = w.store.findThread('review:51')!;
    const msg = await w.type(rec.topicId!, 'Thank yuo!');
    await w.settle();
    const published = w.store.findThreadReply(`${rec.topicId}:${msg.messageId}`)!.resultId!;
    await w.threads.operatorEdited(rec.topicId!, msg.messageId, 'Thank you!');
    expect(w.feedback.writes[1]).toEqual({ saveReviewComment: { reviewId: 51, id: published, text: 'Thank you!' } });
    expect(w.feedback.commentList.find((c) => c.id === published)?.text).toBe('Thank you!');
    expect(w.notice(msg)).toBe('✏️ Edited on the Market too.');
  });

  it('wait out the undo window, and publish nothing when cancelled', async () => {
    const w = await world({ undoSeconds: 1 });
    await w.threads.reviewSeen(w.feedback.addReview({ id: 61 }));
    const rec = w.store.findThread('review:61')!;
    const msg = await w.type(rec.topicId!, 'Oops');
    expect(w.notice(msg)).toBe('⏳ Will be published on the Market in 1 s.');
    expect(await w.threads.replyAction({ kind: 'cancel', topicId: rec.topicId!, messageId: msg.messageId })).toBe(
      '✖️ Cancelled: not published.',
    );
    await new Promise((r) => setTimeout(r, 1_200));
    expect(w.feedback.writes).toEqual([]);
  });

  it('after a crash during a send, publish nothing twice: an attempt that arrived is found, one that did not goes again', async () => {
    const w = await world();
    await w.threads.reviewSeen(w.feedback.addReview({ id: 71 }));
    const rec = w.store.findThread('review:71')!;
    const crashed = (id: number, text: string) => storedReply(w.store, rec, id, { text, state: 'sending' });
    // The first arrived before the process was killed; the second did not.
    w.feedback.addComment(71, { text: 'It arrived.', author: { type: 'BUSINESS', name: 'Shop' } });
    crashed(901, 'It arrived.');
    crashed(902, 'It did not.');
    await w.store.commit();

    const restarted = new Threads(w.feedback, w.telegram, w.store, {
      texts: textsFor('en'),
      logger: pino({ level: 'silent' }),
      sinceDays: 14,
      ambiguousSettleMs: 5,
    });
    restarted.resume();
    await w.settle();
    expect(w.feedback.writes).toEqual([{ saveReviewComment: { reviewId: 71, text: 'It did not.' } }]);
    expect(w.feedback.commentList.filter((c) => c.text === 'It arrived.')).toHaveLength(1);
    expect(w.store.findThreadReply(`${rec.topicId}:901`)?.state).toBe('sent');
    expect(w.store.findThreadReply(`${rec.topicId}:902`)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('after a crash between publishing and saying so, say so at the next start (once), and nothing for older stores', async () => {
    const w = await world();
    await w.threads.reviewSeen(w.feedback.addReview({ id: 81 }));
    const rec = w.store.findThread('review:81')!;
    const stored = (id: number, over: Partial<ThreadReplyRecord>) => storedReply(w.store, rec, id, over);
    stored(911, { told: false, resultId: 5 });
    stored(912, { state: 'failed', told: false, error: 'the Market refused', retryable: false });
    stored(913, { state: 'failed', told: false, error: 'no answer', retryable: true });
    stored(914, { resultId: 6 }); // an older store: no `told`
    stored(915, { told: true, resultId: 7 });
    await w.store.commit();
    const restart = () =>
      new Threads(w.feedback, w.telegram, w.store, {
        texts: textsFor('en'),
        logger: pino({ level: 'silent' }),
        sinceDays: 14,
      }).resume();
    const under = (id: number) => w.telegram.posts.filter((p) => p.replyTo === id);

    restart();
    await w.settle();
    expect(under(911).map((p) => p.html)).toEqual(['✅ Published on the Market.']);
    expect(under(912)).toHaveLength(1);
    expect(under(912)[0]?.html).toContain('the Market refused');
    expect(under(912)[0]?.buttons ?? []).toEqual([]);
    expect(JSON.stringify(under(913)[0]?.buttons)).toContain('Send again');
    expect(under(914)).toEqual([]);
    expect(under(915)).toEqual([]);
    expect(w.store.findThreadReply(`${rec.topicId}:911`)?.told).toBe(true);
    expect(w.feedback.writes).toEqual([]);

    // Told once: the next start says nothing more.
    const before = w.telegram.posts.length;
    restart();
    await w.settle();
    expect(w.telegram.posts).toHaveLength(before);
  });

  it('take the shop’s text met while mirroring for a reply of unknown fate: no second publication, no mirror', async () => {
    for (const kind of ['review', 'question'] as const) {
      const w = await world({ ambiguousSettleMs: 60_000 });
      const review = kind === 'review' ? w.feedback.addReview({ id: 41 }) : undefined;
      const question = kind === 'question' ? w.feedback.addQuestion({ id: 42 }) : undefined;
      const item = review ?? question!;
      /** The thread as the Market lists it (again). */
      const seen = async () => {
        if (review) await w.threads.reviewSeen({ ...review, commentsCount: w.feedback.commentList.length });
        else await w.threads.questionSeen(question!);
      };
      await seen();
      const rec = w.store.findThread(`${kind}:${item.id}`)!;
      // The Market takes the text and the answer is lost: the reply waits (a minute) before it looks.
      w.feedback.nextWrite.push('ambiguous-done');
      const msg = await w.type(rec.topicId!, 'Thank you!');
      await w.settle();
      expect(w.store.findThreadReply(`${rec.topicId}:${msg.messageId}`)?.state).toBe('unknown');
      const posts = w.telegram.inTopic(rec.topicId!).length;

      // Meanwhile the thread is read again: the shop's text is that reply, not a post to mirror.
      await seen();
      await w.settle();
      const reply = w.store.findThreadReply(`${rec.topicId}:${msg.messageId}`)!;
      expect(reply).toMatchObject({ state: 'sent', attempts: 1 });
      expect(w.feedback.writes).toHaveLength(1);
      expect(w.notice(msg)).toBe('✅ Published on the Market.');
      // Only the notice is new in the topic (it was "unknown" before, edited in place, so none at all).
      expect(w.telegram.inTopic(rec.topicId!).length - posts).toBe(0);
      expect(Object.values(w.store.findThread(rec.key)!.posted)).toContain(msg.messageId);
    }
  });

  it('forgets finished replies 30 days after they were written, at a start and hourly, and keeps the others', async () => {
    const w = await world();
    await w.threads.reviewSeen(w.feedback.addReview({ id: 91 }));
    const rec = w.store.findThread('review:91')!;
    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000).toISOString();
    const stored = (id: number, state: ThreadReplyRecord['state'], createdAt: string) =>
      storedReply(w.store, rec, id, { state, createdAt });
    stored(921, 'sent', daysAgo(31));
    stored(922, 'failed', daysAgo(40));
    stored(923, 'cancelled', daysAgo(31));
    stored(924, 'sent', daysAgo(29));
    stored(925, 'unknown', daysAgo(31)); // not finished: still looked for, never forgotten
    await w.store.commit();
    const restarted = new Threads(w.feedback, w.telegram, w.store, {
      texts: textsFor('en'),
      logger: pino({ level: 'silent' }),
      sinceDays: 14,
      ambiguousSettleMs: 60_000,
    });
    restarted.resume();
    await restarted.stop();
    const left = w.store
      .threadReplies()
      .map((r) => r.id.split(':')[1])
      .sort();
    expect(left).toEqual(['924', '925']);
  });
});
