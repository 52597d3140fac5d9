import { describe, expect, it } from 'vitest';
import { textsFor } from '../../src/bridge/texts.ts';
import type { HealthReport } from '../../src/health.ts';
import { formatStatus } from '../../src/telegram/status.ts';

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
