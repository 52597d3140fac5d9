/**
 * A graceful stop as a declarative list of steps run in order. One deadline covers the whole stop: a
 * bounded step is waited for at most until then (and logged when it overran); an unbounded one (closing
 * the store, which must be flushed) is always waited for.
 */
import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => unknown;
  /** Waited for only until the stop's deadline; the next steps go on without it. */
  bounded?: boolean;
}

export async function runShutdown(steps: readonly ShutdownStep[], deadlineMs: number, log: Logger): Promise<void> {
  const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), deadlineMs).unref());
  for (const step of steps) {
    const done = Promise.resolve(step.run());
    if (!step.bounded) {
      await done;
      continue;
    }
    if ((await Promise.race([done.then(() => 'done' as const), deadline])) === 'late') {
      log.warn({ step: step.name, deadlineMs }, 'shutdown step not finished by the stop deadline; going on without it');
    }
  }
}
