/**
 * Several cabinets in one process (CABINETS_FILE): the service as a child process (`node --import tsx src/main.ts`)
 * serving BENCH_CABINETS cabinets (default 50) of BENCH_CHATS chats each (default 2,000; stores built beforehand
 * as in bench:store, 90 % finished), each cabinet with a fake Market of its own (its open chats listed as the store
 * knows them) behind one address that routes by the API key, and a supergroup of its own in the fake Telegram.
 * Measures: spawn to "marketgram started" and to /healthz, RSS once started and after the window, CPU of the
 * process over a quiet window of BENCH_WINDOW seconds (default 120) that starts BENCH_SETTLE seconds (default 330)
 * after the start, when the pollers have slowed to the idle pace of a shop without news, and the
 * Market requests each cabinet made in that window, as an hourly rate. Reminders and escalations are off (the
 * stores' topics are not in the fake Telegram), so the window is the mirror at rest: polling rounds over the
 * open chats, the review and question polls, health.
 *
 *   npm run bench:cabinets        (BENCH_CABINETS, BENCH_CHATS, BENCH_WINDOW, BENCH_SETTLE)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startWorld } from '../test/e2e/harness.ts';
import { startMarketRouter } from '../test/fakes/market-router.ts';
import { startFakeMarket, type FakeMarket } from '../test/fakes/market-server.ts';
import {
  ROOT,
  buildStore,
  chatRecordFor,
  consoleTable,
  describeMachine,
  fmt,
  machine,
  processCpuMs,
  processRssMiB,
  runLine,
  stamp,
  stopChild,
  summarise,
  table,
  waitHealthy,
  watchdog,
  writeSection,
} from './lib.ts';

const CABINETS = Number(process.env.BENCH_CABINETS ?? 50);
const CHATS = Number(process.env.BENCH_CHATS ?? 2_000);
const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 120);
/**
 * Seconds from "marketgram started" to the window: the first rounds are start-up work, and the poller keeps its busy
 * pace until 5 minutes pass without news, so the default measures the idle pace a quiet shop runs at.
 */
const SETTLE_S = Number(process.env.BENCH_SETTLE ?? 330);
const COMMAND = 'npm run bench:cabinets';

