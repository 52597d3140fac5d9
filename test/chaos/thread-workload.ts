/**
 * The reviews and questions of a chaos run played against the fake Market: each created with its SKU, then what
 * buyers write in them (comments, answers, comments on answers, replies to comments), remembered in the order the
 * Market took them, for the verdict.
 */
import type { World } from '../e2e/harness.ts';
import type { Plan } from './plan.ts';
import type { PlannedThreadPost, ThreadKind } from './thread-plan.ts';

/** A review or question created at the fake Market. */
export interface CreatedThread {
  index: number;
  kind: ThreadKind;
  sku: string;
  /** The review's feedbackId or the question's id. */
  marketId: number;
}

/** A comment, answer or comment on an answer written at the fake Market. */
export interface WrittenPost {
  n: number;
  thread: number;
  what: PlannedThreadPost['what'];
  /** Its comment or answer id at the Market. */
  marketId: number;
  /** The answer (n) a comment on an answer belongs to. */
  answer?: number;
  /** 0, 1, 2, … in the order the Market took them, across threads. */
  seq: number;
}

export class ThreadWorkload {
  /** By thread index. */
  readonly threads = new Map<number, CreatedThread>();
  /** By post number n. */
  readonly posts = new Map<number, WrittenPost>();

  constructor(
    private readonly plan: Plan,
    private readonly world: World,
  ) {}

  /** Creates review or question `index` (it needs the seller: a review that needs a reaction, a question unanswered). */
  create(index: number): void {
    const t = this.plan.threads[index];
    if (!t || this.threads.has(index)) return;
    const { reviews, questions } = this.world.market;
    const marketId =
      t.kind === 'review'
        ? reviews.addReview({
            offerId: t.sku,
            author: t.author,
            rating: 1 + (index % 5),
            comment: `Review ${index} of ${t.sku}`,
          })
        : questions.addQuestion({
            offerId: t.sku,
            text: `Question ${index}: is ${t.sku} waterproof?`,
            author: { type: 'USER', name: t.author },
          });
    this.threads.set(index, { index, kind: t.kind, sku: t.sku, marketId });
  }

  /** Writes post n in its thread; nothing when the thread or what it replies to was never created. */
  write(n: number): void {
    const p = this.plan.threadPosts[n];
    const thread = p && this.threads.get(p.thread);
    if (!p || !thread) return;
    const { reviews, questions } = this.world.market;
    const idOf = (m: number | undefined) => (m === undefined ? undefined : this.posts.get(m)?.marketId);
    let marketId: number;
    let answer: number | undefined;
    switch (p.what) {
      case 'comment': {
        const parentId = idOf(p.parent);
        if (p.parent !== undefined && parentId === undefined) return;
        marketId = reviews.addReviewComment(thread.marketId, {
          text: p.body,
          authorName: p.author,
          ...(parentId !== undefined && { parentId }),
        });
        break;
      }
      case 'answer':
        marketId = questions.addAnswer(thread.marketId, { text: p.body, author: { type: 'USER', name: p.author } });
        break;
      case 'answerComment': {
        const answerId = idOf(p.answer);
        const parentId = idOf(p.parent);
        if (answerId === undefined || (p.parent !== undefined && parentId === undefined)) return;
        answer = p.answer;
        marketId = questions.addAnswerComment(answerId, {
          text: p.body,
          author: { type: 'USER', name: p.author },
          ...(parentId !== undefined && { parentId }),
        });
        break;
      }
    }
    this.posts.set(n, {
      n,
      thread: p.thread,
      what: p.what,
      marketId,
      ...(answer !== undefined && { answer }),
      seq: this.posts.size,
    });
  }
}
