/**
 * Fault injection: turns a planned fault into the next answer of the fake Market or the fake Telegram.
 */
import type { World } from '../e2e/harness.ts';
import type { Fault } from '../fakes/market-server.ts';
import type { FakeFault } from '../fakes/telegram-server.ts';
import type { PlannedFault } from './plan.ts';

/** Makes the next matching request to a fake fail as planned; returns the fault's name for the counts. */
export function injectFault(world: World, f: PlannedFault): string {
  if (f.side === 'market') {
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
  world.telegram.failNext(f.method, fault);
  return `Telegram ${f.kind}`;
}
