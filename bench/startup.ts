/**
 * Start-up time of the service as a process: from spawning it to the "marketgram started" log line and to
 * `/healthz` answering 200, with an empty store and with stores of 10,000 and 100,000 chats (built beforehand with
 * JsonStore, records as in bench:store). Two ways to run it: `node --import tsx src/main.ts` (what `npm start` runs;
 * tsx compiles every module at start) and `node main.js` compiled by `tsc -p tsconfig.build.json` into a temp
 * outDir inside node_modules/ (so packages resolve; removed afterwards; dist/ is not touched). The process talks to the fake
 * Market and fake Telegram of test/fakes in this process, on 127.0.0.1, like the e2e harness.
 *
 *   npm run bench:startup        (BENCH_REPS=… starts per case, default 3)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, startWorld } from '../test/e2e/harness.ts';
import {
  ROOT,
  buildStore,
  runLine,
  consoleTable,
  describeMachine,
  diskUsage,
  fmt,
  machine,
  processRssMiB,
  stamp,
  stopChild,
  summarise,
  table,
  waitHealthy,
  watchdog,
  writeSection,
  type Machine,
} from './lib.ts';

const SIZES = [0, 10_000, 100_000];
const REPS = Number(process.env.BENCH_REPS ?? 3);
const COMMAND = 'npm run bench:startup';
const run = promisify(execFile);

type Runtime = 'tsx' | 'compiled';

interface Start {
  runtime: Runtime;
  chats: number;
  /** From spawn, ms. */
  logMs: number;
  healthMs: number;
  /** Memory of the process once healthy and started, MiB. */
  rss: number;
  peak: number;
  /** From SIGTERM to exit, ms. */
  stopMs: number;
  exitCode: number | null;
}

async function main(): Promise<void> {
  watchdog(290_000, 'bench:startup');
  const host = await machine();
  const started = performance.now();
  const world = await startWorld();
  const scratch = await mkdtemp(path.join(tmpdir(), 'marketgram-bench-startup-'));
  // Inside node_modules so that the compiled files resolve the packages; removed at the end.
  const outDir = path.join(ROOT, 'node_modules', `.marketgram-bench-dist-${process.pid}`);
  const starts: Start[] = [];
  let buildMs = NaN;
  const stores = new Map<number, { dir: string; mib: number }>();
  try {
    for (const chats of SIZES) {
      const dir = path.join(scratch, `store-${chats}`);
      if (chats > 0) await buildStore(dir, chats);
      stores.set(chats, { dir, mib: chats > 0 ? (await diskUsage(dir)).bytes / 1024 / 1024 : 0 });
    }
    console.error('stores built');

    const t0 = performance.now();
    await run(process.execPath, [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
    ]);
    buildMs = performance.now() - t0;
    console.error('compiled');

    const commands: Record<Runtime, string[]> = {
      tsx: ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'main.ts')],
      compiled: [path.join(outDir, 'main.js')],
    };
    // One untimed start of each (tsx's transform cache, the page cache), then the cases, interleaved.
    for (const runtime of ['tsx', 'compiled'] as const) {
      await startOnce(world.env, commands[runtime], runtime, path.join(scratch, 'warm'), 0);
    }
    for (let rep = 0; rep < REPS; rep++) {
      for (const chats of SIZES) {
        for (const runtime of ['tsx', 'compiled'] as const) {
          const dir = stores.get(chats)?.dir ?? '';
          starts.push(await startOnce(world.env, commands[runtime], runtime, dir, chats));
        }
      }
      console.error(`rep ${rep + 1}: done`);
    }
  } finally {
    await world.close();
    await rm(world.dataDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  }
  await report(host, starts, stores, buildMs, (performance.now() - started) / 1000);
}

/** Spawns the service, waits for the log line and /healthz, reads its memory, stops it with SIGTERM. */
async function startOnce(
  env: Record<string, string>,
  args: string[],
  runtime: Runtime,
  dataDir: string,
  chats: number,
): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      DATA_DIR: dataDir,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      MARKET_POLL_INTERVAL: '30',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let logAt = NaN;
  const logged = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "marketgram started" within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (Number.isNaN(logAt) && out.includes('"msg":"marketgram started"')) {
        logAt = performance.now();
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before starting:\n${out}`));
    });
  });
  // Awaited below; a crash before that must not surface as an unhandled rejection.
  logged.catch(() => undefined);
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const healthAt = await waitHealthy(port, 60_000, 5);
    await logged;
    const mem = processRssMiB(child.pid ?? 0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stopMs = await stopChild(child);
    return {
      runtime,
      chats,
      logMs: logAt - t0,
      healthMs: healthAt - t0,
      rss: mem.rss,
      peak: mem.peak,
      stopMs,
      exitCode: await exited,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function report(
  host: Machine,
  starts: Start[],
  stores: Map<number, { mib: number }>,
  buildMs: number,
  seconds: number,
): Promise<void> {
  const headers = [
    'store',
    'runtime',
    '→ /healthz 200 ms (median; each start)',
    '→ "marketgram started" ms (median)',
    'RSS once started MiB (peak)',
    'SIGTERM → exit ms',
  ];
  const cases: Array<[number, Runtime]> = SIZES.flatMap((chats) =>
    (['tsx', 'compiled'] as const).map((rt): [number, Runtime] => [chats, rt]),
  );
  const med = (list: Start[], f: (s: Start) => number) => summarise(list.map(f)).p50;
  const pick = (chats: number, runtime: Runtime) => starts.filter((s) => s.chats === chats && s.runtime === runtime);
  const rows = cases.map(([chats, runtime]) => {
    const list = pick(chats, runtime);
    const bad = list.filter((s) => s.exitCode !== 0).length;
    return [
      chats === 0 ? 'empty' : `${fmt(chats, 0)} chats (${fmt(stores.get(chats)?.mib ?? NaN, 1)} MiB)`,
      runtime === 'tsx' ? '`node --import tsx src/main.ts`' : '`node main.js` (tsc)',
      `${fmt(
        med(list, (s) => s.healthMs),
        0,
      )} (${list.map((s) => fmt(s.healthMs, 0)).join(', ')})`,
      fmt(
        med(list, (s) => s.logMs),
        0,
      ),
      `${fmt(
        med(list, (s) => s.rss),
        0,
      )} (${fmt(
        med(list, (s) => s.peak),
        0,
      )})`,
      `${fmt(
        med(list, (s) => s.stopMs),
        0,
      )}${bad ? ` (${bad} exits ≠ 0)` : ''}`,
    ];
  });
  console.log(`\nStart-up time (${describeMachine(host)})\n`);
  console.log(consoleTable(headers, rows));
  console.log(`\ntsc build: ${fmt(buildMs, 0)} ms`);

  await writeSection(
    'startup',
    [
      '## Start-up time',
      `${runLine(COMMAND, host, stamp(), seconds)} · tsc build ${fmt(buildMs / 1000, 1)} s`,
      table(headers, rows),
    ].join('\n\n'),
  );
}

await main();
