/**
 * A fresh world (fakes, temp data dir) for every test of a file, closed after it. Kept apart from the harness,
 * which the benchmarks import outside vitest.
 */
import { afterEach, beforeEach } from 'vitest';
import { startWorld, type World } from './harness.ts';

/** Registers the hooks; `assign` receives each test's world. */
export function useWorld(assign: (world: World) => void): void {
  let current: World | undefined;
  beforeEach(async () => {
    current = await startWorld();
    assign(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
}
