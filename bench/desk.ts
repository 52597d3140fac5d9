/**
 * The triage desk's Telegram cost (issue #12): how many of the group's calls an hour the desk spends — the
 * pinned waiting board in General, the reminders in topics, the escalations in General and their "answered"
 * edits — for 50 chats that wait for the seller and 500 buyer messages an hour, next to what the mirroring
 * spends (posts, context cards, renames) and the group's budget of 20 calls a minute, 1,200 an hour.
 *
 * Three apps run side by side in this process (startApp), each with TELEGRAM_PACING=on against a fake Telegram
 * that answers 429 beyond the group's limit in a rolling minute, each on a fresh fake world and data directory,
 * all on the same seeded workload: "desk on" (REMIND_AFTER and ESCALATE_AFTER at their defaults), "nudges off"
 * (both 0: the board alone) and "mirroring alone" (both 0, and the desk looks once at start-up and never again).
 * Before each, a bridge with pacing off made the topics, cards and the pinned board (not counted). Then a
 * simulated warm-up of 75 minutes brings the chats into their cycle (waiting, reminded, escalated, answered),
 * and the next simulated hour is counted: every Bot API call the fake answered, by what it did.
 *
 * Time is compressed FACTOR times: the call budget runs at FACTOR × 20 a minute (AppOverrides
 * `telegramGroupPerMinute`), the fake's flood limit alike, REMIND_AFTER and ESCALATE_AFTER (whole seconds) and the
 * desk's intervals (AppOverrides `desk`) are divided by FACTOR, and so are the reconciling poll, the progress
 * report and the fake Market's hourly quotas. A simulated minute lasts 60 / FACTOR seconds; call counts do not
 * depend on the scale. The run is repeated BENCH_REPS times (a new seed each time, the same for the three apps)
 * and medians are reported.
 *
 *   npm run bench:desk     (BENCH_REPS, BENCH_CHATS and BENCH_MESSAGES change the repetitions and the workload)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { App } from '../src/app.ts';
import type { AppOverrides } from '../src/app/overrides.ts';
import { waitingChats } from '../src/desk/figures.ts';
import { BUDGETED } from '../src/telegram/budget.ts';
import { GROUP_ID } from '../test/e2e/harness.ts';
import { DEFAULT_LIMITS, type OperationId } from '../test/fakes/market-server.ts';
import type { FakeUserInput } from '../test/fakes/telegram-server.ts';
import {
  CAUSES,
  causeOf,
  DESK_KINDS,
  describeCall,
  escalationSize,
  kindOf,
  KINDS,
  messageKinds,
  parseBoard,
  type Cause,
  type Kind,
} from './desk-calls.ts';
import {
  chatMessageSent,
  consoleTable,
  describeMachine,
  fmt,
  machine,
  marker,
  postNotification,
  prng,
  runLine,
  settle,
  stamp,
  startBenchWorld,
  summarise,
  table,
  until,
  watchdog,
  writeSection,
  type BenchWorld,
} from './lib.ts';

const COMMAND = 'npm run bench:desk';

// ---------------------------------------------------------------------------------------------------
// Scale

/** Telegram's group rate, and how many times faster than real the run goes: 1,200 calls a minute, one every ~51 ms. */
const REAL_RATE = 20;
const FACTOR = 60;
const RATE = REAL_RATE * FACTOR;
/** The group's budget in an hour at the real rate. */
const HOURLY_BUDGET = REAL_RATE * 60;
/** Real milliseconds of one simulated minute. */
const MINUTE = 60_000 / FACTOR;

/** A setting in seconds, scaled: it must stay a whole number of seconds. */
function seconds(realSeconds: number): string {
  const s = realSeconds / FACTOR;
  if (!Number.isInteger(s)) throw new Error(`${realSeconds} s ÷ ${FACTOR} is not a whole number of seconds`);
  return String(s);
}

/** The desk's defaults (src/desk/options.ts), scaled: looks every 15 s, board gap 1 min, refresh 5 min, pin check 10 min. */
const DESK_SCALED = {
  tickMs: 15_000 / FACTOR,
  boardGapMs: 60_000 / FACTOR,
  boardRefreshMs: 300_000 / FACTOR,
  pinCheckMs: 600_000 / FACTOR,
};
/** The longest interval a timer takes: the desk's first look at start-up is its only one. */
const NEVER_MS = 2 ** 31 - 1;

const SCALED: AppOverrides = {
  telegramGroupPerMinute: RATE,
  progress: { thresholdMs: 60_000 / FACTOR, editEveryMs: 60_000 / FACTOR, checkEveryMs: 5_000 / FACTOR },
};

/** The measured apps: pacing at the real rate as far as the setting goes; notifications, the poll at 300 s scaled. */
const PACED_ENV = {
  TELEGRAM_PACING: 'on',
  TELEGRAM_GROUP_RATE: String(REAL_RATE),
  BOT_LANGUAGE: 'ru',
  MARKET_NOTIFICATIONS: 'on',
  MARKET_RECONCILE_INTERVAL: seconds(300),
  MARKET_FULL_SYNC_INTERVAL: '0',
  WORK_HOURS: 'always',
};
/** The bridge that makes the topics beforehand: pacing off, polling, no nudges, a quick desk for the board. */
const SETUP_ENV = {
  BOT_LANGUAGE: 'ru',
  TELEGRAM_PACING: 'off',
  MARKET_NOTIFICATIONS: 'off',
  MARKET_POLL_INTERVAL: '1',
  MARKET_FULL_SYNC_INTERVAL: '0',
  REMIND_AFTER: '0',
  ESCALATE_AFTER: '0',
};
const SETUP_DESK = { tickMs: 100, boardGapMs: 100, boardRefreshMs: 100, pinCheckMs: 100 };

