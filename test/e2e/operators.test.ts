import { describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/telegram-server.ts';
import { GROUP_ID, OPERATOR, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const VIEWER = { id: 2002, first_name: 'Vera' };

/** Starts the bridge with `extra` settings and one mirrored chat per order id; returns the topics' thread ids. */
async function start(extra: Record<string, string>, orderIds = [100]): Promise<number[]> {
  const { market, telegram } = world;
  await world.start(extra);
  const threads: number[] = [];
  for (const orderId of orderIds) {
    const chatId = market.addChat({ contextType: 'ORDER', orderId, customer: { name: 'Ivan' } });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Is it in stock?' });
    const topic = await waitFor(() => topicFor(telegram, `Order ${orderId}`), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
    threads.push(topic.threadId);
  }
  return threads;
}

const reactions = (m: FakeMessage) => world.telegram.message(GROUP_ID, m.message_id)?.reactions ?? [];
/** The bot's answers under a message. */
const answersTo = (m: FakeMessage) =>
  world.telegram.messages(GROUP_ID, { fromBot: true }).filter((b) => b.replyToMessageId === m.message_id);

/** Sends an operator message and waits until it is delivered: every update before it has been handled. */
async function marker(threadId: number, text = 'marker'): Promise<void> {
  const m = world.telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text });
  await waitFor(() => reactions(m).length > 0, `"${text}" delivered`);
}

const buttonOf = (m: FakeMessage | undefined) =>
  (m?.replyMarkup as { inline_keyboard: Array<Array<{ callback_data: string }>> } | undefined)?.inline_keyboard[0]?.[0]
    ?.callback_data;

describe('who may answer buyers, end to end', () => {
  it('with OPERATORS=admins, never sends a non-admin message and tells them once per topic', async () => {
    const { market, telegram } = world;
    telegram.setMemberStatus(GROUP_ID, OPERATOR, 'creator');
    telegram.setMemberStatus(GROUP_ID, VIEWER, 'member');
    const [a, b] = await start({ OPERATORS: 'admins' }, [100, 200]);
    const first = telegram.userSends(GROUP_ID, { from: VIEWER, threadId: a!, text: 'who takes this?' });
    const second = telegram.userSends(GROUP_ID, { from: VIEWER, threadId: a!, text: 'anyone?' });
    const elsewhere = telegram.userSends(GROUP_ID, { from: VIEWER, threadId: b!, text: 'and this one?' });
    await marker(a!);
    await marker(b!);
    expect(market.sent.map((s) => s.text)).toEqual(['marker', 'marker']);
    await waitFor(() => answersTo(elsewhere).length === 1, 'notice in the second topic');
    expect(answersTo(first).map((m) => m.text)).toEqual([expect.stringMatching(/only operators may answer buyers/)]);
    expect(answersTo(second)).toEqual([]);
    expect(answersTo(elsewhere)[0]?.threadId).toBe(b);
  });

  it('with OPERATORS=admins, refuses to start when the administrators cannot be read, saying what to fix', async () => {
    world.telegram.failNext('getChatAdministrators', { status: 400, description: 'Bad Request: CHAT_ADMIN_REQUIRED' });
    await expect(world.start({ OPERATORS: 'admins' })).rejects.toThrow(
      /OPERATORS=admins: the group's administrators cannot be read \(Bad Request: CHAT_ADMIN_REQUIRED\)/,
    );
  });

  it('with OPERATORS=admins, lets a member answer once they are promoted', async () => {
    const { market, telegram } = world;
    telegram.setMemberStatus(GROUP_ID, OPERATOR, 'creator');
    telegram.setMemberStatus(GROUP_ID, VIEWER, 'member');
    const [threadId] = await start({ OPERATORS: 'admins' });
    const before = telegram.userSends(GROUP_ID, { from: VIEWER, threadId, text: 'not yet' });
    await waitFor(() => answersTo(before).length === 1, 'refusal');
    telegram.setMemberStatus(GROUP_ID, VIEWER, 'administrator', OPERATOR);
    const after = telegram.userSends(GROUP_ID, { from: VIEWER, threadId, text: 'now I may' });
    await waitFor(() => reactions(after).length > 0, 'delivered after the promotion');
    expect(market.sent.map((s) => s.text)).toEqual(['now I may']);
  });

  it('with a list of user ids, sends only the listed people', async () => {
    const { market, telegram } = world;
    const [threadId] = await start({ OPERATORS: `${OPERATOR.id}` });
    const refused = telegram.userSends(GROUP_ID, { from: VIEWER, threadId, text: 'let me answer' });
    await marker(threadId!, 'listed');
    expect(market.sent.map((s) => s.text)).toEqual(['listed']);
    await waitFor(() => answersTo(refused).length === 1, 'refusal');
  });

  it('never sends a forwarded message and says why under it', async () => {
    const { market, telegram } = world;
    const [threadId] = await start({});
    const forwarded = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId,
      text: 'internal: refund approved',
      forwardOrigin: {
        type: 'user',
        date: 1_700_000_000,
        sender_user: { id: 3003, is_bot: false, first_name: 'Boss' },
      },
    });
    await marker(threadId!);
    expect(market.sent.map((s) => s.text)).toEqual(['marker']);
    await waitFor(() => answersTo(forwarded).length === 1, 'notice');
    const notice = answersTo(forwarded)[0];
    expect(notice?.text).toMatch(/Forwarded messages are never sent to the buyer/);
  });

  it('tells the operator that a message starting with an unknown command was not sent', async () => {
    const { market, telegram } = world;
    const [threadId] = await start({});
    const command = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId,
      text: '/refund will be done tomorrow',
      entities: [{ type: 'bot_command', offset: 0, length: 7 }],
    });
    const otherBot = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId,
      text: '/start@other_bot',
      entities: [{ type: 'bot_command', offset: 0, length: 16 }],
    });
    await marker(threadId!);
    expect(market.sent.map((s) => s.text)).toEqual(['marker']);
    await waitFor(() => answersTo(command).length === 1, 'notice');
    const notice = answersTo(command)[0];
    expect(notice?.text).toMatch(/starts with a bot command.*remove the leading "\/"/);
    expect(answersTo(otherBot)).toEqual([]);
  });

  it('does nothing when someone who may not answer presses Retry, and says so on the button', async () => {
    const { market, telegram } = world;
    const [threadId] = await start({ OPERATORS: `${OPERATOR.id}` });
    market.failNext('sendMessageToChat', { status: 400 });
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'refused once' });
    const notice = await waitFor(() => answersTo(msg).find((m) => buttonOf(m)), 'failure notice');
    const query = telegram.userPressesButton(GROUP_ID, notice.message_id, buttonOf(notice)!, VIEWER);
    await waitFor(() => telegram.callbackAnswer(query)?.answered, 'button answered');
    expect(telegram.callbackAnswer(query)?.text).toBe('Only operators can do this.');
    await marker(threadId!);
    expect(market.sent.map((s) => s.text)).toEqual(['marker']);
    expect(buttonOf(telegram.message(GROUP_ID, notice.message_id))).toBeDefined();
  });

  it('does nothing for a button whose data points at another message than the one it sits under', async () => {
    const { market, telegram } = world;
    const [threadId] = await start({});
    market.failNext('sendMessageToChat', { status: 400 }, 2);
    const a = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'reply A' });
    const noticeA = await waitFor(() => answersTo(a).find((m) => buttonOf(m)), 'notice A');
    const b = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'reply B' });
    const noticeB = await waitFor(() => answersTo(b).find((m) => buttonOf(m)), 'notice B');
    const query = telegram.userPressesButton(GROUP_ID, noticeB.message_id, buttonOf(noticeA)!, OPERATOR, {
      anyData: true,
    });
    await waitFor(() => telegram.callbackAnswer(query)?.answered, 'button answered');
    expect(telegram.callbackAnswer(query)?.text).toBe('Nothing to do here.');
    await marker(threadId!);
    expect(market.sent.map((s) => s.text)).toEqual(['marker']);
  });

  it('does not let an edit by someone who may no longer answer change a reply still waiting', async () => {
    const { market, telegram } = world;
    telegram.setMemberStatus(GROUP_ID, OPERATOR, 'creator');
    telegram.setMemberStatus(GROUP_ID, VIEWER, 'administrator');
    const [threadId] = await start({ OPERATORS: 'admins', REPLY_UNDO_SECONDS: '2' });
    const msg = telegram.userSends(GROUP_ID, { from: VIEWER, threadId, text: 'price is 100' });
    await waitFor(() => answersTo(msg).length === 1, 'undo notice');
    telegram.setMemberStatus(GROUP_ID, VIEWER, 'member', OPERATOR);
    telegram.userEdits(GROUP_ID, msg.message_id, 'price is 1');
    await waitFor(() => reactions(msg).length > 0, 'delivered after the undo window');
    expect(market.sent.map((s) => s.text)).toEqual(['price is 100']);
  });
});
