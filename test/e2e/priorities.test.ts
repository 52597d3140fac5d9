import { describe, expect, it } from 'vitest';
import { BUDGETED } from '../../src/telegram/budget.ts';
import { GROUP_ID, OPERATOR, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('the group’s Telegram budget, end to end (pacing on, 60 calls a minute)', () => {
  it('serves a waiting chat and a /status before another chat’s history backlog', async () => {
    const { market, telegram } = world;
    // A chat from before marketgram, answered by the shop: its 6 long messages are a history backlog.
    const old = market.addChat({ contextType: 'ORDER', orderId: 501, createdAt: '2025-01-01T10:00:00+03:00' });
    for (let i = 0; i < 5; i++) {
      market.addMessage(old, {
        sender: 'CUSTOMER',
        text: `old ${i} ${'x'.repeat(3000)}`,
        createdAt: `2025-01-0${i + 2}T10:00:00+03:00`,
      });
    }
    market.addMessage(old, { sender: 'PARTNER', text: 'answered', createdAt: '2025-01-09T10:00:00+03:00' });
    // A chat where a buyer waits for the seller.
    const waiting = market.addChat({ contextType: 'ORDER', orderId: 502, createdAt: '2025-01-01T10:00:00+03:00' });
    market.addMessage(waiting, {
      sender: 'CUSTOMER',
      text: 'where is my parcel?',
      createdAt: '2025-01-10T10:00:00+03:00',
    });

    await world.start({ TELEGRAM_PACING: 'on', TELEGRAM_GROUP_RATE: '60', HISTORY_ON_FIRST_SIGHT: '20' });
    const waitingTopic = await waitFor(() => topicFor(telegram, 'Order 502'), 'the waiting chat’s topic', 30_000);
    const question = await waitFor(
      () =>
        telegram
          .messages(GROUP_ID, { threadId: waitingTopic.threadId, fromBot: true })
          .find((m) => m.text?.includes('where is my parcel?')),
      'the waiting buyer’s message',
      30_000,
    );
    // Everything of the waiting chat (topic, card, message) went before any post of the other chat's history.
    const oldTopic = topicFor(telegram, 'Order 501');
    const oldPosts = oldTopic ? topicTexts(telegram, oldTopic.threadId) : [];
    expect(oldPosts.filter((t) => t.includes('old 0'))).toHaveLength(0);
    if (oldTopic) expect(oldTopic.threadId).toBeGreaterThan(question.message_id);

    // A /status asked while the backlog is being posted is answered before the backlog is done.
    const ask = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      text: '/status',
      entities: [{ type: 'bot_command', offset: 0, length: 7 }],
    });
    const answer = await waitFor(
      () =>
        telegram
          .messages(GROUP_ID, { fromBot: true })
          .find((m) => m.threadId === undefined && m.message_id > ask.message_id),
      'the /status answer',
      10_000,
    );
    const history = await waitFor(
      () => {
        const topic = topicFor(telegram, 'Order 501');
        const texts = topic ? topicTexts(telegram, topic.threadId) : [];
        return texts.some((t) => t.includes('old 4'))
          ? telegram.messages(GROUP_ID, { threadId: topic!.threadId })
          : undefined;
      },
      'the whole backlog',
      30_000,
    );
    expect(answer.message_id).toBeLessThan(history.at(-1)!.message_id);
  }, 60_000);

  it('shows a long first start’s progress in General, one message edited until it says what was done', async () => {
    const { market, telegram } = world;
    for (let i = 0; i < 4; i++) {
      const chat = market.addChat({ contextType: 'ORDER', orderId: 600 + i, createdAt: '2025-01-01T10:00:00+03:00' });
      market.addMessage(chat, {
        sender: 'CUSTOMER',
        text: `question ${i}`,
        createdAt: '2025-01-02T10:00:00+03:00',
      });
    }
    // 4 chats of about 4 calls each (topic, card, post, rename) at 60 a minute: about 16 s, shown from 3 s on.
    await world.start(
      { TELEGRAM_PACING: 'on', TELEGRAM_GROUP_RATE: '60' },
      { overrides: { progress: { thresholdMs: 3_000, editEveryMs: 2_000, checkEveryMs: 100 } } },
    );
    const general = () =>
      telegram.messages(GROUP_ID, { fromBot: true }).filter((m) => m.threadId === undefined && m.text);
    const shown = await waitFor(() => general().find((m) => m.text?.startsWith('⏳')), 'the progress', 20_000);
    expect(shown.text).toMatch(/^⏳ Importing chats: \d of 4\nWaiting for the seller: \d of 4 imported\n/);
    const done = await waitFor(
      () => general().find((m) => m.text?.startsWith('✅')),
      'the progress’s last word',
      60_000,
    );
    expect(done.message_id).toBe(shown.message_id);
    expect(done.text).toMatch(/^✅ Import done: 4 chats in \d+ s\.$/);
    expect(general().filter((m) => m.text?.startsWith('⏳') || m.text?.startsWith('✅'))).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      const topic = topicFor(telegram, `Order ${600 + i}`);
      expect(topic && topicTexts(telegram, topic.threadId).some((t) => t.includes(`question ${i}`))).toBe(true);
    }
  }, 90_000);

  it('paces at a benchmark’s group rate beyond TELEGRAM_GROUP_RATE’s maximum (AppOverrides.telegramGroupPerMinute)', async () => {
    const { market, telegram } = world;
    for (let i = 0; i < 5; i++) {
      const chat = market.addChat({ contextType: 'ORDER', orderId: 700 + i, createdAt: '2025-01-01T10:00:00+03:00' });
      market.addMessage(chat, { sender: 'CUSTOMER', text: `fast ${i}`, createdAt: '2025-01-02T10:00:00+03:00' });
    }
    // 600 a minute: one call every ~100 ms, where TELEGRAM_GROUP_RATE=60 alone would allow one a second.
    telegram.setFloodLimit({ perChatPerMinute: 600 });
    const started = Date.now();
    await world.start(
      { TELEGRAM_PACING: 'on', TELEGRAM_GROUP_RATE: '60' },
      { overrides: { telegramGroupPerMinute: 600 } },
    );
    for (let i = 0; i < 5; i++) {
      await waitFor(
        () => {
          const topic = topicFor(telegram, `Order ${700 + i}`);
          return topic && topicTexts(telegram, topic.threadId).some((t) => t.includes(`fast ${i}`));
        },
        `chat ${i}’s message`,
        10_000,
      );
    }
    const paced = telegram.calls.filter((c) => c.status === 200 && BUDGETED.has(c.method) && c.at >= started);
    // A topic, a card and a post per chat: at least 15 calls, under 15 s at 60 a minute.
    expect(paced.length).toBeGreaterThanOrEqual(15);
    expect(Date.now() - started).toBeLessThan(10_000);
    const gaps = paced.slice(1).map((c, i) => c.at - (paced[i]?.at ?? 0));
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
    expect(median).toBeGreaterThanOrEqual(90);
    expect(telegram.calls.filter((c) => c.status === 429)).toHaveLength(0);
  }, 30_000);
});
