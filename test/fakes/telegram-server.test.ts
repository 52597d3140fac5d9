import http from 'node:http';

import { Api, Bot, GrammyError, HttpError, InputFile } from 'grammy';
import type { Message } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseTelegramHtml, startFakeTelegram, TINY_PNG } from './telegram-server.ts';
import type { FakeTelegram } from './telegram-server.ts';
import { listenOnLoopback } from './loopback.ts';

const TOKEN = '123456:TEST-token';
const FORUM = -1001234567890;
const ALICE = { id: 42, first_name: 'Alice' };

let fake: FakeTelegram;
let api: Api;

beforeEach(async () => {
  fake = await startFakeTelegram({ token: TOKEN, webhookRetry: { attempts: 3, delayMs: 20 } });
  fake.addSupergroup({ id: FORUM, title: 'Shop' });
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

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function longPollPending(): boolean {
  return fake.calls.some((call) => call.method === 'getUpdates' && call.status === 0);
}

async function rawCall(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${fake.url}${path}`, init);
  return { status: res.status, body: await res.json() };
}

async function createTopic(name = 'Order 1'): Promise<number> {
  const topic = await api.createForumTopic(FORUM, name);
  return topic.message_thread_id;
}

describe('long polling', () => {
  it('delivers a user message to a long-polling grammY bot and confirms it when the bot stops', async () => {
    const threadId = await createTopic('Order 77');
    const bot = new Bot(TOKEN, { botInfo: fake.botInfo, client: { apiRoot: fake.url } });
    const received = new Promise<Message>((resolve) => {
      bot.on('message:text', (ctx) => resolve(ctx.message));
    });
    const running = bot.start({ timeout: 10 });
    await waitFor(longPollPending);

    fake.userSends(FORUM, { from: ALICE, threadId, text: 'Where is my parcel?' });
    const message = await received;
    await bot.stop();
    await running;

    expect(message.text).toBe('Where is my parcel?');
    expect(message.chat).toEqual({ id: FORUM, type: 'supergroup', title: 'Shop', is_forum: true });
    expect(message.message_thread_id).toBe(threadId);
    expect(message.is_topic_message).toBe(true);
    // Telegram's quirk: a topic message that is not a reply "replies" to the topic's creation message.
    expect(message.reply_to_message?.forum_topic_created?.name).toBe('Order 77');
    expect(fake.pendingUpdates()).toEqual([]);
  });

  it('holds getUpdates open until an update arrives', async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 5 });
    await waitFor(longPollPending);
    fake.userSends(FORUM, { from: ALICE, text: 'hello' });

    const updates = await poll;

    expect(updates.map((u) => u.message?.text)).toEqual(['hello']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('answers an idle long poll with no updates when its timeout ends', async () => {
    const started = Date.now();
    const updates = await api.getUpdates({ timeout: 1 });
    expect(updates).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('keeps updates until an offset confirms them and honours limit and allowed_updates', async () => {
    fake.userSends(FORUM, { from: ALICE, text: 'one' });
    fake.userSends(FORUM, { from: ALICE, text: 'two' });

    const first = await api.getUpdates({ limit: 1 });
    const again = await api.getUpdates();
    const last = again.at(-1)?.update_id ?? 0;
    const afterConfirm = await api.getUpdates({ offset: last + 1 });
    fake.userSends(FORUM, { from: ALICE, text: 'three' });
    const onlyCallbacks = await api.getUpdates({ allowed_updates: ['callback_query'] });

    expect(first.map((u) => u.message?.text)).toEqual(['one']);
    expect(again.map((u) => u.message?.text)).toEqual(['one', 'two']);
    expect(afterConfirm).toEqual([]);
    expect(onlyCallbacks).toEqual([]);
  });

  it('ends a pending long poll at once when the server closes', async () => {
    const other = await startFakeTelegram({ token: TOKEN });
    const started = Date.now();
    const poll = fetch(`${other.url}/bot${TOKEN}/getUpdates?timeout=30`).then((res) => res.json());
    await waitFor(() => other.calls.length === 1);

    await other.close();

    expect(await poll).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('forum topics', () => {
  it('creates a topic whose thread id is the id of its service message, and sends into it', async () => {
    const topic = await api.createForumTopic(FORUM, 'Order 42', { icon_color: 16766590 });
    const sent = await api.sendMessage(FORUM, 'Thanks for your order', { message_thread_id: topic.message_thread_id });

    const [service] = fake.messages(FORUM, { includeService: true });
    expect(service?.message_id).toBe(topic.message_thread_id);
    expect(service?.json.forum_topic_created).toEqual({ name: 'Order 42', icon_color: 16766590 });
    expect(fake.topics(FORUM)).toEqual([
      {
        threadId: topic.message_thread_id,
        name: 'Order 42',
        createdAt: expect.any(Number) as number,
        iconColor: 16766590,
        deleted: false,
        closed: false,
      },
    ]);
    expect(sent.message_thread_id).toBe(topic.message_thread_id);
    expect(sent.is_topic_message).toBe(true);
    expect(sent.from?.id).toBe(fake.botInfo.id);
    expect(fake.messages(FORUM, { threadId: topic.message_thread_id }).map((m) => m.text)).toEqual([
      'Thanks for your order',
    ]);
  });

  it('refuses to create a topic in a chat that is not a forum or without can_manage_topics', async () => {
    fake.addSupergroup({ id: -100777, isForum: false });
    fake.addSupergroup({ id: -100888, canManageTopics: false });

    expect((await apiError(api.createForumTopic(-100777, 'x'))).description).toBe(
      'Bad Request: the chat is not a forum',
    );
    expect((await apiError(api.createForumTopic(-100888, 'x'))).description).toBe(
      'Bad Request: not enough rights to create a topic',
    );
    expect((await apiError(api.createForumTopic(-100999, 'x'))).description).toBe('Bad Request: chat not found');
  });

  it('answers 403 "bot was kicked" to every call naming the group once the bot is kicked, until it is added back', async () => {
    const threadId = await createTopic();
    fake.kickBot(FORUM);
    for (const call of [
      api.sendMessage(FORUM, 'hi', { message_thread_id: threadId }),
      api.getChatMember(FORUM, fake.botInfo.id),
      api.createForumTopic(FORUM, 'x'),
      api.getChat(FORUM),
    ]) {
      const err = await apiError(call);
      expect([err.error_code, err.description]).toEqual([403, 'Forbidden: bot was kicked from the supergroup chat']);
    }
    fake.addSupergroup({ id: FORUM });
    expect((await api.getChatMember(FORUM, fake.botInfo.id)).status).toBe('administrator');
    await api.sendMessage(FORUM, 'back', { message_thread_id: threadId });
  });

  it('shows a revoked "Manage topics" right in getChatMember and refuses topic changes for it', async () => {
    fake.addSupergroup({ id: FORUM, canManageTopics: false });
    expect(await api.getChatMember(FORUM, fake.botInfo.id)).toMatchObject({
      status: 'administrator',
      can_manage_topics: false,
    });
    expect((await apiError(api.createForumTopic(FORUM, 'x'))).description).toBe(
      'Bad Request: not enough rights to create a topic',
    );
    fake.addSupergroup({ id: FORUM, canManageTopics: true });
    expect(await api.getChatMember(FORUM, fake.botInfo.id)).toMatchObject({ can_manage_topics: true });
  });

  it('answers "message thread not found" once an admin deleted the topic, and its messages are gone', async () => {
    const threadId = await createTopic();
    const sent = await api.sendMessage(FORUM, 'first', { message_thread_id: threadId });
    fake.deleteTopic(FORUM, threadId);

    const error = await apiError(api.sendMessage(FORUM, 'second', { message_thread_id: threadId }));

    expect(error.error_code).toBe(400);
    expect(error.description).toBe('Bad Request: message thread not found');
    expect(fake.message(FORUM, sent.message_id)).toBeUndefined();
    expect(fake.topics(FORUM)[0]?.deleted).toBe(true);
  });

  it('puts a reply into the topic of the message it replies to and refuses replies to unknown messages', async () => {
    const threadId = await createTopic();
    const question = fake.userSends(FORUM, { from: ALICE, threadId, text: 'Is it in stock?' });

    const answer = await api.sendMessage(FORUM, 'Yes', { reply_parameters: { message_id: question.message_id } });
    const missing = await apiError(api.sendMessage(FORUM, 'Yes', { reply_parameters: { message_id: 9999 } }));
    const tolerated = await api.sendMessage(FORUM, 'Yes', {
      reply_parameters: { message_id: 9999, allow_sending_without_reply: true },
    });

    expect(answer.message_thread_id).toBe(threadId);
    expect(answer.reply_to_message?.text).toBe('Is it in stock?');
    expect(missing.description).toBe('Bad Request: message to be replied not found');
    expect(tolerated.reply_to_message).toBeUndefined();
  });

  it('records topic edits and refuses a send into the General topic by thread id 1', async () => {
    const threadId = await createTopic('Order 1');
    await api.editForumTopic(FORUM, threadId, { name: 'Order 1 (closed)' });
    const unchanged = await apiError(api.editForumTopic(FORUM, threadId, { name: 'Order 1 (closed)' }));
    const general = await apiError(api.sendMessage(FORUM, 'x', { message_thread_id: 1 }));

    expect(fake.topics(FORUM)[0]?.name).toBe('Order 1 (closed)');
    expect(unchanged.description).toBe('Bad Request: TOPIC_NOT_MODIFIED');
    expect(general.description).toBe('Bad Request: message thread not found');
  });
});

describe('closed topics', () => {
  const BOB = { id: 43, first_name: 'Bob' };

  it('closes and reopens a topic, posting each change as a service message the bot also receives', async () => {
    const threadId = await createTopic();

    const closed = await api.closeForumTopic(FORUM, threadId);
    const closedState = fake.topics(FORUM)[0]?.closed;
    const reopened = await api.reopenForumTopic(FORUM, threadId);

    expect([closed, reopened]).toEqual([true, true]);
    expect(closedState).toBe(true);
    expect(fake.topics(FORUM)[0]?.closed).toBe(false);
    const service = fake.messages(FORUM, { threadId, includeService: true }).slice(1);
    expect(service.map((m) => m.service)).toEqual([{ kind: 'forum_topic_closed' }, { kind: 'forum_topic_reopened' }]);
    const updates = (await api.getUpdates()).map((u) => u.message);
    expect(
      updates.map((m) => [m?.from?.id, m?.message_thread_id, m?.forum_topic_closed, m?.forum_topic_reopened]),
    ).toEqual([
      [fake.botInfo.id, threadId, {}, undefined],
      [fake.botInfo.id, threadId, undefined, {}],
    ]);
  });

  it('answers TOPIC_NOT_MODIFIED to closing a closed topic and to reopening an open one', async () => {
    const threadId = await createTopic();
    const reopenOpen = await apiError(api.reopenForumTopic(FORUM, threadId));
    await api.closeForumTopic(FORUM, threadId);
    const closeClosed = await apiError(api.closeForumTopic(FORUM, threadId));

    expect([reopenOpen.error_code, reopenOpen.description]).toEqual([400, 'Bad Request: TOPIC_NOT_MODIFIED']);
    expect([closeClosed.error_code, closeClosed.description]).toEqual([400, 'Bad Request: TOPIC_NOT_MODIFIED']);
    expect(fake.messages(FORUM, { threadId, includeService: true }).map((m) => m.service?.kind)).toEqual([
      'forum_topic_created',
      'forum_topic_closed',
    ]);
  });

  it("needs can_manage_topics to close someone else's topic, but not the bot's own", async () => {
    const own = await createTopic('Order 1');
    const theirs = fake.userCreatesTopic(FORUM, 'Chat with Bob', BOB);
    fake.addSupergroup({ id: FORUM, canManageTopics: false });

    const refused = await apiError(api.closeForumTopic(FORUM, theirs));
    await api.closeForumTopic(FORUM, own);
    fake.addSupergroup({ id: FORUM, canManageTopics: true });
    await api.closeForumTopic(FORUM, theirs);

    expect(refused.description).toBe('Bad Request: not enough rights to close or open the topic');
    expect(fake.topics(FORUM).map((t) => [t.name, t.closed])).toEqual([
      ['Order 1', true],
      ['Chat with Bob', true],
    ]);
  });

  it('answers TOPIC_ID_INVALID for an unknown or deleted topic and refuses chats that are not forums', async () => {
    const threadId = await createTopic();
    fake.deleteTopic(FORUM, threadId);
    fake.addSupergroup({ id: -100777, isForum: false });

    const deleted = await apiError(api.closeForumTopic(FORUM, threadId));
    const unknown = await apiError(api.reopenForumTopic(FORUM, 9999));
    const notForum = await apiError(api.closeForumTopic(-100777, threadId));

    expect(deleted.description).toBe('Bad Request: TOPIC_ID_INVALID');
    expect(unknown.description).toBe('Bad Request: TOPIC_ID_INVALID');
    expect(notForum.description).toBe('Bad Request: the chat is not a forum');
  });

  it('lets the bot post into a closed topic only with can_manage_topics, and only admins among users', async () => {
    const threadId = await createTopic();
    await api.closeForumTopic(FORUM, threadId);

    const allowed = await api.sendMessage(FORUM, 'Closing notes', { message_thread_id: threadId });
    fake.addSupergroup({ id: FORUM, canManageTopics: false });
    const refused = await apiError(api.sendMessage(FORUM, 'More notes', { message_thread_id: threadId }));
    const reply = await apiError(
      api.sendMessage(FORUM, 'A reply', { reply_parameters: { message_id: allowed.message_id } }),
    );

    expect(allowed.message_thread_id).toBe(threadId);
    expect([refused.error_code, refused.description]).toEqual([400, 'Bad Request: TOPIC_CLOSED']);
    expect(reply.description).toBe('Bad Request: TOPIC_CLOSED');
    expect(() => fake.userSends(FORUM, { from: BOB, threadId, text: 'hello?' })).toThrow(/is closed/);
    fake.setMemberStatus(FORUM, BOB, 'administrator');
    expect(fake.userSends(FORUM, { from: BOB, threadId, text: 'admin here' }).threadId).toBe(threadId);
  });

  it('lets a user close and reopen a topic, queueing each service message as an update from that user', async () => {
    const threadId = await createTopic();

    const closed = fake.userClosesTopic(FORUM, threadId, ALICE);
    expect(() => fake.userClosesTopic(FORUM, threadId, ALICE)).toThrow(/closed already/);
    const closedState = fake.topics(FORUM)[0]?.closed;
    const reopened = fake.userReopensTopic(FORUM, threadId, ALICE);

    expect(closedState).toBe(true);
    expect(fake.topics(FORUM)[0]?.closed).toBe(false);
    expect(closed.json).toMatchObject({ from: { id: 42 }, message_thread_id: threadId, forum_topic_closed: {} });
    const updates = await api.getUpdates();
    expect(updates.map((u) => u.message?.message_id)).toEqual([closed.message_id, reopened.message_id]);
    expect(updates[1]?.message).toMatchObject({ from: { id: 42 }, forum_topic_reopened: {} });
  });
});

describe('pinned messages', () => {
  const BOB = { id: 43, first_name: 'Bob' };

  it('pins a message, posting the pinned_message service message where the message is, and shows it in getChat', async () => {
    const board = await api.sendMessage(FORUM, 'Waiting: 3 chats');
    const threadId = await createTopic();
    const inTopic = await api.sendMessage(FORUM, 'Order details', { message_thread_id: threadId });

    expect(await api.pinChatMessage(FORUM, board.message_id, { disable_notification: true })).toBe(true);
    const chatAfterBoard = await api.getChat(FORUM);
    await api.pinChatMessage(FORUM, inTopic.message_id);

    const pins = (await api.getUpdates()).map((u) => u.message);
    expect(pins.map((m) => [m?.from?.id, m?.message_thread_id, m?.pinned_message?.message_id])).toEqual([
      [fake.botInfo.id, undefined, board.message_id],
      [fake.botInfo.id, threadId, inTopic.message_id],
    ]);
    expect(pins[0]?.pinned_message).toEqual(board);
    expect(chatAfterBoard.pinned_message).toEqual(board);
    expect(fake.pinnedMessages(FORUM)).toEqual([inTopic.message_id, board.message_id]);
    expect(
      fake.messages(FORUM, { includeService: true }).filter((m) => m.service?.kind === 'pinned_message'),
    ).toHaveLength(2);
  });

  it('shows and unpins the most recent pin by sending date, without its reply, whatever the pin order', async () => {
    const older = await api.sendMessage(FORUM, 'older');
    const newer = await api.sendMessage(FORUM, 'newer', { reply_parameters: { message_id: older.message_id } });
    await api.pinChatMessage(FORUM, newer.message_id);
    await api.pinChatMessage(FORUM, older.message_id);

    const shown = (await api.getChat(FORUM)).pinned_message;
    await api.unpinChatMessage(FORUM);
    const afterUnpin = (await api.getChat(FORUM)).pinned_message;
    await api.unpinChatMessage(FORUM, older.message_id);

    expect(newer.reply_to_message?.message_id).toBe(older.message_id);
    const { reply_to_message: _reply, ...newerAlone } = newer;
    expect(shown).toEqual(newerAlone);
    expect(afterUnpin?.message_id).toBe(older.message_id);
    expect((await api.getChat(FORUM)).pinned_message).toBeUndefined();
    expect(fake.pinnedMessages(FORUM)).toEqual([]);
  });

  it('pins a message only once: pinning it again succeeds without a new service message', async () => {
    const sent = await api.sendMessage(FORUM, 'board');
    await api.pinChatMessage(FORUM, sent.message_id);
    await api.pinChatMessage(FORUM, sent.message_id);

    expect(fake.pinnedMessages(FORUM)).toEqual([sent.message_id]);
    expect((await api.getUpdates()).map((u) => u.message?.pinned_message?.message_id)).toEqual([sent.message_id]);
  });

  it('refuses a missing message before checking the right, then service messages and business connections', async () => {
    const threadId = await createTopic();
    const sent = await api.sendMessage(FORUM, 'board');
    fake.addSupergroup({ id: FORUM, canPinMessages: false });

    const missing = await apiError(api.pinChatMessage(FORUM, 9999));
    const noRight = await apiError(api.pinChatMessage(FORUM, sent.message_id));
    const unpinNoRight = await apiError(api.unpinChatMessage(FORUM, sent.message_id));
    const member = await api.getChatMember(FORUM, fake.botInfo.id);
    fake.addSupergroup({ id: FORUM, canPinMessages: true });
    const service = await apiError(api.pinChatMessage(FORUM, threadId));
    const business = await apiError(
      api.pinChatMessage(FORUM, sent.message_id, { business_connection_id: 'unknown-connection' }),
    );

    expect(missing.description).toBe('Bad Request: message to pin not found');
    expect(noRight.description).toBe('Bad Request: not enough rights to manage pinned messages in the chat');
    expect(unpinNoRight.description).toBe('Bad Request: not enough rights to manage pinned messages in the chat');
    expect(member).toMatchObject({ status: 'administrator', can_pin_messages: false });
    expect(service.description).toBe("Bad Request: a service message can't be pinned");
    expect(business.description).toBe('Bad Request: business connection not found');
    expect(fake.pinnedMessages(FORUM)).toEqual([]);
    expect(await api.getUpdates()).toEqual([]);
  });

  it('refuses a bot that is not an administrator but lets it pin in a private chat', async () => {
    fake.addSupergroup({ id: -100888, botIsAdmin: false });
    const inGroup = fake.userSends(-100888, { from: ALICE, text: 'hi' });
    fake.addPrivateChat({ id: 42, firstName: 'Alice' });
    const inPrivate = await api.sendMessage(42, 'Your order');

    const refused = await apiError(api.pinChatMessage(-100888, inGroup.message_id));
    await api.pinChatMessage(42, inPrivate.message_id);

    expect(refused.description).toBe('Bad Request: not enough rights to manage pinned messages in the chat');
    expect((await api.getChat(42)).pinned_message?.message_id).toBe(inPrivate.message_id);
  });

  it('answers "message to unpin not found" for an unknown message or when nothing is pinned', async () => {
    const sent = await api.sendMessage(FORUM, 'not pinned');

    const nothing = await apiError(api.unpinChatMessage(FORUM));
    const unknown = await apiError(api.unpinChatMessage(FORUM, 9999));
    const notPinned = await api.unpinChatMessage(FORUM, sent.message_id);

    expect([nothing.error_code, nothing.description]).toEqual([400, 'Bad Request: message to unpin not found']);
    expect(unknown.description).toBe('Bad Request: message to unpin not found');
    expect(notPinned).toBe(true);
  });

  it('lets users pin and unpin: the pin is queued as an update from them, the unpin is silent', async () => {
    const board = await api.sendMessage(FORUM, 'board');
    const note = fake.userSends(FORUM, { from: ALICE, text: 'note' });
    await api.pinChatMessage(FORUM, board.message_id);
    const userPin = fake.userPins(FORUM, note.message_id, BOB);

    const shownAfterUserPin = (await api.getChat(FORUM)).pinned_message?.message_id;
    fake.userUnpins(FORUM, note.message_id);
    fake.userUnpins(FORUM, board.message_id);

    expect(shownAfterUserPin).toBe(note.message_id);
    expect(userPin?.json).toMatchObject({ from: { id: 43 }, pinned_message: { message_id: note.message_id } });
    const updates = await api.getUpdates();
    expect(updates.map((u) => u.message?.message_id)).toEqual([
      note.message_id,
      note.message_id + 1,
      userPin?.message_id,
    ]);
    expect(fake.pinnedMessages(FORUM)).toEqual([]);
    expect((await api.getChat(FORUM)).pinned_message).toBeUndefined();
    expect(() => fake.userUnpins(FORUM, board.message_id)).toThrow(/is not pinned/);
  });

  it('unpins a pinned message deleted by the bot, by a user or with its topic, and shows it as inaccessible in its pin', async () => {
    const first = await api.sendMessage(FORUM, 'first');
    const second = fake.userSends(FORUM, { from: ALICE, text: 'second' });
    const threadId = await createTopic();
    const third = await api.sendMessage(FORUM, 'third', { message_thread_id: threadId });
    for (const id of [first.message_id, second.message_id, third.message_id]) await api.pinChatMessage(FORUM, id);
    const pins = (await api.getUpdates()).filter((u) => u.message?.pinned_message).map((u) => u.message?.message_id);

    await api.deleteMessage(FORUM, first.message_id);
    const afterBotDelete = fake.pinnedMessages(FORUM);
    fake.deleteTopic(FORUM, threadId);
    const afterTopicDelete = (await api.getChat(FORUM)).pinned_message?.message_id;
    fake.userDeletes(FORUM, second.message_id);

    expect(afterBotDelete).toEqual([third.message_id, second.message_id]);
    expect(afterTopicDelete).toBe(second.message_id);
    expect(fake.pinnedMessages(FORUM)).toEqual([]);
    expect((await api.getChat(FORUM)).pinned_message).toBeUndefined();
    const firstPin = fake.message(FORUM, pins[0] ?? 0);
    expect(firstPin?.json.pinned_message).toEqual({
      chat: { id: FORUM, type: 'supergroup', title: 'Shop', is_forum: true },
      message_id: first.message_id,
      date: 0,
    });
    expect(() => fake.userDeletes(FORUM, second.message_id)).toThrow(/has no message/);
  });
});

describe('message text', () => {
  it('parses HTML into the visible text and entities, showing escaped tags literally', async () => {
    const sent = await api.sendMessage(
      FORUM,
      '&lt;b&gt;not bold&lt;/b&gt; <b>bold</b> &amp; <a href="https://example.com/x?a=1&amp;b=2">link</a>',
      { parse_mode: 'HTML' },
    );

    expect(sent.text).toBe('<b>not bold</b> bold & link');
    expect(sent.entities).toEqual([
      { type: 'bold', offset: 16, length: 4 },
      { type: 'text_link', offset: 23, length: 4, url: 'https://example.com/x?a=1&b=2' },
    ]);
    const stored = fake.message(FORUM, sent.message_id);
    expect(stored?.rawText).toContain('&lt;b&gt;');
    expect(stored?.parseMode).toBe('HTML');
  });

  it('keeps the link preview options of a message, and answers them unless the preview is off', async () => {
    const shown = await api.sendMessage(FORUM, 'a photo', {
      link_preview_options: { url: 'https://example.com/p.jpg', prefer_large_media: true },
    });
    expect(shown.link_preview_options).toEqual({ url: 'https://example.com/p.jpg', prefer_large_media: true });
    expect(fake.message(FORUM, shown.message_id)?.linkPreview?.url).toBe('https://example.com/p.jpg');
    const off = await api.sendMessage(FORUM, 'no preview', { link_preview_options: { is_disabled: true } });
    expect(off.link_preview_options).toBeUndefined();
  });

  it('turns a tg://user link into an inline mention of that user', async () => {
    const sent = await api.sendMessage(FORUM, 'ask <a href="tg://user?id=1001">Olga</a>', { parse_mode: 'HTML' });
    expect(sent.text).toBe('ask Olga');
    expect(sent.entities).toEqual([
      { type: 'text_mention', offset: 4, length: 4, user: { id: 1001, is_bot: false, first_name: 'Olga' } },
    ]);
  });

  it.each([
    ['<b>unclosed', 'Can\'t find end tag corresponding to start tag "b"'],
    ['1 < 2', 'Unsupported start tag "" at byte offset 2'],
    ['<marquee>hi</marquee>', 'Unsupported start tag "marquee" at byte offset 0'],
    ['<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['AT&T', 'Unsupported HTML entity at byte offset 2; a literal "&" must be written as "&amp;"'],
  ])('refuses bad HTML %j without creating a message', async (html, reason) => {
    const error = await apiError(api.sendMessage(FORUM, html, { parse_mode: 'HTML' }));

    expect(error.description).toBe(`Bad Request: can't parse entities: ${reason}`);
    expect(fake.messages(FORUM)).toEqual([]);
  });

  it('counts offsets in UTF-16 code units and nests entities as TDLib does', () => {
    expect(parseTelegramHtml('🏟 🏟<i>🏟 &gt;<b aba = caba>&lt🏟</b></i>')).toEqual({
      text: '🏟 🏟🏟 ><🏟',
      entities: [
        { type: 'italic', offset: 5, length: 7 },
        { type: 'bold', offset: 9, length: 3 },
      ],
    });
    expect(parseTelegramHtml('<pre><code class="language-ts">x</code></pre><tg-spoiler>s</tg-spoiler>')).toEqual({
      text: 'xs',
      entities: [
        { type: 'pre', offset: 0, length: 1, language: 'ts' },
        { type: 'spoiler', offset: 1, length: 1 },
      ],
    });
    expect(() => parseTelegramHtml('🏟 🏟&lt;<i>a</em   >')).toThrow(
      'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
    );
  });

  it('enforces empty-text, 4096-character and 1024-character caption limits on the visible text', async () => {
    const empty = await apiError(api.sendMessage(FORUM, '  \n'));
    const tooLong = await apiError(api.sendMessage(FORUM, 'x'.repeat(4097)));
    const fits = await api.sendMessage(FORUM, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });
    const longCaption = await apiError(api.sendPhoto(FORUM, new InputFile(TINY_PNG), { caption: 'c'.repeat(1025) }));

    expect(empty.description).toBe('Bad Request: message text is empty');
    expect(tooLong.description).toBe('Bad Request: message is too long');
    expect(fits.text).toHaveLength(4096);
    expect(longCaption.description).toBe('Bad Request: message caption is too long');
  });

  it('edits text, removes the keyboard when reply_markup is omitted and refuses a no-op edit', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Done', callback_data: 'done' }]] };
    const sent = await api.sendMessage(FORUM, 'v1', { reply_markup: keyboard });

    await api.editMessageText(FORUM, sent.message_id, 'v2');
    const noop = await apiError(api.editMessageText(FORUM, sent.message_id, 'v2'));

    const stored = fake.message(FORUM, sent.message_id);
    expect(stored?.text).toBe('v2');
    expect(stored?.replyMarkup).toBeUndefined();
    expect(stored?.editHistory.map((e) => e.text)).toEqual(['v1']);
    expect(stored?.json.edit_date).toBeTypeOf('number');
    expect(noop.description).toMatch(/^Bad Request: message is not modified/);
  });
});

