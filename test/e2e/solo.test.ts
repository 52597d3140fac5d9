/**
 * Solo mode, end to end: TELEGRAM_CHAT_ID is the operator's own user id, and every Market chat becomes a topic of
 * the bot's private chat with them (the fake's private chat with the bot's topic mode on).
 */
import { describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/telegram-server.ts';
import { OPERATOR, mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** The operator's private chat with the bot: its id is the operator's user id. */
const SOLO = OPERATOR.id;
const SOLO_ENV = { TELEGRAM_CHAT_ID: String(SOLO) };

/** The private chat with the bot's topics on, as a person sets it up for solo mode. */
function privateChat(topicsOn = true): void {
  world.telegram.addPrivateChat({ id: SOLO, firstName: OPERATOR.first_name });
  world.telegram.setBotTopicsEnabled(topicsOn);
}

/** A buyer writes about order `orderId`; resolves with the chat's topic once its first message is mirrored. */
async function buyerWrites(orderId: number, text: string) {
  const { market, telegram } = world;
  const chatId = market.addChat({ contextType: 'ORDER', orderId, customer: { name: 'Ivan' } });
  market.addMessage(chatId, { sender: 'CUSTOMER', text });
  const topic = await waitFor(() => topicFor(telegram, `Order ${orderId}`, SOLO), 'the private topic');
  await waitFor(() => mirroredBodies(telegram, topic.threadId, SOLO).includes(text), 'the first message');
  return { chatId, threadId: topic.threadId };
}

const called = (method: string) => world.telegram.calls.filter((c) => c.method === method);
/** The bot's messages of the private chat's main thread (outside any topic). */
const mainThread = () => world.telegram.messages(SOLO, { fromBot: true }).filter((m) => m.threadId === undefined);

/** The operator sends a bot command in the private chat (with its bot_command entity, as Telegram marks it). */
function command(text: string, threadId?: number): FakeMessage {
  const length = text.split(/\s/, 1)[0]?.length ?? 0;
  return world.telegram.userSends(SOLO, {
    from: OPERATOR,
    threadId,
    text,
    entities: [{ type: 'bot_command', offset: 0, length }],
  });
}

describe('solo mode: a private chat instead of a group, end to end', () => {
  it('binds a private chat (solo) and mirrors into private topics', async () => {
    const { market, telegram } = world;
    privateChat();
    // OPERATORS=admins cannot apply in a private chat (it has no administrators): its person answers. The rights
    // watch looks often, and must not look at all in a private chat.
    await world.start({ ...SOLO_ENV, OPERATORS: 'admins' }, { overrides: { rightsCheckIntervalMs: 50 } });
    const { chatId, threadId } = await buyerWrites(91, 'where is my parcel?');

    const [card] = topicTexts(telegram, threadId, SOLO);
    expect(card).toContain('Yandex Market buyer chat');
    expect(card).toContain(`Market chat: ${chatId}`);
    expect(telegram.topics(SOLO)).toHaveLength(1);
    for (const m of telegram.messages(SOLO, { threadId, fromBot: true })) {
      expect(m.json).toMatchObject({ message_thread_id: threadId, is_topic_message: true });
    }

    // The operator's reply in the topic reaches the Market once, with its receipt.
    const reply = telegram.userSends(SOLO, { from: OPERATOR, threadId, text: 'it ships today' });
    await waitFor(() => telegram.message(SOLO, reply.message_id)?.reactions.length, 'the receipt');
    expect(telegram.message(SOLO, reply.message_id)?.reactions).toEqual(['👍']);
    await new Promise((r) => setTimeout(r, 1500)); // a poll or two: the echo is not mirrored, nothing is sent twice
    expect(market.sent.map((s) => [s.chatId, s.text])).toEqual([[chatId, 'it ships today']]);
    expect(mirroredBodies(telegram, threadId, SOLO)).toEqual(['where is my parcel?']);

    // The command menu is the private chat's; no rights or administrators are asked for in a private chat.
    await waitFor(() => telegram.commands({ type: 'chat', chat_id: SOLO }).length > 0, 'the command menu');
    expect(called('getChatMember')).toEqual([]);
    expect(called('getChatAdministrators')).toEqual([]);
  });

  it('answers /status in the topic it was sent in, and /chat naming the topic, with no t.me/c link', async () => {
    const { market, telegram } = world;
    privateChat();
    market.addOrder({ orderId: 123, campaignId: 9, customer: { name: 'Ivan' } });
    await world.start(SOLO_ENV);
    const { threadId } = await buyerWrites(92, 'hello?');

    const ask = command('/status', threadId);
    const status = await waitFor(
      () => telegram.messages(SOLO, { fromBot: true }).find((m) => m.message_id > ask.message_id),
      'the /status answer',
    );
    expect(status.threadId).toBe(threadId);
    expect(status.text).toMatch(/^⏳ Waiting for us: 1\nLongest wait: \d+ (s|min) .*Order 92/);
    expect(status.entities?.some((e) => e.type === 'text_link')).toBe(false);

    const open = command('/chat 123');
    const answer = await waitFor(
      () => telegram.messages(SOLO, { fromBot: true }).find((m) => m.replyToMessageId === open.message_id),
      'the /chat answer',
    );
    expect(answer.text).toBe('✅ The chat about order 123 is open in its topic.');
    expect(topicFor(telegram, 'Order 123', SOLO)).toBeDefined();
  });

  it('keeps the board in the main thread, pinned, naming the waiting chat without a link', async () => {
    const { telegram } = world;
    privateChat();
    await world.start(SOLO_ENV, { overrides: { desk: { tickMs: 100, boardGapMs: 200, pinCheckMs: 300 } } });
    await buyerWrites(93, 'anyone there?');

    const board = await waitFor(
      () => mainThread().find((m) => m.text?.startsWith('📋') && m.text.includes('Order 93')),
      'the board listing the chat',
    );
    expect(board.json.message_thread_id).toBeUndefined();
    expect(board.text).toMatch(/1\. .*Order 93.* — \d+ s · nobody/);
    expect(board.entities?.some((e) => e.type === 'text_link')).toBe(false);
    await waitFor(() => telegram.pinnedMessages(SOLO)[0] === board.message_id, 'the board pinned');
    const pin = called('pinChatMessage').at(-1);
    expect(pin?.params.message_thread_id).toBeUndefined();
    expect(pin?.status).toBe(200);
  });

  it('renames the topic of a finished chat but never tries to close it', async () => {
    const { market, telegram } = world;
    privateChat();
    await world.start(SOLO_ENV); // CLOSE_FINISHED_TOPICS is on by default
    const { chatId, threadId } = await buyerWrites(94, 'thanks, got it');

    market.setStatus(chatId, 'FINISHED');
    await waitFor(() => topicFor(telegram, '✅ Order 94', SOLO), 'the finished title');
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'one more question' });
    market.setStatus(chatId, 'WAITING_FOR_PARTNER');
    await waitFor(() => mirroredBodies(telegram, threadId, SOLO).includes('one more question'), 'the new message');
    await waitFor(() => topicFor(telegram, '🔴 Order 94', SOLO), 'the waiting title');

    expect(called('closeForumTopic')).toEqual([]);
    expect(called('reopenForumTopic')).toEqual([]);
    expect(telegram.topics(SOLO)).toMatchObject([{ threadId, closed: false, deleted: false }]);
  });

  it('recreates a private topic the operator deleted, with its card, and goes on there', async () => {
    const { market, telegram } = world;
    privateChat();
    await world.start(SOLO_ENV);
    const { chatId, threadId } = await buyerWrites(95, 'first question');

    telegram.deleteTopic(SOLO, threadId);
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'second question' });
    const again = await waitFor(() => topicFor(telegram, 'Order 95', SOLO), 'the new topic');
    await waitFor(() => mirroredBodies(telegram, again.threadId, SOLO).includes('second question'), 'the message');

    expect(again.threadId).not.toBe(threadId);
    const texts = topicTexts(telegram, again.threadId, SOLO);
    expect(texts[0]).toContain('Yandex Market buyer chat');
    expect(texts.some((t) => t.startsWith('♻️ This topic was deleted'))).toBe(true);
    expect(telegram.topics(SOLO).map((t) => t.deleted)).toEqual([true, false]);
  });

  it("refuses to start while the bot's topics in private chats are off, saying to turn them on in @BotFather", async () => {
    privateChat(false);
    const start = world.start(SOLO_ENV);
    await expect(start).rejects.toMatchObject({ code: 'STARTUP_FAILED' });
    await expect(start).rejects.toThrow(
      /^TELEGRAM_CHAT_ID 1001 is a person's private chat with the bot \(solo mode\), and topics are off for @marketgram_test_bot in private chats: in @BotFather .*Threaded Mode/,
    );
    expect(called('createForumTopic')).toEqual([]);
  });
});
