/**
 * The fake Telegram's topics in a private chat with a user (telegram-topic-rules.ts): only while the bot's topic
 * mode is on, no rights needed to create, rename, delete or pin, never closed, and `message_thread_id` on every
 * message inside a topic.
 */
import { Api, GrammyError } from 'grammy';
import type { Message } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startFakeTelegram, type FakeTelegram } from './telegram-server.ts';

const TOKEN = '123456:TEST-token';
const ALICE = { id: 42, first_name: 'Alice' };
const BOB = { id: 43, first_name: 'Bob' };

let fake: FakeTelegram;
let api: Api;

beforeEach(async () => {
  fake = await startFakeTelegram({ token: TOKEN });
  fake.addPrivateChat({ id: ALICE.id, firstName: ALICE.first_name });
  api = new Api(TOKEN, { apiRoot: fake.url });
});

afterEach(async () => {
  await fake.close();
});

async function apiError(call: Promise<unknown>): Promise<GrammyError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof GrammyError) return error;
  throw new Error(`expected a GrammyError, got ${String(error)}`);
}

async function privateTopic(name = 'Order 1'): Promise<number> {
  fake.setBotTopicsEnabled(true);
  return (await api.createForumTopic(ALICE.id, name)).message_thread_id;
}

describe('the bot topic mode in private chats', () => {
  it('is off by default and shows in getMe as has_topics_enabled once turned on', async () => {
    expect(await api.getMe()).toMatchObject({ has_topics_enabled: false, allows_users_to_create_topics: false });
    fake.setBotTopicsEnabled(true);
    expect(await api.getMe()).toMatchObject({ has_topics_enabled: true, allows_users_to_create_topics: true });
    expect(fake.botInfo.has_topics_enabled).toBe(true);
    fake.setBotTopicsEnabled(true, false);
    expect(await api.getMe()).toMatchObject({ has_topics_enabled: true, allows_users_to_create_topics: false });
    fake.setBotTopicsEnabled(false);
    expect(await api.getMe()).toMatchObject({ has_topics_enabled: false });
  });

  it('refuses topics in a private chat while it is off, as "the chat is not a forum"', async () => {
    const create = await apiError(api.createForumTopic(ALICE.id, 'Order 1'));
    expect([create.error_code, create.description]).toEqual([400, 'Bad Request: the chat is not a forum']);

    const threadId = await privateTopic();
    fake.setBotTopicsEnabled(false);
    for (const call of [
      api.editForumTopic(ALICE.id, threadId, { name: 'x' }),
      api.deleteForumTopic(ALICE.id, threadId),
    ]) {
      expect((await apiError(call)).description).toBe('Bad Request: the chat is not a forum');
    }
    const send = await apiError(api.sendMessage(ALICE.id, 'hi', { message_thread_id: threadId }));
    expect(send.description).toBe('Bad Request: message thread not found');
  });
});

