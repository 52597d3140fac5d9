/**
 * Mirroring one review or question into its topic, in the thread's queue: the record is made when the thread
 * first needs the seller (and is recent enough), the topic and card come first, then every comment (of a
 * review) or answer and comment (of a question) not posted yet, in the Market's order, each remembered as
 * posted right after Telegram took it — so a crash repeats at most the post in flight, and a duplicate or late
 * notification posts nothing. Then the state follows: waiting for the seller, answered, or skipped.
 */
import type { Answer, AnswerComment, Question, Review, ReviewComment } from './feedback-model.ts';
import { feedbackPost } from './feedback-format.ts';
import type { Html } from './html.ts';
import { allItems } from './pages.ts';
import type { TelegramMessageId } from './ids.ts';
import type { ThreadDeps } from './thread-deps.ts';
import { threadKey, type ThreadRecord, type ThreadState } from './thread-store.ts';
import type { ThreadTopics } from './thread-topics.ts';

const DAY_MS = 86_400_000;

/** One thing to post: its key in `posted`, its posts, and the post it replies to. */
interface Entry {
  key: string;
  posts: Html[];
  replyTo?: string;
  /** A question's comment: the answer it belongs to. */
  answerId?: number;
  byBuyer: boolean;
  byShop: boolean;
  /** The text of a comment or answer by the shop: it may be an operator's reply whose answer was lost. */
  shopText?: string;
}

/**
 * Claims a shop's comment or answer (its key in `posted`, its text) for an operator's reply of unknown fate with
 * that text: true when it was one, and is now that reply's publication, not a post of its own.
 */
export type ShopTextClaim = (rec: ThreadRecord, key: string, text: string) => Promise<boolean>;

export class ThreadSync {
  constructor(
    private readonly d: ThreadDeps,
    private readonly topics: ThreadTopics,
    private readonly claim: ShopTextClaim,
  ) {}

  /** A review as the Market lists it now. */
  async review(review: Review): Promise<void> {
    const rec = this.record('review', review.id, review.needReaction, review.createdAt);
    if (!rec) return;
    rec.review = review;
    const comments =
      review.commentsCount > 0 || Object.keys(rec.posted).length > 0 ? await this.comments(review.id) : [];
    const entries = comments.map((c) => this.commentEntry(c));
    await this.mirror(rec, entries);
    this.settleState(rec, review.needReaction, entries);
    await this.topics.settle(rec);
  }

  /** A question as the Market lists it now. */
  async question(question: Question, needsAnswer?: boolean): Promise<void> {
    if (!this.d.store.findThread(threadKey('question', question.id)) && this.tooOld(question.createdAt)) return;
    const answers = await this.answers(question.id);
    const entries = answerEntries(answers, this.d.t.feedback);
    const byShop = entries.some((e) => e.byShop);
    const rec = this.record('question', question.id, needsAnswer ?? !byShop, question.createdAt);
    if (!rec) return;
    rec.question = question;
    await this.mirror(rec, entries);
    this.settleState(rec, !byShop, entries);
    await this.topics.settle(rec);
  }

  /** The thread's record; a new one only for a thread that needs the seller and is recent enough. */
  private record(kind: 'review' | 'question', id: number, needsSeller: boolean, createdAt: string) {
    const { d } = this;
    const key = threadKey(kind, id);
    const found = d.store.findThread(key);
    if (found) return found;
    if (!needsSeller || this.tooOld(createdAt)) return undefined;
    return d.store.putThread({
      key,
      kind,
      marketId: id,
      posted: {},
      state: 'waiting',
      waitingSince: createdAt,
      firstSeenAt: d.now().toISOString(),
    });
  }

  /** Older than REVIEWS_SINCE_DAYS: never gets a topic (a first start does not flood the group with old ones). */
  private tooOld(createdAt: string): boolean {
    return Date.parse(createdAt) < this.d.now().getTime() - this.d.options.sinceDays * DAY_MS;
  }

