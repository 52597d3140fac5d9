import { describe, expect, it } from 'vitest';
import type { FakeMessage, FakeUserInput } from '../fakes/telegram-server.ts';
import { BUSINESS_ID, GROUP_ID, OPERATOR, liveTopics, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const STRANGER = { id: 2002, first_name: 'Stranger' };
const LINK = /https:\/\/t\.me\/c\/1234567890\/(\d+)/;

/** A person sends a bot command (with its bot_command entity, as Telegram marks it). */
function command(text: string, o: { threadId?: number; from?: FakeUserInput } = {}): FakeMessage {
  const length = text.split(/\s/, 1)[0]?.length ?? 0;
  return world.telegram.userSends(GROUP_ID, {
    from: o.from ?? OPERATOR,
    threadId: o.threadId,
    text,
    entities: [{ type: 'bot_command', offset: 0, length }],
  });
}

/** The bot's answer to a message (its reply to it). */
function answerTo(message: FakeMessage): Promise<FakeMessage> {
  return waitFor(
    () => world.telegram.messages(GROUP_ID, { fromBot: true }).find((m) => m.replyToMessageId === message.message_id),
    `the answer to "${message.text ?? ''}"`,
  );
}

/** The topic an answer links to. */
function linkedTopic(answer: FakeMessage): number {
  const id = LINK.exec(answer.text ?? '')?.[1];
  if (id === undefined) throw new Error(`no topic link in "${answer.text ?? ''}"`);
  return Number(id);
}

const createChatRequests = () => world.market.requests.filter((r) => r.operationId === 'createChat');
const topicCreations = () => world.telegram.calls.filter((c) => c.method === 'createForumTopic').length;

describe('/chat, end to end', () => {
  it('opens the chat about an order at the Market, creates its topic with its card, and links it; again, it finds it', async () => {
    const { market, telegram } = world;
    market.addOrder({ orderId: 123, campaignId: 9, customer: { name: 'Ivan' } });
    await world.start();

    const ask = command('/chat 123');
    const answer = await answerTo(ask);

    // The request is the spec's: POST chats/new of our cabinet with a ChatContextDTO, as JSON.
    const [request, ...more] = createChatRequests();
    expect(more).toEqual([]);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/v2/businesses/${BUSINESS_ID}/chats/new`,
      body: { context: { type: 'ORDER', id: 123 } },
      status: 200,
      apiKeyOk: true,
    });
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    const [chat] = market.chats();
    expect(chat).toMatchObject({ contextType: 'ORDER', orderId: 123, status: 'NEW' });
    // The answer is in General, under the command, and links the chat's topic.
    expect(answer.threadId).toBeUndefined();
    expect(answer.text).toMatch(/^✅ The chat about order 123 is open: https:\/\/t\.me\/c\/1234567890\/\d+$/);
    const threadId = linkedTopic(answer);
    const topic = liveTopics(telegram).find((t) => t.threadId === threadId);
    expect(topic?.name).toContain('Order 123');
    expect(topic?.name).toContain('Ivan');
    const card = telegram.messages(GROUP_ID, { threadId, fromBot: true }).find((m) => !m.isService);
    expect(card?.text).toContain('Yandex Market buyer chat');
    expect(card?.text).toContain(`Market chat: ${chat?.chatId}`);

    const again = await answerTo(command('/chat 123'));
    expect(again.text).toBe(`💬 The chat about order 123 is here already: https://t.me/c/1234567890/${threadId}`);
    expect(createChatRequests()).toHaveLength(2);
    expect(market.chats()).toHaveLength(1);
    expect(topicCreations()).toBe(1);
  });

  it('opens the chat about a return, answering in the topic the command was sent in', async () => {
    const { market, telegram } = world;
    market.addReturn({ returnId: 77, orderId: 555, customer: { name: 'Maria' } });
    await world.start();
    const elsewhere = telegram.userCreatesTopic(GROUP_ID, 'Team', OPERATOR);

    const answer = await answerTo(command('/chat return 77', { threadId: elsewhere }));

    expect(createChatRequests()[0]?.body).toEqual({ context: { type: 'RETURN', id: 77 } });
    expect(answer.threadId).toBe(elsewhere);
    const threadId = linkedTopic(answer);
    expect(topicFor(telegram, 'Return 77')?.threadId).toBe(threadId);
    expect(topicFor(telegram, 'Return 77')?.name).toContain('Maria');
  });

  it('points at the topic of a chat that is mirrored already, without creating anything in Telegram', async () => {
    const { market, telegram } = world;
    const app = await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 100, customer: { name: 'Oleg' } });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Hello?' });
    const topic = await waitFor(() => topicFor(telegram, 'Oleg'), 'the topic of the mirrored chat');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'the card and the message');
    await app.bridge.idle();
    const posts = telegram.calls.filter((c) => c.method === 'sendMessage').length;

    const answer = await answerTo(command('/chat order 100'));

    expect(linkedTopic(answer)).toBe(topic.threadId);
    expect(topicCreations()).toBe(1);
    // The answer is the only post.
    expect(telegram.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(posts + 1);
  });

  it('answers a missing or bad number with how to use it, and asks the Market nothing', async () => {
    await world.start();
    for (const text of ['/chat', '/chat abc', '/chat return', '/chat 0', '/chat 12 34']) {
      const answer = await answerTo(command(text));
      expect(answer.text, text).toMatch(/^Write to a buyer:\n\/chat 123456 — the chat about order 123456\n/);
    }
    expect(createChatRequests()).toEqual([]);
  });

  it('tells what the Market said: no such order, chats closed, its quota used up', async () => {
    const { market } = world;
    market.addOrder({ orderId: 1, chatsClosed: true });
    market.addOrder({ orderId: 2 });
    await world.start();

    expect((await answerTo(command('/chat 404'))).text).toBe(
      '⚠️ The Market has no order 404 in this cabinet (NOT_FOUND: Order 404 not found). Check the number.',
    );
    expect((await answerTo(command('/chat 1'))).text).toMatch(
      /^⚠️ The Market will not open a chat about order 1: BAD_REQUEST: Chat cannot be created for order 1\./,
    );
    market.setQuotaRemaining('createChat', 0);
    expect((await answerTo(command('/chat 2'))).text).toMatch(
      /^⏳ The Market's limit on new chats is used up until \d\d:\d\d \S+\. Try again after that\.$/,
    );
    expect(market.chats()).toEqual([]);
    expect(topicCreations()).toBe(0);
  });

  it('refuses someone who may not answer buyers, and opens nothing', async () => {
    world.market.addOrder({ orderId: 123 });
    await world.start({ OPERATORS: String(OPERATOR.id) });

    const answer = await answerTo(command('/chat 123', { from: STRANGER }));

    expect(answer.text).toBe('Only operators can open chats with buyers.');
    expect(createChatRequests()).toEqual([]);
    // An operator may.
    expect((await answerTo(command('/chat 123'))).text).toMatch(LINK);
  });

  it('answers in Russian with BOT_LANGUAGE=ru', async () => {
    world.market.addOrder({ orderId: 123 });
    await world.start({ BOT_LANGUAGE: 'ru' });
    expect((await answerTo(command('/chat 123'))).text).toMatch(/^✅ Чат по заказу 123 открыт: https:\/\/t\.me\/c\//);
    expect((await answerTo(command('/chat возврат'))).text).toMatch(/^Написать покупателю:/);
  });

  it("registers the group's command menu at start-up, in English by default and in Russian", async () => {
    const { telegram } = world;
    await world.start({ BOT_LANGUAGE: 'ru' });
    const group = { type: 'chat', chat_id: GROUP_ID };
    await waitFor(() => telegram.commands(group, 'ru').length > 0, 'the menu in Russian');
    const en = telegram.commands(group);
    const ru = telegram.commands(group, 'ru');
    expect(en.map((c) => c.command)).toEqual(['chat', 'mine', 'templates', 'template', 'status']);
    expect(ru.map((c) => c.command)).toEqual(['chat', 'mine', 'templates', 'template', 'status']);
    expect(en[0]?.description).toBe('Write to a buyer: /chat ORDER or /chat return RETURN');
    expect(ru[0]?.description).toBe('Написать покупателю: /chat ЗАКАЗ или /chat return ВОЗВРАТ');
    expect(telegram.calls.filter((c) => c.method === 'setMyCommands')).toHaveLength(2);
  });

  it('starts and works when Telegram refuses the menu', async () => {
    const { telegram } = world;
    telegram.failNext('setMyCommands', { status: 400, description: 'Bad Request: BOT_COMMAND_INVALID' }, 2);
    world.market.addOrder({ orderId: 123 });
    await world.start();
    expect((await answerTo(command('/chat 123'))).text).toMatch(LINK);
    expect(telegram.calls.filter((c) => c.method === 'setMyCommands').map((c) => c.status)).toEqual([400, 400]);
  });
});
