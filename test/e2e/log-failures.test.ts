import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { API_KEY, TOKEN, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the log while the Market cannot be reached, end to end', () => {
  it('is one line per failure, with the reason and what happens next, and no stack trace', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger(
      { level: 'info', secrets: [TOKEN, API_KEY] },
      { write: (raw: string) => void lines.push(JSON.parse(raw) as Record<string, unknown>) },
    );
    await world.start({ MARKET_API_URL: `http://127.0.0.1:${await closedPort()}` }, { logger });
    const poll = await waitFor(() => lines.find((l) => l.msg === 'poll failed, will retry'), 'a failed poll', 20_000);
    expect(poll.level).toBe(40);
    expect(poll.reason).toMatch(/^Yandex Market getChats request failed before reaching the server: .*ECONNREFUSED/);
    expect(poll.failures).toBe(1);
    expect(poll.nextMs).toBeTypeOf('number');
    const retry = lines.find((l) => l.msg === 'Market request failed, retrying');
    expect(retry?.reason).toMatch(/ECONNREFUSED/);
    expect(retry?.delayMs).toBeTypeOf('number');
    const check = lines.find((l) => l.msg === 'could not check the Market API key now; continuing');
    expect(check?.reason).toMatch(/ECONNREFUSED/);
    for (const line of lines.filter((l) => (l.level as number) >= 40)) {
      expect(line).not.toHaveProperty('err');
      expect(JSON.stringify(line)).not.toMatch(/\bat .*\(.*:\d+:\d+\)|"stack"/);
    }
  });
});
