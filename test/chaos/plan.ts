/**
 * The seeded plan of a chaos run: when chats are born, buyer messages written, replies typed, topics deleted and
 * faults injected (relative to the start of the workload), and when the bridge is killed; the reviews and questions
 * with their comments and answers come from thread-plan.ts. The seed fixes the plan; the interleaving with the
 * bridge is real time.
 */
import type { OperationId } from '../fakes/market-server.ts';
import { dice, prng, WORDS } from './dice.ts';
import type { ChaosOptions } from './options.ts';
import { planThreads, type PlannedThread, type PlannedThreadPost } from './thread-plan.ts';

export type MarketFaultKind = '420' | '500' | '503' | 'slow' | 'acceptThenReset' | 'resetBeforeEffect' | 'hang';
export type TelegramFaultKind = '429' | '500' | 'slow' | 'dropConnection';

export type PlannedFault =
  | { side: 'market'; kind: MarketFaultKind; operation: OperationId; ms: number }
  | { side: 'telegram'; kind: TelegramFaultKind; method: string; ms: number };

export type Planned =
  | { at: number; kind: 'chat'; chat: number }
  | { at: number; kind: 'message'; n: number; chat: number }
  | { at: number; kind: 'reply'; n: number }
  | { at: number; kind: 'delete' }
  | { at: number; kind: 'fault'; fault: PlannedFault }
  /** A review or question is created (at < 0: before the first start). */
  | { at: number; kind: 'thread'; thread: number }
  /** Comment, answer or comment on an answer n is written (at < 0: before the first start). */
  | { at: number; kind: 'threadPost'; n: number }
  /** Operator reply n is typed into the topic of a review or question. */
  | { at: number; kind: 'threadReply'; n: number };

/**
 * One `kill -9`: `early` ones hit the start-up (store open, resume, first poll) `delayMs` after the spawn; the
 * others come `delayMs` after the bridge answers /healthz, while it works — `duringPublication` ones then wait
 * (a while at most) until a reply to a review or question is on its way to the Market. `downtimeMs` before the
 * restart.
 */
export interface PlannedCrash {
  early: boolean;
  duringPublication: boolean;
  delayMs: number;
  downtimeMs: number;
}

export interface Plan {
  events: Planned[];
  crashes: PlannedCrash[];
  /** The text of buyer message n. */
  bodies: string[];
  /** The chat (index) of buyer message n. */
  chatOfMessage: number[];
  /** The reviews and questions, by index. */
  threads: PlannedThread[];
  /** Their comments, answers and comments on answers, by number n (marker `t<n>`). */
  threadPosts: PlannedThreadPost[];
}

const MARKET_FAULTS: Array<[MarketFaultKind, number, readonly OperationId[]]> = [
  ['420', 3, ['getChats', 'getChatHistory', 'sendMessageToChat']],
  ['500', 2, ['getChats', 'getChatHistory', 'getChat', 'sendMessageToChat']],
  ['503', 2, ['getChats', 'getChatHistory', 'sendMessageToChat']],
  ['slow', 2, ['getChats', 'getChatHistory', 'sendMessageToChat']],
  ['acceptThenReset', 2, ['sendMessageToChat']],
  ['resetBeforeEffect', 2, ['sendMessageToChat', 'getChatHistory']],
  ['hang', 0.3, ['getChatHistory', 'sendMessageToChat']],
];

const TELEGRAM_FAULTS: Array<[TelegramFaultKind, number, readonly string[]]> = [
  ['429', 3, ['sendMessage', 'sendMessage', 'createForumTopic', 'editForumTopic']],
  ['500', 2, ['sendMessage', 'sendMessage', 'createForumTopic']],
  ['slow', 1.5, ['sendMessage']],
  ['dropConnection', 1, ['sendMessage']],
];

