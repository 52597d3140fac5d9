/**
 * The sharded store at 10,000 and 100,000 chats: JsonStore itself (open, putChat, commit) on a temp dir, with
 * chat records as the bridge leaves them (see chatRecordFor in lib.ts). For each size a child process builds the
 * store and times the initial full write, one commit after changing one chat's cursor (200 times, random chats),
 * one commit after changing 100 chats (20 times), and the compaction of the journal those commits wrote. Then fresh child processes (`--expose-gc`) each open the
 * store and report the open time and their memory after a full GC, so memory is not mixed with the build's; after
 * measuring, they time the parts of an open (copying every file to its .bak, reading and parsing every file).
 *
 *   npm run bench:store
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { marketChatId, marketMessageId } from '../src/bridge/ids.ts';
import { SHARD_DIR, SHARDS, STORE_FILE } from '../src/store/layout.ts';
import { JsonStore } from '../src/store/store.ts';

import {
  buildStore,
  runLine,
  consoleTable,
  describeMachine,
  diskUsage,
  fmt,
  machine,
  prng,
  stamp,
  summarise,
  table,
  watchdog,
  writeSection,
  type Machine,
  type Summary,
} from './lib.ts';

const SIZES = [10_000, 100_000];
const SINGLE_COMMITS = 200;
const MULTI_COMMITS = 20;
const MULTI_CHATS = 100;
const LOADS = 3;
const COMMAND = 'npm run bench:store';
const SELF = fileURLToPath(import.meta.url);
const run = promisify(execFile);

const MiB = 1024 * 1024;

interface Built {
  putMs: number;
  initialMs: number;
  single: number[];
  multi: number[];
  /** Files written per commit of MULTI_CHATS changed chats. */
  multiFiles: number[];
  singleFiles: number[];
  /** The compaction after all those commits: ms and shard files written. */
  compactMs: number;
  compactFiles: number;
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

interface Loaded {
  openMs: number;
  chats: number;
  before: Memory;
  after: Memory;
  /** Copying every store file to a scratch dir, as open() does to `.bak`. */
  copyMs: number;
  /** Reading and JSON.parse of every store file. */
  readParseMs: number;
  /** zod validation of every parsed shard with the shard schema of store.ts (copied here: it is not exported). */
  validateMs: number;
}

/** The shard schema of src/store/store.ts, copied (it is not exported), to time validation apart. */
const chatShape = z.object({ marketChatId: z.number(), chat: z.object({ id: z.number() }).loose() }).loose();
const shardShape = z.object({ chats: z.record(z.string(), chatShape) });

// ---------------------------------------------------------------------------------------------------
// Child processes

/** `--build <dir> <count>`: builds the store and times commits. */
async function buildChild(dir: string, count: number): Promise<Built> {
  const { putMs, commitMs } = await buildStore(dir, count);
  // The store as the bridge would have it open: JsonStore.open on what was just written.
  const store = await JsonStore.open(dir);
  const rand = prng(42);
  const pick = () => marketChatId(10_000_000 + Math.floor(rand() * count));
  const single: number[] = [];
  const singleFiles: number[] = [];
  for (let i = 0; i < SINGLE_COMMITS; i++) {
    const rec = store.findChat(pick());
    if (!rec) throw new Error('chat missing');
    rec.cursor = marketMessageId((rec.cursor ?? 0) + 1);
    store.saveChat(rec);
    const writes = store.writeCount;
    const t = performance.now();
    await store.commit();
    single.push(performance.now() - t);
    singleFiles.push(store.writeCount - writes);
  }
  const multi: number[] = [];
  const multiFiles: number[] = [];
  for (let i = 0; i < MULTI_COMMITS; i++) {
    for (let j = 0; j < MULTI_CHATS; j++) {
      const rec = store.findChat(pick());
      if (!rec) throw new Error('chat missing');
      rec.cursor = marketMessageId((rec.cursor ?? 0) + 1);
      rec.syncedAt = new Date().toISOString();
      store.saveChat(rec);
    }
    const writes = store.writeCount;
    const t = performance.now();
    await store.commit();
    multi.push(performance.now() - t);
    multiFiles.push(store.writeCount - writes);
  }
  const writes = store.writeCount;
  const t = performance.now();
  await store.compact();
  const compactMs = performance.now() - t;
  return {
    putMs,
    initialMs: commitMs,
    single,
    multi,
    multiFiles,
    singleFiles,
    compactMs,
    compactFiles: store.writeCount - writes,
  };
}

function memory(): Memory {
  const m = process.memoryUsage();
  return { rss: m.rss / MiB, heapUsed: m.heapUsed / MiB, heapTotal: m.heapTotal / MiB, external: m.external / MiB };
}

function fullGc(): void {
  if (!globalThis.gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) globalThis.gc();
}

