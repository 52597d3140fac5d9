/**
 * Reviews and questions as topics: the façade of their rooms. The Market side hands it what it lists
 * (`reviewSeen`, `questionSeen`) and what notifications announce (`notified`); each thread is synced in its
 * own queue (thread-sync.ts), so everything about one thread happens in order and once.
 */
import { KeyedQueue } from './chat-queue.ts';
import type { Question, Review } from './feedback-model.ts';
import type { FeedbackPort } from './feedback-port.ts';
import type { TelegramMessageId, TopicId } from './ids.ts';
import type { OperatorMessage, ReplyAction, TelegramPort } from './ports.ts';
import { ProductBook } from './product-book.ts';
import { ThreadReplies } from './thread-replies.ts';
import type { ThreadDeps, ThreadOptions } from './thread-deps.ts';
import { threadKey, type ThreadKey, type ThreadRecord, type ThreadStore } from './thread-store.ts';
import { ThreadSync } from './thread-sync.ts';
import { ThreadTopics } from './thread-topics.ts';

/** What a Market notification about a review or question announces. */
export type ThreadEvent =
  | { kind: 'review'; reviewId: number }
  | { kind: 'review-comment'; commentId: number }
  | { kind: 'question'; questionId: number }
  | { kind: 'answer'; answerId: number };

export class Threads {
  private readonly d: ThreadDeps;
  private readonly sync: ThreadSync;
  private readonly topics: ThreadTopics;
  private readonly replies: ThreadReplies;
  private stopped = false;
  /** Syncs queued but not started, by thread. */
  private readonly waiting = new Map<ThreadKey, { task: () => Promise<void>; done: Promise<void> }>();

  constructor(feedback: FeedbackPort, telegram: TelegramPort, store: ThreadStore, options: ThreadOptions) {
    const queue = new KeyedQueue<ThreadKey>((key, err) =>
      this.d.log.warn({ err, thread: key }, 'could not sync the thread; the next poll tries again'),
    );
    const now = options.now ?? (() => new Date());
    this.d = {
      feedback,
      telegram,
      store,
      t: options.texts,
      log: options.logger,
      now,
      options,
      queue,
      products: new ProductBook(options.products, options.logger, () => now().getTime()),
    };
    this.topics = new ThreadTopics(this.d);
    this.replies = new ThreadReplies(this.d);
    this.sync = new ThreadSync(this.d, this.topics, (rec, key, text) => this.replies.claim(rec, key, text));
  }

  /** A review the Market listed or looked up: mirrored if it needs the seller (or has a topic already). */
  reviewSeen(review: Review): Promise<void> {
    const key = threadKey('review', review.id);
    if (review.needReaction) this.wantProduct(key, review.offerId);
    return this.run(key, () => this.sync.review(review));
  }

  /** A question the Market listed; `needsAnswer` when the list was of questions without the shop's answer. */
  questionSeen(question: Question, needsAnswer?: boolean): Promise<void> {
    const key = threadKey('question', question.id);
    if (needsAnswer !== false) this.wantProduct(key, question.offerId);
    return this.run(key, () => this.sync.question(question, needsAnswer));
  }

  /**
   * A notification: what it names is looked up at the Market and synced. A duplicate or late one posts nothing.
   * A comment or answer on a review or question already mirrored is synced from the stored review or question
   * (its comments or answers are read all the same), without looking the review or question up again.
   */
  async notified(event: ThreadEvent): Promise<void> {
    const { feedback, store } = this.d;
    switch (event.kind) {
      case 'review': {
        const { items } = await feedback.reviews({ ids: [event.reviewId] });
        await Promise.all(items.map((r) => this.reviewSeen(r)));
        return;
      }
      case 'review-comment': {
        const { items } = await feedback.reviewComments({ commentIds: [event.commentId] });
        const ids = [...new Set(items.map((c) => c.reviewId))];
        const known = ids.flatMap((id) => store.findThread(threadKey('review', id))?.review ?? []);
        const unknown = ids.filter((id) => !known.some((r) => r.id === id));
        const reviews = unknown.length === 0 ? [] : (await feedback.reviews({ ids: unknown })).items;
        // The stored review may count no comments yet: this one exists.
        const stored = known.map((r) => ({ ...r, commentsCount: Math.max(r.commentsCount, 1) }));
        await Promise.all([...stored, ...reviews].map((r) => this.reviewSeen(r)));
        return;
      }
      case 'question': {
        const { items } = await feedback.questions({ ids: [event.questionId] });
        await Promise.all(items.map((q) => this.questionSeen(q)));
        return;
      }
      case 'answer': {
        const { items } = await feedback.answers({ answerIds: [event.answerId] });
        const ids = [...new Set(items.map((a) => a.questionId))];
        const known = ids.flatMap((id) => store.findThread(threadKey('question', id))?.question ?? []);
        const unknown = ids.filter((id) => !known.some((q) => q.id === id));
        const questions = unknown.length === 0 ? [] : (await feedback.questions({ ids: unknown })).items;
        await Promise.all([...known, ...questions].map((q) => this.questionSeen(q)));
        return;
      }
    }
  }

