import { describe, expect, it } from 'vitest';
import { WorkHours } from '../../src/desk/work-hours.ts';
import { deskWorld, MIN, T0 } from './desk-world.ts';

describe('the waiting board', () => {
  it('is posted in General and pinned, listing the waiting chats oldest first with link, wait and owner', async () => {
    const w = deskWorld();
    await w.addChat(1, T0 - 10 * MIN);
    const old = await w.addChat(2, T0 - 90 * MIN, { owner: { id: 7, name: 'Olga' } });
    await w.addChat(3, undefined);
    await w.desk.tick();

    const board = w.board()!;
    // Beside it, the escalation of the chat that waited 90 minutes (ESCALATE_AFTER 60 min).
    expect(w.general().map((p) => p.messageId === board.messageId || p.html.startsWith('<b>🚨'))).toEqual([true, true]);
    expect(w.telegram.pins).toEqual([board.messageId]);
    expect(board.html).toContain('<b>📋 Waiting for an answer: 2</b> · too long: 1');
    const lines = board.html.split('\n').filter((l) => /^\d+\./.test(l));
    expect(lines).toEqual([
      `1. ⚠️ <a href="https://t.me/c/123/${old.topicId}">Chat 2</a> — 1 h 30 min · Olga`,
      `2. <a href="https://t.me/c/123/1">Chat 1</a> — 10 min · nobody`,
    ]);
  });

  it('names the topics without links where topics have none (a private chat), escalations too', async () => {
    const w = deskWorld({ link: () => undefined });
    await w.addChat(1, T0 - 90 * MIN);
    await w.desk.tick();

    const lines = w
      .board()!
      .html.split('\n')
      .filter((l) => /^\d+\./.test(l));
    expect(lines).toEqual(['1. ⚠️ Chat 1 — 1 h 30 min · nobody']);
    const escalation = w.general().find((p) => p.html.startsWith('<b>🚨'));
    expect(escalation?.html).toContain('• Chat 1 — ');
    expect(w.general().some((p) => p.html.includes('<a '))).toBe(false);
  });

  it('says so when nobody waits', async () => {
    const w = deskWorld();
    await w.addChat(1, undefined);
    await w.desk.tick();
    expect(w.board()!.html).toContain('Nobody is waiting for an answer.');
  });

  it('drops an answered chat at the next edit, at most once a minute, and edits nothing when nothing changed', async () => {
    const w = deskWorld();
    const a = await w.addChat(1, T0 - 5 * MIN);
    await w.addChat(2, T0 - 6 * MIN);
    await w.desk.tick();
    const id = w.board()!.messageId;

    w.answer(a);
    w.clock.now += 30_000;
    await w.desk.tick();
    expect(w.board()!.html).toContain('Chat 1'); // too soon after the last edit
    w.clock.now += 31_000;
    await w.desk.tick();
    expect(w.board()!.html).not.toContain('Chat 1');
    expect(w.board()!.messageId).toBe(id);
    expect(w.telegram.edits).toEqual([{ messageId: id, lane: 'cosmetic' }]);

    await w.desk.tick();
    expect(w.telegram.edits).toHaveLength(1);
  });

  it('refreshes growing waits only every few minutes', async () => {
    const w = deskWorld();
    await w.addChat(1, T0 - 5 * MIN);
    await w.desk.tick();
    for (let i = 0; i < 4; i++) {
      w.clock.now += MIN;
      await w.desk.tick();
    }
    expect(w.telegram.edits).toHaveLength(0);
    w.clock.now += MIN;
    await w.desk.tick();
    expect(w.telegram.edits).toHaveLength(1);
    expect(w.board()!.html).toContain('Chat 1</a> — 10 min');
  });

  it('is posted and pinned afresh when deleted', async () => {
    const w = deskWorld();
    const chat = await w.addChat(1, T0 - 5 * MIN);
    await w.desk.tick();
    const first = w.board()!.messageId;
    await w.telegram.deleteMessage(first as never);
    w.answer(chat);
    w.clock.now += 2 * MIN;
    await w.desk.tick();
    const second = w.board()!;
    expect(second.messageId).not.toBe(first);
    expect(second.html).toContain('Nobody is waiting');
    expect(w.telegram.pins).toEqual([second.messageId]);
  });

  it('is posted afresh when unpinned, and pinned again over a newer pin of someone else once', async () => {
    const w = deskWorld({ pinCheckMs: MIN });
    await w.addChat(1, T0 - 5 * MIN);
    await w.desk.tick();
    const first = w.board()!.messageId;

    // Someone pins a newer message: the board is pinned again, once.
    const other = await w.telegram.sendGeneral({ markup: 'hello' });
    w.telegram.pins.push(other);
    w.clock.now += MIN;
    await w.desk.tick();
    w.clock.now += MIN;
    await w.desk.tick();
    expect(w.telegram.calls.filter((c) => c === `pin ${first}`)).toHaveLength(2);
    expect(w.board()!.messageId).toBe(first);

    // Someone unpins the board (and their own message): a new board, pinned; the old one is deleted.
    w.telegram.pins = [];
    w.clock.now += MIN;
    await w.desk.tick();
    const second = w.board()!.messageId;
    expect(second).not.toBe(first);
    expect(w.telegram.pins).toEqual([second]);
    expect(w.telegram.posts.some((p) => p.messageId === first)).toBe(false);
  });

  it('says off hours outside WORK_HOURS, with the opening time', async () => {
    // 2026-12-01 is a Tuesday; 10:00 UTC is 13:00 in Moscow.
    const w = deskWorld({ workHours: WorkHours.parse('mon-fri 18:00-20:00', 'Europe/Moscow') });
    await w.addChat(1, T0 - 5 * MIN);
    await w.desk.tick();
    expect(w.board()!.html).toContain('🌙 Off hours until Tue 18:00: no reminders now.');
  });

  it('shows the oldest 30 and counts the rest', async () => {
    const w = deskWorld();
    for (let i = 1; i <= 35; i++) await w.addChat(i, T0 - i * MIN);
    await w.desk.tick();
    const html = w.board()!.html;
    expect(html.split('\n').filter((l) => /^\d+\./.test(l))).toHaveLength(30);
    expect(html).toContain('…and 5 more chats');
    expect(html).toContain('Chat 35');
    expect(html).not.toContain('Chat 5<');
  });

  it('lists reviews and questions that wait for the seller among the chats, labelled', async () => {
    const w = deskWorld();
    await w.addChat(1, T0 - 10 * MIN);
    w.store.threadRecords.push(
      {
        key: 'review:5',
        kind: 'review',
        marketId: 5,
        topicId: 50 as never,
        title: '🔴 ⭐️2 · SKU-1 · Anna',
        posted: {},
        state: 'waiting',
        waitingSince: new Date(T0 - 30 * MIN).toISOString(),
        firstSeenAt: new Date(T0 - 30 * MIN).toISOString(),
      },
      {
        key: 'question:6',
        kind: 'question',
        marketId: 6,
        title: '✅ ❓ SKU-2 · Petr',
        posted: {},
        state: 'answered',
        firstSeenAt: new Date(T0 - 30 * MIN).toISOString(),
      },
    );
    await w.desk.tick();
    const lines = w
      .board()!
      .html.split('\n')
      .filter((l) => /^\d+\./.test(l));
    expect(lines).toEqual([
      '1. [review] <a href="https://t.me/c/123/50">🔴 ⭐️2 · SKU-1 · Anna</a> — 30 min · nobody',
      '2. <a href="https://t.me/c/123/1">Chat 1</a> — 10 min · nobody',
    ]);
    expect(w.board()!.html).toContain('Waiting for an answer: 2');
  });
});
