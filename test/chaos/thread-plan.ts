/**
 * The reviews and questions of a chaos run's plan: which exist before the first start and which are born during
 * the workload, the stream of what buyers write in them — comments on a review (some replying to an earlier
 * comment), answers to a question, comments on an answer (some replying to an earlier comment on it) — and the
 * faults on their Market calls (reads, and the writes of the operators' replies), a quarter as many as the other
 * faults, and when the operator replies in their topics. Each text starts with its marker `t<n>`, so
 * its copies can be found in Telegram.
 */
import type { OperationId } from '../fakes/market-server.ts';
import { WORDS, type Dice } from './dice.ts';
import type { ChaosOptions } from './options.ts';
import type { MarketFaultKind, Planned } from './plan.ts';

export type ThreadKind = 'review' | 'question';

/** A review or question of the plan; its SKU names its topic. */
export interface PlannedThread {
  index: number;
  kind: ThreadKind;
  /** The product's SKU: `CHAOS-R<i>` or `CHAOS-Q<i>`, unique in the run. */
  sku: string;
  author: string;
  /** ms after the start of the workload; negative: before the first start. */
  bornAt: number;
}

/** What a buyer writes in a thread: n is its marker, `thread` the thread's index. */
export type PlannedThreadPost = { n: number; thread: number; body: string; author: string } & (
  ReviewCommentPost | { what: 'answer' } | AnswerCommentPost
);

/** A comment on a review; `parent`: the comment (n) of the same review it replies to. */
interface ReviewCommentPost {
  what: 'comment';
  parent?: number;
}

/** A comment on answer `answer` (its n); `parent`: the comment (n) on that answer it replies to. */
interface AnswerCommentPost {
  what: 'answerComment';
  answer: number;
  parent?: number;
}

/** The Market reads of reviews and questions that faults hit. */
export const THREAD_READS: readonly OperationId[] = [
  'getGoodsFeedbacks',
  'getGoodsFeedbackComments',
  'getGoodsQuestions',
  'getGoodsQuestionAnswers',
];

/** The writes of the operators' replies: comments on reviews, answers and comments on answers. */
export const THREAD_WRITES: readonly OperationId[] = ['updateGoodsFeedbackComment', 'updateGoodsQuestionTextEntity'];

/** The thread reads of a sync (the poller's lists and look-ups are the others). */
const DETAIL_READS: readonly OperationId[] = ['getGoodsFeedbackComments', 'getGoodsQuestionAnswers'];

const THREAD_FAULTS: Array<[MarketFaultKind, number, readonly OperationId[]]> = [
  ['420', 3, THREAD_READS],
  ['500', 2, THREAD_READS],
  ['503', 2, THREAD_READS],
  ['slow', 2, THREAD_READS],
  ['resetBeforeEffect', 1.5, DETAIL_READS],
  ['hang', 0.3, DETAIL_READS],
  ['500', 1, THREAD_WRITES],
  ['420', 0.5, THREAD_WRITES],
  ['slow', 1, THREAD_WRITES],
  ['acceptThenReset', 1.5, THREAD_WRITES],
  ['resetBeforeEffect', 1, THREAD_WRITES],
  ['hang', 0.2, THREAD_WRITES],
];

const NAMES = ['Anna', 'Ivan', 'Petr', 'Olga', 'Vera', 'Oleg', 'Ira', 'Marat'];

/** The SKU a thread's topic title and card carry; the inverse of `threadOfSku`. */
export const skuOf = (kind: ThreadKind, index: number): string => `CHAOS-${kind === 'review' ? 'R' : 'Q'}${index}`;

