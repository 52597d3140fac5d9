/**
 * Telegram → Market for reviews and questions: what an operator types in a thread's topic is published as the
 * shop's comment on the review (a reply to a comment when the operator replied to that comment's post), the
 * shop's answer to the question, or a comment on an answer. The same guarantees as chat replies: written down
 * before anything is sent, checked by the reply guard then and again before the send, an undo window with
 * Cancel, sent at most once — an attempt whose fate is unknown is looked for at the Market (the shop's text
 * among the thread's comments or answers) before any resend — and one notice under the message that says how
 * it went, with Retry when it failed. Its published id goes into the thread's `posted` map, so its echo is not
 * mirrored back. An edit in Telegram edits what was published.
 */
import { isNote, markNote } from './notes.ts';
import { findPublished, publish, replyTarget } from './thread-publish.ts';
import { ThreadReplyNotices } from './thread-reply-notices.ts';
import { forgetOldReplies } from './thread-reply-ttl.ts';
import type { WriteOutcome } from './feedback-port.ts';
import type { GuardFinding, OperatorMessage, ReplyAction } from './ports.ts';
import type { ThreadDeps } from './thread-deps.ts';
import type { ThreadRecord, ThreadReplyRecord } from './thread-store.ts';

/** The Market's text limits: review comments and question texts. */
const LIMIT = { review: 4_096, question: 5_000 } as const;
const MAX_ATTEMPTS = 3;
const FORGET_EVERY_MS = 3600 * 1000;
const REACTION_PUBLISHED = '👍';

export class ThreadReplies {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private forgetting?: NodeJS.Timeout;
  private readonly notices: ThreadReplyNotices;

  constructor(private readonly d: ThreadDeps) {
    this.notices = new ThreadReplyNotices(d, (reply) => this.save(reply));
  }

  /** An operator's message in the thread's topic. */
  async operatorMessage(rec: ThreadRecord, msg: OperatorMessage): Promise<void> {
    const { d } = this;
    const t = d.t.feedback;
    if (isNote(msg.text ?? msg.caption)) return markNote(d, msg.topicId, msg.messageId);
    if (msg.file) return void (await this.notices.tell(msg, t.fileNotPublished));
    const text = msg.text;
    if (!text?.trim()) return void (await this.notices.tell(msg, d.t.unsupportedMessage));
    if (text.length > LIMIT[rec.kind]) return void (await this.notices.tell(msg, t.tooLong(LIMIT[rec.kind])));
    const undoMs = (d.options.undoSeconds ?? 0) * 1000;
    const reply = d.store.putThreadReply({
      id: `${msg.topicId}:${msg.messageId}`,
      thread: rec.key,
      topicId: msg.topicId,
      telegramMessageId: msg.messageId,
      text,
      target: replyTarget(rec, msg.replyTo),
      state: 'queued',
      attempts: 0,
      createdAt: d.now().toISOString(),
      ...(undoMs > 0 && { notBefore: new Date(d.now().getTime() + undoMs).toISOString() }),
    });
    await d.store.commit();
    if (this.hold(rec, reply)) return;
    if (undoMs > 0)
      await this.notices.notice(reply, t.willPublish(d.options.undoSeconds ?? 0), [
        this.notices.button(reply, 'cancel'),
      ]);
    this.request(reply);
  }

  /** Retry, Cancel or Send anyway under a reply's notice; resolves with the answer for the button. */
  async action(action: ReplyAction): Promise<string> {
    const { d } = this;
    const reply = d.store.findThreadReply(`${action.topicId}:${action.messageId}`);
    if (!reply) return d.t.nothingToDo;
    switch (action.kind) {
      case 'cancel':
        if (reply.state !== 'queued' && reply.state !== 'held') return d.t.alreadySent;
        reply.state = 'cancelled';
        await this.save(reply);
        await this.notices.notice(reply, d.t.feedback.cancelled);
        return d.t.feedback.cancelled;
      case 'allow':
        if (reply.state !== 'held') return d.t.nothingToDo;
        if (d.options.guard?.mode === 'block') return d.t.guard.blocked;
        reply.allowed = true;
        reply.state = 'queued';
        reply.notBefore = undefined;
        await this.save(reply);
        await this.notices.notice(reply, d.t.guard.sendingAnyway);
        this.request(reply);
        return d.t.guard.sendingAnyway;
      case 'retry':
        if (reply.state !== 'failed') return d.t.nothingToDo;
        reply.state = 'queued';
        reply.attempts = 0;
        reply.notBefore = undefined;
        await this.save(reply);
        await this.notices.notice(reply, d.t.retrying);
        this.request(reply);
        return d.t.retrying;
      default:
        return d.t.nothingToDo;
    }
  }

