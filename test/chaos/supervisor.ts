/**
 * The bridge processes of a chaos run, as a supervisor would keep them: one at a time (`src/main.ts`'s process
 * through the e2e harness, started by bridge-process.ts with the run's poller timings), restarted when one exits by
 * itself, asked whether it is up (`/healthz`), stopped with SIGTERM at the end, and every one killed at once on
 * cleanup. Their output is kept for a look after a failed check.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppOverrides } from '../../src/app.ts';
import type { Bridged, World } from '../e2e/harness.ts';
import type { ChaosReport } from './report.ts';

/** The overrides a chaos run gives its bridge processes (plain numbers: they travel as JSON in the environment). */
export type ChaosBridgeOverrides = Pick<AppOverrides, 'threadPollMs' | 'threadRecheckMs'>;

/** The variable that carries them to bridge-process.ts. */
export const OVERRIDES_VARIABLE = 'CHAOS_BRIDGE_OVERRIDES';

const ENTRY = fileURLToPath(new URL('./bridge-process.ts', import.meta.url));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** One bridge process. */
export interface BridgeProcess {
  bridged: Bridged;
  /** Date.now() of its spawn. */
  spawnedAt: number;
  /** Killed or stopped by the run (any other exit is unexpected). */
  expected: boolean;
}

export class Supervisor {
  /** Every process started, in order. */
  readonly processes: BridgeProcess[] = [];
  /** The process started last. */
  current: BridgeProcess | undefined;
  /** Processes that exited without being killed or stopped. */
  unexpectedExits = 0;

  /**
   * @param env the bridge's environment on top of the harness's (the same for every start)
   * @param overrides the app's overrides for every start
   * @param port the bridge's HTTP_PORT
   * @param stopping true once the run is over: no more starts
   * @param say a progress line
   */
  constructor(
    private readonly world: World,
    private readonly env: Record<string, string>,
    private readonly overrides: ChaosBridgeOverrides,
    private readonly port: number,
    private readonly stopping: () => boolean,
    private readonly say: (line: string) => void,
  ) {}

  /** Starts a bridge process; one that exits by itself is restarted after 500 ms (at most 10 times in all). */
  spawn(): void {
    if (this.stopping()) return;
    const env = { ...this.env, [OVERRIDES_VARIABLE]: JSON.stringify(this.overrides) };
    const proc: BridgeProcess = {
      bridged: this.world.spawn(env, { entry: ENTRY }),
      spawnedAt: Date.now(),
      expected: false,
    };
    this.current = proc;
    this.processes.push(proc);
    void proc.bridged.exited.then(({ code, signal }) => {
      if (proc.expected) return;
      this.unexpectedExits++;
      this.say(`bridge exited by itself (code ${String(code)}, signal ${String(signal)})`);
      // A supervisor restarts it; bounded so that a bridge that cannot start ends the run.
      if (!this.stopping() && this.current === proc && this.unexpectedExits <= 10) {
        setTimeout(() => {
          if (!this.stopping() && this.current === proc) this.spawn();
        }, 500);
      }
    });
  }

  /** SIGKILL every process still alive, without waiting (cleanup). */
  killAll(): void {
    for (const p of this.processes) {
      const child = p.bridged.child;
      if (child.exitCode === null && child.signalCode === null) {
        p.expected = true;
        child.kill('SIGKILL');
      }
    }
  }

  /** Whether the bridge answers /healthz now. */
  async isReady(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** Waits (bounded) until the current bridge answers /healthz. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && !this.stopping()) {
      if (await this.isReady()) return true;
      await sleep(50);
    }
    return false;
  }

  /** Stops the current process with SIGTERM (SIGKILL after 15 s) and reports how it exited. */
  async stop(): Promise<ChaosReport['stop']> {
    const proc = this.current;
    if (!proc) return { code: null, signal: null, seconds: 0 };
    proc.expected = true;
    const started = performance.now();
    proc.bridged.child.kill('SIGTERM');
    const exited = await Promise.race([proc.bridged.exited, sleep(15_000).then(() => undefined)]);
    if (!exited) proc.bridged.child.kill('SIGKILL');
    return {
      code: exited ? exited.code : null,
      signal: exited ? exited.signal : 'timed out',
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** Writes every process's output next to the store (`bridge-NN.log`). */
  async keepLogs(): Promise<void> {
    await Promise.all(
      this.processes.map((p, i) =>
        writeFile(path.join(this.world.dataDir, `bridge-${String(i).padStart(2, '0')}.log`), p.bridged.output()),
      ),
    );
  }
}