/** The thread index named by a topic title or card (`CHAOS-R3` → 3), if any. */
export function threadOfSku(text: string): number | undefined {
  const m = /\bCHAOS-[RQ](\d+)\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function planThreads(
  o: ChaosOptions,
  dice: Dice,
): { threads: PlannedThread[]; posts: PlannedThreadPost[]; events: Planned[] } {
  const all = o.reviews + o.questions;
  if (o.lateThreads > all) throw new Error('chaos: lateThreads cannot exceed reviews + questions');
  const W = o.workloadMs;
  const { random, between, pick, weighted } = dice;
  const events: Planned[] = [];

  // Which threads are born late: a seeded choice among all of them.
  const late = new Set<number>();
  while (late.size < o.lateThreads) late.add(Math.floor(random() * all));
  const threads: PlannedThread[] = Array.from({ length: all }, (_, index) => {
    const kind: ThreadKind = index < o.reviews ? 'review' : 'question';
    const bornAt = late.has(index) ? between(0.05 * W, 0.6 * W) : -1;
    events.push({ at: bornAt, kind: 'thread', thread: index });
    return { index, kind, sku: skuOf(kind, index), author: pick(NAMES), bornAt };
  });
  if (all === 0) return { threads, posts: [], events };
  const weight = threads.map(() => between(0.3, 1.7));

  // A few posts exist before the first start (in threads that do), the rest come during the workload.
  const early = threads.filter((t) => t.bornAt < 0);
  const before = early.length === 0 ? 0 : Math.min(o.threadPosts, Math.round(o.threadPosts * 0.05));
  const times = [
    ...Array.from({ length: before }, () => -1),
    ...Array.from({ length: o.threadPosts - before }, () => between(0, 0.95 * W)).sort((a, b) => a - b),
  ];
  const posts: PlannedThreadPost[] = [];
  /** Per thread: its posts so far (n), and per answer its comments (n). */
  const byThread = new Map<number, number[]>();
  const byAnswer = new Map<number, number[]>();
  const body = (n: number) => [`t${n}`, ...Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(WORDS))];
  for (const at of times) {
    const n = posts.length;
    // A thread born 50 ms earlier at least, so that its creation comes first.
    const open = threads
      .map((t) => [t, t.bornAt < 0 || t.bornAt + 50 <= at ? (weight[t.index] ?? 1) : 0] as const)
      .filter(([t, w]) => w > 0 && (at >= 0 || t.bornAt < 0));
    if (open.length === 0) continue;
    const thread = weighted(open);
    const mine = byThread.get(thread.index) ?? [];
    const common = { n, thread: thread.index, body: body(n).join(' '), author: pick(NAMES) };
    let post: PlannedThreadPost;
    if (thread.kind === 'review') {
      post = { ...common, what: 'comment', ...(mine.length > 0 && random() < 0.4 && { parent: pick(mine) }) };
    } else {
      const answers = mine.filter((m) => posts[m]?.what === 'answer');
      if (answers.length === 0 || random() < 0.35) {
        post = { ...common, what: 'answer' };
      } else {
        const answer = pick(answers);
        const comments = byAnswer.get(answer) ?? [];
        post = {
          ...common,
          what: 'answerComment',
          answer,
          ...(comments.length > 0 && random() < 0.4 && { parent: pick(comments) }),
        };
        byAnswer.set(answer, [...comments, n]);
      }
    }
    byThread.set(thread.index, [...mine, n]);
    posts.push(post);
    events.push({ at, kind: 'threadPost', n });
  }

  const faults = Math.floor(W / o.faultEveryMs / 4);
  const kinds = THREAD_FAULTS.filter(([k]) => o.hangs || k !== 'hang').map((f) => [f, f[1]] as const);
  for (let i = 0; i < faults; i++) {
    const at = between(0, W);
    const [kind, , operations] = weighted(kinds);
    const ms = kind === '420' ? between(1000, 2000) : kind === 'slow' ? between(200, 8000) : 0;
    events.push({ at, kind: 'fault', fault: { side: 'market', kind, operation: pick(operations), ms } });
  }
  for (let n = 0; n < o.threadReplies; n++) events.push({ at: between(0.1 * W, 0.9 * W), kind: 'threadReply', n });
  return { threads, posts, events };
}
