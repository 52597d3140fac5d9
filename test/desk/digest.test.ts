import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Html } from '../../src/bridge/html.ts';
import { TelegramRefusedError, type Lane } from '../../src/bridge/ports.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { Digest, type DigestOptions } from '../../src/desk/digest.ts';
import { dayFigures, digestText } from '../../src/desk/digest-text.ts';
import { JsonStore } from '../../src/store/store.ts';
import { HOUR, MINUTE, ago, chatRecord } from './records.ts';

const at = (iso: string) => Date.parse(iso);
const link = (id: number) => `https://t.me/c/1234567890/${id}`;

/** General as the digest sees it: what was posted, in which lane; `fail` makes the next posts throw it. */
class General {
  posts: Array<{ text: string; lane?: Lane }> = [];
  fail?: Error;
  sendGeneral(text: Html, o?: { lane?: Lane }) {
    if (this.fail) return Promise.reject(this.fail);
    this.posts.push({ text: text.markup, lane: o?.lane });
    return Promise.resolve(this.posts.length as never);
  }
}

const stores: JsonStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function openStore(dir?: string, createdAt = '2025-01-01T00:00:00Z') {
  const store = await JsonStore.open(
    dir ?? (await mkdtemp(path.join(tmpdir(), 'marketgram-digest-'))),
    () => new Date(createdAt),
  );
  stores.push(store);
  return store;
}

function digest(store: JsonStore, general: General, o: Partial<DigestOptions> = {}) {
  return new Digest({
    store,
    telegram: general,
    texts: textsFor('en'),
    timeZone: 'UTC',
    atMinute: 9 * 60 + 30,
    link,
    log: pino({ level: 'silent' }),
    ...o,
  });
}

describe('the daily digest: when', () => {
  it('goes once a day at DIGEST_AT, in the live lane, and not before', async () => {
    const general = new General();
    const d = digest(await openStore(), general);
    expect(await d.tick(at('2025-06-03T09:29:59Z'))).toBe('not-yet');
    expect(await d.tick(at('2025-06-03T09:30:00Z'))).toBe('posted');
    expect(await d.tick(at('2025-06-03T09:30:30Z'))).toBe('done');
    expect(await d.tick(at('2025-06-03T23:59:59Z'))).toBe('done');
    expect(await d.tick(at('2025-06-04T00:00:00Z'))).toBe('not-yet');
    expect(await d.tick(at('2025-06-04T09:31:00Z'))).toBe('posted');
    expect(general.posts.map((p) => p.lane)).toEqual(['live', 'live']);
    expect(general.posts[0]?.text).toMatch(/^<b>📊 Yesterday, Monday 2 June<\/b>/);
    expect(general.posts[1]?.text).toMatch(/^<b>📊 Yesterday, Tuesday 3 June<\/b>/);
  });

  it('reads DIGEST_AT on the clock of BOT_TIMEZONE', async () => {
    const general = new General();
    const d = digest(await openStore(), general, { timeZone: 'Europe/Moscow', atMinute: 9 * 60 });
    expect(await d.tick(at('2025-06-03T05:59:00Z'))).toBe('not-yet');
    expect(await d.tick(at('2025-06-03T06:00:00Z'))).toBe('posted');
  });

  it('goes only once across a restart: the day is on disk after the post', async () => {
    const general = new General();
    const first = await openStore();
    expect(await digest(first, general).tick(at('2025-06-03T09:30:00Z'))).toBe('posted');
    await first.close();
    const again = await openStore(first.dir);
    expect(again.desk().digestDay).toBe(Math.floor(at('2025-06-03T00:00:00Z') / 86_400_000));
    expect(await digest(again, general).tick(at('2025-06-03T12:00:00Z'))).toBe('done');
    expect(general.posts).toHaveLength(1);
  });

  it('comes when a process down at DIGEST_AT comes back the same day, and not for the days it missed', async () => {
    const store = await openStore();
    store.desk().digestDay = Math.floor(at('2025-05-31T00:00:00Z') / 86_400_000);
    store.saveDesk();
    const general = new General();
    const d = digest(store, general, { now: () => at('2025-06-03T15:00:00Z') });
    // start() looks at once; stop() waits for that look's post.
    d.start();
    await d.stop();
    expect(await d.tick()).toBe('done');
    expect(general.posts.map((p) => p.text.split('\n')[0])).toEqual(['<b>📊 Yesterday, Monday 2 June</b>']);
    expect(general.posts).toHaveLength(1);
  });

  it('is not posted on the day the store was created after DIGEST_AT', async () => {
    const general = new General();
    const store = await openStore(undefined, '2025-06-03T10:00:00Z');
    const d = digest(store, general, { notBeforeMs: Date.parse(store.initializedAt) });
    expect(await d.tick(at('2025-06-03T10:05:00Z'))).toBe('skipped');
    expect(await d.tick(at('2025-06-04T09:30:00Z'))).toBe('posted');
    expect(general.posts).toHaveLength(1);
  });

  it('is tried again after a failure, a few times a day at most, and not at all after a refusal', async () => {
    const general = new General();
    const store = await openStore();
    const d = digest(store, general);
    general.fail = new Error('network down');
    const t0 = at('2025-06-03T09:30:00Z');
    expect(await d.tick(t0)).toBe('failed');
    expect(await d.tick(t0 + MINUTE)).toBe('failed'); // too soon: not tried
    for (let i = 1; i < 4; i++) expect(await d.tick(t0 + i * 5 * MINUTE)).toBe('failed');
    expect(await d.tick(t0 + 20 * MINUTE)).toBe('given-up');
    expect(await d.tick(t0 + 3 * HOUR)).toBe('given-up');
    expect(store.desk().digestDay).toBeUndefined();
    general.fail = undefined;
    expect(await d.tick(at('2025-06-04T09:30:00Z'))).toBe('posted');

    general.fail = new TelegramRefusedError('sendMessage', 400, "can't parse entities");
    expect(await d.tick(at('2025-06-05T09:30:00Z'))).toBe('given-up');
    expect(await d.tick(at('2025-06-05T12:00:00Z'))).toBe('given-up');
    expect(general.posts).toHaveLength(1);
  });
});

