import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { textsFor } from '../../src/bridge/texts.ts';
import { Threads } from '../../src/bridge/threads.ts';
import { JsonStore } from '../../src/store/store.ts';
import { MemoryFeedback } from './memory-feedback.ts';
import { MemoryTelegram } from './memory-ports.ts';

const DAY = 86_400_000;

async function world() {
  const feedback = new MemoryFeedback();
  const telegram = new MemoryTelegram();
  const store = (await JsonStore.open(await mkdtemp(path.join(tmpdir(), 'marketgram-threads-')))).threadStore;
  const threads = new Threads(feedback, telegram, store, {
    texts: textsFor('en'),
    logger: pino({ level: 'silent' }),
    sinceDays: 14,
  });
  const topic = (key: `${'review' | 'question'}:${number}`) => store.findThread(key)?.topicId;
  const texts = (key: `${'review' | 'question'}:${number}`) => telegram.inTopic(topic(key)!).map((p) => p.html);
  return { feedback, telegram, store, threads, topic, texts };
}

describe('reviews as topics', () => {
  it('gives a review that needs the seller a topic with its card, then its comments in order, each once', async () => {
    const w = await world();
    const review = w.feedback.addReview({
      id: 11,
      rating: 2,
      offerId: 'KETTLE-1',
      author: 'Anna',
      advantages: 'Quiet',
      disadvantages: 'Leaks <badly>',
      photos: ['https://avatars.mds.yandex.net/get-market-ugc/1/orig'],
      orderId: 777,
    });
    const buyer = w.feedback.addComment(11, { text: 'still leaking' });
    w.feedback.addComment(11, { text: 'we are sorry', author: { type: 'BUSINESS', name: 'Shop' }, parentId: buyer.id });
    await w.threads.reviewSeen(review);
    await w.threads.reviewSeen(review);

    expect(w.telegram.topics.get(w.topic('review:11')!)?.title).toBe('🔴 ⭐️2 · KETTLE-1 · Anna');
    const [card, first, second, ...rest] = w.texts('review:11');
    expect(card).toContain('<b>Yandex Market product review</b>');
    expect(card).toContain('★★☆☆☆ Rating: 2 of 5');
    expect(card).toContain('<b>Disadvantages:</b> Leaks &lt;badly&gt;');
    expect(card).toContain('<a href="https://avatars.mds.yandex.net/get-market-ugc/1/orig">photo 1</a>');
    expect(card).toContain('Order 777');
    expect(first).toBe('<b>👤 Buyer · Anna</b>\nstill leaking');
    expect(second).toBe('<b>🏪 Shop · Shop</b>\nwe are sorry');
    expect(rest).toEqual([]);
    const posts = w.telegram.inTopic(w.topic('review:11')!);
    expect(posts[2]!.replyTo).toBe(posts[1]!.messageId);
  });

  it('leaves alone reviews that need nothing, and those older than REVIEWS_SINCE_DAYS', async () => {
    const w = await world();
    await w.threads.reviewSeen(w.feedback.addReview({ id: 1, needReaction: false }));
    await w.threads.reviewSeen(
      w.feedback.addReview({ id: 2, createdAt: new Date(Date.now() - 15 * DAY).toISOString() }),
    );
    expect(w.store.threads()).toEqual([]);
    expect(w.telegram.createCalls).toBe(0);
  });

  it('shows answered when the shop commented, skipped (and closed) when handled without a reply, and reopens for the buyer', async () => {
    const w = await world();
    const review = w.feedback.addReview({ id: 21 });
    await w.threads.reviewSeen(review);
    const topicId = w.topic('review:21')!;

    w.feedback.addComment(21, { text: 'thanks', author: { type: 'BUSINESS', name: 'Shop' } });
    review.needReaction = false;
    await w.threads.reviewSeen(review);
    expect(w.telegram.topics.get(topicId)?.title).toBe('✅ ⭐️2 · SKU-1 · Anna');
    expect(w.store.findThread('review:21')?.state).toBe('answered');

    const other = w.feedback.addReview({ id: 22, needReaction: true });
    await w.threads.reviewSeen(other);
    other.needReaction = false; // read in the cabinet
    await w.threads.reviewSeen(other);
    const otherTopic = w.topic('review:22')!;
    expect(w.telegram.topics.get(otherTopic)).toMatchObject({ title: '⏭ ⭐️2 · SKU-1 · Anna', closed: true });

    w.feedback.addComment(22, { text: 'hello?' });
    await w.threads.reviewSeen(other);
    expect(w.telegram.topics.get(otherTopic)).toMatchObject({ title: '🔴 ⭐️2 · SKU-1 · Anna', closed: false });
    expect(w.texts('review:22').at(-1)).toBe('<b>👤 Buyer · Anna</b>\nhello?');
    expect(w.store.findThread('review:22')?.waitingSince).toBeDefined();
  });

  it('follows a notification of a new comment to its review', async () => {
    const w = await world();
    w.feedback.addReview({ id: 31 });
    const comment = w.feedback.addComment(31, { text: 'any news?' });
    await w.threads.notified({ kind: 'review-comment', commentId: comment.id });
    expect(w.texts('review:31').at(-1)).toBe('<b>👤 Buyer · Anna</b>\nany news?');
    await w.threads.notified({ kind: 'review-comment', commentId: comment.id });
    expect(w.texts('review:31')).toHaveLength(2);

    // A comment on a review already mirrored: the comment and the thread are read, the review not looked up.
    const next = w.feedback.addComment(31, { text: 'hello?' });
    w.feedback.reads.length = 0;
    await w.threads.notified({ kind: 'review-comment', commentId: next.id });
    expect(w.texts('review:31').at(-1)).toBe('<b>👤 Buyer · Anna</b>\nhello?');
    expect(w.feedback.reads).toEqual(['reviewComments', 'reviewComments']);
  });

  it('recreates a deleted topic and goes on without posting anything twice', async () => {
    const w = await world();
    const review = w.feedback.addReview({ id: 41 });
    w.feedback.addComment(41, { text: 'one' });
    await w.threads.reviewSeen(review);
    const old = w.topic('review:41')!;
    w.telegram.topics.get(old)!.deleted = true;
    w.feedback.addComment(41, { text: 'two' });
    await w.threads.reviewSeen(review);
    const fresh = w.topic('review:41')!;
    expect(fresh).not.toBe(old);
    expect(w.texts('review:41').map((t) => t.split('\n').at(-1))).toEqual([
      expect.stringContaining('Written'),
      '♻️ This topic was deleted and has been created again. The conversation continues here.',
      'two',
    ]);
  });
});