  /** The operator edited a reply: a waiting one takes the new text, a published one is edited at the Market. */
  async edited(rec: ThreadRecord, messageId: number, newText: string | undefined): Promise<void> {
    const { d } = this;
    const reply = d.store.findThreadReply(`${rec.topicId}:${messageId}`);
    if (!reply || !newText?.trim() || newText === reply.text) return;
    if (reply.state === 'queued' || reply.state === 'held') {
      reply.text = newText;
      reply.allowed = undefined;
      reply.state = 'queued';
      await this.save(reply);
      if (!this.hold(rec, reply))
        await this.notices.notice(reply, d.t.feedback.editQueued, [this.notices.button(reply, 'cancel')]);
      return;
    }
    if (reply.state !== 'sent' || reply.resultId === undefined) return;
    if (this.findings(rec, newText).length > 0) {
      await this.notices.notice(
        reply,
        d.t.feedback.editNotPublished(d.t.guard.held(this.findings(rec, newText), 'block')),
      );
      return;
    }
    const id = reply.resultId;
    const outcome: WriteOutcome<unknown> =
      rec.kind === 'review'
        ? await d.feedback.saveReviewComment({ reviewId: rec.marketId, id, text: newText })
        : await d.feedback.writeQuestionText({
            operation: 'UPDATE',
            entity: { id, type: reply.target.kind === 'answer' ? 'ANSWER' : 'COMMENT' },
            text: newText,
          });
    if (outcome.kind !== 'sent') {
      await this.notices.notice(reply, d.t.feedback.editNotPublished(outcome.reason));
      return;
    }
    reply.text = newText;
    await this.save(reply);
    await this.notices.notice(reply, d.t.feedback.editPublished);
  }

  /**
   * After a start: replies that were waiting go on; one killed while being sent is looked for first; one whose
   * outcome the operator was not told yet (the process stopped in between) is told now.
   */
  resume(): void {
    this.forgetOld();
    for (const reply of this.d.store.threadReplies()) {
      if (reply.state === 'queued') this.request(reply);
      else if (reply.state === 'sending' || reply.state === 'unknown') this.later(reply, 0, () => this.check(reply.id));
      else if (reply.told === false && (reply.state === 'sent' || reply.state === 'failed')) {
        void this.d.queue.push(reply.thread, () => this.tellOutcome(reply));
      }
    }
  }

  private async tellOutcome(reply: ThreadReplyRecord): Promise<void> {
    if (reply.state === 'sent') {
      await this.notices.final(reply, this.d.t.feedback.published);
    } else if (reply.state === 'failed') {
      const buttons = reply.retryable ? [this.notices.button(reply, 'retry')] : [];
      await this.notices.final(reply, this.d.t.replyFailed(reply.error ?? ''), buttons);
    }
  }

  /** Forgets the finished replies old enough (thread-reply-ttl.ts), now and every hour. */
  private forgetOld(): void {
    if (forgetOldReplies(this.d.store, this.d.now()) > 0) void this.d.store.commit();
    clearTimeout(this.forgetting);
    this.forgetting = setTimeout(() => this.forgetOld(), FORGET_EVERY_MS);
    this.forgetting.unref();
  }