describe('the daily digest: what', () => {
  const NOW = at('2025-06-03T09:30:00Z');
  const YESTERDAY = { fromMs: at('2025-06-02T00:00:00Z'), toMs: at('2025-06-03T00:00:00Z') };
  const records = [
    // Answered yesterday after 10 and 50 minutes.
    chatRecord({
      id: 1,
      title: 'Order 1',
      topic: 11,
      answers: [
        { at: '2025-06-02T10:10:00Z', waitedMs: 10 * MINUTE },
        { at: '2025-06-02T18:50:00Z', waitedMs: 50 * MINUTE },
      ],
    }),
    // New yesterday; waited from yesterday evening, answered this morning after 9 hours.
    chatRecord({
      id: 2,
      title: 'Order 2',
      topic: 12,
      firstSeenAt: '2025-06-02T21:00:00Z',
      answers: [{ at: '2025-06-03T06:00:00Z', waitedMs: 9 * HOUR }],
    }),
    // Waits since the day before yesterday.
    chatRecord({ id: 3, title: 'Order 3', topic: 13, waitingSince: '2025-06-01T12:00:00Z' }),
    // Waits since this morning: not yesterday's; new today.
    chatRecord({
      id: 4,
      title: 'Order 4',
      topic: 14,
      waitingSince: ago(NOW, 20 * MINUTE),
      firstSeenAt: ago(NOW, HOUR),
    }),
    // Answered the day before yesterday, after 4 hours.
    chatRecord({ id: 5, title: 'Order 5', answers: [{ at: '2025-06-01T20:00:00Z', waitedMs: 4 * HOUR }] }),
  ];

  it('tells the chats that waited yesterday, the new ones, the answers and their times, and who waits now', () => {
    expect(dayFigures(records, YESTERDAY.fromMs, YESTERDAY.toMs)).toMatchObject({
      waited: 3,
      fresh: 1,
      answers: { answered: 2, medianMs: 10 * MINUTE, longestMs: 50 * MINUTE },
    });
    const text = digestText(records, YESTERDAY, NOW, { texts: textsFor('en'), timeZone: 'UTC', link });
    expect(text.markup.split('\n')).toEqual([
      '<b>📊 Yesterday, Monday 2 June</b>',
      'Chats that waited for us: 3 · new chats: 1',
      'Answered: 2 · median 10 min · longest 50 min',
      '',
      '⏳ Waiting for an answer now: 2',
      '<a href="https://t.me/c/1234567890/13">Order 3</a> — 1 d 21 h',
      '<a href="https://t.me/c/1234567890/14">Order 4</a> — 20 min',
    ]);
  });

  it('names the five longest waits and counts the rest; says so when nothing was answered or nobody waits', () => {
    const waiting = Array.from({ length: 8 }, (_, i) =>
      chatRecord({ id: i + 1, title: `Order ${i + 1}`, topic: 10 + i, waitingSince: ago(NOW, (i + 1) * HOUR) }),
    );
    const lines = digestText(waiting, YESTERDAY, NOW, { texts: textsFor('en'), timeZone: 'UTC', link }).markup.split(
      '\n',
    );
    expect(lines[2]).toBe('No answers yesterday.');
    expect(lines.slice(4)).toEqual([
      '⏳ Waiting for an answer now: 8',
      '<a href="https://t.me/c/1234567890/17">Order 8</a> — 8 h',
      '<a href="https://t.me/c/1234567890/16">Order 7</a> — 7 h',
      '<a href="https://t.me/c/1234567890/15">Order 6</a> — 6 h',
      '<a href="https://t.me/c/1234567890/14">Order 5</a> — 5 h',
      '<a href="https://t.me/c/1234567890/13">Order 4</a> — 4 h',
      '…and 3 more',
    ]);
    const ru = digestText([], YESTERDAY, NOW, { texts: textsFor('ru'), timeZone: 'UTC', link }).markup;
    expect(ru.split('\n')).toEqual([
      '<b>📊 Итоги вчерашнего дня, понедельник, 2 июня</b>',
      'Ждали нашего ответа: 0 чатов · новых чатов: 0',
      'Ответов вчера не было.',
      '',
      '✅ Сейчас ответа никто не ждёт.',
    ]);
  });
});