describe('questions as topics', () => {
  it('gives a question without the shop’s answer a topic, its answers and comments in order, and answered once the shop answers', async () => {
    const w = await world();
    const question = w.feedback.addQuestion({ id: 51, offerId: 'BOOT-42', text: 'Is it waterproof?' });
    const t0 = Date.now() - 60_000;
    const answer = w.feedback.addAnswer(51, { text: 'I think so', createdAt: new Date(t0).toISOString() });
    answer.comments.push({
      id: 600,
      answerId: answer.id,
      text: 'mine leaked',
      status: 'PUBLISHED',
      createdAt: new Date(t0 + 1000).toISOString(),
      canModify: false,
      author: { type: 'USER', name: 'Oleg' },
    });
    await w.threads.questionSeen(question, true);
    const topicId = w.topic('question:51')!;
    expect(w.telegram.topics.get(topicId)?.title).toBe('🔴 ❓ BOOT-42 · Petr');
    const posts = w.telegram.inTopic(topicId);
    expect(posts.map((p) => p.html.split('\n')[0])).toEqual([
      '<b>Yandex Market product question</b>',
      expect.stringMatching(/^<b>👤 Buyer · Ivan · answer · /),
      expect.stringMatching(/^<b>👤 Buyer · Oleg · /),
    ]);
    expect(posts[2]!.replyTo).toBe(posts[1]!.messageId);

    w.feedback.addAnswer(51, { text: 'Yes, it is', author: { type: 'BUSINESS', name: 'Shop' } });
    await w.threads.questionSeen(question);
    expect(w.telegram.topics.get(topicId)?.title).toBe('✅ ❓ BOOT-42 · Petr');
    expect(w.telegram.inTopic(topicId)).toHaveLength(4);
  });

  it('follows a notification of an answer to its question, and ignores old questions', async () => {
    const w = await world();
    w.feedback.addQuestion({ id: 61 });
    const answer = w.feedback.addAnswer(61, { text: 'ask the shop' });
    await w.threads.notified({ kind: 'answer', answerId: answer.id });
    expect(w.texts('question:61')).toHaveLength(2);
    // An answer to a question already mirrored: the question is not looked up again.
    const next = w.feedback.addAnswer(61, { text: 'or the brand' });
    w.feedback.reads.length = 0;
    await w.threads.notified({ kind: 'answer', answerId: next.id });
    expect(w.texts('question:61')).toHaveLength(3);
    expect(w.feedback.reads).toEqual(['answers', 'answers']);

    await w.threads.questionSeen(
      w.feedback.addQuestion({ id: 62, createdAt: new Date(Date.now() - 20 * DAY).toISOString() }),
      true,
    );
    expect(w.store.findThread('question:62')).toBeUndefined();
  });

  it('No reply needed on a review’s card skips it at the Market, renames and closes the topic, and drops the button', async () => {
    const w = await world();
    const skips = w.feedback.skips;
    await w.threads.reviewSeen(w.feedback.addReview({ id: 71 }));
    const topicId = w.topic('review:71')!;
    const card = w.telegram.inTopic(topicId)[0]!;
    expect(card.buttons).toEqual([{ text: '⏭ No reply needed', data: `s:${topicId}` }]);
    expect(w.threads.owns(topicId)).toBe(true);

    expect(await w.threads.skip(topicId, { id: 1, name: 'Olga' })).toBe(
      'Marked: no reply needed. The topic is closed.',
    );
    await w.store.commit();
    await new Promise((r) => setTimeout(r, 20));
    expect(skips).toEqual([[71]]);
    expect(w.telegram.topics.get(topicId)).toMatchObject({ title: '⏭ ⭐️2 · SKU-1 · Anna', closed: true });
    expect(w.telegram.inTopic(topicId)[0]!.buttons).toEqual([]);
    expect(await w.threads.skip(topicId, { id: 1, name: 'Olga' })).toBe('Already marked.');
    expect(skips).toHaveLength(1);
  });

  it('No reply needed in a private chat (solo mode) renames the topic but leaves it open, and says so', async () => {
    const w = await world();
    w.telegram.canCloseTopics = false;
    const review = w.feedback.addReview({ id: 72 });
    await w.threads.reviewSeen(review);
    const topicId = w.topic('review:72')!;

    expect(await w.threads.skip(topicId, { id: 1, name: 'Olga' })).toBe('Marked: no reply needed.');
    await w.store.commit();
    await new Promise((r) => setTimeout(r, 20));
    expect(w.telegram.topics.get(topicId)).toMatchObject({ title: '⏭ ⭐️2 · SKU-1 · Anna' });
    expect(w.telegram.calls.filter((c) => /close|reopen/.test(c))).toEqual([]);
    expect(w.store.findThread('review:72')?.closed).toBeUndefined();

    w.feedback.addComment(72, { text: 'hello?' });
    await w.threads.reviewSeen(review);
    expect(w.texts('review:72').at(-1)).toContain('hello?');
    expect(w.telegram.calls.filter((c) => /close|reopen/.test(c))).toEqual([]);
  });
});
