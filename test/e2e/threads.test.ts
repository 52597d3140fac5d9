import { describe, expect, it } from 'vitest';
import { BUSINESS_ID, GROUP_ID, OPERATOR, notify, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const DAY = 86_400_000;
/** Polls every 300 ms: the tests do not wait a minute for a round. */
const FAST = { overrides: { threadPollMs: 300 } };
/** Never polls again after the first round: only notifications bring news. */
const PUSH_ONLY = { overrides: { threadPollMs: 3_600_000 } };

const topicTitled = (prefix: string) =>
  world.telegram.topics(GROUP_ID).find((t) => t.name.includes(prefix) && !t.deleted);
/** A bot post's links (`text_link` entities): the text they are on and where they lead. */
const links = (m: {
  text?: string;
  entities?: Array<{ type: string; offset: number; length: number; url?: string }>;
}) =>
  (m.entities ?? [])
    .filter((e) => e.type === 'text_link')
    .map((e) => ({ text: (m.text ?? '').slice(e.offset, e.offset + e.length), url: e.url }));
const texts = (threadId: number) =>
  world.telegram
    .messages(GROUP_ID, { threadId, fromBot: true })
    .map((m) => m.text ?? '')
    .filter(Boolean);

describe('reviews and questions as topics, end to end', () => {
  it('mirrors a review that needs the seller with its card and comments, skips it with No reply needed, and reopens for the buyer', async () => {
    const { market, telegram } = world;
    const reviewId = market.reviews.addReview({
      rating: 2,
      offerId: 'KETTLE-1',
      author: 'Anna',
      disadvantages: 'It leaks',
      photos: ['https://avatars.mds.yandex.net/get-market-ugc/1/orig'],
      orderId: 777,
    });
    market.reviews.addReviewComment(reviewId, { text: 'still leaking', authorName: 'Anna' });
    // Too old for a first start (REVIEWS_SINCE_DAYS=14), and one that needs nothing.
    market.reviews.addReview({ offerId: 'OLD-1', createdAt: new Date(Date.now() - 20 * DAY).toISOString() });
    market.reviews.addReview({ offerId: 'READ-1', needReaction: false });
    await world.start({}, FAST);

    const topic = await waitFor(() => topicTitled('⭐️2 · KETTLE-1 · Anna'), 'review topic');
    expect(topic.name).toBe('🔴 ⭐️2 · KETTLE-1 · Anna');
    await waitFor(() => texts(topic.threadId).length === 2, 'card and comment');
    const [card, comment] = texts(topic.threadId);
    expect(card).toContain('Yandex Market product review');
    expect(card).toContain('Disadvantages: It leaks');
    expect(card).toContain('Order 777');
    // Its photo shows large under the card, at no extra call.
    const cardPost = telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })[0]!;
    expect(cardPost.linkPreview).toEqual({
      url: 'https://avatars.mds.yandex.net/get-market-ugc/1/orig',
      prefer_large_media: true,
    });
    expect(comment).toBe('👤 Buyer · Anna\nstill leaking');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(topic.threadId)).toHaveLength(2);
    expect(telegram.topics(GROUP_ID).filter((t) => /OLD-1|READ-1/.test(t.name))).toEqual([]);

    // No reply needed: one skip-reaction with this review, the topic renamed and closed.
    const cardMessage = telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })[0]!;
    const press = telegram.userPressesButton(GROUP_ID, cardMessage.message_id, `s:${topic.threadId}`, OPERATOR);
    await waitFor(() => telegram.callbackAnswer(press)?.answered, 'answer on the button');
    expect(telegram.callbackAnswer(press)?.text).toBe('Marked: no reply needed. The topic is closed.');
    expect(market.reviews.writes.map((w) => w.operation)).toEqual(['skipGoodsFeedbacksReaction']);
    await waitFor(() => topicTitled('⏭ ⭐️2 · KETTLE-1')?.closed, 'skipped and closed');

    // The buyer comments again: the topic is reopened and waits for the seller.
    market.reviews.addReviewComment(reviewId, { text: 'hello?', authorName: 'Anna' });
    await waitFor(() => texts(topic.threadId).at(-1) === '👤 Buyer · Anna\nhello?', 'new comment');
    await waitFor(() => topicTitled('🔴 ⭐️2 · KETTLE-1')?.closed === false, 'reopened');
  });

  it('names a review’s topic after its product and links the product on its card; an unknown product keeps its SKU', async () => {
    const { market, telegram } = world;
    // The key may read the catalogue ("offers and cards", read-only).
    market.setScopes(['COMMUNICATION', 'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY']);
    const url = 'https://market.yandex.ru/card/chaynik-bosch-twk-3a011/100256';
    market.products.add({
      offerId: 'KETTLE-7',
      name: 'Чайник Bosch TWK 3A011',
      marketSku: 100256,
      showcaseUrls: [
        { showcaseType: 'B2B', showcaseUrl: 'https://market.yandex.ru/business--chaynik/100256' },
        { showcaseType: 'B2C', showcaseUrl: url },
      ],
    });
    market.reviews.addReview({ rating: 2, offerId: 'KETTLE-7', author: 'Anna' });
    market.reviews.addReview({ rating: 4, offerId: 'MYSTERY-1', author: 'Oleg' });
    await world.start({}, FAST);

    const named = await waitFor(() => topicTitled('· Anna'), 'the named topic');
    expect(named.name).toBe('🔴 ⭐️2 · Чайник Bosch TWK 3A011 · Anna');
    const unknown = await waitFor(() => topicTitled('· Oleg'), 'the unknown product’s topic');
    expect(unknown.name).toBe('🔴 ⭐️4 · MYSTERY-1 · Oleg');
    const card = await waitFor(
      () => telegram.messages(GROUP_ID, { threadId: named.threadId, fromBot: true })[0],
      'the named card',
    );
    expect(card.text).toContain('Product: Чайник Bosch TWK 3A011 · SKU KETTLE-7');
    expect(links(card)).toContainEqual({ text: 'Чайник Bosch TWK 3A011', url });
    const other = await waitFor(
      () => telegram.messages(GROUP_ID, { threadId: unknown.threadId, fromBot: true })[0],
      'the other card',
    );
    expect(other.text).toContain('Product (SKU): MYSTERY-1');
    expect(links(other)).toEqual([]);
    // Both SKUs in one look-up.
    expect(market.requests.filter((r) => r.operationId === 'getOfferMappings').map((r) => r.body)).toEqual([
      { offerIds: expect.arrayContaining(['KETTLE-7', 'MYSTERY-1']) as string[] },
    ]);
  });

  it('shows the SKU and warns once at start when the key may not read the catalogue, asking the Market nothing', async () => {
    const { market } = world;
    market.products.add({ offerId: 'KETTLE-8', name: 'Чайник' });
    market.reviews.addReview({ rating: 1, offerId: 'KETTLE-8', author: 'Vera' });
    const logs: string[] = [];
    await world.start({}, { ...FAST, logs });
    const topic = await waitFor(() => topicTitled('· Vera'), 'the topic');
    expect(topic.name).toBe('🔴 ⭐️1 · KETTLE-8 · Vera');
    expect(market.count('getOfferMappings')).toBe(0);
    const warnings = logs.filter((l) => l.includes('offers and cards'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('offers-and-cards-management:read-only');
  });

  it('mirrors a question, its answers and comments, and shows it answered once the shop answers', async () => {
    const { market } = world;
    const questionId = market.questions.addQuestion({
      offerId: 'BOOT-42',
      text: 'Is it waterproof?',
      author: { type: 'USER', name: 'Petr' },
      createdAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const answerId = market.questions.addAnswer(questionId, {
      text: 'I think so',
      author: { type: 'USER', name: 'Ivan' },
      createdAt: new Date(Date.now() - 50_000).toISOString(),
    });
    market.questions.addAnswerComment(answerId, {
      text: 'mine leaked',
      author: { type: 'USER', name: 'Oleg' },
      createdAt: new Date(Date.now() - 40_000).toISOString(),
    });
    await world.start({}, FAST);
    const topic = await waitFor(() => topicTitled('❓ BOOT-42 · Petr'), 'question topic');
    expect(topic.name).toBe('🔴 ❓ BOOT-42 · Petr');
    await waitFor(() => texts(topic.threadId).length === 3, 'card, answer, comment');
    const all = world.telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true });
    expect(all[2]!.replyToMessageId).toBe(all[1]!.message_id);

    market.questions.addAnswer(questionId, { text: 'Yes, it is.', author: { type: 'BUSINESS', name: 'Shop' } });
    await waitFor(() => topicTitled('✅ ❓ BOOT-42 · Petr'), 'answered');
    await waitFor(() => texts(topic.threadId).length === 4, 'the shop answer mirrored');
  });

  it('follows notifications at once and posts nothing twice for a duplicate', async () => {
    const { market } = world;
    const app = await world.start({ MARKET_NOTIFICATIONS: 'on' }, PUSH_ONLY);
    await new Promise((r) => setTimeout(r, 500)); // the first round is over
    const reviewId = market.reviews.addReview({ offerId: 'PUSH-1', author: 'Vera', rating: 1 });
    const body = {
      notificationType: 'GOODS_FEEDBACK_CREATED',
      feedbackId: reviewId,
      businessId: BUSINESS_ID,
      createdAt: new Date().toISOString(),
      publishedAt: new Date().toISOString(),
    };
    expect((await notify(app.httpPort, body)).status).toBe(200);
    const topic = await waitFor(() => topicTitled('⭐️1 · PUSH-1 · Vera'), 'review topic from the notification');
    const commentId = market.reviews.addReviewComment(reviewId, { text: 'please answer', authorName: 'Vera' });
    const commentBody = {
      notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED',
      commentId,
      businessId: BUSINESS_ID,
      createdAt: new Date().toISOString(),
    };
    await notify(app.httpPort, commentBody);
    await notify(app.httpPort, commentBody);
    await notify(app.httpPort, body);
    await waitFor(() => texts(topic.threadId).length === 2, 'comment from the notification');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(topic.threadId)).toHaveLength(2);
    expect(world.telegram.topics(GROUP_ID).filter((t) => t.name.includes('PUSH-1'))).toHaveLength(1);
  });

  it('keeps what it posted across a restart: nothing is posted twice', async () => {
    const { market } = world;
    const reviewId = market.reviews.addReview({ offerId: 'RESTART-1', author: 'Ira' });
    market.reviews.addReviewComment(reviewId, { text: 'one', authorName: 'Ira' });
    const first = await world.start({}, FAST);
    const topic = await waitFor(() => topicTitled('RESTART-1'), 'topic');
    await waitFor(() => texts(topic.threadId).length === 2, 'first comment');
    await first.stop();
    market.reviews.addReviewComment(reviewId, { text: 'two', authorName: 'Ira' });
    await world.start({}, FAST);
    await waitFor(() => texts(topic.threadId).length === 3, 'second comment after the restart');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(topic.threadId).map((t) => t.split('\n').at(-1))).toEqual([
      expect.stringContaining('Written'),
      'one',
      'two',
    ]);
    expect(world.telegram.topics(GROUP_ID).filter((t) => t.name.includes('RESTART-1'))).toHaveLength(1);
  });

  it('publishes what an operator types in a review’s and a question’s topic, once, and edits it when the message is edited', async () => {
    const { market, telegram } = world;
    const reviewId = market.reviews.addReview({ offerId: 'REPLY-1', author: 'Anna', rating: 3 });
    const commentId = market.reviews.addReviewComment(reviewId, { text: 'is it fixed?', authorName: 'Anna' });
    const questionId = market.questions.addQuestion({ offerId: 'REPLY-2', author: { type: 'USER', name: 'Petr' } });
    await world.start({ REPLY_UNDO_SECONDS: '0' }, FAST);
    const review = await waitFor(() => topicTitled('REPLY-1'), 'review topic');
    const question = await waitFor(() => topicTitled('REPLY-2'), 'question topic');
    await waitFor(() => texts(review.threadId).length === 2, 'the buyer comment');
    const commentPost = telegram.messages(GROUP_ID, { threadId: review.threadId, fromBot: true })[1]!;

    const top = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: review.threadId, text: 'Thank you, Anna!' });
    telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId: review.threadId,
      text: 'Yes, it is.',
      replyTo: commentPost.message_id,
    });
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: question.threadId, text: 'It fits size 42.' });
    await waitFor(() => market.reviews.writes.length === 2 && market.questions.writes.length === 1, 'three writes');
    const [first, second] = market.reviews.writes;
    expect(first).toMatchObject({
      operation: 'updateGoodsFeedbackComment',
      kind: 'create',
      reviewId,
      text: 'Thank you, Anna!',
    });
    expect(first).not.toHaveProperty('parentId');
    expect(second).toMatchObject({ kind: 'create', reviewId, parentId: commentId, text: 'Yes, it is.' });
    expect(market.questions.writes[0]).toMatchObject({
      operation: 'CREATE',
      parent: { id: questionId, type: 'QUESTION' },
      text: 'It fits size 42.',
    });
    await waitFor(() => topicTitled('✅ ⭐️3 · REPLY-1'), 'review answered');
    await waitFor(() => topicTitled('✅ ❓ REPLY-2'), 'question answered');

    // The edit of a published comment edits it at the Market; nothing is mirrored back.
    telegram.userEdits(GROUP_ID, top.message_id, 'Thank you, Anna! We are glad.');
    await waitFor(() => market.reviews.writes.length === 3, 'the edit');
    expect(market.reviews.writes[2]).toMatchObject({
      kind: 'edit',
      commentId: (first as { commentId: number }).commentId,
      text: 'Thank you, Anna! We are glad.',
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(review.threadId).filter((t) => t.startsWith('🏪'))).toEqual([]);
    expect(market.reviews.writes).toHaveLength(3);
    expect(market.questions.writes).toHaveLength(1);
  });
});
