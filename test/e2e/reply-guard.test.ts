import { describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/telegram-server.ts';
import { GROUP_ID, OPERATOR, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** Starts the bridge (with `extra` settings) with one mirrored chat and returns its ids. */
async function linkedChat(extra: Record<string, string> = {}, orderId = 48123456789) {
  const { market, telegram } = world;
  const app = await world.start({ BOT_LANGUAGE: 'en', ...extra });
  const chatId = market.addChat({ contextType: 'ORDER', orderId, customer: { name: 'Ivan' } });
  market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Where is my order?' });
  const topic = await waitFor(() => topicFor(telegram, `Order ${orderId}`), 'topic');
  await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
  return { app, chatId, threadId: topic.threadId };
}

/** The bot's answer under an operator's message, as it is now. */
const noticeUnder = (messageId: number): FakeMessage | undefined =>
  world.telegram
    .messages(GROUP_ID)
    .filter((m) => m.replyToMessageId === messageId && m.from.is_bot)
    .at(-1);
const buttonsOf = (m: FakeMessage | undefined) =>
  m?.replyMarkup?.inline_keyboard.flat().map((b) => ('callback_data' in b ? b.callback_data : '')) ?? [];
const reactions = (messageId: number) => world.telegram.message(GROUP_ID, messageId)?.reactions ?? [];

describe('Reply guard, end to end', () => {
  it('holds a reply with a phone number; Send anyway sends it once, with the usual receipt', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const text = 'Позвоните нам: +7 999 123-45-67';
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text });
    const notice = await waitFor(() => noticeUnder(msg.message_id), 'the hold notice');
    expect(notice.text).toContain('«+7 999 123-45-67»');
    expect(buttonsOf(notice)).toEqual([`a:${threadId}:${msg.message_id}`, `u:${threadId}:${msg.message_id}`]);
    await new Promise((r) => setTimeout(r, 500));
    expect(market.sent).toHaveLength(0);
    const query = telegram.userPressesButton(GROUP_ID, notice.message_id, buttonsOf(notice)[0]!, OPERATOR);
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(telegram.callbackAnswer(query)?.text).toMatch(/Sending, as you decided/);
    expect(market.sent.map((s) => s.text)).toEqual([text]);
    expect(noticeUnder(msg.message_id)?.text).toMatch(/Delivered/);
  });

  it('sends an edited held reply once it is clean, and never the flagged text', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'Напишите нам в вотсап' });
    await waitFor(() => noticeUnder(msg.message_id), 'the hold notice');
    telegram.userEdits(GROUP_ID, msg.message_id, 'Ответим здесь, в чате заказа 48123456789.');
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['Ответим здесь, в чате заказа 48123456789.']);
  });

  it('Cancel keeps a held reply from the buyer, and a later reply then goes', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const held = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'see ozon.ru/t/abc' });
    const notice = await waitFor(() => noticeUnder(held.message_id), 'the hold notice');
    const later = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'Your parcel ships today.' });
    await waitFor(() => /held/.test(noticeUnder(later.message_id)?.text ?? ''), 'the "waits behind" notice');
    expect(market.sent).toHaveLength(0);
    telegram.userPressesButton(GROUP_ID, notice.message_id, buttonsOf(notice)[1]!, OPERATOR);
    await waitFor(() => reactions(later.message_id).length > 0, 'the later reply delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['Your parcel ships today.']);
    expect(noticeUnder(held.message_id)?.text).toMatch(/Cancelled/);
  });

  it('in block mode offers only Cancel and never sends the flagged reply', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat({ REPLY_GUARD: 'block' });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'mail me: shop@example.com' });
    const notice = await waitFor(() => noticeUnder(msg.message_id), 'the hold notice');
    expect(buttonsOf(notice)).toEqual([`u:${threadId}:${msg.message_id}`]);
    const query = telegram.userPressesButton(GROUP_ID, notice.message_id, `a:${threadId}:${msg.message_id}`, OPERATOR, {
      anyData: true,
    });
    await waitFor(() => telegram.callbackAnswer(query)?.answered, 'the answer');
    expect(telegram.callbackAnswer(query)?.text).toMatch(/not sent/);
    await new Promise((r) => setTimeout(r, 300));
    expect(market.sent).toHaveLength(0);
  });

  it('keeps a held reply across a restart, and Send anyway works after it', async () => {
    const { market, telegram } = world;
    const { app, threadId } = await linkedChat();
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'наш сайт shop-igrushki.ru' });
    const notice = await waitFor(() => noticeUnder(msg.message_id), 'the hold notice');
    await app.stop();
    await world.start({ BOT_LANGUAGE: 'en' });
    telegram.userPressesButton(GROUP_ID, notice.message_id, buttonsOf(notice)[0]!, OPERATOR);
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['наш сайт shop-igrushki.ru']);
  });

  it('lets order numbers, prices and Market links through, and REPLY_GUARD=off checks nothing', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat({ REPLY_GUARD_ALLOW: 'care.example.com' });
    const clean =
      'Заказ 48123456789 отправлен 03.12, стоимость 1 999 ₽. Инструкция: https://care.example.com/kettle, ' +
      'товар: https://market.yandex.ru/product--chainik/123456?sku=789';
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: clean });
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual([clean]);
  });

  it('with REPLY_GUARD=off sends whatever is typed', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat({ REPLY_GUARD: 'off' });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: '+7 999 123-45-67' });
    await waitFor(() => reactions(msg.message_id).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['+7 999 123-45-67']);
  });

  it('never sends an internal note, and marks it', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const note = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId,
      text: '// он уже третий раз пишет, вернуть деньги',
    });
    const reply = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'Вернём деньги сегодня.' });
    await waitFor(() => reactions(reply.message_id).length > 0, 'the reply delivered');
    await waitFor(() => reactions(note.message_id).length > 0, 'the note marked');
    expect(reactions(note.message_id)).toEqual(['✍']);
    expect(market.sent.map((s) => s.text)).toEqual(['Вернём деньги сегодня.']);
  });

  it('checks a quick reply too: a flagged template is held under its post, with its placeholders filled', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const add = '/template add site Заказ {order}: подробности на shop-igrushki.ru';
    telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      text: add,
      entities: [{ type: 'bot_command', offset: 0, length: 9 }],
    });
    await waitFor(
      () => telegram.messages(GROUP_ID, { fromBot: true }).some((m) => /added/.test(m.text ?? '')),
      'added',
    );
    const ask = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId,
      text: '/templates',
      entities: [{ type: 'bot_command', offset: 0, length: 10 }],
    });
    const list = await waitFor(() => noticeUnder(ask.message_id), 'the list');
    telegram.userPressesButton(GROUP_ID, list.message_id, buttonsOf(list)[0]!, OPERATOR);
    const posted = await waitFor(
      () => telegram.messages(GROUP_ID, { threadId, fromBot: true }).find((m) => m.text?.includes('template «site»')),
      'the posted template',
    );
    const notice = await waitFor(() => noticeUnder(posted.message_id), 'the hold notice');
    expect(notice.text).toContain('«shop-igrushki.ru»');
    await new Promise((r) => setTimeout(r, 300));
    expect(market.sent).toHaveLength(0);
    telegram.userPressesButton(GROUP_ID, notice.message_id, buttonsOf(notice)[0]!, OPERATOR);
    await waitFor(() => reactions(posted.message_id).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['Заказ 48123456789: подробности на shop-igrushki.ru']);
  });
});
