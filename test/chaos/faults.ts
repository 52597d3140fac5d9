/**
 * Fault injection: turns a planned fault into the next answer of the fake Market or the fake Telegram.
 */
import type { World } from '../e2e/harness.ts';
import type { Fault } from '../fakes/market-server.ts';
import type { FakeFault } from '../fakes/telegram-server.ts';
import type { PlannedFault } from './plan.ts';

/**
 * Makes the next matching request to a fake fail as planned; returns the fault's name for the counts, or
 * undefined when a fault injected earlier still waits for that call: faults hit the calls that happen, they do
 * not pile up for a call that is rare (a queue of 500s for createForumTopic, met by the next topic created long
 * after, would fail it for minutes on end, which no real outage does).
 */
export function injectFault(world: World, f: PlannedFault): string | undefined {
  if (f.side === 'market') {
    if (world.market.queuedFaults(f.operation) > 0) return undefined;
    const fault: Fault =
      f.kind === '420'
        ? { status: 420, untilMs: Date.now() + f.ms }
        : f.kind === '500' || f.kind === '503'
          ? { status: Number(f.kind) as 500 | 503 }
          : f.kind === 'slow'
            ? { delayMs: Math.round(f.ms) }
            : f.kind === 'hang'
              ? { hang: true }
              : f.kind === 'acceptThenReset'
                ? { acceptThenReset: true }
                : { resetBeforeEffect: true };
    world.market.failNext(f.operation, fault);
    return `Market ${f.kind}`;
  }
  const fault: FakeFault =
    f.kind === '429'
      ? { status: 429, retryAfter: 1 }
      : f.kind === '500'
        ? { status: 500 }
        : f.kind === 'slow'
          ? { delayMs: Math.round(f.ms) }
          : { dropConnection: true };
  if (world.telegram.queuedFaults(f.method) > 0) return undefined;
  world.telegram.failNext(f.method, fault);
  return `Telegram ${f.kind}`;
}