describe('topics in a private chat', () => {
  it('are created, renamed and deleted by a bot that has no rights at all', async () => {
    const threadId = await privateTopic('Order 1');
    await api.editForumTopic(ALICE.id, threadId, { name: '✅ Order 1' });
    const sent = await api.sendMessage(ALICE.id, 'hello', { message_thread_id: threadId });
    expect(fake.topics(ALICE.id)).toMatchObject([{ threadId, name: '✅ Order 1', deleted: false, closed: false }]);

    await api.deleteForumTopic(ALICE.id, threadId);

    expect(fake.topics(ALICE.id)[0]?.deleted).toBe(true);
    expect(fake.message(ALICE.id, sent.message_id)).toBeUndefined();
    const gone = await apiError(api.sendMessage(ALICE.id, 'again', { message_thread_id: threadId }));
    expect([gone.error_code, gone.description]).toEqual([400, 'Bad Request: message thread not found']);
    const edit = await apiError(api.editForumTopic(ALICE.id, threadId, { name: 'x' }));
    expect(edit.description).toBe('Bad Request: TOPIC_ID_INVALID');
  });

  it('cannot be closed or reopened: those methods are for supergroups only', async () => {
    const threadId = await privateTopic();
    for (const call of [api.closeForumTopic(ALICE.id, threadId), api.reopenForumTopic(ALICE.id, threadId)]) {
      const err = await apiError(call);
      expect([err.error_code, err.description]).toEqual([400, 'Bad Request: method is available only for supergroups']);
    }
    expect(fake.topics(ALICE.id)[0]?.closed).toBe(false);
    expect(() => fake.userClosesTopic(ALICE.id, threadId, ALICE)).toThrow(/cannot be closed/);
  });

  it('take a send with message_thread_id into the topic, and one without it into the main chat', async () => {
    const threadId = await privateTopic();
    const inTopic = await api.sendMessage(ALICE.id, 'in the topic', { message_thread_id: threadId });
    const outside = await api.sendMessage(ALICE.id, 'in the main chat');
    const unknown = await apiError(api.sendMessage(ALICE.id, 'x', { message_thread_id: 9999 }));

    expect(inTopic).toMatchObject({ message_thread_id: threadId, is_topic_message: true, chat: { type: 'private' } });
    expect(outside.message_thread_id).toBeUndefined();
    expect(outside.is_topic_message).toBeUndefined();
    expect(unknown.description).toBe('Bad Request: message thread not found');
    expect(fake.messages(ALICE.id, { threadId }).map((m) => m.text)).toEqual(['in the topic']);
  });

  it("deliver the user's message in a topic with message_thread_id and is_topic_message", async () => {
    const threadId = await privateTopic('Order 5');
    fake.userSends(ALICE.id, { from: ALICE, threadId, text: 'send it today' });
    fake.userSends(ALICE.id, { from: ALICE, text: 'outside' });

    const [inTopic, outside] = (await api.getUpdates()).map((u) => u.message as Message);

    expect(inTopic).toMatchObject({
      text: 'send it today',
      chat: { id: ALICE.id, type: 'private', first_name: 'Alice' },
      message_thread_id: threadId,
      is_topic_message: true,
    });
    expect(inTopic?.reply_to_message?.forum_topic_created?.name).toBe('Order 5');
    expect(outside?.message_thread_id).toBeUndefined();
  });

  it('can be created by the user in the app only while the bot lets users create topics', async () => {
    fake.setBotTopicsEnabled(true, false);
    expect(() => fake.userCreatesTopic(ALICE.id, 'Mine', ALICE)).toThrow(/only the bot/);
    fake.setBotTopicsEnabled(true);
    const threadId = fake.userCreatesTopic(ALICE.id, 'Mine', ALICE);
    await api.editForumTopic(ALICE.id, threadId, { name: 'Renamed by the bot' });
    expect(fake.topics(ALICE.id)[0]?.name).toBe('Renamed by the bot');
  });
});

describe('a private chat beyond its topics', () => {
  it('lets the bot pin and unpin any message but a service one, without administrator rights', async () => {
    const threadId = await privateTopic();
    const board = await api.sendMessage(ALICE.id, 'the board');
    const inTopic = await api.sendMessage(ALICE.id, 'in a topic', { message_thread_id: threadId });

    await api.pinChatMessage(ALICE.id, board.message_id, { disable_notification: true });
    expect((await api.getChat(ALICE.id)).pinned_message?.message_id).toBe(board.message_id);
    await api.pinChatMessage(ALICE.id, inTopic.message_id);
    await api.unpinChatMessage(ALICE.id, inTopic.message_id);
    const service = await apiError(api.pinChatMessage(ALICE.id, threadId));

    expect(fake.pinnedMessages(ALICE.id)).toEqual([board.message_id]);
    expect(service.description).toBe("Bad Request: a service message can't be pinned");
  });

  it('has no administrators, and its user and the bot are plain members', async () => {
    const admins = await apiError(api.getChatAdministrators(ALICE.id));
    expect(admins.description).toBe('Bad Request: there are no administrators in the private chat');
    expect(await api.getChatMember(ALICE.id, ALICE.id)).toMatchObject({ status: 'member', user: { id: ALICE.id } });
    expect(await api.getChatMember(ALICE.id, fake.botInfo.id)).toMatchObject({ status: 'member' });
    expect((await apiError(api.getChatMember(ALICE.id, BOB.id))).description).toBe('Bad Request: user not found');
    expect(() => fake.setMemberStatus(ALICE.id, BOB, 'administrator')).toThrow(/not a supergroup/);
  });

  it('takes a command menu of its own (the chat scope)', async () => {
    await api.setMyCommands([{ command: 'status', description: 'Health' }], {
      scope: { type: 'chat', chat_id: ALICE.id },
    });
    expect(fake.commands({ type: 'chat', chat_id: ALICE.id })).toEqual([{ command: 'status', description: 'Health' }]);
  });
});