describe('edits of deleted messages', () => {
  it('answers "message to edit not found" to an edit of a message the bot or a user deleted', async () => {
    const byBot = await api.sendMessage(FORUM, 'v1');
    const byUser = await api.sendMessage(FORUM, 'board v1');
    await api.deleteMessage(FORUM, byBot.message_id);
    fake.userDeletes(FORUM, byUser.message_id);

    const first = await apiError(api.editMessageText(FORUM, byBot.message_id, 'v2'));
    const second = await apiError(api.editMessageText(FORUM, byUser.message_id, 'board v2'));

    expect([first.error_code, first.description]).toEqual([400, 'Bad Request: message to edit not found']);
    expect([second.error_code, second.description]).toEqual([400, 'Bad Request: message to edit not found']);
  });
});

describe('faults', () => {
  it('counts the faults still waiting for a method until calls take them', async () => {
    fake.failNext('createForumTopic', { status: 500 }, 2);
    expect(fake.queuedFaults('createForumTopic')).toBe(2);
    expect(fake.queuedFaults('sendMessage')).toBe(0);
    await apiError(api.sendMessage(FORUM, 'x').then(() => api.createForumTopic(FORUM, 't')));
    expect(fake.queuedFaults('createForumTopic')).toBe(1);
  });

  it('injects a 429 that carries retry_after and has no effect', async () => {
    fake.failNext('sendMessage', { status: 429, retryAfter: 7 });

    const error = await apiError(api.sendMessage(FORUM, 'hi'));
    const retried = await api.sendMessage(FORUM, 'hi');

    expect(error.error_code).toBe(429);
    expect(error.description).toBe('Too Many Requests: retry after 7');
    expect(error.parameters.retry_after).toBe(7);
    expect(fake.messages(FORUM).map((m) => m.message_id)).toEqual([retried.message_id]);
  });

  it('fails the next N calls, surfaces 502 and dropped connections as HttpError, and can answer late', async () => {
    fake.failNext('*', { status: 500 }, 2);
    const first = await apiError(api.sendMessage(FORUM, 'a'));
    const second = await apiError(api.getMe());
    await api.getMe();

    fake.failNext('getMe', { status: 502 });
    const badGateway: unknown = await api.getMe().catch((e: unknown) => e);
    fake.failNext('getMe', { dropConnection: true });
    const dropped: unknown = await api.getMe().catch((e: unknown) => e);
    fake.failNext('sendMessage', { status: 400, description: 'Bad Request: chat is deactivated' });
    const custom = await apiError(api.sendMessage(FORUM, 'b'));
    fake.failNext('getMe', { delayMs: 300 });
    const started = Date.now();
    await api.getMe();

    expect([first.error_code, second.error_code]).toEqual([500, 500]);
    expect(badGateway).toBeInstanceOf(HttpError);
    expect(dropped).toBeInstanceOf(HttpError);
    expect(custom.description).toBe('Bad Request: chat is deactivated');
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(fake.messages(FORUM)).toEqual([]);
  });

  it('carries out a call and then drops the connection unanswered, which grammY sees as an HttpError', async () => {
    fake.failNext('sendMessage', { applyThenDrop: true });

    const lost: unknown = await api.sendMessage(FORUM, 'applied but unanswered').catch((e: unknown) => e);
    const next = await api.sendMessage(FORUM, 'answered');

    expect(lost).toBeInstanceOf(HttpError);
    expect(fake.messages(FORUM).map((m) => m.text)).toEqual(['applied but unanswered', 'answered']);
    expect(next.text).toBe('answered');
  });

  it('refuses every send whose text, caption or file name matches, with a 400 error object, and nothing else', async () => {
    fake.refuse('poison', 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0');
    fake.refuse('broken.pdf', 'Bad Request: wrong file identifier/HTTP URL specified');

    const text = await apiError(api.sendMessage(FORUM, 'a poison text'));
    const again = await apiError(api.sendMessage(FORUM, 'a poison text'));
    const caption = await apiError(api.sendPhoto(FORUM, new InputFile(TINY_PNG), { caption: 'poison' }));
    const file = await apiError(api.sendDocument(FORUM, new InputFile(new Uint8Array([1]), 'broken.pdf')));
    const raw = await rawCall(`/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: FORUM, text: 'poison' }),
    });
    await api.sendMessage(FORUM, 'fine');

    expect([text.error_code, again.error_code, caption.error_code, file.error_code]).toEqual([400, 400, 400, 400]);
    expect(text.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0');
    expect(file.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    expect(raw).toEqual({
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
      },
    });
    expect(fake.messages(FORUM).map((m) => m.text)).toEqual(['fine']);
  });

  it('answers sends beyond the flood limit with 429 and the seconds until a slot frees', async () => {
    fake.setFloodLimit({ perChatPerMinute: 2 });
    await api.sendMessage(FORUM, '1');
    await api.sendMessage(FORUM, '2');

    const error = await apiError(api.sendMessage(FORUM, '3'));

    expect(error.error_code).toBe(429);
    expect(error.parameters.retry_after).toBeGreaterThanOrEqual(59);
    expect(error.parameters.retry_after).toBeLessThanOrEqual(60);
    expect(fake.messages(FORUM)).toHaveLength(2);
  });

  it('counts pins and topic closes and reopens against the flood limit, but not unpins', async () => {
    const threadId = await createTopic();
    const board = await api.sendMessage(FORUM, 'board');
    const other = await api.sendMessage(FORUM, 'other');
    fake.setFloodLimit({ perChatPerMinute: 3 });

    await api.pinChatMessage(FORUM, board.message_id);
    await api.closeForumTopic(FORUM, threadId);
    await api.reopenForumTopic(FORUM, threadId);
    const pin = await apiError(api.pinChatMessage(FORUM, other.message_id));
    const close = await apiError(api.closeForumTopic(FORUM, threadId));
    const unpinned = await api.unpinChatMessage(FORUM, board.message_id);

    expect([pin.error_code, close.error_code]).toEqual([429, 429]);
    expect(pin.parameters.retry_after).toBeGreaterThanOrEqual(59);
    expect(unpinned).toBe(true);
    expect(fake.pinnedMessages(FORUM)).toEqual([]);
    expect(fake.topics(FORUM)[0]?.closed).toBe(false);
  });

  it('fails a pin or a close taken by failNext without any effect', async () => {
    const threadId = await createTopic();
    const board = await api.sendMessage(FORUM, 'board');
    fake.failNext('pinChatMessage', { status: 500 });
    fake.failNext('closeForumTopic', { status: 429, retryAfter: 3 });

    const pin = await apiError(api.pinChatMessage(FORUM, board.message_id));
    const close = await apiError(api.closeForumTopic(FORUM, threadId));

    expect([pin.error_code, close.error_code]).toEqual([500, 429]);
    expect(fake.pinnedMessages(FORUM)).toEqual([]);
    expect(fake.topics(FORUM)[0]?.closed).toBe(false);
    expect(await api.getUpdates()).toEqual([]);
  });
});

describe('files', () => {
  it('stores photo and document uploads from grammY InputFile byte for byte', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4 fake invoice');
    const photo = await api.sendPhoto(FORUM, new InputFile(TINY_PNG), {
      caption: '<i>your</i> parcel',
      parse_mode: 'HTML',
    });
    const doc = await api.sendDocument(FORUM, new InputFile(pdf, 'invoice 42.pdf'));
    const again = await api.sendDocument(FORUM, doc.document?.file_id ?? '');

    const storedPhoto = fake.message(FORUM, photo.message_id);
    expect(storedPhoto?.photo?.data).toEqual(TINY_PNG);
    expect(storedPhoto?.caption).toBe('your parcel');
    expect(photo.photo?.[0]).toMatchObject({ width: 1, height: 1, file_size: TINY_PNG.length });
    expect(photo.caption_entities).toEqual([{ type: 'italic', offset: 0, length: 4 }]);
    const storedDoc = fake.message(FORUM, doc.message_id)?.document;
    expect(storedDoc?.data).toEqual(pdf);
    expect(doc.document).toMatchObject({ file_name: 'invoice 42.pdf', mime_type: 'application/pdf' });
    expect(again.document?.file_id).toBe(doc.document?.file_id);
  });

  it('refuses a photo that is not an image', async () => {
    const error = await apiError(api.sendPhoto(FORUM, new InputFile(new Uint8Array([1, 2, 3]))));
    expect(error.description).toBe('Bad Request: IMAGE_PROCESS_FAILED');
  });

  it('serves a user file through getFile and the file URL, and refuses files over 20 MB', async () => {
    const bytes = new TextEncoder().encode('receipt');
    const small = fake.userSends(FORUM, { from: ALICE, document: { data: bytes, fileName: 'r.txt' } });
    const big = fake.userSends(FORUM, {
      from: ALICE,
      document: { data: new Uint8Array(20 * 1024 * 1024 + 1), fileName: 'big.zip' },
    });

    const file = await api.getFile(small.document?.file_id ?? '');
    const download = await fetch(`${fake.url}/file/bot${TOKEN}/${file.file_path ?? ''}`);
    const tooBig = await apiError(api.getFile(big.document?.file_id ?? ''));

    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    expect(file.file_size).toBe(bytes.length);
    expect(tooBig.description).toBe('Bad Request: file is too big');
  });
});

describe('reactions and buttons', () => {
  it('stores the bot reaction and refuses emoji outside the allowed list', async () => {
    const question = fake.userSends(FORUM, { from: ALICE, text: 'thanks!' });

    await api.setMessageReaction(FORUM, question.message_id, [{ type: 'emoji', emoji: '👍' }]);
    const invalid = await apiError(
      api.raw.setMessageReaction({
        chat_id: FORUM,
        message_id: question.message_id,
        reaction: [{ type: 'emoji', emoji: '🦆' as '👍' }],
      }),
    );

    expect(fake.message(FORUM, question.message_id)?.reactions).toEqual(['👍']);
    expect(invalid.description).toBe('Bad Request: REACTION_INVALID');
  });

  it('queues a callback query for a pressed button and records the answer once', async () => {
    const sent = await api.sendMessage(FORUM, 'Close the order?', {
      reply_markup: { inline_keyboard: [[{ text: 'Close', callback_data: 'close:42' }]] },
    });

    const queryId = fake.userPressesButton(FORUM, sent.message_id, 'close:42', ALICE);
    const [update] = await api.getUpdates();
    await api.answerCallbackQuery(queryId, { text: 'Closed' });
    const twice = await apiError(api.answerCallbackQuery(queryId));

    expect(update?.callback_query?.data).toBe('close:42');
    expect(update?.callback_query?.message?.message_id).toBe(sent.message_id);
    expect(fake.callbackAnswer(queryId)).toEqual({ answered: true, text: 'Closed' });
    expect(twice.description).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
  });
});

describe('members and their roles', () => {
  const BOB = { id: 43, first_name: 'Bob' };

  it('lists the creator, the administrators and the bot in getChatAdministrators, and each status in getChatMember', async () => {
    fake.setMemberStatus(FORUM, ALICE, 'creator');
    fake.setMemberStatus(FORUM, BOB, 'member');
    const before = await api.getChatAdministrators(FORUM);
    fake.setMemberStatus(FORUM, BOB, 'administrator', ALICE);
    const after = await api.getChatAdministrators(FORUM);

    expect(before.map((m) => [m.user.id, m.status])).toEqual([
      [42, 'creator'],
      [123456, 'administrator'],
    ]);
    expect(after.map((m) => [m.user.id, m.status])).toEqual([
      [42, 'creator'],
      [43, 'administrator'],
      [123456, 'administrator'],
    ]);
    expect(after[1]).toMatchObject({ can_be_edited: true, can_manage_chat: true, is_anonymous: false });
    expect(await api.getChatMember(FORUM, 43)).toMatchObject({ status: 'administrator', user: { id: 43 } });
    fake.setMemberStatus(FORUM, BOB, 'kicked', ALICE);
    expect(await api.getChatMember(FORUM, 43)).toEqual({
      status: 'kicked',
      user: { ...BOB, is_bot: false },
      until_date: 0,
    });
  });

  it('queues a chat_member update for each change only when allowed_updates asks for it', async () => {
    fake.setMemberStatus(FORUM, BOB, 'member');
    expect(await api.getUpdates()).toEqual([]);

    const none = await api.getUpdates({ allowed_updates: ['chat_member'] });
    fake.setMemberStatus(FORUM, BOB, 'administrator', ALICE);
    fake.setMemberStatus(FORUM, BOB, 'administrator', ALICE);
    const [update, ...rest] = await api.getUpdates({ allowed_updates: ['chat_member'] });

    expect(none).toEqual([]);
    expect(rest).toEqual([]);
    expect(update?.chat_member).toMatchObject({
      chat: { id: FORUM, type: 'supergroup' },
      from: { id: 42 },
      old_chat_member: { status: 'member', user: { id: 43 } },
      new_chat_member: { status: 'administrator', user: { id: 43 } },
    });
  });

  it('sends no chat_member updates to a bot that is not an administrator', async () => {
    fake.addSupergroup({ id: FORUM, botIsAdmin: false });
    fake.setMemberStatus(FORUM, BOB, 'administrator');
    expect(await api.getUpdates({ allowed_updates: ['chat_member'] })).toEqual([]);
  });
});

describe('the bot and its settings', () => {
  it("shows @BotFather's settings in getMe: privacy mode and topics in private chats", async () => {
    const before = await api.getMe();
    fake.setBotSettings({ canReadAllGroupMessages: true, hasTopicsEnabled: true });
    const after = await api.getMe();

    expect(before).toMatchObject({ can_read_all_group_messages: false, has_topics_enabled: false });
    expect(after).toMatchObject({ can_read_all_group_messages: true, has_topics_enabled: true });
  });

  it("shows the bot's rights in getChatMember and a private chat's type in getChat", async () => {
    fake.addSupergroup({ id: FORUM, canPinMessages: false });
    const pinless = await api.getChatMember(FORUM, 123456);
    fake.addSupergroup({ id: FORUM, botIsAdmin: false });
    const member = await api.getChatMember(FORUM, 123456);
    fake.addPrivateChat({ id: ALICE.id, firstName: 'Alice' });

    expect(pinless).toMatchObject({ status: 'administrator', can_manage_topics: true, can_pin_messages: false });
    expect(member).toMatchObject({ status: 'member', user: { id: 123456, is_bot: true } });
    expect(member).not.toHaveProperty('can_manage_topics');
    expect(await api.getChat(ALICE.id)).toMatchObject({ id: 42, type: 'private', first_name: 'Alice' });
    expect(await apiError(api.getChat(77))).toMatchObject({
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
  });
});

describe('forwarded messages and stale buttons', () => {
  it('carries forward_origin on a forwarded message', async () => {
    const origin = { type: 'hidden_user' as const, date: 1_700_000_000, sender_user_name: 'Somebody' };
    fake.userSends(FORUM, { from: ALICE, text: 'fwd', forwardOrigin: origin });
    const [update] = await api.getUpdates();
    expect(update?.message?.forward_origin).toEqual(origin);
  });

  it('sends callback data the message does not carry only when asked to', async () => {
    const sent = await api.sendMessage(FORUM, 'Go?', {
      reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go:1' }]] },
    });
    expect(() => fake.userPressesButton(FORUM, sent.message_id, 'go:2', ALICE)).toThrow(/has no button/);
    fake.userPressesButton(FORUM, sent.message_id, 'go:2', ALICE, { anyData: true });
    const [update] = await api.getUpdates();
    expect(update?.callback_query).toMatchObject({ data: 'go:2', message: { message_id: sent.message_id } });
  });
});

describe('bot commands', () => {
  const menu = [
    { command: 'chat', description: 'Write to a buyer' },
    { command: 'status', description: 'How the bot is doing' },
  ];

  it('keeps one list per scope and language, and getMyCommands returns exactly that list', async () => {
    const group = { type: 'chat', chat_id: FORUM } as const;
    await expect(api.setMyCommands(menu, { scope: group })).resolves.toBe(true);
    await api.setMyCommands([{ command: 'chat', description: 'Написать покупателю' }], {
      scope: group,
      language_code: 'ru',
    });

    expect(await api.getMyCommands({ scope: group })).toEqual(menu);
    expect(await api.getMyCommands({ scope: group, language_code: 'ru' })).toEqual([
      { command: 'chat', description: 'Написать покупателю' },
    ]);
    // No fallback from one scope or language to another: a list not set is empty.
    expect(await api.getMyCommands()).toEqual([]);
    expect(await api.getMyCommands({ scope: group, language_code: 'de' })).toEqual([]);
    expect(await api.getMyCommands({ scope: { type: 'all_group_chats' } })).toEqual([]);
    expect(fake.commands(group, 'ru')).toEqual([{ command: 'chat', description: 'Написать покупателю' }]);
  });

  it('replaces a list, and an empty list or deleteMyCommands removes it', async () => {
    await api.setMyCommands(menu);
    await api.setMyCommands(menu.slice(1));
    expect(await api.getMyCommands()).toEqual(menu.slice(1));
    await api.setMyCommands([]);
    expect(await api.getMyCommands()).toEqual([]);
    await api.setMyCommands(menu, { language_code: 'en' });
    await api.deleteMyCommands({ language_code: 'en' });
    expect(fake.commands({ type: 'default' }, 'en')).toEqual([]);
  });

  it('refuses commands Telegram refuses: bad names, empty or long descriptions, too many', async () => {
    const refused = async (commands: unknown[]) =>
      (await apiError(api.setMyCommands(commands as typeof menu))).description;
    expect(await refused([{ command: 'Chat', description: 'upper case' }])).toBe('Bad Request: BOT_COMMAND_INVALID');
    expect(await refused([{ command: '/chat', description: 'slash' }])).toBe('Bad Request: BOT_COMMAND_INVALID');
    expect(await refused([{ command: 'x'.repeat(33), description: 'long' }])).toBe('Bad Request: BOT_COMMAND_INVALID');
    expect(await refused([{ command: 'chat', description: '' }])).toMatch(/DESCRIPTION_INVALID/);
    expect(await refused([{ command: 'chat', description: 'd'.repeat(257) }])).toMatch(/DESCRIPTION_INVALID/);
    expect(await refused([{ command: 'chat' }])).toMatch(/Can't find field "description"/);
    const many = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: 'd' }));
    expect(await refused(many)).toMatch(/too many commands/);
    expect(await api.getMyCommands()).toEqual([]);
  });

  it('refuses a scope of a chat it does not know, an incomplete scope and a bad language code', async () => {
    const error = (other: Parameters<Api['setMyCommands']>[1]) => apiError(api.setMyCommands(menu, other));
    expect((await error({ scope: { type: 'chat', chat_id: -100999 } })).description).toBe(
      'Bad Request: chat not found',
    );
    expect((await error({ scope: { type: 'chat_member', chat_id: FORUM } as never })).error_code).toBe(400);
    expect((await error({ scope: { type: 'everyone' } as never })).error_code).toBe(400);
    expect((await error({ language_code: 'rus' as never })).error_code).toBe(400);
    expect(fake.calls.filter((c) => c.method === 'setMyCommands').map((c) => c.status)).toEqual([400, 400, 400, 400]);
  });
});

describe('webhook', () => {
  async function startReceiver(statuses: number[]): Promise<{
    url: string;
    received: Array<{ secret: string | undefined; body: { update_id: number; message?: { text?: string } } }>;
    close: () => Promise<void>;
  }> {
    const received: Array<{ secret: string | undefined; body: { update_id: number; message?: { text?: string } } }> =
      [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const secret = req.headers['x-telegram-bot-api-secret-token'];
        received.push({
          secret: typeof secret === 'string' ? secret : undefined,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { update_id: number },
        });
        res.writeHead(statuses.shift() ?? 200).end();
      });
    });
    const base = await listenOnLoopback(server);
    return {
      url: `${base}/hook`,
      received,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it('posts updates with the secret header and answers getUpdates with 409 while it is set', async () => {
    const receiver = await startReceiver([]);
    await api.setWebhook(receiver.url, { secret_token: 'sekret_1' });

    fake.userSends(FORUM, { from: ALICE, text: 'via webhook' });
    await waitFor(() => receiver.received.length === 1);
    const conflict = await apiError(api.getUpdates());
    await api.deleteWebhook();
    const afterDelete = await api.getUpdates();
    await receiver.close();

    expect(receiver.received[0]?.secret).toBe('sekret_1');
    expect(receiver.received[0]?.body.message?.text).toBe('via webhook');
    expect(conflict.error_code).toBe(409);
    expect(conflict.description).toBe(
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
    expect(afterDelete).toEqual([]);
  });

  it('retries a refused delivery, keeps the order and reports the last error', async () => {
    const receiver = await startReceiver([500]);
    await api.setWebhook(receiver.url);

    fake.userSends(FORUM, { from: ALICE, text: 'first' });
    fake.userSends(FORUM, { from: ALICE, text: 'second' });
    await waitFor(() => receiver.received.length === 3);
    const info = await api.getWebhookInfo();
    await receiver.close();

    expect(receiver.received.map((r) => r.body.message?.text)).toEqual(['first', 'first', 'second']);
    expect(info.last_error_message).toMatch(/^Wrong response from the webhook: 500/);
    expect(info.pending_update_count).toBe(0);
  });

  it('refuses a webhook URL outside loopback', async () => {
    const error = await apiError(api.setWebhook('https://example.com/hook'));
    expect(error.error_code).toBe(400);
    expect((await api.getWebhookInfo()).url).toBe('');
  });
});

describe('HTTP protocol', () => {
  it('answers a wrong token with 401 and an unknown method with 404', async () => {
    expect(await rawCall('/bot999:wrong/getMe')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect(await rawCall(`/bot${TOKEN}/sendTelepathy`)).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
  });

  it('accepts parameters as a query string and as a urlencoded form', async () => {
    const viaQuery = await rawCall(`/bot${TOKEN}/sendMessage?chat_id=${FORUM}&text=from+query`);
    const viaForm = await rawCall(`/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        chat_id: String(FORUM),
        text: 'from form',
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }),
      }),
    });

    expect(viaQuery.status).toBe(200);
    expect(viaForm.status).toBe(200);
    expect(fake.messages(FORUM).map((m) => m.text)).toEqual(['from query', 'from form']);
    expect(fake.messages(FORUM)[1]?.replyMarkup?.inline_keyboard[0]?.[0]?.text).toBe('A');
  });

  it('answers a malformed JSON body with a 400 error object and keeps serving', async () => {
    const malformed = await rawCall(`/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"chat_id": ',
    });

    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ ok: false, error_code: 400 });
    expect((await api.getMe()).username).toBe('fake_bot');
  });
});