  private commentEntry(c: ReviewComment): Entry {
    return {
      key: `c:${c.id}`,
      posts: feedbackPost(c, this.d.t.feedback),
      ...(c.parentId !== undefined && { replyTo: `c:${c.parentId}` }),
      byBuyer: c.author.type === 'USER',
      byShop: c.author.type === 'BUSINESS',
      ...(c.author.type === 'BUSINESS' && { shopText: c.text }),
    };
  }

  /** Posts what is not posted yet, in order; each is remembered (and committed) once Telegram took it. */
  private async mirror(rec: ThreadRecord, entries: readonly Entry[]): Promise<void> {
    const { d } = this;
    await this.topics.getOrCreate(rec);
    for (const entry of entries) {
      if (rec.posted[entry.key] !== undefined) continue;
      if (entry.shopText !== undefined && (await this.claim(rec, entry.key, entry.shopText))) continue;
      if (entry.byBuyer) rec.skipped = undefined;
      let first: TelegramMessageId | undefined;
      for (const post of entry.posts) {
        const replyTo = first ?? (entry.replyTo === undefined ? undefined : rec.posted[entry.replyTo]);
        const id = await this.topics.within(rec, (topicId) =>
          d.telegram.sendText(topicId, post, { lane: this.topics.lane(rec), ...(replyTo && { replyTo }) }),
        );
        first ??= id;
      }
      if (first !== undefined) rec.posted[entry.key] = first;
      if (entry.answerId !== undefined) (rec.answerOf ??= {})[entry.key] = entry.answerId;
      d.store.saveThread(rec);
      await d.store.commit();
    }
    rec.syncedAt = d.now().toISOString();
    d.store.saveThread(rec);
  }

  /**
   * Waiting while the Market says the thread needs the seller, or while a buyer wrote last; otherwise answered
   * when the shop replied, else skipped (No reply needed, or handled in the cabinet).
   */
  private settleState(rec: ThreadRecord, needsSeller: boolean, entries: readonly Entry[]): void {
    const { d } = this;
    const last = entries.at(-1);
    let state: ThreadState;
    if (needsSeller && !rec.skipped) state = 'waiting';
    else if (rec.skipped) state = 'skipped';
    else if (last?.byBuyer) state = 'waiting';
    else state = entries.some((e) => e.byShop) ? 'answered' : 'skipped';
    if (state === 'waiting') rec.waitingSince ??= d.now().toISOString();
    else rec.waitingSince = undefined;
    if (state !== rec.state) d.log.info({ thread: rec.key, from: rec.state, to: state }, 'thread state changed');
    rec.state = state;
    d.store.saveThread(rec);
  }

  private comments(reviewId: number): Promise<ReviewComment[]> {
    return allItems((pageToken) => this.d.feedback.reviewComments({ reviewId }, pageToken));
  }

  private answers(questionId: number): Promise<Answer[]> {
    return allItems((pageToken) => this.d.feedback.answers({ questionId }, pageToken));
  }
}

/** A question's answers and their comments in the order they were written (a comment after its answer). */
function answerEntries(answers: readonly Answer[], t: ThreadDeps['t']['feedback']): Entry[] {
  const items: Array<{ at: number; order: number; entry: Entry }> = [];
  const entry = (e: Answer | AnswerComment, what: 'answer' | 'comment'): Entry => ({
    key: `${what === 'answer' ? 'a' : 'c'}:${e.id}`,
    posts: feedbackPost(e, t, what === 'answer' ? 'answer' : undefined),
    ...('answerId' in e && {
      replyTo: e.parentId === undefined ? `a:${e.answerId}` : `c:${e.parentId}`,
      answerId: e.answerId,
    }),
    byBuyer: e.author.type === 'USER',
    byShop: what === 'answer' && e.author.type === 'BUSINESS',
    ...(e.author.type === 'BUSINESS' && { shopText: e.text }),
  });
  for (const a of answers) {
    items.push({ at: Date.parse(a.createdAt), order: items.length, entry: entry(a, 'answer') });
    for (const c of a.comments) {
      items.push({
        at: Math.max(Date.parse(c.createdAt), Date.parse(a.createdAt)),
        order: items.length,
        entry: entry(c, 'comment'),
      });
    }
  }
  return items.sort((x, y) => x.at - y.at || x.order - y.order).map((i) => i.entry);
}
