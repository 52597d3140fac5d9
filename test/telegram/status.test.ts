import { describe, expect, it } from 'vitest';
import type { ChatRecord } from '../../src/bridge/store-port.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { deskSummary } from '../../src/desk/summary.ts';
import type { HealthReport } from '../../src/health.ts';
import { deskLines, formatStatus } from '../../src/telegram/status.ts';
import { HOUR, MINUTE, ago, chatRecord } from '../desk/records.ts';

function report(store: HealthReport['checks']['store']): HealthReport {
  return {
    ready: store.ok,
    checks: { store, telegram: { ok: true }, market: { ok: true }, intake: { ok: true } },
    uptimeSeconds: 10,
    chats: 1,
    queueDepth: 0,
    backlog: 0,
    telegramQueue: { operator: 1, history: 40 },
    repliesWaiting: 0,
    quota: {},
    mode: { telegram: 'polling', notifications: false },
  };
}

describe('formatStatus', () => {
  it('shows the store only while it cannot be written, with the reason', () => {
    const t = textsFor('en');
    expect(formatStatus(report({ ok: true }), t).markup).not.toContain('Store');
    expect(formatStatus(report({ ok: false, detail: 'cannot write DATA_DIR (/data): ENOSPC' }), t).markup).toContain(
      '✗ Store: cannot write DATA_DIR (/data): ENOSPC',
    );
  });

  it('shows the Telegram calls waiting under the group limit', () => {
    expect(formatStatus(report({ ok: true }), textsFor('en')).markup).toContain(
      'Waiting for Telegram (group limit): 41',
    );
  });
});

describe('the desk lines /status begins with', () => {
  const NOW = Date.parse('2025-06-03T15:00:00Z');
  const link = (id: number) => `https://t.me/c/1234567890/${id}`;
  const olga = { id: 1, name: 'Olga' };
  const ivan = { id: 2, name: 'Ivan' };
  const summary = (records: ChatRecord[], tooLongMs = HOUR) =>
    deskSummary(records, NOW, { tooLongMs, timeZone: 'UTC' });

  it('say how many wait and how many too long, the longest wait with its chat, who owns what and today’s response times', () => {
    const records = [
      chatRecord({ id: 1, title: 'Order 1 · Anna', topic: 11, waitingSince: ago(NOW, 3 * HOUR + 10 * MINUTE) }),
      chatRecord({ id: 2, title: 'Order 2', topic: 12, waitingSince: ago(NOW, 90 * MINUTE), owner: olga }),
      chatRecord({ id: 3, title: 'Order 3', topic: 13, waitingSince: ago(NOW, 5 * MINUTE), owner: olga }),
      chatRecord({ id: 4, title: 'Dispute 4', topic: 14, kind: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' }),
      chatRecord({ id: 5, waitingSince: ago(NOW, 20 * MINUTE), owner: ivan }),
      // Answered today (10, 30, 90 minutes) and yesterday (not today's).
      chatRecord({
        id: 6,
        answers: [
          { at: '2025-06-03T09:00:00Z', waitedMs: 10 * MINUTE },
          { at: '2025-06-03T10:00:00Z', waitedMs: 30 * MINUTE },
          { at: '2025-06-03T14:00:00Z', waitedMs: 90 * MINUTE },
          { at: '2025-06-02T23:59:00Z', waitedMs: 9 * HOUR },
        ],
      }),
    ];
    const lines = deskLines(summary(records), textsFor('en'), link).map((l) => l.markup);
    expect(lines).toEqual([
      '⏳ Waiting for us: 4, 2 too long · disputes: 1',
      'Longest wait: 3 h 10 min — <a href="https://t.me/c/1234567890/11">Order 1 · Anna</a>',
      'Owners: Olga 2, Ivan 1 · unowned: 1',
      'Today: 3 answers, median 30 min, p90 1 h 30 min, 67% within 1 h',
    ]);
  });

  it('say so when nobody waits and nothing was answered today, in Russian too', () => {
    expect(deskLines(summary([]), textsFor('en'), link).map((l) => l.markup)).toEqual([
      '✅ Nobody waits for an answer',
      'No answers yet today',
    ]);
    expect(deskLines(summary([]), textsFor('ru'), link).map((l) => l.markup)).toEqual([
      '✅ Ответа никто не ждёт',
      'Сегодня ответов ещё не было',
    ]);
  });

  it('name at most five owners, then "…"; a chat without a topic is named without a link', () => {
    const records = Array.from({ length: 7 }, (_, i) =>
      chatRecord({ id: i + 1, waitingSince: ago(NOW, (i + 1) * MINUTE), owner: { id: i + 1, name: `P${i + 1}` } }),
    );
    const [, oldest, owners] = deskLines(summary(records), textsFor('en'), link).map((l) => l.markup);
    expect(oldest).toBe('Longest wait: 7 min — #7');
    expect(owners).toBe('Owners: P1 1, P2 1, P3 1, P4 1, P5 1, …');
  });

  it('come before the health report, which follows after an empty line', () => {
    const records = [chatRecord({ id: 1, title: '<Order>', topic: 11, waitingSince: ago(NOW, 2 * MINUTE) })];
    const text = formatStatus(report({ ok: true }), textsFor('en'), { summary: summary(records), link }).markup;
    expect(text.split('\n').slice(0, 5)).toEqual([
      '⏳ Waiting for us: 1',
      'Longest wait: 2 min — <a href="https://t.me/c/1234567890/11">&lt;Order&gt;</a>',
      'Owned by nobody: 1',
      'No answers yet today',
      '',
    ]);
    expect(text.split('\n')[5]).toBe('<b>✅ marketgram is healthy</b>');
  });
});