async function main(): Promise<void> {
  watchdog((SETTLE_S + WINDOW_S + 600) * 1000, 'bench:cabinets');
  const host = await machine();
  const began = performance.now();
  const world = await startWorld();
  const scratch = await mkdtemp(path.join(tmpdir(), 'marketgram-bench-cabinets-'));
  const dataDir = path.join(scratch, 'data');
  const markets: FakeMarket[] = [];
  const now = Date.now();
  const records = Array.from({ length: CHATS }, (_, i) => chatRecordFor(i, now));
  const open = records.filter((r) => r.chat.status !== 'FINISHED');
  const cabinets: string[] = [];
  for (let i = 0; i < CABINETS; i++) {
    const name = `shop-${String(i + 1).padStart(2, '0')}`;
    const apiKey = `ACMA:bench-key-${String(i).padStart(10, '0')}:abcdef`;
    const businessId = 100_000 + i;
    const chatId = -1007000000000 - i;
    const market = await startFakeMarket({ apiKey, businessId });
    // The open chats as the store knows them: nothing changed since, so a round reads no history.
    for (const r of open) {
      const c = r.chat.context;
      market.addChat({
        chatId: r.marketChatId,
        contextType: c.type as Parameters<FakeMarket['addChat']>[0]['contextType'],
        ...(c.orderId !== undefined && { orderId: c.orderId }),
        ...(c.returnId !== undefined && { returnId: c.returnId }),
        customer: c.customer,
        status: r.chat.status,
        createdAt: r.chat.updatedAt,
      });
    }
    markets.push(market);
    world.telegram.addSupergroup({ id: chatId, title: name, isForum: true, botIsAdmin: true, canManageTopics: true });
    await buildStore(path.join(dataDir, name), CHATS);
    cabinets.push(`- { name: ${name}, apiKey: "${apiKey}", businessId: ${businessId}, chatId: ${chatId} }`);
  }
  const router = await startMarketRouter(
    markets.map((m, i) => ({ apiKey: `ACMA:bench-key-${String(i).padStart(10, '0')}:abcdef`, url: m.url })),
  );
  const file = path.join(scratch, 'cabinets.yaml');
  await writeFile(file, cabinets.join('\n'));
  console.error(`${CABINETS} stores of ${CHATS} chats built (${open.length} open each)`);

  const port = await freePort();
  const { TELEGRAM_CHAT_ID: _c, MARKET_API_KEY: _k, MARKET_BUSINESS_ID: _b, ...env } = world.env;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      CABINETS_FILE: file,
      DATA_DIR: dataDir,
      MARKET_API_URL: router.url,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      MARKET_POLL_INTERVAL: '30',
      REMIND_AFTER: '0',
      ESCALATE_AFTER: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let startedAt = NaN;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (Number.isNaN(startedAt) && out.includes('"msg":"marketgram started"')) startedAt = performance.now();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const healthAt = await waitHealthy(port, 300_000, 20);
    const deadline = performance.now() + 300_000;
    while (Number.isNaN(startedAt)) {
      if (child.exitCode !== null || performance.now() > deadline)
        throw new Error(`no "marketgram started":\n${out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const started = processRssMiB(child.pid ?? 0);
    // The first rounds (a full sweep, the first review and question polls) are start-up work, not rest; the idle
    // pace comes after 5 quiet minutes.
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const before = markets.map((m) => m.requests.length);
    const startUp = new Map<string, number>();
    for (const m of markets)
      for (const q of m.requests) startUp.set(q.operationId, (startUp.get(q.operationId) ?? 0) + 1);
    const cpu0 = processCpuMs(child.pid ?? 0);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const cpuMs = processCpuMs(child.pid ?? 0) - cpu0;
    const windowMs = performance.now() - w0;
    const after = processRssMiB(child.pid ?? 0);
    const perHour = markets.map((m, i) => ((m.requests.length - (before[i] ?? 0)) * 3_600_000) / windowMs);
    const byOperation = new Map<string, number>();
    for (const [i, m] of markets.entries())
      for (const r of m.requests.slice(before[i]))
        byOperation.set(r.operationId, (byOperation.get(r.operationId) ?? 0) + 1);
    const errors = out.split('\n').filter((l) => /"level":(50|60)/.test(l)).length;
    const stopMs = await stopChild(child);
    await report({
      host,
      startMs: startedAt - t0,
      healthMs: healthAt - t0,
      started,
      after,
      idleCpuPercent: (cpuMs / windowMs) * 100,
      perHour,
      byOperation: [...byOperation].map(([op, n]) => [op, (n * 3_600_000) / windowMs / CABINETS] as const),
      open: open.length,
      startUp: [...startUp].map(([op, n]) => [op, n / CABINETS] as const),
      errors,
      stopMs,
      seconds: (performance.now() - began) / 1000,
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await router.close();
    await Promise.all(markets.map((m) => m.close()));
    await world.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

interface Result {
  host: Awaited<ReturnType<typeof machine>>;
  startMs: number;
  healthMs: number;
  started: { rss: number; peak: number };
  after: { rss: number; peak: number };
  idleCpuPercent: number;
  perHour: number[];
  byOperation: ReadonlyArray<readonly [string, number]>;
  /** Requests per cabinet by operation from the spawn to the window (start-up checks, first rounds). */
  startUp: ReadonlyArray<readonly [string, number]>;
  open: number;
  errors: number;
  stopMs: number;
  seconds: number;
}

async function report(r: Result): Promise<void> {
  const s = summarise(r.perHour);
  const headers = ['figure', 'value'];
  const rows = [
    ['cabinets × chats (open each)', `${CABINETS} × ${fmt(CHATS, 0)} (${r.open})`],
    ['spawn → /healthz 200', `${fmt(r.healthMs / 1000, 1)} s`],
    ['spawn → "marketgram started"', `${fmt(r.startMs / 1000, 1)} s`],
    ['RSS once started (peak)', `${fmt(r.started.rss, 0)} MiB (${fmt(r.started.peak, 0)})`],
    [`RSS after ${SETTLE_S + WINDOW_S} s, at rest (peak)`, `${fmt(r.after.rss, 0)} MiB (${fmt(r.after.peak, 0)})`],
    [`CPU at rest (${WINDOW_S} s window, ${SETTLE_S} s after the start)`, `${fmt(r.idleCpuPercent, 1)} % of one core`],
    [
      'Market requests/hour per cabinet (median, min–max)',
      `${fmt(s.p50, 0)} (${fmt(Math.min(...r.perHour), 0)}–${fmt(s.max, 0)})`,
    ],
    ['errors logged', String(r.errors)],
    ['SIGTERM → exit', `${fmt(r.stopMs / 1000, 1)} s`],
  ];
  const opHeaders = [
    'operation',
    'requests/hour per cabinet at rest',
    'requests per cabinet before (start, first rounds)',
  ];
  const ops = [...new Set([...r.byOperation, ...r.startUp].map(([op]) => op))].sort();
  const of = (list: Result['startUp'], op: string) => list.find(([o]) => o === op)?.[1] ?? 0;
  const opRows = ops.map((op) => [op, fmt(of(r.byOperation, op), 0), fmt(of(r.startUp, op), 1)]);
  console.log(`\nSeveral cabinets in one process (${describeMachine(r.host)})\n`);
  console.log(consoleTable(headers, rows));
  console.log(`\n${consoleTable(opHeaders, opRows)}`);
  await writeSection(
    'cabinets',
    ['## Cabinets', runLine(COMMAND, r.host, stamp(), r.seconds), table(headers, rows), table(opHeaders, opRows)].join(
      '\n\n',
    ),
  );
}

await main();
