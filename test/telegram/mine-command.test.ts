import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BOT_COMMANDS } from '../../src/bridge/command-texts.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { waitingChats } from '../../src/desk/figures.ts';
import { menuCommands } from '../../src/telegram/command-menu.ts';
import { installMineCommand, mineAnswer, MINE_LINES } from '../../src/telegram/mine-command.ts';
import { toOperatorMessage } from '../../src/telegram/operator-input.ts';
import { HOUR, MINUTE, ago, chatRecord } from '../desk/records.ts';

const GROUP = -1001234567890;
const NOW = Date.parse('2025-06-03T15:00:00Z');
const OLGA = { id: 7, name: 'Olga' };
const IVAN = { id: 8, name: 'Ivan' };
const link = (id: number) => `https://t.me/c/1234567890/${id}`;

const records = [
  chatRecord({ id: 1, title: 'Order 1', topic: 11, waitingSince: ago(NOW, 5 * MINUTE), owner: OLGA }),
  chatRecord({ id: 2, title: 'Order 2', topic: 12, waitingSince: ago(NOW, 2 * HOUR + 5 * MINUTE), owner: OLGA }),
  chatRecord({ id: 3, title: 'Order 3', topic: 13, waitingSince: ago(NOW, 3 * HOUR), owner: IVAN }),
  chatRecord({ id: 4, title: 'Order 4', topic: 14, owner: OLGA }),
  chatRecord({ id: 5, title: 'Order 5', topic: 15, waitingSince: ago(NOW, HOUR) }),
];

describe("/mine's answer", () => {
  it('lists the waiting chats the sender owns, the longest wait first, each with its wait and its topic’s link', () => {
    expect(mineAnswer(waitingChats(records, NOW), OLGA.id, textsFor('en'), link).markup.split('\n')).toEqual([
      '<b>Your chats waiting for an answer: 2</b>',
      '<a href="https://t.me/c/1234567890/12">Order 2</a> — 2 h 5 min',
      '<a href="https://t.me/c/1234567890/11">Order 1</a> — 5 min',
    ]);
  });

  it('says the sender owns no waiting chats, in either language; an anonymous admin owns none', () => {
    const waiting = waitingChats(records, NOW);
    expect(mineAnswer(waiting, 99, textsFor('en'), link).markup).toBe('You own no waiting chats.');
    expect(mineAnswer(waiting, 99, textsFor('ru'), link).markup).toBe('Ваших чатов, ждущих ответа, нет.');
    expect(mineAnswer(waiting, undefined, textsFor('en'), link).markup).toBe('You own no waiting chats.');
  });

  it(`stops after ${MINE_LINES} chats and counts the rest, and cuts long titles`, () => {
    const many = Array.from({ length: 45 }, (_, i) =>
      chatRecord({
        id: i + 1,
        title: `${'x'.repeat(100)}${i}`,
        topic: 100 + i,
        waitingSince: ago(NOW, (i + 1) * MINUTE),
        owner: OLGA,
      }),
    );
    const lines = mineAnswer(waitingChats(many, NOW), OLGA.id, textsFor('en'), link).markup.split('\n');
    expect(lines).toHaveLength(1 + MINE_LINES + 1);
    expect(lines.at(-1)).toBe('…and 15 more');
    expect(lines[1]).toBe(`<a href="https://t.me/c/1234567890/144">${'x'.repeat(59)}…</a> — 45 min`);
  });
});

describe('/mine in the group', () => {
  /** A bot that answers /mine, with every Bot API call recorded instead of sent. */
  function bot(mayAnswer = true) {
    const b = new Bot('123:abc', {
      botInfo: {
        id: 123,
        is_bot: true,
        first_name: 'marketgram',
        username: 'shop_bot',
        can_join_groups: true,
        can_read_all_group_messages: true,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
        has_topics_enabled: false,
        allows_users_to_create_topics: false,
        can_manage_bots: false,
        supports_join_request_queries: false,
      },
    });
    const calls: Array<{ method: string; payload: Record<string, unknown> }> = [];
    b.api.config.use((_prev, method, payload) => {
      calls.push({ method, payload });
      return Promise.resolve({ ok: true, result: { message_id: 1000 + calls.length } } as never);
    });
    installMineCommand(b, {
      groupId: GROUP,
      texts: textsFor('en'),
      logger: pino({ level: 'silent' }),
      mayAnswer: () => mayAnswer,
      waiting: () => waitingChats(records, NOW),
    });
    return { b, calls };
  }

  const command = (o: { chatId?: number; threadId?: number; from?: number } = {}): Update => ({
    update_id: 1,
    message: {
      message_id: 50,
      date: 1,
      chat: { id: o.chatId ?? GROUP, type: 'supergroup', title: 'Shop', is_forum: true },
      from: { id: o.from ?? OLGA.id, is_bot: false, first_name: 'Olga' },
      text: '/mine',
      entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      ...(o.threadId !== undefined && { message_thread_id: o.threadId, is_topic_message: true }),
    },
  });

  it('answers under the command, in its topic, with links and no previews', async () => {
    const { b, calls } = bot();
    await b.handleUpdate(command({ threadId: 11 }));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe('sendMessage');
    expect(calls[0]?.payload).toMatchObject({
      chat_id: GROUP,
      message_thread_id: 11,
      parse_mode: 'HTML',
      reply_parameters: { message_id: 50 },
      link_preview_options: { is_disabled: true },
    });
    expect(calls[0]?.payload.text).toContain('<a href="https://t.me/c/1234567890/12">Order 2</a>');
  });

  it('answers in General too; someone who may not answer buyers gets no list; other chats get nothing', async () => {
    const general = bot();
    await general.b.handleUpdate(command());
    expect(general.calls[0]?.payload.message_thread_id).toBeUndefined();
    expect(general.calls[0]?.payload.text).toContain('Your chats waiting for an answer: 2');

    const stranger = bot(false);
    await stranger.b.handleUpdate(command());
    expect(stranger.calls.map((c) => c.payload.text)).toEqual(['Only operators have chats of their own.']);

    const elsewhere = bot();
    await elsewhere.b.handleUpdate(command({ chatId: -1009999999999 }));
    expect(elsewhere.calls).toEqual([]);
  });

  it('is in the command menu in both languages, and never taken for a reply to a buyer', () => {
    expect(BOT_COMMANDS).toContain('mine');
    for (const language of ['en', 'ru'] as const) {
      expect(menuCommands(language).find((c) => c.command === 'mine')?.description).toMatch(/\S/);
    }
    expect(menuCommands('ru').find((c) => c.command === 'mine')?.description).not.toBe(
      menuCommands('en').find((c) => c.command === 'mine')?.description,
    );
    const inTopic = command({ threadId: 11 }).message!;
    expect(
      toOperatorMessage(inTopic, GROUP, { botUsername: 'shop_bot', commands: BOT_COMMANDS, mayAnswer: () => true }),
    ).toMatchObject({ ok: false, why: 'command' });
  });
});
