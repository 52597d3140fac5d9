import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadStartConfig } from '../../src/config.ts';
import { findChat } from '../../src/setup/find-chat.ts';
import { BINDING_FILE } from '../../src/store/binding.ts';
import { BOT, GROUP_ID, OPERATOR, topicFor, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const CODE = 'ABCDEFGHJK';

/** Setup mode in this process, with a known code: the chat bound, or undefined when stopped. */
function setup() {
  const { config, find } = loadStartConfig({ ...world.env, TELEGRAM_CHAT_ID: '' }, ['TELEGRAM_CHAT_ID']);
  expect(find).toEqual(['TELEGRAM_CHAT_ID']);
  const stop = new AbortController();
  const bound = findChat(config, pino({ level: 'silent' }), stop.signal, CODE);
  return { bound, stop: () => stop.abort() };
}

/** The bot's answers under `messageId` in `chatId`. */
const answersTo = (chatId: number, messageId: number) =>
  world.telegram
    .messages(chatId, { fromBot: true })
    .filter((m) => m.replyToMessageId === messageId)
    .map((m) => m.text ?? '');

const bindingFile = () => path.join(world.dataDir, BINDING_FILE);
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe('setup mode: binding a chat with the one-time code', () => {
  it('refuses a wrong code, then binds the forum group the right code is posted in', async () => {
    const s = setup();
    const wrong = world.telegram.userSends(GROUP_ID, { from: OPERATOR, text: `/setup@${BOT.username} ZZZZZZZZZZ` });
    await waitFor(() => answersTo(GROUP_ID, wrong.message_id).length > 0, 'the answer to a wrong code');
    expect(answersTo(GROUP_ID, wrong.message_id)).toEqual([
      '❌ Wrong code. Take the code from the marketgram server\'s log (the "setup mode" line) and send it again.',
    ]);
    expect(await exists(bindingFile())).toBe(false);
    // Ordinary talk in the group is not an attempt: no answer.
    const talk = world.telegram.userSends(GROUP_ID, { from: OPERATOR, text: 'hello everyone' });

    const right = world.telegram.userSends(GROUP_ID, { from: OPERATOR, text: `/setup@${BOT.username} ${CODE}` });
    const bound = await s.bound;
    expect(bound).toMatchObject({ chatId: GROUP_ID, kind: 'group', boundBy: OPERATOR.id });
    expect(answersTo(GROUP_ID, right.message_id)).toEqual([
      '✅ Done: this group is connected to marketgram. Buyer chats will appear here as topics shortly.',
    ]);
    expect(answersTo(GROUP_ID, talk.message_id)).toEqual([]);
    expect(JSON.parse(await readFile(bindingFile(), 'utf8'))).toMatchObject({ chatId: GROUP_ID, kind: 'group' });

    // The next start uses the bound chat without asking again.
    const again = await setup().bound;
    expect(again?.chatId).toBe(GROUP_ID);
  });

  it('says in the chat what is missing — Topics off, no admin right, no topics in private chats — and binds nothing', async () => {
    const s = setup();
    const plain = -1002000000001;
    world.telegram.addSupergroup({ id: plain, title: 'Plain', isForum: false });
    const inPlain = world.telegram.userSends(plain, { from: OPERATOR, text: `/setup ${CODE}` });
    await waitFor(() => answersTo(plain, inPlain.message_id).length > 0, 'the answer in a group without topics');
    expect(answersTo(plain, inPlain.message_id)[0]).toBe(
      '❌ Topics are off in this group. Turn on Topics in the group settings (Edit → Topics) and send the code again.',
    );

    world.telegram.addSupergroup({ id: GROUP_ID, canManageTopics: false });
    const noRight = world.telegram.userSends(GROUP_ID, { from: OPERATOR, text: CODE });
    await waitFor(() => answersTo(GROUP_ID, noRight.message_id).length > 0, 'the answer without Manage topics');
    expect(answersTo(GROUP_ID, noRight.message_id)[0]).toContain(`@${BOT.username} lacks the "Manage topics" right`);

    world.telegram.addPrivateChat({ id: OPERATOR.id, firstName: OPERATOR.first_name });
    const inPrivate = world.telegram.userSends(OPERATOR.id, { from: OPERATOR, text: `/start ${CODE}` });
    await waitFor(() => answersTo(OPERATOR.id, inPrivate.message_id).length > 0, 'the answer in a private chat');
    expect(answersTo(OPERATOR.id, inPrivate.message_id)[0]).toContain(
      'Bot Settings → Threads Settings → Threaded Mode',
    );

    expect(await exists(bindingFile())).toBe(false);
    s.stop();
    expect(await s.bound).toBeUndefined();
  });

  it('binds a private chat with topics (solo), and the bridge then mirrors into its topics', async () => {
    world.telegram.setBotTopicsEnabled(true);
    world.telegram.addPrivateChat({ id: OPERATOR.id, firstName: OPERATOR.first_name });
    const s = setup();
    const sent = world.telegram.userSends(OPERATOR.id, { from: OPERATOR, text: `/start ${CODE}` });
    const bound = await s.bound;
    expect(bound).toMatchObject({ chatId: OPERATOR.id, kind: 'private', boundBy: OPERATOR.id });
    expect(answersTo(OPERATOR.id, sent.message_id)).toEqual([
      '✅ Done: this chat is connected to marketgram. Every buyer chat will appear here as a topic of its own.',
    ]);

    await world.start({ TELEGRAM_CHAT_ID: String(bound!.chatId) });
    const chat = world.market.addChat({ contextType: 'ORDER', orderId: 5152, customer: { name: 'Vera' } });
    world.market.addMessage(chat, { sender: 'CUSTOMER', text: 'is it in stock?' });
    const topic = await waitFor(
      () => world.telegram.topics(OPERATOR.id).find((t) => t.name.includes('5152')),
      'a topic in the private chat',
    );
    await waitFor(
      () =>
        world.telegram
          .messages(OPERATOR.id, { threadId: topic.threadId, fromBot: true })
          .some((m) => m.text?.includes('is it in stock?')),
      'the buyer message in it',
    );
  });

  it('npm start without TELEGRAM_CHAT_ID: logs the code, binds the group it is posted in, and mirrors there', async () => {
    const run = world.spawn({ TELEGRAM_CHAT_ID: '', LOG_LEVEL: 'info' });
    const code = await waitFor(() => /"code":"([A-Z0-9]{10})"/.exec(run.output())?.[1], 'the code in the log', 20_000);
    expect(run.output()).toContain(`send \\"/start ${code}\\" to @${BOT.username} in a private chat`);
    expect(run.output()).toContain(`https://t.me/${BOT.username}?startgroup=${code}`);
    // Meanwhile the process answers its health check, and says it is not ready.
    const port = await waitFor(() => /"httpPort":(\d+)/.exec(run.output())?.[1], 'the setup mode listener', 10_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { ready?: boolean; setup?: string };
    expect(body.ready).toBe(false);
    expect(body.setup).toContain('waiting for a chat');
    world.telegram.userSends(GROUP_ID, { from: OPERATOR, text: `/setup@${BOT.username} ${code}` });
    const chat = world.market.addChat({ contextType: 'ORDER', orderId: 5150, customer: { name: 'Anna' } });
    world.market.addMessage(chat, { sender: 'CUSTOMER', text: 'where is my order?' });
    await waitFor(() => topicFor(world.telegram, '5150'), 'the chat mirrored into the bound group', 30_000);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);

    // A restart needs no code: the bound chat is used.
    const again = world.spawn({ TELEGRAM_CHAT_ID: '', LOG_LEVEL: 'info' });
    await waitFor(() => again.output().includes('marketgram started'), 'the restart', 20_000);
    expect(again.output()).toContain('using the chat the setup bound');
    expect(again.output()).not.toContain('setup mode');
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 60_000);

  it('npm start without MARKET_BUSINESS_ID: uses the one cabinet the key reaches, or names them all when there are several', async () => {
    const run = world.spawn({ MARKET_BUSINESS_ID: '', LOG_LEVEL: 'info' });
    await waitFor(() => run.output().includes('marketgram started'), 'the start', 20_000);
    expect(run.output()).toMatch(/"businessId":4242/);
    const chat = world.market.addChat({ contextType: 'ORDER', orderId: 5151, customer: { name: 'Ivan' } });
    world.market.addMessage(chat, { sender: 'CUSTOMER', text: 'hello' });
    await waitFor(() => topicFor(world.telegram, '5151'), 'the chat mirrored', 30_000);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);

    world.market.addCampaign({ id: 777, businessId: 9090, businessName: 'Other cabinet', domain: 'other.example' });
    const several = world.spawn({ MARKET_BUSINESS_ID: 'replace-me' });
    const { code } = await several.exited;
    expect(code).toBe(1);
    expect(several.output()).toContain('MARKET_BUSINESS_ID is not set and the key reaches 2 cabinets');
    expect(several.output()).toContain('9090 (Other cabinet: other.example)');
  }, 60_000);
});