/** `--load <dir>`: opens the store in a fresh process and reports time and memory; then times the parts of an open. */
async function loadChild(dir: string): Promise<Loaded> {
  fullGc();
  const before = memory();
  const t0 = performance.now();
  const store = await JsonStore.open(dir);
  const openMs = performance.now() - t0;
  fullGc();
  const after = memory();
  const chats = store.chats().length;

  const files = [
    path.join(dir, STORE_FILE),
    ...(await readdir(path.join(dir, SHARD_DIR)))
      .filter((n) => /^\d{3}\.json$/.test(n))
      .map((n) => path.join(dir, SHARD_DIR, n)),
  ];
  const scratch = await mkdtemp(path.join(tmpdir(), 'marketgram-bench-copy-'));
  try {
    const t1 = performance.now();
    for (const [i, f] of files.entries()) await copyFile(f, path.join(scratch, `${i}.json`));
    const copyMs = performance.now() - t1;
    const t2 = performance.now();
    const parsed: unknown[] = [];
    for (const f of files.slice(1)) parsed.push(JSON.parse(await readFile(f, 'utf8')));
    const readParseMs = performance.now() - t2;
    const t3 = performance.now();
    for (const data of parsed) if (!shardShape.safeParse(data).success) throw new Error('shard does not validate');
    const validateMs = performance.now() - t3;
    return { openMs, chats, before, after, copyMs, readParseMs, validateMs };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function child<T>(...args: string[]): Promise<T> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', import.meta.resolve('tsx'), SELF, ...args],
    {
      maxBuffer: 16 * MiB,
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout) as T;
}

// ---------------------------------------------------------------------------------------------------
// Main

interface Result {
  chats: number;
  built: Built;
  disk: Awaited<ReturnType<typeof diskUsage>>;
  diskAfterOpen: Awaited<ReturnType<typeof diskUsage>>;
  loads: Loaded[];
}

async function main(): Promise<void> {
  watchdog(240_000, 'bench:store');
  const host = await machine();
  const started = performance.now();
  const results: Result[] = [];
  for (const chats of SIZES) {
    const dir = await mkdtemp(path.join(tmpdir(), 'marketgram-bench-store-'));
    try {
      const built = await child<Built>('--build', dir, String(chats));
      const disk = await diskUsage(dir);
      const loads: Loaded[] = [];
      for (let i = 0; i < LOADS; i++) loads.push(await child<Loaded>('--load', dir));
      results.push({ chats, built, disk, diskAfterOpen: await diskUsage(dir), loads });
      console.error(`${fmt(chats, 0)} chats: done`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  await report(host, results, (performance.now() - started) / 1000);
}

async function report(host: Machine, results: Result[], seconds: number): Promise<void> {
  const p = (s: Summary) => `${fmt(s.p50)} / ${fmt(s.p99)}`;
  const mid = (r: Result, f: (l: Loaded) => number) => summarise(r.loads.map(f)).p50;
  const writeHeaders = [
    'chats',
    'build in memory (putChat ×N) ms',
    'initial full write ms',
    'commit, 1 chat changed: p50 / p99 ms',
    'files written',
    'commit, 100 chats changed: p50 / p99 ms',
    'files written (mean)',
    'compaction after those commits: ms (shard files written)',
    'files on disk',
    'total size MiB',
    'shard size KiB (mean)',
  ];
  const writeRows = results.map((r) => [
    fmt(r.chats, 0),
    fmt(r.built.putMs, 0),
    fmt(r.built.initialMs, 0),
    p(summarise(r.built.single)),
    fmt(summarise(r.built.singleFiles).mean, 1),
    p(summarise(r.built.multi)),
    fmt(summarise(r.built.multiFiles).mean, 1),
    `${fmt(r.built.compactMs, 0)} (${fmt(r.built.compactFiles, 0)})`,
    `${fmt(r.disk.files, 0)} (+${fmt(r.diskAfterOpen.bakFiles, 0)} .bak after an open)`,
    `${fmt(r.disk.bytes / MiB, 1)} (+${fmt(r.diskAfterOpen.bakBytes / MiB, 1)} .bak)`,
    // Less the main file and the (empty) journal.
    fmt(r.disk.bytes / 1024 / Math.min(SHARDS, r.disk.files - 2), 0),
  ]);
  const loadHeaders = [
    'chats',
    'JsonStore.open ms (median; each run)',
    'of which, measured apart: copy every file ms',
    'read + JSON.parse every shard ms',
    'zod validation of every shard ms',
    'RSS before → after open MiB (Δ)',
    'heapUsed before → after open MiB',
    'heap per chat bytes',
  ];
  const loadRows = results.map((r) => [
    fmt(r.chats, 0),
    `${fmt(
      mid(r, (l) => l.openMs),
      0,
    )} (${r.loads.map((l) => fmt(l.openMs, 0)).join(', ')})`,
    fmt(
      mid(r, (l) => l.copyMs),
      0,
    ),
    fmt(
      mid(r, (l) => l.readParseMs),
      0,
    ),
    fmt(
      mid(r, (l) => l.validateMs),
      0,
    ),
    `${fmt(
      mid(r, (l) => l.before.rss),
      0,
    )} → ${fmt(
      mid(r, (l) => l.after.rss),
      0,
    )} (+${fmt(
      mid(r, (l) => l.after.rss - l.before.rss),
      0,
    )})`,
    `${fmt(
      mid(r, (l) => l.before.heapUsed),
      1,
    )} → ${fmt(
      mid(r, (l) => l.after.heapUsed),
      1,
    )}`,
    fmt((mid(r, (l) => l.after.heapUsed - l.before.heapUsed) * MiB) / r.chats, 0),
  ]);
  console.log(`\nStore at scale (${describeMachine(host)})\n`);
  console.log(consoleTable(writeHeaders, writeRows));
  console.log('');
  console.log(consoleTable(loadHeaders, loadRows));

  await writeSection(
    'store',
    [
      '## Store at 10,000 and 100,000 chats',
      `${runLine(COMMAND, host, stamp(), seconds)} · temp dir on \`${tmpdir()}\``,
      table(writeHeaders, writeRows),
      table(loadHeaders, loadRows),
    ].join('\n\n'),
  );
}

const [mode, a, b] = process.argv.slice(2);
if (mode === '--build') {
  process.stdout.write(JSON.stringify(await buildChild(a ?? '', Number(b))));
} else if (mode === '--load') {
  process.stdout.write(JSON.stringify(await loadChild(a ?? '')));
} else {
  await main();
}