/** The fake Market's hourly quotas, FACTOR times larger: an hour of the bridge's time passes in 60 / FACTOR minutes. */
const MARKET_LIMITS = Object.fromEntries(
  Object.entries(DEFAULT_LIMITS).map(([operation, limit]) => [operation, limit * FACTOR]),
) as Record<OperationId, number>;

const MODES = [
  {
    name: 'desk',
    label: 'desk on',
    env: { REMIND_AFTER: seconds(900), ESCALATE_AFTER: seconds(3600) },
    desk: DESK_SCALED,
  },
  {
    name: 'board',
    label: 'nudges off (board only)',
    env: { REMIND_AFTER: '0', ESCALATE_AFTER: '0' },
    desk: DESK_SCALED,
  },
  {
    name: 'mirror',
    label: 'mirroring alone',
    env: { REMIND_AFTER: '0', ESCALATE_AFTER: '0' },
    desk: { ...DESK_SCALED, tickMs: NEVER_MS },
  },
] as const;
type Mode = (typeof MODES)[number];
type ModeName = Mode['name'];

// ---------------------------------------------------------------------------------------------------
// Workload

const REPS = Number(process.env.BENCH_REPS ?? 3);
const CHATS = Number(process.env.BENCH_CHATS ?? 50);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500);
/** Simulated minutes before the counted hour: at least the longest wait, so the hour starts in the chats' cycle. */
const WARM_UP_MIN = 75;
const HOUR_MIN = 60;
/** A wait is answered 20–40 min in; one in five only after its escalation, 62–75 min in. */
const LONG_SHARE = 0.2;
const SHORT_WAIT = [20, 40] as const;
const LONG_WAIT = [62, 75] as const;
/** Minutes from an answer to the buyer's next message. */
const PAUSE = [2, 10] as const;
const CAMPAIGN = 21_000_001;

const NAMES = ['Анна К.', 'Иван П.', 'Мария С.', 'Сергей Л.', 'Ольга Н.', 'Дмитрий В.', 'Елена Т.', 'Павел Р.'];
const OPERATORS: FakeUserInput[] = [
  { id: 5001, first_name: 'Ольга' },
  { id: 5002, first_name: 'Игорь' },
  { id: 5003, first_name: 'Светлана' },
  { id: 5004, first_name: 'Артём' },
];
const BUYER_TEXTS = [
  'Здравствуйте!',
  'Где мой заказ?',
  'Подскажите, когда будет доставка? В приложении третий день статус «передан в доставку».',
  'Пришёл не тот размер, заказывала M, а в пакете L. Как поменять?',
  'Алло, вы тут?',
  'А можно забрать в другом пункте выдачи? Я уезжаю на выходные, боюсь не успеть.',
  'Коробка помятая, на крышке царапина. Это можно считать браком? Оформлять возврат или пришлёте замену?',
  'Ответьте, пожалуйста',
  'Есть ли этот чехол в чёрном цвете?',
  'Курьер не приехал в назначенное время, никто не позвонил.',
];
const REPLIES = [
  'Здравствуйте! Проверили: заказ передан в доставку, ждите сообщения от службы доставки.',
  'Приносим извинения. Оформите, пожалуйста, возврат в приложении — обмен сделаем бесплатно.',
  'Да, есть. Цвет выбирается на странице товара.',
  'Уточнили у склада, отправим сегодня.',
];

interface PlanChat {
  orderId: number;
  customer: string;
  /** Answers every wait of the chat (and so owns it from the first answer on). */
  operator: FakeUserInput;
}

/** Something that happens at `atMin` simulated minutes from the start of the counted hour (negative: warm-up). */
type PlanEvent =
  | { atMin: number; chat: number; kind: 'buyer'; n: number; text: string }
  | { atMin: number; chat: number; kind: 'answer'; text: string };

interface Plan {
  seed: number;
  chats: PlanChat[];
  /** In time order, from -WARM_UP_MIN to the end of the hour. */
  events: PlanEvent[];
  /** The counted hour: buyer messages, waits begun, waits answered. */
  hour: { messages: number; waitsBegun: number; answers: number };
}

/**
 * The seeded workload. Each chat goes round: the buyer writes and waits; an operator answers 20–40 min later (one
 * wait in five 62–75 min later, after its escalation); 2–10 min after the answer the buyer writes again. The first
 * waits begin in the first 10 minutes of the warm-up. Besides the message that begins each wait, buyers write
 * during their waits: as many in the hour as make MESSAGES, spread evenly over the waiting time, and as densely
 * in the warm-up; never within a minute of the wait's start or its answer.
 */
