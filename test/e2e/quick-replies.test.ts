import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../../src/app.ts';
import type { FakeMessage, FakeUserInput } from '../fakes/telegram-server.ts';
import { BOT, GROUP_ID, OPERATOR, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';
import { topicId } from '../../src/bridge/ids.ts';
import { encodeTemplateTap } from '../../src/telegram/buttons.ts';

let world: World;
useWorld((w) => (world = w));

const STRANGER = { id: 2002, first_name: 'Stranger' };

/** A person sends a bot command (with its bot_command entity, as Telegram marks it). */
function command(text: string, o: { threadId?: number; replyTo?: number; from?: FakeUserInput } = {}): FakeMessage {
  const length = text.split(/\s/, 1)[0]?.length ?? 0;
  return world.telegram.userSends(GROUP_ID, {
    from: o.from ?? OPERATOR,
    threadId: o.threadId,
    replyTo: o.replyTo,
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

const buttonsOf = (m: FakeMessage | undefined) => m?.replyMarkup?.inline_keyboard.flat() ?? [];

/** Presses a button and waits for the bot's answer on it. */
async function press(message: FakeMessage, data: string, from: FakeUserInput = OPERATOR) {
  const id = world.telegram.userPressesButton(GROUP_ID, message.message_id, data, from);
  return waitFor(() => {
    const a = world.telegram.callbackAnswer(id);
    return a?.answered ? a : undefined;
  }, `the answer on ${data}`);
}

/** Starts the bridge with one mirrored chat, its topic ready. */
async function linkedChat(
  extra: Record<string, string> = {},
  chat: Partial<Parameters<World['market']['addChat']>[0]> = {},
) {
  const { market, telegram } = world;
  const app = await world.start(extra);
  const chatId = market.addChat({ contextType: 'ORDER', orderId: 100, customer: { name: 'Ivan' }, ...chat });
  market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Is it in stock?' });
  const topic = await waitFor(() => topicFor(telegram, 'Ivan'), 'topic');
  await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
  return { app, chatId, threadId: topic.threadId };
}

const tap = (threadId: number, name: string) => encodeTemplateTap(topicId(threadId), name);

const reactions = (messageId: number) => world.telegram.message(GROUP_ID, messageId)?.reactions ?? [];

describe('quick replies, end to end', () => {
  it('are added with a text or from a message replied to, listed in General, replaced and deleted', async () => {
    const { market } = world;
    const { threadId } = await linkedChat();
    expect((await answerTo(command('/template add Thanks Thank you, {buyer}!\nSee you.'))).text).toBe(
      '✅ Quick reply «thanks» added.',
    );
    const good = world.telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text: 'It ships tomorrow.' });
    const byReply = command(`/template@${BOT.username} add ships`, { replyTo: good.message_id });
    expect((await answerTo(byReply)).text).toBe('✅ Quick reply «ships» added.');
    const list = await answerTo(command('/templates'));
    expect(list.threadId).toBeUndefined();
    expect(list.text).toContain('ships — It ships tomorrow.');
    expect(list.text).toContain('thanks — Thank you, {buyer}!');
    expect(list.text).not.toContain('See you.');
    expect((await answerTo(command('/template add thanks Thanks!'))).text).toBe('✅ Quick reply «thanks» replaced.');
    expect((await answerTo(command('/template delete SHIPS'))).text).toBe('🗑 Quick reply «ships» deleted.');
    expect((await answerTo(command('/template delete ships'))).text).toMatch(/There is no quick reply «ships»/);
    expect((await answerTo(command('/template add lonely'))).text).toMatch(/^No text/);
    expect((await answerTo(command('/template add доставка Текст'))).text).toBe('✅ Quick reply «доставка» added.');
    expect((await answerTo(command('/template add доставка! Текст'))).text).toMatch(/cannot be a name/);
    expect((await answerTo(command('/template add x Order {ordr}'))).text).toBe(
      'No such placeholders: {ordr}. Known: {buyer}, {order}, {return}, {chat}, {campaign}, {created}.',
    );
    expect((await answerTo(command('/template'))).text).toMatch(/^Quick replies:\n\/template add NAME text/);
    // None of it reached the buyer: only the operator's own message did.
    await waitFor(() => reactions(good.message_id).length > 0, 'the typed reply delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['It ships tomorrow.']);
  });

  it('sends a tapped template from a topic: posted as the tapper’s reply, filled in, delivered, receipt on the post', async () => {
    const { market, telegram } = world;
    const { chatId, threadId } = await linkedChat({}, { campaignId: 21 });
    await answerTo(command('/template add thanks Thank you, {buyer}! Order {order} <ships> & more.\nShop {campaign}'));
    await answerTo(command('/template add bye Bye'));
    const ask = command('/templates', { threadId });
    const list = await answerTo(ask);
    expect(list.threadId).toBe(threadId);
    expect(buttonsOf(list)).toEqual([
      { text: 'bye', callback_data: tap(threadId, 'bye') },
      { text: 'thanks', callback_data: tap(threadId, 'thanks') },
    ]);
    const answer = await press(list, tap(threadId, 'thanks'));
    expect(answer.text).toBe('💬 «thanks» goes to the buyer.');
    const filled = 'Thank you, Ivan! Order 100 <ships> & more.\nShop 21';
    const posted = telegram.messages(GROUP_ID, { threadId, fromBot: true }).at(-1)!;
    expect(posted.text).toBe(`💬 Olga · template «thanks»\n${filled}`);
    expect(posted.rawText).toContain('&lt;ships&gt; &amp; more.');
    await waitFor(() => reactions(posted.message_id).length > 0, 'the receipt on the posted message');
    expect(reactions(posted.message_id)).toEqual(['👍']);
    expect(market.sent.map((s) => [s.chatId, s.text])).toEqual([[chatId, filled]]);
    // The same tap again at once is a double tap: nothing more goes.
    expect((await press(list, tap(threadId, 'thanks'))).text).toBe('This quick reply was just sent.');
    // Its echo in the history is not mirrored back into the topic.
    await new Promise((r) => setTimeout(r, 2000));
    expect(topicTexts(telegram, threadId).filter((t) => t.startsWith('Thank you'))).toEqual([]);
    expect(market.sent).toHaveLength(1);
  });

  it('offers the templates from the context card’s button', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    const card = telegram.messages(GROUP_ID, { threadId, fromBot: true })[0]!;
    expect(buttonsOf(card)).toEqual([
      { text: '📋 Templates', callback_data: `t:${threadId}` },
      { text: '✋ Take', callback_data: `o:${threadId}` },
    ]);
    expect((await press(card, `t:${threadId}`)).text).toBe('No quick replies yet. Add one: /template add NAME text');
    await answerTo(command('/template add hello Hello, {buyer}'));
    const before = telegram.messages(GROUP_ID, { threadId, fromBot: true }).length;
    await press(card, `t:${threadId}`);
    const list = telegram.messages(GROUP_ID, { threadId, fromBot: true })[before]!;
    expect(list.text).toBe('📋 Quick replies: tap one to send it to the buyer.');
    await press(list, tap(threadId, 'hello'));
    await waitFor(() => market.sent.length === 1, 'the reply at the Market');
    expect(market.sent[0]?.text).toBe('Hello, Ivan');
  });

  it('refuses a template whose placeholder has no value in this chat, and one deleted meanwhile', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    await answerTo(command('/template add refund Your return {return} is accepted'));
    await answerTo(command('/template add gone Soon deleted'));
    const list = await answerTo(command('/templates', { threadId }));
    const posts = telegram.messages(GROUP_ID, { threadId, fromBot: true }).length;
    expect((await press(list, tap(threadId, 'refund'))).text).toBe('Not sent: this chat has no value for {return}.');
    await answerTo(command('/template delete gone'));
    expect((await press(list, tap(threadId, 'gone'))).text).toBe('This quick reply no longer exists.');
    expect(telegram.messages(GROUP_ID, { threadId, fromBot: true })).toHaveLength(posts);
    expect(market.sent).toEqual([]);
  });

  it('lets only operators manage and send templates', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat({ OPERATORS: String(OPERATOR.id) });
    expect((await answerTo(command('/template add hi Hi', { from: STRANGER }))).text).toBe(
      'Only operators can use quick replies.',
    );
    await answerTo(command('/template add hi Hi'));
    const list = await answerTo(command('/templates', { threadId }));
    const posts = telegram.messages(GROUP_ID, { threadId, fromBot: true }).length;
    expect((await press(list, tap(threadId, 'hi'), STRANGER)).text).toBe('Only operators can do this.');
    const card = telegram.messages(GROUP_ID, { threadId, fromBot: true })[0]!;
    expect((await press(card, `t:${threadId}`, STRANGER)).text).toBe('Only operators can do this.');
    expect(telegram.messages(GROUP_ID, { threadId, fromBot: true })).toHaveLength(posts);
    expect(market.sent).toEqual([]);
  });

  it('acts only in the topic the button sits in', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat();
    await answerTo(command('/template add hi Hi'));
    const list = await answerTo(command('/templates', { threadId }));
    const id = telegram.userPressesButton(GROUP_ID, list.message_id, tap(threadId + 1000, 'hi'), OPERATOR, {
      anyData: true,
    });
    await waitFor(() => telegram.callbackAnswer(id)?.answered, 'the answer');
    expect(telegram.callbackAnswer(id)?.text).toBe('Nothing to do here.');
    expect(market.sent).toEqual([]);
  });

  it('keeps a tapped template in the undo window, where Cancel keeps it from the buyer', async () => {
    const { market, telegram } = world;
    const { threadId } = await linkedChat({ REPLY_UNDO_SECONDS: '3' });
    await answerTo(command('/template add hi Hi {buyer}'));
    const list = await answerTo(command('/templates', { threadId }));
    await press(list, tap(threadId, 'hi'));
    const posted = telegram.messages(GROUP_ID, { threadId, fromBot: true }).find((m) => m.text?.startsWith('💬'))!;
    const notice = await answerTo(posted);
    expect(buttonsOf(notice)).toEqual([{ text: '✖️ Cancel', callback_data: `u:${threadId}:${posted.message_id}` }]);
    expect((await press(notice, `u:${threadId}:${posted.message_id}`)).text).toMatch(/Cancelled/);
    await new Promise((r) => setTimeout(r, 3500));
    expect(market.sent).toEqual([]);
  });

  it('keeps templates across a restart', async () => {
    const { app, threadId } = await linkedChat();
    await answerTo(command('/template add kept Still here'));
    await app.stop();
    await world.start();
    const list = await answerTo(command('/templates', { threadId }));
    expect(buttonsOf(list).map((b) => b.text)).toEqual(['kept']);
  });

  it('loads TEMPLATES_FILE at every start: its templates win and are changed only in the file', async () => {
    const file = path.join(world.dataDir, 'templates.yaml');
    await writeFile(file, 'greeting: |\n  Hello, {buyer}!\n  Order {order} is ready.\nbye: Bye\n');
    const { threadId } = await linkedChat({ TEMPLATES_FILE: file });
    expect((await answerTo(command('/templates'))).text).toContain('greeting 📄 — Hello, {buyer}!');
    expect((await answerTo(command('/template delete greeting'))).text).toBe(
      'Quick reply «greeting» comes from TEMPLATES_FILE: change or remove it there.',
    );
    expect((await answerTo(command('/template add bye Ciao'))).text).toMatch(/comes from TEMPLATES_FILE/);
    const { market } = world;
    const list = await answerTo(command('/templates', { threadId }));
    await press(list, tap(threadId, 'greeting'));
    await waitFor(() => market.sent.length === 1, 'the reply at the Market');
    expect(market.sent[0]?.text).toBe('Hello, Ivan!\nOrder 100 is ready.');
  });

  it('refuses to start with a TEMPLATES_FILE that does not exist, naming it and the fix', async () => {
    const file = path.join(world.dataDir, 'missing.yaml');
    const start = world.start({ TEMPLATES_FILE: file });
    await expect(start).rejects.toBeInstanceOf(StartupError);
    await expect(start).rejects.toThrow(
      `TEMPLATES_FILE ${file} cannot be used: there is no such file (a relative path starts from the working directory). Fix the file`,
    );
    expect(world.telegram.calls).toEqual([]);
  });
});
