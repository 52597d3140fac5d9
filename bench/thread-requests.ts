/**
 * Market requests for product reviews and questions (issue #13): the real bridge (startApp in this process, with
 * MARKET_REVIEWS and MARKET_QUESTIONS on, their defaults) against the fake Market's reviews and questions and the
 * fake Telegram, on a simulated wall clock.
 *
 * - Workload: 40 reviews and 30 questions over two simulated hours, with the buyers' comments, other buyers' and
 *   the shop's answers (written in the cabinet) and comments on answers arriving over time; mirrored (a) with push
 *   notifications posted to the bridge's endpoint plus reconciling rounds every 300 s, (b) by rounds every 60 s
 *   (the thread poller's intervals at the default settings). The bench runs the rounds at those simulated instants
 *   through `ThreadPoller.round()` (the method the poller's timer runs; the timer is stopped after its first
 *   round); `Date` is shifted forward between events (SimClock in lib.ts). Counts Market requests per item that
 *   reached its topic; BENCH_REPS runs of each mode (default 3), the tables show the median run.
 * - Idle: a shop with 1,000 reviews and 200 questions (30 reviews need a reaction and 20 questions an answer within
 *   REVIEWS_SINCE_DAYS; the rest old or handled), and the same shop a month into service (besides those, 80 reviews
 *   and 30 questions mirrored while they waited and handled since). After the first start settles nothing new
 *   happens: 6 simulated hours of rounds at the default interval, counted by cause; the cost per hour is also
 *   computed from rounds × requests per round, and for more handled threads than the shop has.
 * - Cross-check: the poller's own timer, `AppOverrides.threadPollMs` at the default interval ÷ BENCH_SCALE (120)
 *   and the simulated clock running BENCH_SCALE× real time, for one simulated hour after the first start
 *   (BENCH_REPS runs, default 3; medians).
 *
 *   npm run bench:thread-requests
 */
import type { ThreadParts } from '../src/app/threads.ts';
import {
  consoleTable,
  describeMachine,
  fmt,
  machine,
  postNotification,
  runLine,
  stamp,
  startBenchWorld,
  summarise,
  table,
  until,
  watchdog,
  writeSection,
  type BenchWorld,
} from './lib.ts';

import {
  CAUSE_OP,
  HOUR,
  IDLE_CAUSES,
  INTERVAL,
  KINDS,
  LIMITS,
  MIN,
  OPS,
  SHOP,
  VARIANTS,
  add,
  byOperation,
  causesByOp,
  clock,
  computed,
  computedByOp,
  createItem,
  duplicatePosts,
  get,
  handle,
  idleCause,
  purpose,
  roundAt,
  seedShop,
  shapeOf,
  settleThreads,
  startThreads,
  threadOf,
  threadRequests,
  total,
  workload,
  type Arrival,
  type Counts,
  type IdleCause,
  type Item,
  type ItemKind,
  type Mode,
  type Op,
  type Seeded,
  type Shape,
  type Variant,
} from './thread-setup.ts';

const COMMAND = 'npm run bench:thread-requests';
/** Rounds keep running this long after the workload's last event (the 30-minute sweep included). */
const DRAIN_MS = 40 * MIN;
const IDLE_HOURS = 6;
const SCALE = Number(process.env.BENCH_SCALE ?? 120);
const REPS = Number(process.env.BENCH_REPS ?? 3);
/** Handled reviews and questions mirrored within 30 days, for the computed table of growth. */
const SCALED: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [80, 30],
  [250, 50],
  [500, 100],
  [1_000, 250],
];

// ---------------------------------------------------------------------------------------------------
// The workload

interface WorkloadResult {
  mode: Mode;
  requests: Counts;
  startup: Counts;
  rounds: number;
  items: Item[];
  mirrored: number;
  duplicates: number;
  /** Simulated seconds from an item being written to it being in its topic. */
  delays: number[];
  simHours: number;
  /** Requests by cause (CAUSES). */
  causes: Counts;
  /** Notifications mode: requests that followed each kind's notification, by operation. */
  perKind: Map<ItemKind, Counts>;
}

const CAUSES = {
  notifyLookup: 'notification: look up what it names',
  notifyReadNew: 'notification: read the thread, found something new',
  notifyReadNothing: 'notification: read the thread, nothing new',
  list: 'round: list what needs the seller',
  lookup: 'round: look mirrored reviews up by id',
  readNew: 'round: read a thread, found something new',
  readNothing: 'round: read a thread, nothing new',
} as const;

