import { describe, expect, it } from 'vitest';
import { GROUP_ID, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** The bot's posts into the General topic. */
const general = () =>
  world.telegram
    .messages(GROUP_ID, { fromBot: true })
    .filter((m) => m.threadId === undefined)
    .map((m) => m.text ?? '');

async function readyz(port: number): Promise<{ status: number; body: { checks: { telegram: { detail?: string } } } }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { checks: { telegram: { detail?: string } } } };
}

const errorLines = (logs: string[], pattern: RegExp) =>
  logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50 && pattern.test(l.msg));

describe('Telegram health, end to end', () => {
  it('is not ready while the bot lacks the Manage topics right, says so once in General and in the log, and recovers', async () => {
    const logs: string[] = [];
    const app = await world.start({}, { logs, overrides: { rightsCheckIntervalMs: 200, rightsCheckMinGapMs: 100 } });
    await waitFor(async () => (await readyz(app.httpPort)).status === 200, 'ready');
    world.telegram.addSupergroup({ id: GROUP_ID, canManageTopics: false });

    const down = await waitFor(async () => {
      const r = await readyz(app.httpPort);
      return r.status === 503 ? r : undefined;
    }, 'not ready');
    expect(down.body.checks.telegram.detail).toMatch(/lost the "Manage topics" right: edit @marketgram_test_bot/);
    await waitFor(() => general().some((t) => t.includes('Manage topics')), 'notice in General');
    await new Promise((r) => setTimeout(r, 800)); // several checks later: still one notice, one log line
    expect(general().filter((t) => t.includes('Manage topics'))).toHaveLength(1);
    expect(errorLines(logs, /Manage topics/)).toHaveLength(1);

    world.telegram.addSupergroup({ id: GROUP_ID, canManageTopics: true });
    await waitFor(async () => (await readyz(app.httpPort)).status === 200, 'ready again');
    await waitFor(() => general().some((t) => t.includes('rights back')), 'all-clear in General');
    expect(await fetch(`http://127.0.0.1:${app.httpPort}/metrics`).then((r) => r.text())).toMatch(
      /^marketgram_telegram_rights_ok 1$/m,
    );
  });

  it('notices at once when Telegram refuses a post because the bot was kicked, and recovers when it is back', async () => {
    const { market, telegram } = world;
    const logs: string[] = [];
    // No periodic check in the test's time: the refused post is what brings it.
    const app = await world.start(
      {},
      { logs, overrides: { rightsCheckIntervalMs: 600_000, rightsCheckMinGapMs: 100 } },
    );
    telegram.kickBot(GROUP_ID);
    market.addMessage(market.addChat({ contextType: 'ORDER', orderId: 31 }), { sender: 'CUSTOMER', text: 'hi' });

    const down = await waitFor(async () => {
      const r = await readyz(app.httpPort);
      return r.status === 503 ? r : undefined;
    }, 'not ready');
    expect(down.body.checks.telegram.detail).toMatch(/removed from the group.*add @marketgram_test_bot/);
    expect(errorLines(logs, /removed from the group/)).toHaveLength(1);
    expect(await fetch(`http://127.0.0.1:${app.httpPort}/metrics`).then((r) => r.text())).toMatch(
      /^marketgram_telegram_rights_ok 0$/m,
    );

    telegram.addSupergroup({ id: GROUP_ID });
    await waitFor(async () => (await readyz(app.httpPort)).status === 200, 'ready again');
    await waitFor(() => telegram.topics(GROUP_ID).some((t) => t.name.includes('31')), 'the chat mirrored after all');
  });

  it('answers /readyz within two seconds while Telegram hangs', async () => {
    let skewMs = 0;
    const app = await world.start({}, { overrides: { healthNow: () => Date.now() + skewMs } });
    await waitFor(async () => (await readyz(app.httpPort)).status === 200, 'ready');
    world.telegram.failNext('*', { delayMs: 60_000 }, 100);
    skewMs = 10 * 60_000; // nothing heard from Telegram for ten minutes: the report probes it
    const started = performance.now();
    const r = await readyz(app.httpPort);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(r.status).toBe(503);
    expect(r.body.checks.telegram.detail).toBe('Telegram did not answer within 1.5 s');
  });
});
