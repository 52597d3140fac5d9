import { describe, expect, it } from 'vitest';
import type { FakeMessage, FakeUserInput } from '../fakes/telegram-server.ts';
import { GROUP_ID, OPERATOR, topicFor, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** Seconds in tests: REMIND_AFTER and ESCALATE_AFTER are settings in seconds. */
const ENV = { REMIND_AFTER: '1', ESCALATE_AFTER: '2' };
const DESK = { overrides: { desk: { tickMs: 100, boardGapMs: 200, pinCheckMs: 300 } } };
const LINK = 'https://t.me/c/1234567890/';

const general = () =>
  world.telegram.messages(GROUP_ID, { fromBot: true }).filter((m) => m.threadId === undefined && m.text);
const board = () => general().find((m) => m.text!.startsWith('📋'));
const escalations = () => general().filter((m) => m.text!.startsWith('🚨'));
const inTopic = (threadId: number, start: string) =>
  world.telegram.messages(GROUP_ID, { fromBot: true, threadId }).filter((m) => m.text?.startsWith(start));

const COLLEAGUE = { id: 1002, first_name: 'Ivan' };

async function press(message: FakeMessage, data: string, from: FakeUserInput) {
  const id = world.telegram.userPressesButton(GROUP_ID, message.message_id, data, from);
  return waitFor(() => {
    const a = world.telegram.callbackAnswer(id);
    return a?.answered ? a.text : undefined;
  }, `the answer on ${data}`);
}

/** The chat's card as it is now, once its owner line reads `owner`. */
const cardSays = (threadId: number, owner: string) =>
  waitFor(() => {
    const card = inTopic(threadId, 'Yandex Market buyer chat')[0];
    return card?.text?.includes(`Owner: ${owner}\n`) ? card : undefined;
  }, `card with owner ${owner}`);

describe('the triage desk, end to end', () => {
  it('pins a board that lists a waiting chat, reminds and escalates once naming the owner, and clears them when answered', async () => {
    const { market, telegram } = world;
    await world.start(ENV, DESK);
    const empty = await waitFor(board, 'board');
    expect(empty.text).toContain('Nobody is waiting for an answer.');
    await waitFor(() => telegram.pinnedMessages(GROUP_ID)[0] === empty.message_id, 'board pinned');

    // Taken before the buyer waits: the reminder (1 s into the wait) must find its owner, however slow the run.
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 71, customer: { name: 'Ivan' } });
    market.addMessage(chatId, { sender: 'PARTNER', text: 'hello, how can we help?' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 71'), 'topic');
    const card = await waitFor(() => inTopic(topic.threadId, 'Yandex Market buyer chat')[0], 'card');
    telegram.userPressesButton(GROUP_ID, card.message_id, `o:${topic.threadId}`, OPERATOR);
    await cardSays(topic.threadId, 'Olga');
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'where is my parcel?' });

    // The board lists the chat with a link to its topic, its wait and its owner.
    const listed = await waitFor(() => {
      const text = board()?.text ?? '';
      return /1\. .*Order 71.* — \d+ s · Olga/.test(text) ? board() : undefined;
    }, 'chat on the board');
    expect(listed.message_id).toBe(empty.message_id);
    const link = listed.entities?.find((e) => e.type === 'text_link');
    expect(link?.url).toBe(`${LINK}${topic.threadId}`);

    // One reminder in the topic, mentioning the owner, with Take; one escalation in General.
    const reminder = await waitFor(() => inTopic(topic.threadId, '⏰')[0], 'reminder');
    expect(reminder.text).toMatch(/^⏰ The buyer has been waiting for an answer for \d+ s\. Olga$/);
    expect(reminder.entities?.some((e) => e.type === 'text_mention' && e.user?.id === OPERATOR.id)).toBe(true);
    expect(reminder.replyMarkup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['✋ Take']);
    const escalation = await waitFor(() => escalations()[0], 'escalation');
    expect(escalation.text).toMatch(
      /^🚨 Waiting too long for an answer: 1 chat\n• .*Order 71.* — waiting \d+ s · Olga$/,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(inTopic(topic.threadId, '⏰')).toHaveLength(1);
    expect(escalations()).toHaveLength(1);

    // The operator answers: the board drops the chat, the reminder and the escalation say it was answered.
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'it ships today' });
    await waitFor(() => market.sent.some((s) => s.text === 'it ships today'), 'reply at the Market');
    await waitFor(() => board()?.text?.includes('Nobody is waiting'), 'board cleared');
    await waitFor(
      () =>
        telegram
          .messages(GROUP_ID, { threadId: topic.threadId })
          .find((m) => m.message_id === reminder.message_id)
          ?.text?.startsWith('✅ Answered after'),
      'reminder done',
    );
    await waitFor(
      () =>
        general()
          .find((m) => m.message_id === escalation.message_id)
          ?.text?.includes('✅ answered'),
      'escalation done',
    );
    expect(telegram.messages(GROUP_ID, { fromBot: true }).filter((m) => m.text?.startsWith('⏰'))).toHaveLength(0);
  });

  it('posts and pins a new board when someone deletes it or unpins it', async () => {
    const { telegram } = world;
    await world.start(ENV, DESK);
    const first = await waitFor(board, 'board');
    await waitFor(() => telegram.pinnedMessages(GROUP_ID)[0] === first.message_id, 'board pinned');

    telegram.userDeletes(GROUP_ID, first.message_id);
    const second = await waitFor(
      () => ((board()?.message_id ?? 0) > first.message_id ? board() : undefined),
      'second board',
    );
    await waitFor(() => telegram.pinnedMessages(GROUP_ID)[0] === second.message_id, 'second board pinned');

    telegram.userUnpins(GROUP_ID, second.message_id);
    const third = await waitFor(
      () => ((board()?.message_id ?? 0) > second.message_id ? board() : undefined),
      'third board',
    );
    await waitFor(() => telegram.pinnedMessages(GROUP_ID)[0] === third.message_id, 'third board pinned');
    expect(general().filter((m) => m.text!.startsWith('📋'))).toHaveLength(1);
  });

  it('sends no reminder and no escalation off hours, and says so on the board', async () => {
    const { market, telegram } = world;
    // Open only on a day that is not today in Moscow.
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Moscow', weekday: 'short' }).format(new Date());
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const other = days[(days.indexOf(today.toLowerCase().slice(0, 3)) + 3) % 7];
    await world.start({ ...ENV, WORK_HOURS: `${other} 10:00-11:00` }, DESK);
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 72 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello?' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 72'), 'topic');
    await waitFor(() => board()?.text?.includes('Order 72'), 'chat on the board');
    expect(board()!.text).toContain('🌙 Off hours until');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(inTopic(topic.threadId, '⏰')).toHaveLength(0);
    expect(escalations()).toHaveLength(0);
  });

  it('Take, a hand-over, Release and the first reply decide who owns a chat, and the card says so', async () => {
    const { market, telegram } = world;
    await world.start(ENV, DESK);
    const first = market.addChat({ contextType: 'ORDER', orderId: 73 });
    market.addMessage(first, { sender: 'CUSTOMER', text: 'hi' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 73'), 'topic');
    const card = await cardSays(topic.threadId, 'nobody');
    expect(card.replyMarkup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['📋 Templates', '✋ Take']);

    expect(await press(card, `o:${topic.threadId}`, OPERATOR)).toBe('This chat is yours now.');
    const taken = await cardSays(topic.threadId, 'Olga');
    expect(taken.replyMarkup?.inline_keyboard.flat().map((b) => b.text)).toEqual([
      '📋 Templates',
      '✋ Take',
      '↩️ Release',
    ]);
    expect(await press(card, `l:${topic.threadId}`, COLLEAGUE)).toMatch(
      /^Olga owns this chat: only they can release it/,
    );
    expect(await press(card, `o:${topic.threadId}`, COLLEAGUE)).toBe("This chat is yours now (it was Olga's).");
    await cardSays(topic.threadId, 'Ivan (took it over from Olga)');
    expect(await press(card, `l:${topic.threadId}`, COLLEAGUE)).toBe('You no longer own this chat.');
    await cardSays(topic.threadId, 'nobody');

    // In a chat nobody owns, the first operator to reply becomes its owner.
    const second = market.addChat({ contextType: 'ORDER', orderId: 74 });
    market.addMessage(second, { sender: 'CUSTOMER', text: 'hello' });
    const other = await waitFor(() => topicFor(telegram, 'Order 74'), 'second topic');
    await cardSays(other.threadId, 'nobody');
    telegram.userSends(GROUP_ID, { from: COLLEAGUE, threadId: other.threadId, text: 'good afternoon' });
    await cardSays(other.threadId, 'Ivan');
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: other.threadId, text: 'and hello from me' });
    await waitFor(() => market.sent.some((s) => s.text === 'and hello from me'), 'second reply');
    await new Promise((r) => setTimeout(r, 500));
    await cardSays(other.threadId, 'Ivan');
  });
});
