import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../../src/bridge/thread-store.ts';
import { WorkHours } from '../../src/desk/work-hours.ts';
import { deskWorld, MIN, T0 } from './desk-world.ts';

const reminders = (w: ReturnType<typeof deskWorld>) => w.telegram.posts.filter((p) => p.html.startsWith('⏰'));
const escalations = (w: ReturnType<typeof deskWorld>) => w.general().filter((p) => p.html.startsWith('<b>🚨'));

describe('reminders', () => {
  it('fire once per waiting episode at REMIND_AFTER, in the topic, mentioning the owner, with Take', async () => {
    const w = deskWorld();
    const chat = await w.addChat(1, T0 - 14 * MIN, { owner: { id: 42, name: 'Olga <3' } });
    await w.desk.tick();
    expect(reminders(w)).toHaveLength(0);

    w.clock.now += MIN;
    await w.desk.tick();
    await w.desk.tick();
    const [reminder] = reminders(w);
    expect(reminders(w)).toHaveLength(1);
    expect(reminder!.topicId).toBe(chat.topicId);
    expect(reminder!.html).toBe(
      '⏰ The buyer has been waiting for an answer for 15 min. <a href="tg://user?id=42">Olga &lt;3</a>',
    );
    expect(reminder!.buttons).toEqual([{ text: '✋ Take', data: `o:${chat.topicId}` }]);
    expect(chat.reminder).toMatchObject({ since: chat.waitingSince, messageId: reminder!.messageId });
  });

  it('ask someone to take an unowned chat, and are marked done when the chat is answered', async () => {
    const w = deskWorld();
    const chat = await w.addChat(1, T0 - 20 * MIN);
    await w.desk.tick();
    expect(reminders(w)[0]!.html).toContain('Nobody owns this chat');

    w.clock.now += 2 * MIN;
    w.answer(chat);
    await w.desk.tick();
    const [done] = w.telegram.posts.filter((p) => p.messageId === chat.reminder!.messageId);
    expect(done!.html).toBe('✅ Answered after 22 min.');
    expect(done!.buttons ?? []).toEqual([]);
    expect(w.telegram.edits.at(-1)).toEqual({ messageId: done!.messageId, lane: 'cosmetic' });

    // A new episode gets a reminder of its own.
    chat.waitingSince = new Date(w.clock.now).toISOString();
    w.clock.now += 16 * MIN;
    await w.desk.tick();
    expect(reminders(w).map((p) => p.messageId)).toEqual([chat.reminder!.messageId]);
    expect(chat.reminder!.messageId).not.toBe(done!.messageId);
  });

  it('do not fire off hours, and fire once at opening for what still waits', async () => {
    // Tuesday 13:00 in Moscow; the hours open at 14:00.
    const w = deskWorld({ workHours: WorkHours.parse('mon-fri 14:00-18:00', 'Europe/Moscow') });
    await w.addChat(1, T0 - 30 * MIN);
    await w.desk.tick();
    w.clock.now += 59 * MIN;
    await w.desk.tick();
    expect(reminders(w)).toHaveLength(0);
    expect(escalations(w)).toHaveLength(0);

    w.clock.now += MIN;
    await w.desk.tick();
    await w.desk.tick();
    expect(reminders(w)).toHaveLength(1);
    expect(escalations(w)).toHaveLength(1);
  });

  it('leave alone waits that began before the store existed, and chats whose first sync is not done', async () => {
    const w = deskWorld();
    await w.addChat(1, Date.parse(w.store.initializedAt) - 2 * MIN);
    await w.addChat(2, T0 - 100 * MIN, { backfilled: false });
    await w.desk.tick();
    expect(reminders(w)).toHaveLength(0);
    expect(escalations(w)).toHaveLength(0);
    expect(w.board()!.html).toContain('Waiting for an answer: 2');
  });

  it('are off with REMIND_AFTER=0 and ESCALATE_AFTER=0', async () => {
    const w = deskWorld({ remindAfterMs: 0, escalateAfterMs: 0 });
    await w.addChat(1, T0 - 600 * MIN);
    await w.desk.tick();
    expect(reminders(w)).toHaveLength(0);
    expect(escalations(w)).toHaveLength(0);
  });
});

describe('escalations', () => {
  it('name every chat due at one look in one message in General, with wait and owner, once per episode', async () => {
    const w = deskWorld();
    const a = await w.addChat(1, T0 - 61 * MIN, { owner: { id: 5, name: 'Ivan' } });
    const b = await w.addChat(2, T0 - 75 * MIN);
    await w.desk.tick();
    await w.desk.tick();
    const [escalation] = escalations(w);
    expect(escalations(w)).toHaveLength(1);
    expect(escalation!.html.split('\n')).toEqual([
      '<b>🚨 Waiting too long for an answer: 2 chats</b>',
      `• <a href="https://t.me/c/123/${b.topicId}">Chat 2</a> — waiting 1 h 15 min · nobody`,
      `• <a href="https://t.me/c/123/${a.topicId}">Chat 1</a> — waiting 1 h 1 min · <a href="tg://user?id=5">Ivan</a>`,
    ]);
    expect(escalation!.lane).toBe('waiting');

    w.answer(a);
    await w.desk.tick();
    expect(w.telegram.posts.find((p) => p.messageId === escalation!.messageId)!.html.split('\n')[2]).toBe(
      `• <s><a href="https://t.me/c/123/${a.topicId}">Chat 1</a></s> — ✅ answered`,
    );
    const edits = w.telegram.edits.length;
    await w.desk.tick();
    expect(w.telegram.edits).toHaveLength(edits);
    expect(escalations(w)).toHaveLength(1);
  });
});

describe('nudges for reviews and questions', () => {
  it('remind in the topic without Take, escalate labelled, and mark both done when answered', async () => {
    const w = deskWorld();
    const thread = {
      key: 'review:5' as const,
      kind: 'review' as const,
      marketId: 5,
      topicId: await w.telegram.createTopic('🔴 ⭐️2 · SKU-1 · Anna'),
      title: '🔴 ⭐️2 · SKU-1 · Anna',
      posted: {},
      state: 'waiting' as const,
      waitingSince: new Date(T0 - 61 * MIN).toISOString(),
      firstSeenAt: new Date(T0 - 61 * MIN).toISOString(),
    } satisfies ThreadRecord as ThreadRecord;
    w.store.threadRecords.push(thread);
    await w.desk.tick();
    await w.desk.tick();
    const [reminder] = reminders(w);
    expect(reminder!.html).toBe('⏰ The buyer has been waiting for an answer for 1 h 1 min.');
    expect(reminder!.buttons ?? []).toEqual([]);
    const [escalation] = escalations(w);
    expect(escalation!.html.split('\n')[1]).toBe(
      `• [review] <a href="https://t.me/c/123/${thread.topicId}">🔴 ⭐️2 · SKU-1 · Anna</a> — waiting 1 h 1 min · nobody`,
    );

    thread.state = 'answered';
    await w.desk.tick();
    expect(w.telegram.posts.find((p) => p.messageId === reminder!.messageId)!.html).toBe(
      '✅ This chat no longer waits for an answer.',
    );
    expect(w.telegram.posts.find((p) => p.messageId === escalation!.messageId)!.html).toContain('✅ answered');
  });
});