function makePlan(seed: number): Plan {
  const rand = prng(seed);
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const chats: PlanChat[] = Array.from({ length: CHATS }, (_, i) => ({
    orderId: 900_001 + i,
    customer: NAMES[i % NAMES.length] ?? 'Анна К.',
    operator: OPERATORS[i % OPERATORS.length] ?? { id: 5001, first_name: 'Ольга' },
  }));
  const waits: Array<{ chat: number; from: number; to: number }> = [];
  for (let chat = 0; chat < CHATS; chat++) {
    let t = -WARM_UP_MIN + between(0, 10);
    while (t < HOUR_MIN) {
      const length = rand() < LONG_SHARE ? between(...LONG_WAIT) : between(...SHORT_WAIT);
      waits.push({ chat, from: t, to: t + length });
      t += length + between(...PAUSE);
    }
  }
  const events: Array<{ atMin: number; chat: number; kind: PlanEvent['kind']; text: string }> = [];
  for (const w of waits) {
    events.push({ atMin: w.from, chat: w.chat, kind: 'buyer', text: pick(BUYER_TEXTS) });
    if (w.to < HOUR_MIN) events.push({ atMin: w.to, chat: w.chat, kind: 'answer', text: pick(REPLIES) });
  }
  const spans = (lo: number, hi: number) =>
    waits
      .map((w) => ({ chat: w.chat, from: Math.max(w.from + 1, lo), to: Math.min(w.to - 1, hi) }))
      .filter((s) => s.to > s.from);
  const length = (list: ReadonlyArray<{ from: number; to: number }>) => list.reduce((a, s) => a + s.to - s.from, 0);
  const place = (list: ReadonlyArray<{ chat: number; from: number; to: number }>, count: number) => {
    const total = length(list);
    for (let k = 0; k < count; k++) {
      let x = rand() * total;
      for (const s of list) {
        if (x < s.to - s.from) {
          events.push({ atMin: s.from + x, chat: s.chat, kind: 'buyer', text: pick(BUYER_TEXTS) });
          break;
        }
        x -= s.to - s.from;
      }
    }
  };
  const waitsBegun = waits.filter((w) => w.from >= 0).length;
  const extra = MESSAGES - waitsBegun;
  if (extra < 0) throw new Error(`${waitsBegun} waits begin in the hour: more than BENCH_MESSAGES=${MESSAGES}`);
  const inHour = spans(0, HOUR_MIN);
  const inWarmUp = spans(-WARM_UP_MIN, 0);
  place(inHour, extra);
  place(inWarmUp, Math.round((extra * length(inWarmUp)) / length(inHour)));
  events.sort((a, b) => a.atMin - b.atMin);
  let n = 0;
  const numbered = events.map((e): PlanEvent =>
    e.kind === 'buyer' ? { ...e, kind: 'buyer', n: ++n } : { ...e, kind: 'answer' },
  );
  return {
    seed,
    chats,
    events: numbered,
    hour: {
      messages: numbered.filter((e) => e.kind === 'buyer' && e.atMin >= 0).length,
      waitsBegun,
      answers: numbered.filter((e) => e.kind === 'answer' && e.atMin >= 0).length,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// One run

/** The live topic whose title names `orderId`. */
function threadOf(bench: BenchWorld, orderId: number): number | undefined {
  const word = new RegExp(`\\b${orderId}\\b`);
  return bench.world.telegram.topics(GROUP_ID).find((t) => !t.deleted && word.test(t.name))?.threadId;
}

/**
 * The cabinet before the run: one order chat per planned chat, with a question of the buyer's and the shop's
 * answer three hours ago, mirrored by a bridge with pacing off (topics, cards with the orders, the pinned board),
 * then stopped. Resolves with each chat's Market id and topic.
 */
async function prepare(bench: BenchWorld, plan: Plan): Promise<Array<{ chatId: number; threadId: number }>> {
  const { world } = bench;
  const now = Date.now();
  const chatIds = plan.chats.map((c, i) => {
    world.market.addOrder({
      orderId: c.orderId,
      campaignId: CAMPAIGN,
      items: [{ offerName: `Чехол для телефона, модель ${i + 1}`, count: 1 + (i % 3), price: 490 + 10 * i }],
    });
    const chatId = world.market.addChat({
      contextType: 'ORDER',
      orderId: c.orderId,
      campaignId: CAMPAIGN,
      customer: { name: c.customer, publicId: `p${c.orderId}` },
      createdAt: new Date(now - 86_400_000).toISOString(),
    });
    world.market.addMessage(chatId, {
      sender: 'CUSTOMER',
      text: 'Здравствуйте! Когда отправите?',
      createdAt: new Date(now - 3 * 3_600_000).toISOString(),
    });
    world.market.addMessage(chatId, {
      sender: 'PARTNER',
      text: 'Здравствуйте! Отправим завтра.',
      createdAt: new Date(now - 3 * 3_600_000 + 600_000).toISOString(),
    });
    return chatId;
  });
  const setup = await world.start(SETUP_ENV, { overrides: { desk: SETUP_DESK } });
  try {
    await until(() => setup.poller.rounds >= 1, 'the first poll');
    await until(() => plan.chats.every((c) => threadOf(bench, c.orderId) !== undefined), 'topics', 60_000);
    await until(() => world.telegram.pinnedMessages(GROUP_ID).length > 0, 'the pinned board');
    await settle(setup);
    await new Promise((r) => setTimeout(r, 500));
    await settle(setup);
  } finally {
    await setup.stop();
  }
  return plan.chats.map((c, i) => ({ chatId: chatIds[i] ?? 0, threadId: threadOf(bench, c.orderId) ?? 0 }));
}

/** A board the bot posted or edited to: when (fake's clock, ms) and its markup. */
interface BoardShown {
  at: number;
  markup: string;
}

interface Outcome {
  mode: ModeName;
  /** Calls the budget paces, answered in the hour, by what they did (any answer: a call made is a turn spent). */
  calls: Record<Kind, number>;
  group: number;
  r429: number;
  /** Edits Telegram refused with 400 (not modified, or the message is gone). */
  refused: number;
  /** Calls outside the budget in the hour, by method (getUpdates left out). */
  unpaced: Map<string, number>;
  /** The board's texts from start-up on, and the first of them shown in the hour. */
  boards: BoardShown[];
  hourStartAt: number;
  /** Chats each escalation of the hour named. */
  escalationChats: number[];
  /** Waiting chats, one sample a simulated minute. */
  waiting: number[];
  /** Buyer message of the hour → its post stored, in real seconds at 20/min (measured × FACTOR). */
  latency: number[];
  delivered: boolean;
  /** Group calls in the busiest simulated minute of the hour. */
  busiest: number;
  /** Operator answers the fake refused to take (their topic closed or gone). */
  answerFailures: number;
  /** The calls counted as 'other', and the edits refused with 400, for the console (`describeCall`). */
  others: string[];
  refusals: string[];
}

/**
 * Plays the plan against a running app: each event at its simulated minute (buyer messages into the fake Market,
 * each followed by its notification; answers typed into the chat's topic), the waiting chats sampled once a
 * simulated minute of the hour. Resolves at the end of the hour with the arrival of each buyer message.
 */
async function drive(
  bench: BenchWorld,
  app: App,
  plan: Plan,
  chats: ReadonlyArray<{ chatId: number; threadId: number }>,
  hourStart: number,
): Promise<{ arrived: Map<number, number>; answerFailures: number; waiting: number[] }> {
  const { world } = bench;
  const arrived = new Map<number, number>();
  const waiting: number[] = [];
  let answerFailures = 0;
  let sampler: NodeJS.Timeout | undefined;
  const sleepUntil = async (at: number) => {
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  try {
    for (const e of plan.events) {
      await sleepUntil(hourStart + e.atMin * MINUTE);
      if (sampler === undefined && e.atMin >= 0) {
        const sample = () => waiting.push(waitingChats([...app.bridge.chats()], Date.now()).length);
        sample();
        sampler = setInterval(sample, MINUTE);
      }
      const chat = chats[e.chat];
      const who = plan.chats[e.chat];
      if (!chat || !who) continue;
      if (e.kind === 'buyer') {
        const id = world.market.addMessage(chat.chatId, { sender: 'CUSTOMER', text: `${marker(e.n)} ${e.text}` });
        arrived.set(e.n, performance.now());
        await postNotification(app.httpPort, chatMessageSent(chat.chatId, id));
      } else {
        try {
          world.telegram.userSends(GROUP_ID, { from: who.operator, threadId: chat.threadId, text: e.text });
        } catch {
          answerFailures++;
        }
      }
    }
    await sleepUntil(hourStart + HOUR_MIN * MINUTE);
  } finally {
    clearInterval(sampler);
  }
  return { arrived, answerFailures, waiting };
}

/** The Bot API calls of the hour [from, to) (the fake's clock), by what they did; the board's texts since `fromCall`. */
function tally(bench: BenchWorld, fromCall: number, from: number, to: number) {
  const calls = bench.world.telegram.calls.slice(fromCall);
  const inHour = calls.filter((c) => c.at >= from && c.at < to && c.status !== 0);
  const messages = messageKinds(bench);
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const unpaced = new Map<string, number>();
  const perMinute = new Array<number>(HOUR_MIN).fill(0);
  const escalationChats: number[] = [];
  const others: string[] = [];
  for (const c of inHour) {
    if (!BUDGETED.has(c.method)) {
      if (c.method !== 'getUpdates') unpaced.set(c.method, (unpaced.get(c.method) ?? 0) + 1);
      continue;
    }
    const kind = kindOf(c, messages);
    counts[kind]++;
    if (kind === 'other') others.push(describeCall(c));
    const minute = Math.floor((c.at - from) / MINUTE);
    perMinute[minute] = (perMinute[minute] ?? 0) + 1;
    if (kind === 'escalation' && c.status === 200 && typeof c.params.text === 'string') {
      escalationChats.push(escalationSize(c.params.text));
    }
  }
  const refusals = inHour
    .filter((c) => c.status === 400 && c.method.startsWith('edit'))
    .map((c) => `${kindOf(c, messages)}: ${describeCall(c)}`);
  return {
    calls: counts,
    group: inHour.filter((c) => BUDGETED.has(c.method)).length,
    r429: inHour.filter((c) => c.status === 429).length,
    refused: refusals.length,
    refusals,
    unpaced,
    boards: calls
      .filter((c) => c.status === 200 && ['boardEdit', 'boardPost'].includes(kindOf(c, messages)))
      .map((c) => ({ at: c.at, markup: typeof c.params.text === 'string' ? c.params.text : '' })),
    escalationChats,
    busiest: Math.max(...perMinute),
    others,
  };
}

/** One app on a fresh world: set-up, warm-up, the counted hour; what the fake saw in the hour. */
async function run(mode: Mode, plan: Plan): Promise<Outcome> {
  const bench = await startBenchWorld({ limits: MARKET_LIMITS });
  try {
    const chats = await prepare(bench, plan);
    const { world } = bench;
    world.telegram.setFloodLimit({ perChatPerMinute: RATE });
    const fromCall = world.telegram.calls.length;
    const app: App = await world.start(
      { ...PACED_ENV, ...mode.env },
      { overrides: { ...SCALED, desk: { ...mode.desk } } },
    );
    try {
      await until(() => app.poller.rounds >= 1, 'the first poll');
      await settle(app);
      const hourStart = performance.now() + 100 + WARM_UP_MIN * MINUTE;
      const hourEnd = hourStart + HOUR_MIN * MINUTE;
      const wallOffset = Date.now() - performance.now();
      const { arrived, answerFailures, waiting } = await drive(bench, app, plan, chats, hourStart);
      // Every buyer message of the hour should reach its topic; what it takes after the hour is not counted.
      const hourMarkers = plan.events.flatMap((e) => (e.kind === 'buyer' && e.atMin >= 0 ? [e.n] : []));
      const delivered = await Promise.all(hourMarkers.map((n) => bench.telegram.waitFor(n, 30_000))).then(
        () => true,
        () => false,
      );
      const latency = hourMarkers.map(
        (n) => (((bench.telegram.deliveries.get(n)?.storedAt ?? NaN) - (arrived.get(n) ?? NaN)) * FACTOR) / 1000,
      );
      return {
        mode: mode.name,
        ...tally(bench, fromCall, hourStart + wallOffset, hourEnd + wallOffset),
        hourStartAt: hourStart + wallOffset,
        waiting,
        latency: latency.filter(Number.isFinite),
        delivered,
        answerFailures,
      };
    } finally {
      await app.stop();
    }
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// The board's edits

/**
 * A board edit with only the waits changed counts as the 5-minute refresh from 4 minutes after the previous edit on:
 * the desk times the refresh from the look that made the previous edit, which may have waited up to about a
 * (simulated) minute for its turn in the budget's cosmetic lane before it reached Telegram.
 */
const REFRESH_FROM_MS = DESK_SCALED.boardRefreshMs - DESK_SCALED.boardGapMs;

interface BoardFigures {
  byCause: Record<Cause, number>;
  /** Edits that reached Telegram sooner after the previous one than the desk's rules allow (1 min, 5 min for waits). */
  early: Array<{ atMin: number; gapMin: number; cause: Cause }>;
  /** Edits with only the waits changed, sooner than the refresh: when, and how long after the previous one. */
  hidden: Array<{ atMin: number; gapMin: number }>;
  gaps: number[];
  /** Chat lines shown, and chats waiting, on the boards of the hour (means). */
  shown: number;
  listed: number;
}

function boardFigures(o: Outcome): BoardFigures {
  const byCause = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
  const gaps: number[] = [];
  const shown: number[] = [];
  const listed: number[] = [];
  const early: BoardFigures['early'] = [];
  const hidden: BoardFigures['hidden'] = [];
  for (let i = 1; i < o.boards.length; i++) {
    const prev = o.boards[i - 1];
    const cur = o.boards[i];
    if (!prev || !cur || cur.at < o.hourStartAt || cur.at >= o.hourStartAt + HOUR_MIN * MINUTE) continue;
    const gap = cur.at - prev.at;
    const p = parseBoard(cur.markup);
    const cause = causeOf(parseBoard(prev.markup), p, gap, REFRESH_FROM_MS);
    byCause[cause]++;
    gaps.push(gap / MINUTE);
    if (cause === 'hidden') hidden.push({ atMin: (cur.at - o.hourStartAt) / MINUTE, gapMin: gap / MINUTE });
    shown.push(p.lines.length);
    listed.push(Number(/\d+/.exec(p.head)?.[0] ?? NaN));
    // 5 % slack for the fake's clock against the desk's (the calls' arrival, not their start).
    if (gap < (cause === 'waits' ? DESK_SCALED.boardRefreshMs : DESK_SCALED.boardGapMs) * 0.95) {
      early.push({ atMin: (cur.at - o.hourStartAt) / MINUTE, gapMin: gap / MINUTE, cause });
    }
  }
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  return { byCause, early, hidden, gaps, shown: mean(shown), listed: mean(listed) };
}

// ---------------------------------------------------------------------------------------------------
// Report

const median = (values: readonly number[]) => summarise(values).p50;
const sum = (o: Outcome, kinds: readonly Kind[]) => kinds.reduce((a, k) => a + o.calls[k], 0);
const deskCalls = (o: Outcome) => sum(o, [...DESK_KINDS]);
const share = (calls: number) => `${fmt((100 * calls) / HOURLY_BUDGET, 1)} %`;

/** The median over the repetitions of `f`, per mode; `show` formats it. */
function row(
  runs: ReadonlyArray<Record<ModeName, Outcome>>,
  label: string,
  f: (o: Outcome) => number,
  show: (v: number) => string = (v) => fmt(v, 0),
  modes: readonly ModeName[] = MODES.map((m) => m.name),
): string[] {
  return [label, ...MODES.map((m) => (modes.includes(m.name) ? show(median(runs.map((r) => f(r[m.name])))) : '–'))];
}

function mainRows(runs: ReadonlyArray<Record<ModeName, Outcome>>): string[][] {
  const nudging: ModeName[] = ['desk'];
  const boarding: ModeName[] = ['desk', 'board'];
  const k = (kind: Kind) => (o: Outcome) => o.calls[kind];
  const mirror = (o: Outcome) => sum(o, ['post', 'card', 'rename', 'other']);
  const lat = (q: 'p50' | 'p99') => (o: Outcome) => summarise(o.latency)[q];
  return [
    row(runs, 'group calls (everything the budget paces, 429s included)', (o) => o.group),
    row(runs, '· share of the 1,200 an hour', (o) => o.group, share),
    row(runs, '· mirrored posts (buyer messages)', k('post')),
    row(runs, '· context card edits', k('card')),
    row(runs, '· topic renames', k('rename')),
    row(runs, '· other (notices, cards posted afresh, …)', k('other')),
    row(runs, "· progress in General (a backlog of over a minute's calls)", k('progress')),
    row(runs, '· board edits', k('boardEdit'), undefined, boarding),
    row(runs, '· board posted afresh + pins', (o) => o.calls.boardPost + o.calls.boardPin, undefined, boarding),
    row(runs, '· reminders', k('reminder'), undefined, nudging),
    row(runs, '· escalations', k('escalation'), undefined, nudging),
    row(runs, '· reminders edited to "answered"', k('reminderDone'), undefined, nudging),
    row(runs, '· escalations edited to "answered"', k('escalationDone'), undefined, nudging),
    row(runs, "desk calls (board, reminders, escalations, 'answered' edits)", deskCalls),
    row(runs, "desk's share of the 1,200 an hour", deskCalls, share),
    row(runs, "mirroring's calls (posts, cards, renames, other)", mirror),
    row(runs, "mirroring's share of the 1,200 an hour", mirror, share),
    [
      'group calls beyond the mirroring alone (same repetition)',
      ...MODES.map((m) => fmt(median(runs.map((r) => r[m.name].group - r.mirror.group)), 0)),
    ],
    row(runs, 'busiest simulated minute: group calls (the budget allows 20)', (o) => o.busiest),
    row(runs, '429 answers', (o) => o.r429),
    row(runs, 'edits refused with 400 (not modified, or gone)', (o) => o.refused),
    row(runs, 'not paced: pin checks (getChat)', (o) => o.unpaced.get('getChat') ?? 0),
    row(runs, 'not paced: reactions to operator replies', (o) => o.unpaced.get('setMessageReaction') ?? 0),
    row(
      runs,
      'chats named per escalation (mean)',
      (o) => summarise(o.escalationChats).mean,
      (v) => fmt(v, 2),
      nudging,
    ),
    row(
      runs,
      'waiting chats (mean of one sample a minute)',
      (o) => summarise(o.waiting).mean,
      (v) => fmt(v, 1),
    ),
    row(runs, 'buyer message → its topic, p50 (s at 20/min)', lat('p50'), (v) => fmt(v, 1)),
    row(runs, 'buyer message → its topic, p99 (s at 20/min)', lat('p99'), (v) => fmt(v, 1)),
    [
      'every buyer message of the hour in its topic',
      ...MODES.map((m) => (runs.every((r) => r[m.name].delivered) ? 'yes' : 'no')),
    ],
  ];
}

const CAUSE_LABELS: Record<Cause, string> = {
  list: 'a chat began or stopped waiting',
  owner: 'an owner changed',
  title: 'a title changed (the topic was renamed)',
  mark: 'a ⚠️ mark or the too-long count changed',
  order: 'only the order of the lines changed',
  waits: 'only the waits, ≥ 4 min after the previous edit (the 5-minute refresh)',
  hidden: 'only the waits, sooner: what changed is not on the board (a chat below the lines shown)',
};

function boardRows(runs: ReadonlyArray<Record<ModeName, Outcome>>): string[][] {
  const modes = ['desk', 'board'] as const;
  const per = (f: (b: BoardFigures) => number, show: (v: number) => string = (v) => fmt(v, 0)) =>
    modes.map((m) => show(median(runs.map((r) => f(boardFigures(r[m]))))));
  const one = (v: number) => fmt(v, 1);
  const shown = per((b) => b.shown, one);
  const waitingShown = per((b) => b.listed, one).map((listed, i) => `${listed} / ${shown[i] ?? ''}`);
  return [
    ...CAUSES.map((c) => [CAUSE_LABELS[c], ...per((b) => b.byCause[c])]),
    ['board edits in all', ...per((b) => CAUSES.reduce((a, c) => a + b.byCause[c], 0))],
    [
      'edits that reached Telegram < 1 min after the previous one (< 5 min for the waits alone)',
      ...per((b) => b.early.length),
    ],
    [
      'gap between edits, median (simulated min)',
      ...per(
        (b) => median(b.gaps),
        (v) => fmt(v, 2),
      ),
    ],
    ['chats waiting / chat lines shown, on the boards of the hour (means)', ...waitingShown],
  ];
}

/** Per repetition, for the console. */
function repRows(runs: ReadonlyArray<Record<ModeName, Outcome>>, plans: readonly Plan[]): string[][] {
  return runs.flatMap((r, i) =>
    MODES.map((m) => {
      const o = r[m.name];
      const b = boardFigures(o);
      return [
        String(i + 1),
        String(plans[i]?.seed ?? ''),
        m.name,
        fmt(o.group, 0),
        fmt(deskCalls(o), 0),
        KINDS.map((k) => `${k} ${o.calls[k]}`).join(', '),
        `${CAUSES.reduce((a, c) => a + b.byCause[c], 0)} (${CAUSES.map((c) => `${c} ${b.byCause[c]}`).join(', ')})`,
        fmt(o.busiest, 0),
        fmt(o.r429, 0),
        fmt(o.refused, 0),
        [...o.unpaced].map(([k, v]) => `${k} ${v}`).join(', '),
        o.delivered ? 'yes' : 'no',
        String(o.answerFailures),
      ];
    }),
  );
}

/** What the figures mean, in words, with the medians filled in. */
function explain(runs: ReadonlyArray<Record<ModeName, Outcome>>, listChanges: number): string {
  const m = (mode: ModeName, f: (o: Outcome) => number) => median(runs.map((r) => f(r[mode])));
  const n = (v: number) => fmt(v, 0);
  const k = (mode: ModeName, ...kinds: Kind[]) => m(mode, (o) => sum(o, kinds));
  const desk = m('desk', deskCalls);
  const boardOnly = m('board', deskCalls);
  const board = k('desk', 'boardEdit', 'boardPost', 'boardPin');
  const gap = m('desk', (o) => median(boardFigures(o).gaps));
  const waitsOnly = m('desk', (o) => boardFigures(o).byCause.waits);
  const hidden = m('desk', (o) => boardFigures(o).byCause.hidden);
  const early = m('desk', (o) => boardFigures(o).early.length);
  const mirroring = (mode: ModeName) => k(mode, 'post', 'card', 'rename', 'other');
  const lat = (mode: ModeName, q: 'p50' | 'p99') =>
    fmt(
      m(mode, (o) => summarise(o.latency)[q]),
      1,
    );
  return [
    `**What the numbers mean.** With the defaults the desk spends ${n(desk)} calls an hour, ${share(desk)} of the group's 1,200.`,
    `The board takes ${n(board)}: it is edited at once when its list changes, at most once a minute, and its list changes about ${n(listChanges)} times an hour here (a wait begins or is answered), so it is edited about as often as that rule allows (median gap ${fmt(gap, 2)} min; edits for growing waits alone: ${n(waitsOnly)}; edits for a change below the lines shown: ${n(hidden)}).`,
    `The gaps are timed by the desk from the look that made an edit, and an edit that waited for its cosmetic turn reaches Telegram late, so the next one may arrive less than a minute after it (${n(early)} times): not a breach of the rule.`,
    `Reminders take ${n(k('desk', 'reminder'))} and their "answered" edits ${n(k('desk', 'reminderDone'))}: two calls per wait that outlasts REMIND_AFTER.`,
    `Escalations take ${n(k('desk', 'escalation'))} messages naming ${fmt(
      m('desk', (o) => summarise(o.escalationChats).mean),
      2,
    )} chats each (chats seldom come due at the same look, so one message per batch is about one per chat) and ${n(k('desk', 'escalationDone'))} "answered" edits, one per chat.`,
    `Without reminders and escalations the board alone costs ${n(boardOnly)} (${share(boardOnly)}).`,
    `The mirroring takes ${n(mirroring('mirror'))} calls (${share(mirroring('mirror'))}) on its own: a post per buyer message (at this rate messages seldom wait together), and for the ${n(listChanges)} times a chat begins or stops waiting ${n(k('mirror', 'card'))} card edits and ${n(k('mirror', 'rename'))} renames.`,
    `All together ${n(m('desk', (o) => o.group))} calls an hour with the desk (${share(m('desk', (o) => o.group))} of the budget), ${n(m('mirror', (o) => o.group))} without it.`,
    `Calls are not spread evenly: the busiest minute has ${n(m('desk', (o) => o.busiest))} group calls with the desk and ${n(m('mirror', (o) => o.busiest))} without (the budget allows 20), and there the desk's calls queue with the posts — a buyer message reaches its topic in ${lat('desk', 'p50')} s (p50; p99 ${lat('desk', 'p99')} s) with the desk, ${lat('mirror', 'p50')} s (p99 ${lat('mirror', 'p99')} s) without; the progress report in General ("queued behind Telegram's limit") costs ${n(k('desk', 'progress'))} calls an hour with the desk, ${n(k('mirror', 'progress'))} without.`,
  ].join(' ');
}

async function main(): Promise<void> {
  const perRep = (WARM_UP_MIN + HOUR_MIN) * MINUTE + 60_000;
  watchdog(REPS * perRep * 1.5 + 120_000, 'bench:desk');
  const host = await machine();
  const started = performance.now();
  const runs: Array<Record<ModeName, Outcome>> = [];
  const plans: Plan[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  for (let rep = 0; rep < REPS; rep++) {
    const plan = makePlan(1000 + rep);
    plans.push(plan);
    const outcomes = await Promise.all(MODES.map((mode) => run(mode, plan)));
    runs.push(Object.fromEntries(outcomes.map((o) => [o.mode, o])) as Record<ModeName, Outcome>);
    console.error(`repetition ${rep + 1} of ${REPS}: done (${fmt((performance.now() - started) / 1000, 0)} s)`);
  }
  delay.disable();
  const took = (performance.now() - started) / 1000;
  const loopP99 = delay.percentile(99) / 1e6;

  const workload = median(plans.map((p) => p.hour.messages));
  const waitsBegun = median(plans.map((p) => p.hour.waitsBegun));
  const answers = median(plans.map((p) => p.hour.answers));
  const headers = ['per simulated hour (median of the repetitions)', ...MODES.map((m) => m.label)];
  const boardHeaders = ['board edits in the hour, by what changed since the previous one', 'desk on', 'nudges off'];
  const figures = mainRows(runs);
  const board = boardRows(runs);

  const scale = `${FACTOR}× real time: the call budget at ${fmt(RATE, 0)} a minute (AppOverrides \`telegramGroupPerMinute\`; TELEGRAM_GROUP_RATE stays at ${REAL_RATE}) against the fake's flood limit of ${fmt(RATE, 0)} in a rolling minute; REMIND_AFTER=${seconds(900)} and ESCALATE_AFTER=${seconds(3600)} (the defaults, 900 and 3,600, ÷ ${FACTOR}); the desk's look, board gap, board refresh and pin check at ${DESK_SCALED.tickMs} ms, ${DESK_SCALED.boardGapMs / 1000} s, ${DESK_SCALED.boardRefreshMs / 1000} s and ${DESK_SCALED.pinCheckMs / 1000} s (15 s, 1 min, 5 min, 10 min ÷ ${FACTOR}); notifications on, the reconciling poll every ${seconds(300)} s; the fake Market's quotas × ${FACTOR}. A simulated minute lasts ${MINUTE / 1000} s; counts are as measured, times × ${FACTOR}`;
  const what = `${CHATS} order chats whose topics, cards and pinned board exist; ${REPS} repetitions (seeds 1000…${999 + REPS}), each running the three apps side by side on the same workload; ${WARM_UP_MIN} simulated minutes of warm-up, then one hour counted. Each chat goes round: the buyer writes and waits; its operator (one of ${OPERATORS.length}, who owns the chat from the first answer on) answers in the topic ${SHORT_WAIT[0]}–${SHORT_WAIT[1]} min later, or (one wait in five) ${LONG_WAIT[0]}–${LONG_WAIT[1]} min later, after the escalation; ${PAUSE[0]}–${PAUSE[1]} min after the answer the buyer writes again. In the hour (medians): ${fmt(workload, 0)} buyer messages, each with its CHAT_MESSAGE_SENT, ${fmt(waitsBegun, 0)} waits begun, ${fmt(answers, 0)} answers`;

  const meaning = explain(runs, waitsBegun + answers);

  console.log(`\nThe triage desk's Telegram cost (${describeMachine(host)}; ${fmt(took, 0)} s)\nScale: ${scale}.\n`);
  console.log(`Workload: ${what}.\n`);
  console.log(consoleTable(headers, figures));
  console.log('');
  console.log(consoleTable(boardHeaders, board));
  console.log(`\n${meaning}\n`);
  console.log(
    consoleTable(
      [
        'rep',
        'seed',
        'mode',
        'group',
        'desk',
        'by kind',
        'board edits (by cause)',
        'busiest min',
        '429',
        '400',
        'not paced',
        'delivered',
        'answers refused',
      ],
      repRows(runs, plans),
    ),
  );
  for (const [i, r] of runs.entries()) {
    for (const m of ['desk', 'board'] as const) {
      const { early, hidden } = boardFigures(r[m]);
      const at = (e: { atMin: number; gapMin: number }) =>
        `${fmt(e.atMin, 2)} min (${fmt(e.gapMin, 2)} after the previous`;
      if (early.length > 0) {
        const list = early.map((e) => `${at(e)}, ${e.cause})`).join('; ');
        console.log(
          `repetition ${i + 1}, ${m}: board edits less than the rule after the previous at the fake: ${list}`,
        );
      }
      if (hidden.length > 0) {
        const list = hidden.map((e) => `${at(e)})`).join('; ');
        console.log(
          `repetition ${i + 1}, ${m}: board edits with only the waits changed, sooner than the refresh: ${list}`,
        );
      }
    }
  }
  for (const [i, r] of runs.entries()) {
    for (const m of MODES) {
      const { others, refusals } = r[m.name];
      const list = (what: string, calls: string[]) =>
        calls.length > 0 && console.log(`repetition ${i + 1}, ${m.name}, ${what}:\n  ${calls.join('\n  ')}`);
      list('calls counted as other', others);
      list('edits refused with 400', refusals);
    }
  }
  console.log(`\nevent-loop delay p99 over the run: ${fmt(loopP99, 1)} ms (the three apps and six fakes share it)`);

  await writeSection(
    'desk',
    [
      "## The triage desk's Telegram cost",
      runLine(COMMAND, host, stamp(), took),
      `Scale: ${scale}. Event-loop delay p99 over the run: ${fmt(loopP99, 1)} ms (× ${FACTOR} simulated).`,
      `${what}. Three apps: **desk on** (the defaults), **nudges off** (REMIND_AFTER=0, ESCALATE_AFTER=0: the board alone) and **mirroring alone** (nudges off and the desk looking only once, at start-up).`,
      table(headers, figures),
      table(boardHeaders, board),
      meaning,
    ].join('\n\n'),
  );
}

await main();
