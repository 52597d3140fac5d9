import { describe, expect, it } from 'vitest';
import { BOT, GROUP_ID, OPERATOR, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** Starts the bridge with one mirrored chat and returns its ids. */
async function linkedChat(orderId = 100) {
  const { market, telegram } = world;
  await world.start();
  const chatId = market.addChat({ contextType: 'ORDER', orderId, customer: { name: 'Ivan' } });
  market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Is it in stock?' });
  const topic = await waitFor(() => topicFor(telegram, `Order ${orderId}`), 'topic');
  await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
  return { chatId, threadId: topic.threadId };
}

const reactions = (messageId: number) => world.telegram.message(GROUP_ID, messageId)?.reactions ?? [];

describe('Telegram → Market, end to end', () => {
  it('sends an operator reply to the buyer exactly once, with the exact text, and marks it delivered', async () => {
    const { market, telegram } = world;
    const { chatId, threadId } = await linkedChat();
    const text = 'Yes! <b>2 pcs</b> & "fast" *delivery* 😀\nSecond line';
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text });
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered reaction');
    expect(market.sent.map((s) => [s.chatId, s.text])).toEqual([[chatId, text]]);
    expect(reactions(msg.message_id)).toEqual(['👍']);
    // The reply comes back in the history as a PARTNER message; it is not posted into the topic again.
    await new Promise((r) => setTimeout(r, 2500));
    expect(topicTexts(telegram, threadId).filter((t) => t.includes('2 pcs'))).toHaveLength(0);
    expect(market.sent).toHaveLength(1);
  });

  it('never sends messages from the General topic, other chats or bots', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    telegram.addSupergroup({ id: -1009999999999, title: 'Other', isForum: true });
    telegram.userSends(GROUP_ID, { from: OPERATOR, text: 'in general' });
    telegram.userSends(-1009999999999, { from: OPERATOR, text: 'elsewhere' });
    telegram.userSends(GROUP_ID, { from: { id: 777, first_name: 'Bot', is_bot: true }, threadId, text: 'from a bot' });
    telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId,
      text: '/status',
      entities: [{ type: 'bot_command', offset: 0, length: 7 }],
    });
    const marker = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'real reply' });
    await waitFor(() => reactions(marker.message_id).length > 0, 'the real reply');
    expect(market.sent.map((s) => s.text)).toEqual(['real reply']);
  });

  it('splits a reply longer than 4096 characters into ordered parts', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const a = 'First paragraph. '.repeat(200).trim();
    const b = 'Second paragraph. '.repeat(200).trim();
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: `${a}\n\n${b}` });
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual([a, b]);
    for (const s of market.sent) expect(s.text!.length).toBeLessThanOrEqual(4096);
    // The reaction and the "2 parts" notice are posted one after the other, not together.
    await waitFor(() => topicTexts(telegram, threadId).some((t) => t.includes('2 parts')), 'the parts notice');
  });

  it('sends a photo through the file endpoint and its caption as a text message', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const data = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]);
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, photo: { data }, caption: 'your item' });
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(market.sent).toHaveLength(2);
    expect(Buffer.from(market.sent[0]!.file!.data)).toEqual(Buffer.from(data));
    expect(market.sent[1]!.text).toBe('your item');
  });

  it('tells the operator, in a reply, why the Market refused a message', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    market.failNext('sendMessageToChat', { status: 400 });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'refused' });
    const answer = await waitFor(
      () => telegram.messages(GROUP_ID, { threadId, fromBot: true }).find((m) => m.replyToMessageId === msg.message_id),
      'failure reply',
    );
    expect(answer.text).toMatch(/Not delivered/);
    expect(answer.text).toMatch(/400/);
    expect(reactions(msg.message_id)).toEqual([]);
  });

  it('lets the operator press Retry under a failed reply and then delivers it once', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    market.failNext('sendMessageToChat', { status: 400 });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'second chance' });
    const notice = await waitFor(
      () => telegram.messages(GROUP_ID, { threadId, fromBot: true }).find((m) => m.replyToMessageId === msg.message_id),
      'failure notice',
    );
    const button = (notice.replyMarkup as { inline_keyboard: Array<Array<{ callback_data: string }>> })
      .inline_keyboard[0]?.[0];
    expect(button?.callback_data).toBe(`r:${threadId}:${msg.message_id}`);
    telegram.userPressesButton(GROUP_ID, notice.message_id, button!.callback_data, OPERATOR);
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered after retry');
    expect(market.sent.map((s) => s.text)).toEqual(['second chance']);
    await waitFor(() => /Delivered/.test(telegram.message(GROUP_ID, notice.message_id)?.text ?? ''), 'notice updated');
  });

  it('says that an edit cannot reach the buyer', async () => {
    const { telegram } = world;
    const { threadId } = await linkedChat();
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'tpyo' });
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    telegram.userEdits(GROUP_ID, msg.message_id, 'typo');
    await waitFor(
      () => telegram.messages(GROUP_ID, { threadId, fromBot: true }).some((m) => m.replyToMessageId === msg.message_id),
      'edit notice',
    );
  });

  it('answers a message in a topic that belongs to no Market chat without sending it', async () => {
    const { market, telegram } = world;
    await linkedChat();
    const bot = await fetch(`${telegram.url}/bot${'123456:TEST-token-abcdefghijklmnopqrstuvwxyz'}/createForumTopic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: GROUP_ID, name: 'manual topic' }),
    }).then((r) => r.json() as Promise<{ result: { message_thread_id: number } }>);
    const threadId = bot.result.message_thread_id;
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'hello?' });
    await waitFor(
      () => telegram.messages(GROUP_ID, { threadId, fromBot: true }).some((m) => m.replyToMessageId === msg.message_id),
      'not linked notice',
    );
    expect(market.sent).toHaveLength(0);
    expect(BOT.id).toBeGreaterThan(0);
  });
});