/** Builds the seeded plan. Throws for options that cannot make sense. */
export function makePlan(o: ChaosOptions): Plan {
  if (o.chats < 1 || o.lateChats >= o.chats) throw new Error('chaos: need at least one chat created before the start');
  if (o.messages < o.chats * 2) throw new Error('chaos: messages must be at least twice the number of chats');
  const { random, between, pick, weighted } = dice(prng(o.seed));

  const W = o.workloadMs;
  const events: Planned[] = [];
  const early = o.chats - o.lateChats;
  const bornAt: number[] = [];
  for (let c = 0; c < o.chats; c++) {
    const at = c < early ? 0 : between(0.05 * W, 0.7 * W);
    bornAt.push(at);
    if (c >= early) events.push({ at, kind: 'chat', chat: c });
  }
  const weight = bornAt.map(() => between(0.3, 1.7));

  const regular = o.messages - o.chats;
  const times = Array.from({ length: regular }, () => between(0, W)).sort((a, b) => a - b);
  const chatOfMessage: number[] = [];
  const bodies: string[] = [];
  let previous = -1;
  const body = (n: number) => {
    const words = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(WORDS));
    return [`m${n}`, ...words].join(' ');
  };
  times.forEach((at, n) => {
    const open = bornAt.map((b, c) => [c, b <= at ? (weight[c] ?? 1) : 0] as const).filter(([, w]) => w > 0);
    const chat = previous >= 0 && (bornAt[previous] ?? 0) <= at && random() < 0.35 ? previous : weighted(open);
    previous = chat;
    chatOfMessage.push(chat);
    bodies.push(body(n));
    events.push({ at, kind: 'message', n, chat });
  });
  // One closing message per chat after the workload: a chat whose topic was deleted gets it back.
  for (let c = 0; c < o.chats; c++) {
    const n = regular + c;
    chatOfMessage.push(c);
    bodies.push(body(n));
    events.push({ at: W + 200 + c * 5, kind: 'message', n, chat: c });
  }

  for (let n = 0; n < o.replies; n++) events.push({ at: between(Math.min(2000, 0.2 * W), 0.95 * W), kind: 'reply', n });
  for (let i = 0; i < o.topicDeletes; i++) events.push({ at: between(0.15 * W, 0.9 * W), kind: 'delete' });

  const faults = Math.floor(W / o.faultEveryMs);
  for (let i = 0; i < faults; i++) {
    const at = between(0, W);
    let fault: PlannedFault;
    if (random() < 0.55) {
      const [kind, , operations] = weighted(
        MARKET_FAULTS.filter(([k]) => o.hangs || k !== 'hang').map((f) => [f, f[1]] as const),
      );
      const ms = kind === '420' ? between(1000, 2000) : kind === 'slow' ? between(200, 8000) : 0;
      fault = { side: 'market', kind, operation: pick(operations), ms };
    } else {
      const [kind, , methods] = weighted(TELEGRAM_FAULTS.map((f) => [f, f[1]] as const));
      fault = { side: 'telegram', kind, method: pick(methods), ms: kind === 'slow' ? between(200, 1500) : 0 };
    }
    events.push({ at, kind: 'fault', fault });
  }
  // The reviews and questions draw from a PRNG of their own: the chats' workload stays what it was for a seed.
  const threads = planThreads(o, dice(prng(o.seed ^ 0x7e4d5)));
  events.push(...threads.events);
  events.sort((a, b) => a.at - b.at);

  // One crash in five hits the start-up; the others a random time after the bridge is up, so that the crashes
  // spread over the workload (a start takes about 2 s).
  const up = Math.max(300, W / Math.max(1, o.crashes) - 2_500);
  // Every third crash that is not at a start-up waits for a publication in flight, when the run has any.
  const crashes = Array.from({ length: o.crashes }, (_, i) => {
    const early = random() < 0.2;
    const delayMs = early ? between(100, 1_500) : between(0.1 * up, 1.9 * up);
    const duringPublication = !early && o.threadReplies > 0 && i % 3 === 1;
    return { early, duringPublication, delayMs, downtimeMs: between(0, 700) };
  });
  return { events, crashes, bodies, chatOfMessage, threads: threads.threads, threadPosts: threads.posts };
}
