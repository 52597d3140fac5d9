import { describe, expect, it } from 'vitest';
import { GROUP_ID, OPERATOR, mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('recovery from faults, end to end', () => {
  it('waits out a Market 420 and 5xx answers and still mirrors everything once, in order', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 11 });
    for (let i = 0; i < 5; i++) market.addMessage(chatId, { sender: 'CUSTOMER', text: `m${i}` });
    market.failNext('getChats', { status: 420, untilMs: Date.now() + 1500 });
    market.failNext('getChatHistory', { status: 503 }, 2);
    market.failNext('getChatHistory', { status: 500 });
    await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 11'), 'topic', 20_000);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length >= 5, 'all messages', 20_000);
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(market.requests.some((r) => r.status === 420)).toBe(true);
  });

  it('keeps polling after malformed Market answers', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 17 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'still here' });
    market.failNext('getChats', { malformed: true }, 3);
    market.failNext('getChatHistory', { malformed: true, body: '{"status":"OK","result":{"messages":"nope"}}' }, 2);
    await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 17'), 'topic', 20_000);
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'message', 20_000);
  });

  it('survives slow Market answers', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 12 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'slow' });
    market.failNext('getChatHistory', { delayMs: 1500 });
    await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 12'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'message');
  });

  it('waits out Telegram 429 and 5xx answers without losing or doubling a message', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 13 });
    telegram.failNext('sendMessage', { status: 429, retryAfter: 1 }, 2);
    telegram.failNext('createForumTopic', { status: 500 });
    for (let i = 0; i < 3; i++) market.addMessage(chatId, { sender: 'CUSTOMER', text: `t${i}` });
    const topic = await waitFor(() => topicFor(telegram, 'Order 13'), 'topic', 20_000);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length >= 3, 'all messages', 20_000);
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(['t0', 't1', 't2']);
    expect(telegram.calls.some((c) => c.status === 429)).toBe(true);
  });

  it('queues a reply the Market rate-limits, says until when, and delivers it once afterwards', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 14 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 14'), 'topic');
    market.failNext('sendMessageToChat', { status: 420, untilMs: Date.now() + 1500 });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'wait for it' });
    await waitFor(
      () =>
        telegram
          .messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })
          .find((m) => m.replyToMessageId === msg.message_id && /queued/.test(m.text ?? '')),
      'queued notice',
    );
    await waitFor(() => (telegram.message(GROUP_ID, msg.message_id)?.reactions ?? []).length > 0, 'delivered', 20_000);
    expect(market.sent.map((s) => s.text)).toEqual(['wait for it']);
  });

  it('does not send a reply twice when the connection broke after the Market took it', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 15 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 15'), 'topic');
    market.failNext('sendMessageToChat', { acceptThenReset: true });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'exactly once' });
    await waitFor(() => (telegram.message(GROUP_ID, msg.message_id)?.reactions ?? []).length > 0, 'delivered');
    await new Promise((r) => setTimeout(r, 1500));
    expect(market.sent.map((s) => s.text)).toEqual(['exactly once']);
    expect(topicTexts(telegram, topic.threadId).filter((t) => t.includes('exactly once'))).toHaveLength(0);
  });

  it('sends a reply again when the history shows the broken attempt never arrived', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 16 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 16'), 'topic');
    market.failNext('sendMessageToChat', { resetBeforeEffect: true });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'second try' });
    await waitFor(() => (telegram.message(GROUP_ID, msg.message_id)?.reactions ?? []).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['second try']);
    expect(market.requests.filter((r) => r.operationId === 'sendMessageToChat')).toHaveLength(2);
  });
});