  /** Whether the topic is a review's or question's. */
  owns(topicId: TopicId): boolean {
    return this.d.store.findThreadByTopic(topicId) !== undefined;
  }

  /** An operator wrote in a review's or question's topic: their reply is published (thread-replies.ts). */
  async operatorMessage(msg: OperatorMessage): Promise<void> {
    const rec = this.d.store.findThreadByTopic(msg.topicId);
    if (rec) await this.replies.operatorMessage(rec, msg);
  }

  /** An operator edited their message in a thread's topic. */
  async operatorEdited(topicId: TopicId, messageId: TelegramMessageId, newText?: string): Promise<void> {
    const rec = this.d.store.findThreadByTopic(topicId);
    if (rec) await this.replies.edited(rec, messageId, newText);
  }

  /** Retry, Cancel or Send anyway under a reply's notice in a thread's topic. */
  replyAction(action: ReplyAction): Promise<string> {
    return this.replies.action(action);
  }

  /** After a start: the replies that were on their way go on. */
  resume(): void {
    this.replies.resume();
  }

  /**
   * No reply needed, pressed on a review's card by `by`: the Market stops waiting (skip-reaction), and the topic
   * is renamed and closed (reopened when the buyer writes again; a private chat's topic is only renamed). Resolves
   * with the answer for the button.
   */
  async skip(topicId: TopicId, by: { id: number; name: string }): Promise<string> {
    const { d } = this;
    const t = d.t.feedback;
    const rec = d.store.findThreadByTopic(topicId);
    if (rec?.kind !== 'review') return t.skipNotReview;
    let answer = t.skipAlready;
    let skipped = false;
    await d.queue.push(rec.key, async () => {
      if (rec.skipped || rec.state === 'skipped') return;
      const outcome = await d.feedback.skipReviews([rec.marketId]);
      if (outcome.kind !== 'sent') {
        answer = t.skipFailed(outcome.reason);
        return;
      }
      rec.skipped = true;
      rec.state = 'skipped';
      rec.waitingSince = undefined;
      d.store.saveThread(rec);
      await d.store.commit();
      d.log.info({ thread: rec.key, by: by.id }, 'review marked as needing no reply');
      answer = t.skipped(d.telegram.canCloseTopics);
      skipped = true;
    });
    // Renaming and closing take cosmetic turns: the button is answered first.
    if (skipped) void d.queue.push(rec.key, () => this.topics.settle(rec));
    return answer;
  }

  /** The threads mirrored so far. */
  tracked(): ThreadRecord[] {
    return this.d.store.threads();
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.d.queue.size;
  }

  /** No new work; resolves when the work in flight is done. */
  stop(): Promise<void> {
    this.stopped = true;
    this.replies.stop();
    return this.d.queue.idle();
  }

  /** A thread that may get its topic now: its product is named by the same look-up as the others seen with it. */
  private wantProduct(key: ThreadKey, offerId: string | undefined): void {
    const rec = this.d.store.findThread(key);
    if (rec?.topicId === undefined && rec?.product === undefined) this.d.products.want(offerId);
  }

  /**
   * Queues a sync of the thread; while one waits for its turn, another replaces what it will do (the latest
   * listing wins) instead of queueing a second read.
   */
  private run(key: ThreadKey, task: () => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const waiting = this.waiting.get(key);
    if (waiting) {
      waiting.task = task;
      return waiting.done;
    }
    const entry = { task, done: Promise.resolve() };
    this.waiting.set(key, entry);
    entry.done = this.d.queue.push(key, () => {
      this.waiting.delete(key);
      return entry.task();
    });
    return entry.done;
  }
}