async function runWorkload(mode: Mode): Promise<WorkloadResult> {
  const bench = await startBenchWorld();
  const { world } = bench;
  try {
    const { app, parts } = await startThreads(bench, mode);
    // Its first round is over; the bench runs the others at simulated instants.
    await parts.poller.stop();
    await settleThreads(parts);
    const startup = byOperation(bench.market.arrivals);
    const from = bench.market.arrivals.length;
    const start = clock.now();
    const items = workload();
    const interval = INTERVAL[mode];
    let nextRound = start + interval;
    let rounds = 0;
    const ids = new Map<number, number>();
    const threads = new Map<number, string>();
    const written = new Map<number, { at: number; perf: number }>();
    /** The fake's notifications already posted (or, polling, left alone). */
    const seen = {
      reviews: world.market.reviews.notifications.length,
      questions: world.market.questions.notifications.length,
    };
    for (const item of items) {
      while (nextRound <= start + item.at) {
        await roundAt(bench, parts, nextRound);
        rounds++;
        nextRound += interval;
      }
      clock.advanceTo(start + item.at);
      createItem(world.market, item, ids, threads);
      written.set(item.n, { at: clock.now(), perf: performance.now() });
      if (mode === 'notifications') {
        const due = [
          ...world.market.reviews.notifications.slice(seen.reviews),
          ...world.market.questions.notifications.slice(seen.questions),
        ];
        seen.reviews = world.market.reviews.notifications.length;
        seen.questions = world.market.questions.notifications.length;
        bench.market.tag = item.kind;
        for (const body of due) await postNotification(app.httpPort, body);
        await bench.telegram.waitFor(item.n);
        await settleThreads(parts);
        bench.market.tag = '';
      }
    }
    const end = start + (items.at(-1)?.at ?? 0) + DRAIN_MS;
    while (nextRound <= end) {
      await roundAt(bench, parts, nextRound);
      rounds++;
      nextRound += interval;
    }

    const arrivals = threadRequests(bench.market.arrivals.slice(from));
    /** Whether a read of a thread met an item of it written before and not in Telegram yet. */
    const foundNew = (a: Arrival) => {
      const thread = threadOf(a.record);
      return items.some((item) => {
        if (item.kind === 'review' || item.kind === 'question' || threads.get(item.n) !== thread) return false;
        const w = written.get(item.n);
        const d = bench.telegram.deliveries.get(item.n);
        return w !== undefined && w.perf < a.at && (d === undefined || d.arrivedAt > a.at);
      });
    };
    const causes: Counts = new Map(Object.values(CAUSES).map((c) => [c, 0]));
    const perKind = new Map<ItemKind, Counts>(KINDS.map((k) => [k, new Map()]));
    for (const a of arrivals) {
      const p = purpose(a.record);
      const round = a.tag === 'round';
      if (p === 'list') add(causes, CAUSES.list);
      else if (p === 'lookup') add(causes, round ? CAUSES.lookup : CAUSES.notifyLookup);
      else if (foundNew(a)) add(causes, round ? CAUSES.readNew : CAUSES.notifyReadNew);
      else add(causes, round ? CAUSES.readNothing : CAUSES.notifyReadNothing);
      const kind = KINDS.find((k) => k === a.tag);
      if (kind) add(perKind.get(kind) ?? new Map<string, number>(), a.record.operationId);
    }
    const delays: number[] = [];
    for (const [n, w] of written) {
      const d = bench.telegram.deliveries.get(n);
      if (d) delays.push((d.wallAt - w.at) / 1000);
    }
    console.error(`workload, ${mode}: ${rounds} rounds, ${delays.length}/${items.length} items mirrored`);
    return {
      mode,
      requests: byOperation(arrivals),
      startup,
      rounds,
      items,
      mirrored: delays.length,
      duplicates: duplicatePosts(world.telegram),
      delays,
      simHours: (end - start) / HOUR,
      causes,
      perKind,
    };
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// The idle shop

interface IdleSimulated {
  variant: Variant;
  mode: Mode;
  /** Requests by cause over IDLE_HOURS, and over the first hour. */
  causes: Counts;
  firstHour: Counts;
  rounds: number;
  startup: Counts;
  threads: number;
  nonWaiting: number;
}

/** Starts the shop and settles its first start (and, a month in, the handling of the extra threads). */
async function settleShop(bench: BenchWorld, parts: ThreadParts, variant: Variant, seeded: Seeded) {
  const all =
    SHOP.waitingReviews + SHOP.waitingQuestions + seeded.toHandle.reviews.length + seeded.toHandle.questions.length;
  await until(
    () => parts.threads.tracked().filter((t) => t.cardId !== undefined).length === all && parts.threads.pending === 0,
    'the first start',
    60_000,
  );
  if (variant === 'month') handle(bench.world.market, seeded);
}

async function idleSimulated(variant: Variant, mode: Mode): Promise<IdleSimulated> {
  const bench = await startBenchWorld();
  try {
    const seeded = seedShop(bench.world.market, variant);
    const { parts } = await startThreads(bench, mode);
    await parts.poller.stop();
    await settleShop(bench, parts, variant, seeded);
    const interval = INTERVAL[mode];
    if (variant === 'month') {
      // With notifications on, a waiting question gone from the list is read again after 6 rounds (push stretch).
      const waiting = () => parts.threads.tracked().filter((t) => t.state === 'waiting').length;
      for (let i = 0; i < 8 && waiting() !== SHOP.waitingReviews + SHOP.waitingQuestions; i++) {
        await roundAt(bench, parts, clock.now() + interval);
      }
      const left = waiting();
      if (left !== SHOP.waitingReviews + SHOP.waitingQuestions) throw new Error(`${left} threads still waiting`);
    }
    const startup = byOperation(bench.market.arrivals);
    const t0 = clock.now();
    const causes: Counts = new Map();
    const firstHour: Counts = new Map();
    const rounds = (IDLE_HOURS * HOUR) / interval;
    for (let k = 1; k <= rounds; k++) {
      const states = new Map(parts.threads.tracked().map((t) => [t.key as string, t.state]));
      const from = bench.market.arrivals.length;
      await roundAt(bench, parts, t0 + k * interval);
      for (const a of threadRequests(bench.market.arrivals.slice(from))) {
        const cause = idleCause(a.record, states);
        add(causes, cause);
        if (k * interval <= HOUR) add(firstHour, cause);
      }
    }
    const tracked = parts.threads.tracked();
    console.error(`idle, ${variant}, ${mode}: ${rounds} rounds`);
    return {
      variant,
      mode,
      causes,
      firstHour,
      rounds,
      startup,
      threads: tracked.length,
      nonWaiting: tracked.filter((t) => t.state !== 'waiting').length,
    };
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Cross-check with the poller's own timer

interface TimerRun {
  variant: Variant;
  mode: Mode;
  requests: Counts;
  rounds: number;
}

/**
 * One rep: every variant × mode in its own world, started at once; once all have settled their first start, the
 * simulated clock runs SCALE× real time for one simulated hour while each poller's own timer runs rounds every
 * interval ÷ SCALE of real time.
 */
async function timerRep(): Promise<TimerRun[]> {
  const configs = VARIANTS.flatMap((variant) =>
    (['polling', 'notifications'] as const).map((mode) => ({ variant, mode })),
  );
  const worlds = await Promise.all(
    configs.map(async ({ variant, mode }) => {
      const bench = await startBenchWorld();
      const seeded = seedShop(bench.world.market, variant);
      const { parts } = await startThreads(bench, mode, INTERVAL[mode] / SCALE);
      return { bench, parts, variant, mode, seeded };
    }),
  );
  try {
    for (const w of worlds) await settleShop(w.bench, w.parts, w.variant, w.seeded);
    for (const w of worlds) {
      await until(
        () =>
          w.parts.threads.tracked().filter((t) => t.state === 'waiting').length ===
          SHOP.waitingReviews + SHOP.waitingQuestions,
        'the handled threads',
        60_000,
      );
      await settleThreads(w.parts);
    }
    const from = worlds.map((w) => w.bench.market.arrivals.length);
    const sim0 = clock.now();
    const real0 = performance.now();
    const ticker = setInterval(() => clock.advanceTo(sim0 + (performance.now() - real0) * SCALE), 2);
    await new Promise((r) => setTimeout(r, HOUR / SCALE));
    const real1 = performance.now();
    clearInterval(ticker);
    return worlds.map((w, i) => {
      const window = threadRequests(w.bench.market.arrivals.slice(from[i])).filter((a) => a.at <= real1);
      return {
        variant: w.variant,
        mode: w.mode,
        requests: byOperation(window),
        rounds: window.filter((a) => a.record.operationId === 'getGoodsQuestions' && purpose(a.record) === 'list')
          .length,
      };
    });
  } finally {
    for (const w of worlds) await w.bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  watchdog(15 * 60_000, 'bench:thread-requests');
  clock.install();
  const host = await machine();
  const started = performance.now();
  const pushRuns: WorkloadResult[] = [];
  const pollRuns: WorkloadResult[] = [];
  for (let i = 0; i < REPS; i++) {
    pushRuns.push(await runWorkload('notifications'));
    pollRuns.push(await runWorkload('polling'));
  }
  const push = medianRun(pushRuns);
  const poll = medianRun(pollRuns);
  const idle: IdleSimulated[] = [];
  for (const variant of VARIANTS) {
    for (const mode of ['polling', 'notifications'] as const) idle.push(await idleSimulated(variant, mode));
  }
  const reps: TimerRun[][] = [];
  for (let i = 0; i < REPS; i++) {
    reps.push(await timerRep());
    console.error(`timer run ${i + 1}/${REPS} done`);
  }
  const seconds = (performance.now() - started) / 1000;

  // --- workload
  const itemsOf = (r: WorkloadResult, kind: ItemKind) => r.items.filter((i) => i.kind === kind).length;
  const row = (label: string, f: (r: WorkloadResult) => number) => [
    label,
    fmt(f(push), 0),
    fmt(f(push) / push.mirrored),
    fmt(f(poll), 0),
    fmt(f(poll) / poll.mirrored),
  ];
  const workHeaders = [
    'Market operation',
    'notifications: requests',
    'per mirrored item',
    'polling 60 s: requests',
    'per mirrored item',
  ];
  const workRows = [
    ...OPS.map((op) => row(op, (r) => get(r.requests, op))),
    row('**total**', (r) => total(r.requests)),
    row('… of which after a notification', (r) =>
      [CAUSES.notifyLookup, CAUSES.notifyReadNew, CAUSES.notifyReadNothing].reduce((s, c) => s + get(r.causes, c), 0),
    ),
    row('… of which in rounds', (r) =>
      [CAUSES.list, CAUSES.lookup, CAUSES.readNew, CAUSES.readNothing].reduce((s, c) => s + get(r.causes, c), 0),
    ),
  ];
  const itemCounts = KINDS.map((k) => `${itemsOf(push, k)} ${k}s`).join(', ');
  const delay = (r: WorkloadResult) => {
    const s = summarise(r.delays);
    return `${fmt(s.p50, 0)} / ${fmt(s.p99, 0)} / ${fmt(s.max, 0)}`;
  };
  const busiest = (r: WorkloadResult) => {
    const [op, n] = OPS.map((o) => [o, get(r.requests, o) / r.simHours] as const).sort(
      ([x, a], [y, b]) => b / LIMITS[y] - a / LIMITS[x],
    )[0]!;
    return `${op}: ${fmt(n, 0)} an hour (${fmt((n / LIMITS[op]) * 100, 1)} %)`;
  };
  const factHeaders = ['', 'notifications', 'polling 60 s'];
  const factRows = [
    ['simulated time', `${fmt(push.simHours, 1)} h`, `${fmt(poll.simHours, 1)} h`],
    [
      `total requests in each of ${REPS} runs (the tables show the median run)`,
      pushRuns.map((r) => fmt(total(r.requests), 0)).join(', '),
      pollRuns.map((r) => fmt(total(r.requests), 0)).join(', '),
    ],
    ['rounds run', `${push.rounds} (every 300 s)`, `${poll.rounds} (every 60 s)`],
    ['items written', `${push.items.length}: ${itemCounts}`, String(poll.items.length)],
    [
      'items mirrored / duplicate posts',
      `${push.mirrored} / ${push.duplicates}`,
      `${poll.mirrored} / ${poll.duplicates}`,
    ],
    ['mirror delay p50 / p99 / max (simulated s)', delay(push), delay(poll)],
    ['highest use of an hourly limit (mean over the run)', busiest(push), busiest(poll)],
    ['start-up requests (not counted above)', describeCounts(push.startup), describeCounts(poll.startup)],
  ];
  const causeHeaders = ['requests caused by', 'notifications', 'polling 60 s'];
  const causeRows = Object.values(CAUSES).map((c) => [c, fmt(get(push.causes, c), 0), fmt(get(poll.causes, c), 0)]);
  const kindHeaders = ['notification of', 'items', 'requests per item', 'of which'];
  const kindRows = KINDS.map((k) => {
    const c = push.perKind.get(k) ?? new Map<string, number>();
    const n = itemsOf(push, k);
    return [k, String(n), fmt(total(c) / n), describeCounts(new Map([...c].map(([op, v]) => [op, v / n])))];
  });

  // --- idle
  const configs = VARIANTS.flatMap((variant) =>
    (['polling', 'notifications'] as const).map((mode) => ({ variant, mode })),
  );
  const configLabel = (variant: Variant, mode: Mode) =>
    `${variant === 'first' ? 'first start' : 'a month in'}, ${mode === 'polling' ? 'polling (60 s)' : 'notifications (300 s)'}`;
  const pct = (n: number, op: Op) => fmt((n / LIMITS[op]) * 100, 1);
  const range = (low: number, high: number, f: (n: number) => string) =>
    f(low) === f(high) ? f(low) : `${f(low)}–${f(high)}`;
  const perHourText = (low: number, high: number) => range(low, high, (n) => fmt(n, 0));
  const idleHeaders = ['Market operation', 'limit per hour', ...configs.map((c) => configLabel(c.variant, c.mode))];
  const idleRows = [
    ...OPS.map((op) => [
      op,
      fmt(LIMITS[op], 0),
      ...configs.map((c) => {
        const { low, high } = computedByOp(shapeOf(c.variant), c.mode);
        const [l, h] = [get(low, op), get(high, op)];
        return `${perHourText(l, h)} (${range(l, h, (n) => pct(n, op))} %)`;
      }),
    ]),
    [
      '**total**',
      '',
      ...configs.map((c) => {
        const { low, high } = computedByOp(shapeOf(c.variant), c.mode);
        return perHourText(total(low), total(high));
      }),
    ],
  ];
  const causeIdleHeaders = ['idle requests per hour, by cause', ...configs.map((c) => configLabel(c.variant, c.mode))];
  const causeIdleRows = (Object.keys(IDLE_CAUSES) as IdleCause[]).map((cause) => [
    `${IDLE_CAUSES[cause]} (${CAUSE_OP[cause]})`,
    ...configs.map((c) => {
      const { each, low, high } = computed(shapeOf(c.variant), c.mode).get(cause) ?? { each: 0, low: 0, high: 0 };
      if (each === 0) return '–';
      return `${fmt(each, 0)} × ${range(low / each, high / each, (n) => fmt(n, 2))} = ${perHourText(low, high)}`;
    }),
  ]);
  const opsText = (c: Counts) => OPS.map((op) => fmt(get(c, op), 0)).join(' / ');
  const median = (values: number[]) => summarise(values).p50;
  const verifyHeaders = [
    'per hour (getGoodsFeedbacks / …Comments / getGoodsQuestions / …Answers)',
    ...configs.map((c) => configLabel(c.variant, c.mode)),
  ];
  const simFor = (c: { variant: Variant; mode: Mode }) =>
    idle.find((r) => r.variant === c.variant && r.mode === c.mode) ?? idle[0]!;
  const timerFor = (c: { variant: Variant; mode: Mode }) =>
    reps.map((rep) => rep.find((r) => r.variant === c.variant && r.mode === c.mode) ?? rep[0]!);
  const verifyRows = [
    [
      'computed (steady state)',
      ...configs.map((c) => {
        const { low, high } = computedByOp(shapeOf(c.variant), c.mode);
        return OPS.map((op) => perHourText(get(low, op), get(high, op))).join(' / ');
      }),
    ],
    [
      `simulated clock, rounds by the bench, mean of ${IDLE_HOURS} h`,
      ...configs.map((c) => opsText(causesByOp(simFor(c).causes, IDLE_HOURS))),
    ],
    [
      'simulated clock, rounds by the bench, first hour',
      ...configs.map((c) => opsText(causesByOp(simFor(c).firstHour, 1))),
    ],
    [
      `poller's own timer at ${SCALE}× real time, first hour, median of ${REPS}`,
      ...configs.map((c) => {
        const runs = timerFor(c);
        return opsText(new Map(OPS.map((op) => [op, median(runs.map((r) => get(r.requests, op)))])));
      }),
    ],
    [
      '… rounds in that hour (each run)',
      ...configs.map((c) =>
        timerFor(c)
          .map((r) => String(r.rounds))
          .join(', '),
      ),
    ],
    ['requests of the first start', ...configs.map((c) => opsText(simFor(c).startup))],
    [
      'threads mirrored (not waiting) after the first start',
      ...configs.map((c) => `${simFor(c).threads} (${simFor(c).nonWaiting})`),
    ],
  ];
  const verdictHeaders = [
    'Market operation',
    'limit per hour',
    ...configs.map((c) => configLabel(c.variant, c.mode)),
    'over 10 % idle?',
  ];
  const verdictRows = OPS.map((op) => {
    const shares = configs.map((c) => {
      const { low, high } = computedByOp(shapeOf(c.variant), c.mode);
      return { low: get(low, op) / LIMITS[op], high: get(high, op) / LIMITS[op], c };
    });
    const over = shares.filter((s) => s.high > 0.1).map((s) => configLabel(s.c.variant, s.c.mode));
    return [
      op,
      fmt(LIMITS[op], 0),
      ...shares.map((s) => `${range(s.low * 100, s.high * 100, (n) => fmt(n, 1))} %`),
      over.length === 0
        ? 'no'
        : over.length === configs.length
          ? '**yes**, in all four'
          : `**yes**: ${over.join('; ')}`,
    ];
  });

  const scaleHeaders = [
    'handled threads mirrored within 30 days: reviews / questions (besides 30 + 20 waiting)',
    ...(['polling', 'notifications'] as const).flatMap((mode) =>
      (['getGoodsFeedbacks', 'getGoodsFeedbackComments', 'getGoodsQuestionAnswers'] as const).map(
        (op) => `${mode === 'polling' ? 'polling' : 'notifications'}: ${op}`,
      ),
    ),
  ];
  const scaleRows = SCALED.map(([reviews, questions]) => {
    const shape: Shape = { ...shapeOf('first'), handledReviews: reviews, handledQuestions: questions };
    return [
      `${fmt(reviews, 0)} / ${fmt(questions, 0)}`,
      ...(['polling', 'notifications'] as const).flatMap((mode) => {
        const { high } = computedByOp(shape, mode);
        return (['getGoodsFeedbacks', 'getGoodsFeedbackComments', 'getGoodsQuestionAnswers'] as const).map(
          (op) => `${fmt(get(high, op), 0)} (${pct(get(high, op), op)} %)`,
        );
      }),
    ];
  });

  console.log(`\nMarket requests for reviews and questions (${describeMachine(host)}; ${fmt(seconds, 0)} s)\n`);
  console.log(consoleTable(workHeaders, workRows));
  console.log('');
  console.log(consoleTable(factHeaders, factRows));
  console.log('');
  console.log(consoleTable(causeHeaders, causeRows));
  console.log('');
  console.log(consoleTable(kindHeaders, kindRows));
  console.log(`\nIdle requests per hour at the default intervals (computed, steady state)\n`);
  console.log(consoleTable(idleHeaders, idleRows));
  console.log('');
  console.log(consoleTable(causeIdleHeaders, causeIdleRows));
  console.log('');
  console.log(consoleTable(verifyHeaders, verifyRows));
  console.log('');
  console.log(consoleTable(verdictHeaders, verdictRows));
  console.log(`\nIdle cost as mirrored threads grow (computed, high end)\n`);
  console.log(consoleTable(scaleHeaders, scaleRows));

  await writeSection(
    'thread-requests',
    [
      '## Market requests for reviews and questions',
      runLine(COMMAND, host, stamp(), seconds),
      table(workHeaders, workRows),
      table(factHeaders, factRows),
      '### Requests by cause',
      table(causeHeaders, causeRows),
      '### Cost of one notification (notifications mode)',
      table(kindHeaders, kindRows),
      '### Idle: 1,000 reviews and 200 questions, requests per hour at the default intervals (computed)',
      table(idleHeaders, idleRows),
      table(causeIdleHeaders, causeIdleRows),
      '### Idle: computed against measured',
      table(verifyHeaders, verifyRows),
      '### Idle use of the hourly limits (lower tier)',
      table(verdictHeaders, verdictRows),
      '### Idle cost as the handled threads of the last 30 days grow (computed, high end)',
      table(scaleHeaders, scaleRows),
    ].join('\n\n'),
  );
}

/** The run whose total is the median: the timing of a read against a recheck's edge moves a few requests. */
function medianRun(runs: WorkloadResult[]): WorkloadResult {
  const sorted = [...runs].sort((a, b) => total(a.requests) - total(b.requests));
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? runs[0]!;
}

function describeCounts(c: Counts): string {
  const parts = [...c].filter(([, n]) => n > 0).map(([op, n]) => `${fmt(n, Number.isInteger(n) ? 0 : 2)} ${op}`);
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

await main();
process.exit(0);