  stop(): void {
    clearTimeout(this.forgetting);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  // ---------------------------------------------------------------- sending

  private request(reply: ThreadReplyRecord): void {
    void this.d.queue.push(reply.thread, () => this.send(reply.id));
  }

  private later(reply: ThreadReplyRecord, ms: number, then: () => Promise<void>): void {
    clearTimeout(this.timers.get(reply.id));
    const timer = setTimeout(
      () => {
        this.timers.delete(reply.id);
        void this.d.queue.push(reply.thread, then);
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.set(reply.id, timer);
  }

  private async send(id: string): Promise<void> {
    const { d } = this;
    const reply = d.store.findThreadReply(id);
    const rec = reply && d.store.findThread(reply.thread);
    if (!reply || !rec || reply.state !== 'queued') return;
    const wait = reply.notBefore === undefined ? 0 : Date.parse(reply.notBefore) - d.now().getTime();
    if (wait > 0) return this.later(reply, wait, () => this.send(id));
    // The guard's last look: the text may have been edited since it was written down.
    if (this.hold(rec, reply)) return;
    reply.state = 'sending';
    reply.told = false;
    reply.attempts++;
    reply.attemptedAt = d.now().toISOString();
    await this.save(reply);
    const outcome = await publish(this.d.feedback, rec, reply);
    await this.apply(rec, reply, outcome);
  }

  private async apply(rec: ThreadRecord, reply: ThreadReplyRecord, outcome: WriteOutcome<{ id: number }>) {
    const { d } = this;
    switch (outcome.kind) {
      case 'sent':
        return this.published(rec, reply, outcome.result.id);
      case 'rejected':
        return this.fail(reply, d.t.marketRejected(outcome.status, outcome.reason), false);
      case 'rate-limited':
      case 'not-sent': {
        if (outcome.kind === 'not-sent' && reply.attempts >= MAX_ATTEMPTS)
          return this.fail(reply, outcome.reason, true);
        const at =
          outcome.kind === 'rate-limited'
            ? outcome.retryAt
            : new Date(d.now().getTime() + (d.options.retryDelayMs?.(reply.attempts) ?? 5_000));
        reply.state = 'queued';
        reply.notBefore = at.toISOString();
        await this.save(reply);
        if (outcome.kind === 'rate-limited') await this.notices.notice(reply, d.t.replyQueued(this.notices.clock(at)));
        return this.later(reply, at.getTime() - d.now().getTime(), () => this.send(reply.id));
      }
      case 'ambiguous':
        reply.state = 'unknown';
        await this.save(reply);
        await this.notices.notice(reply, d.t.replyUnknown);
        return this.later(reply, d.options.ambiguousSettleMs ?? 20_000, () => this.check(reply.id));
    }
  }

  /** An attempt of unknown fate: published if the Market has the shop's text; otherwise sent again (a few times). */
  private async check(id: string): Promise<void> {
    const { d } = this;
    const reply = d.store.findThreadReply(id);
    const rec = reply && d.store.findThread(reply.thread);
    if (!reply || !rec || (reply.state !== 'unknown' && reply.state !== 'sending')) return;
    // The Market may still be working on an attempt whose answer was lost: it settles before it counts as lost.
    const settleMs = d.options.ambiguousSettleMs ?? 20_000;
    const wait = (reply.attemptedAt === undefined ? 0 : Date.parse(reply.attemptedAt)) + settleMs - d.now().getTime();
    if (wait > 0) return this.later(reply, wait, () => this.check(id));
    const found = await findPublished(d.feedback, rec, reply);
    if (found !== undefined) return this.published(rec, reply, found);
    if (reply.attempts >= MAX_ATTEMPTS) return this.fail(reply, d.t.replyUnknown, true);
    reply.state = 'queued';
    await this.save(reply);
    await this.send(id);
  }

  /**
   * The shop's comment or answer `key` with `text`, met while mirroring the thread: when a reply of unknown fate
   * (killed or unanswered while being sent) has that text, it is that reply's publication — recorded as such, so
   * it is neither mirrored back nor sent again. True when it was claimed.
   */
  async claim(rec: ThreadRecord, key: string, text: string): Promise<boolean> {
    const answer = key.startsWith('a:');
    const reply = this.d.store
      .threadReplies()
      .find(
        (r) =>
          r.thread === rec.key &&
          (r.state === 'sending' || r.state === 'unknown' || (r.state === 'failed' && r.retryable === true)) &&
          (r.target.kind === 'answer') === answer &&
          r.text.trim() === text.trim(),
      );
    if (!reply) return false;
    await this.published(rec, reply, Number(key.slice(2)));
    return true;
  }

  private async published(rec: ThreadRecord, reply: ThreadReplyRecord, id: number): Promise<void> {
    const { d } = this;
    reply.state = 'sent';
    reply.resultId = id;
    reply.error = undefined;
    const key = `${reply.target.kind === 'answer' ? 'a' : 'c'}:${id}`;
    rec.posted[key] = reply.telegramMessageId;
    if (reply.target.kind === 'answer-comment') (rec.answerOf ??= {})[key] = reply.target.answerId;
    d.store.saveThread(rec);
    await this.save(reply);
    d.log.info({ thread: rec.key, id, attempts: reply.attempts }, 'reply published');
    await this.notices.final(reply, d.t.feedback.published);
    await d.telegram.react(reply.telegramMessageId, REACTION_PUBLISHED).catch((err: unknown) => {
      d.log.debug({ err }, 'could not react to a published reply');
    });
  }

  private async fail(reply: ThreadReplyRecord, reason: string, retry: boolean): Promise<void> {
    reply.state = 'failed';
    reply.error = reason;
    reply.retryable = retry;
    await this.save(reply);
    this.d.log.warn({ thread: reply.thread, reason }, 'reply not published');
    await this.notices.final(reply, this.d.t.replyFailed(reason), retry ? [this.notices.button(reply, 'retry')] : []);
  }

  // ---------------------------------------------------------------- the guard, notices, records

  private findings(rec: ThreadRecord, text: string): readonly GuardFinding[] {
    const known = [String(rec.marketId), ...(rec.review?.orderId === undefined ? [] : [String(rec.review.orderId)])];
    return this.d.options.guard?.check(text, { knownNumbers: known }) ?? [];
  }

  /** Holds a reply whose text the guard flags (unless Send anyway was pressed); true when held. */
  private hold(rec: ThreadRecord, reply: ThreadReplyRecord): boolean {
    const { d } = this;
    const guard = d.options.guard;
    if (!guard || reply.allowed) return false;
    const findings = this.findings(rec, reply.text);
    if (findings.length === 0) return false;
    reply.state = 'held';
    reply.findings = [...findings];
    d.store.saveThreadReply(reply);
    void d.store.commit();
    const buttons = [
      ...(guard.mode === 'warn'
        ? [{ text: d.t.guard.sendAnywayButton, action: this.notices.action(reply, 'allow') }]
        : []),
      this.notices.button(reply, 'cancel'),
    ];
    d.options.observer?.guard(
      'held',
      findings.map((f) => f.kind),
    );
    void this.notices.notice(reply, d.t.guard.held(findings, guard.mode), buttons);
    return true;
  }

  private async save(reply: ThreadReplyRecord): Promise<void> {
    this.d.store.saveThreadReply(reply);
    await this.d.store.commit();
  }
}
