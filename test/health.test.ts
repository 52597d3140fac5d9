import { describe, expect, it } from 'vitest';
import { Health, PROBE_WAIT_MS, type HealthSources } from '../src/health.ts';

function sources(over: Partial<HealthSources> = {}): HealthSources & { clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return {
    clock,
    now: () => clock.now,
    startedAt: 0,
    telegramLastOk: () => clock.now - 1000,
    probeTelegram: () => Promise.resolve(),
    telegramProblem: () => undefined,
    storeProblem: () => undefined,
    marketLastOk: () => clock.now - 1000,
    lastPollAt: () => clock.now - 1000,
    lastNotificationAt: () => undefined,
    maxSilenceMs: () => 120_000,
    chats: () => 3,
    queueDepth: () => 0,
    backlog: () => 0,
    telegramQueue: () => ({ operator: 0, history: 0 }),
    repliesWaiting: () => 0,
    quota: () => ({}),
    mode: { telegram: 'polling', notifications: false },
    ...over,
  };
}

describe('Health', () => {
  it('is ready when everything answered recently', async () => {
    const r = await new Health(sources()).report();
    expect(r.ready).toBe(true);
    expect(r.checks.market).toEqual({ ok: true, ageSeconds: 1 });
  });

  it('is not ready when the Market has not answered for longer than the allowed silence', async () => {
    const s = sources();
    const r = await new Health({ ...s, marketLastOk: () => s.clock.now - 200_000 }).report();
    expect(r.ready).toBe(false);
    expect(r.checks.market.ok).toBe(false);
    expect(r.checks.market.ageSeconds).toBe(200);
  });

  it('follows the allowed silence as it changes (the poll interval stretches with many open chats)', async () => {
    let silenceMs = 120_000;
    const s = sources({ maxSilenceMs: () => silenceMs });
    const health = new Health({
      ...s,
      lastPollAt: () => s.clock.now - 600_000,
      marketLastOk: () => s.clock.now - 600_000,
    });
    expect((await health.report()).ready).toBe(false);
    silenceMs = 3 * 720_000;
    const r = await health.report();
    expect(r.checks.intake.ok).toBe(true);
    expect(r.checks.market.ok).toBe(true);
  });

  it('probes a quiet Telegram and reports the failure', async () => {
    let probes = 0;
    const s = sources({
      telegramLastOk: () => undefined,
      probeTelegram: () => {
        probes++;
        return Promise.reject(new Error('connect ECONNREFUSED'));
      },
    });
    const health = new Health(s);
    const r = await health.report();
    expect(probes).toBe(1);
    expect(r.checks.telegram).toMatchObject({ ok: false, detail: 'connect ECONNREFUSED' });
    // A second report right away does not probe again.
    await health.report();
    expect(probes).toBe(1);
  });

  it('answers within PROBE_WAIT_MS while a Telegram probe hangs, and counts the probe when it ends', async () => {
    let answer: () => void = () => undefined;
    const s = sources({
      telegramLastOk: () => undefined,
      probeTelegram: () => new Promise<void>((resolve) => (answer = resolve)),
    });
    const health = new Health(s);
    const started = performance.now();
    const r = await health.report();
    expect(performance.now() - started).toBeLessThan(PROBE_WAIT_MS + 500);
    expect(r.checks.telegram).toMatchObject({ ok: false, detail: 'Telegram did not answer within 1.5 s' });
    answer();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await health.report()).checks.telegram.detail).toBe('no answer from Telegram lately');
  });

  it('is not ready while the bot lacks its rights in the group, saying what to do', async () => {
    let problem: string | undefined = 'the bot lost the "Manage topics" right: enable it';
    const health = new Health(sources({ telegramProblem: () => problem }));
    const r = await health.report();
    expect(r.ready).toBe(false);
    expect(r.checks.telegram).toMatchObject({ ok: false, detail: problem });
    problem = undefined;
    expect((await health.report()).ready).toBe(true);
  });

  it('is not ready while the store cannot be written, saying why', async () => {
    const r = await new Health(sources({ storeProblem: () => 'cannot write DATA_DIR (/data): ENOSPC' })).report();
    expect(r.ready).toBe(false);
    expect(r.checks.store).toEqual({ ok: false, detail: 'cannot write DATA_DIR (/data): ENOSPC' });
  });

  it('is not ready when neither a poll nor a notification succeeded lately', async () => {
    const s = sources();
    const r = await new Health({
      ...s,
      lastPollAt: () => s.clock.now - 500_000,
      lastNotificationAt: () => s.clock.now - 400_000,
    }).report();
    expect(r.checks.intake.ok).toBe(false);
    expect(r.lastNotificationAgeSeconds).toBe(400);
  });

  it('gives a fresh start time to make its first poll', async () => {
    const s = sources({ lastPollAt: () => undefined });
    const r = await new Health({ ...s, startedAt: s.clock.now - 10_000 }).report();
    expect(r.checks.intake.ok).toBe(true);
  });
});
