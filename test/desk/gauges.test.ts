import { describe, expect, it } from 'vitest';
import { deskFigures, responseStats } from '../../src/desk/figures.ts';
import { deskGauges } from '../../src/desk/gauges.ts';
import { tooLongAfter } from '../../src/desk/summary.ts';
import { HOUR, MINUTE, ago, chatRecord } from './records.ts';

const NOW = Date.parse('2025-06-03T15:00:00Z');
const TODAY = { fromMs: Date.parse('2025-06-03T00:00:00Z'), toMs: Date.parse('2025-06-04T00:00:00Z') };

/** A cabinet of `n` chats: every third waits (some for hours), every tenth is a dispute, most were answered today. */
function cabinet(n: number) {
  return Array.from({ length: n }, (_, i) =>
    chatRecord({
      id: i + 1,
      ...(i % 3 === 0 && { waitingSince: ago(NOW, ((i * 7919) % 600) * MINUTE) }),
      ...(i % 10 === 0 && { kind: 'ARBITRAGE' as const, status: i % 20 === 0 ? 'FINISHED' : 'WAITING_FOR_ARBITER' }),
      answers: [
        { at: ago(NOW, ((i * 31) % 1200) * MINUTE), waitedMs: ((i * 104_729) % 7200) * 1000 },
        { at: ago(NOW, 30 * HOUR), waitedMs: 5 * MINUTE },
      ],
    }),
  );
}

describe('deskGauges', () => {
  it('agree with the desk figures and response stats /status shows', () => {
    const records = cabinet(500);
    const g = deskGauges(records, NOW, HOUR, TODAY);
    const figures = deskFigures(records, NOW, HOUR);
    const stats = responseStats(records, TODAY.fromMs, TODAY.toMs);
    expect(g).toEqual({
      waiting: figures.waiting.length,
      tooLong: figures.tooLong,
      oldestWaitMs: figures.waiting[0]?.waitedMs,
      disputes: figures.disputes,
      answered: stats.answered,
      medianMs: stats.medianMs,
      p90Ms: stats.p90Ms,
      withinHour: stats.withinHour,
    });
    expect(g.waiting).toBeGreaterThan(100);
    expect(g.answered).toBeGreaterThan(100);
  });

  it('say 0 for the oldest wait when nothing waits, and leave the response times out when nothing was answered', () => {
    expect(deskGauges([chatRecord({ id: 1 })], NOW, HOUR, TODAY)).toEqual({
      waiting: 0,
      tooLong: 0,
      oldestWaitMs: 0,
      disputes: 0,
      answered: 0,
    });
  });
});

describe('tooLongAfter', () => {
  it('is ESCALATE_AFTER, or REMIND_AFTER when escalation is off, or an hour when both are off', () => {
    expect(tooLongAfter({ remindAfterMs: 15 * MINUTE, escalateAfterMs: 2 * HOUR })).toBe(2 * HOUR);
    expect(tooLongAfter({ remindAfterMs: 15 * MINUTE, escalateAfterMs: 0 })).toBe(15 * MINUTE);
    expect(tooLongAfter({ remindAfterMs: 0, escalateAfterMs: 0 })).toBe(HOUR);
  });
});
