import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runShutdown } from '../../src/app/shutdown.ts';

function recorder() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { lines, log };
}

describe('runShutdown', () => {
  it('runs the steps in order, waiting for each one', async () => {
    const order: string[] = [];
    const { log } = recorder();
    await runShutdown(
      [
        {
          name: 'a',
          run: () => new Promise<void>((r) => setTimeout(() => r(void order.push('a')), 20)),
          bounded: true,
        },
        { name: 'b', run: () => void order.push('b') },
        { name: 'c', run: () => Promise.resolve().then(() => void order.push('c')) },
      ],
      1_000,
      log,
    );
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('goes on without a bounded step that is not done by the deadline, and logs it by name', async () => {
    const { lines, log } = recorder();
    const order: string[] = [];
    const started = Date.now();
    await runShutdown(
      [
        { name: 'stuck', run: () => new Promise<void>(() => undefined), bounded: true },
        { name: 'after', run: () => void order.push('after') },
      ],
      50,
      log,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(order).toEqual(['after']);
    expect(lines).toEqual([expect.objectContaining({ step: 'stuck', deadlineMs: 50 })]);
  });

  it('always waits for an unbounded step, past the deadline', async () => {
    const { log } = recorder();
    let flushed = false;
    await runShutdown(
      [{ name: 'store', run: () => new Promise<void>((r) => setTimeout(() => r(void (flushed = true)), 100)) }],
      10,
      log,
    );
    expect(flushed).toBe(true);
  });
});
