/**
 * Telegram → Market: delivering the replies written down in the reply book, in order, in the chat's queue.
 * Applies each send outcome (delivered, refused, wait for a window, fate unknown → read the history before
 * any resend), tells the operator, and picks up after a restart what was on its way. `sendOne` is the one
 * place a reply leaves for the Market; the reply guard has its last look just before it (holds.ts), and a held
 * reply stops its chat's delivery until the operator decides.
 */
import type { Cards } from './card.ts';
import type { Deps } from './deps.ts';
import type { MarketChatId } from './ids.ts';
import type { MarketChat } from './model.ts';
import type { Holds } from './holds.ts';
import type { Notices } from './notices.ts';
import type { SendOutcome } from './ports.ts';
import { repliesOf } from './reply-book.ts';
import { answered } from './waits.ts';
import type { ChatRecord, ReplyRecord } from './store-port.ts';

/** The Market accepts files up to 5 MB. */
export const MARKET_FILE_LIMIT = 5 * 1024 * 1024;
/** A reply that the Market may have taken is re-sent after a clean history check at most this often. */
const MAX_AMBIGUOUS_ATTEMPTS = 3;
/** Finished replies are forgotten after this long (their echoes have long been matched). */
const REPLY_TTL_MS = 3 * 24 * 3600 * 1000;
const FORGET_REPLIES_EVERY_MS = 3600 * 1000;

export const REACTION_DELIVERED = '👍';

export class Delivery {
  /** Replies written down in memory whose first commit has not succeeded yet: not to be sent. */
  readonly unsaved = new Set<string>();

  constructor(
    private readonly d: Deps,
    private readonly notices: Notices,
    private readonly holds: Holds,
    private readonly cards: Cards,
    /** Reads the chat's new history (mirroring it): how a reply of unknown fate is looked for. */
    private readonly readHistory: (rec: ChatRecord, chat: MarketChat) => Promise<unknown>,
  ) {}

  /** Queues a delivery round for the chat (one waits at most). */
  request(marketChatId: MarketChatId): void {
    this.d.queue.once('deliver', marketChatId, () => this.deliver(marketChatId));
  }

  /** Sends this chat's queued replies in order; stops at the first that has to wait. */
  private async deliver(marketChatId: MarketChatId): Promise<void> {
    const { d } = this;
    for (const reply of d.store.replies(marketChatId)) {
      if (d.queue.stopped) return;
      if (reply.state === 'unknown' && !(await this.resolveUnknown(reply))) return;
      if (reply.state === 'held') {
        // The chat's order is kept: nothing after a held reply goes until the operator decides.
        await this.holds.tellWaitingBehind(reply);
        return;
      }
      if (reply.state !== 'queued' || this.unsaved.has(reply.id)) continue;
      const waitMs = reply.notBefore ? Date.parse(reply.notBefore) - d.now().getTime() : 0;
      if (waitMs > 0) {
        this.retryAfter(marketChatId, waitMs);
        return;
      }
      if (await this.holds.holdsBack(reply)) return;
      const outcome = await this.sendOne(reply);
      if (outcome && !(await this.handleOutcome(reply, outcome))) return;
    }
  }

  private retryAfter(marketChatId: MarketChatId, waitMs: number): void {
    this.d.queue.schedule(`deliver:${marketChatId}`, waitMs, () => this.request(marketChatId));
  }

  /**
   * The one place a reply leaves for the Market. Undefined when it failed before reaching the Market
   * (already reported to the operator).
   */
  private async sendOne(reply: ReplyRecord): Promise<SendOutcome | undefined> {
    const { d } = this;
    let file: { name: string; data: Uint8Array } | undefined;
    if (reply.file) {
      try {
        const got = await d.telegram.downloadFile(reply.file.fileId, MARKET_FILE_LIMIT);
        file = { name: reply.file.name, data: got.data };
      } catch (err) {
        await this.fail(reply, d.t.fileDownloadFailed((err as Error).message));
        return undefined;
      }
    }
    // Marked as attempted (durably) only once the request has its slot and is about to be written: a crash
    // while it waited for a slot or a quota window leaves a plain queued reply, not one of unknown fate.
    const beforeSend = async () => {
      reply.state = 'sending';
      reply.attempts++;
      reply.attemptedAt = d.now().toISOString();
      d.store.saveReply(reply);
      await d.store.commit();
    };
    return file
      ? d.market.sendFile(reply.marketChatId, file, { beforeSend })
      : d.market.sendMessage(reply.marketChatId, reply.text ?? '', { beforeSend });
  }

  /** Applies a send outcome; returns whether the next reply of the chat may go now. */
  private async handleOutcome(reply: ReplyRecord, outcome: SendOutcome): Promise<boolean> {
    const { d } = this;
    const chatId = reply.marketChatId;
    const fields = { marketChatId: chatId, replyId: reply.id, outcome: outcome.kind };
    d.options.observer?.replyOutcome(outcome.kind);
    switch (outcome.kind) {
      case 'sent':
        this.markSent(reply);
        await d.store.commit();
        d.log.info(fields, 'reply delivered');
        return true;
      case 'rejected':
        await this.fail(reply, d.t.marketRejected(outcome.status, outcome.reason), false);
        d.log.warn({ ...fields, reason: outcome.reason }, 'reply rejected');
        return true;
      case 'rate-limited':
      case 'not-sent': {
        reply.state = 'queued';
        const retryAt =
          outcome.kind === 'rate-limited'
            ? outcome.retryAt
            : new Date(d.now().getTime() + d.retryDelayMs(reply.attempts));
        reply.notBefore = retryAt.toISOString();
        const tell = !reply.toldQueued;
        reply.toldQueued = true;
        d.store.saveReply(reply);
        await d.store.commit();
        d.log.warn({ ...fields, reason: outcome.reason, retryAt }, 'reply waits');
        if (tell) {
          await this.notices.update(
            repliesOf(d.store, reply.topicId, reply.telegramMessageId),
            d.t.replyQueued(this.notices.clock(retryAt)),
          );
        }
        this.retryAfter(chatId, retryAt.getTime() - d.now().getTime());
        return false;
      }
      case 'ambiguous':
        reply.state = 'unknown';
        d.store.saveReply(reply);
        await d.store.commit();
        d.log.warn({ ...fields, reason: outcome.reason }, 'reply fate unknown, will check the history');
        this.retryAfter(chatId, d.options.ambiguousCheckDelayMs ?? 5_000);
        return false;
    }
  }

  /**
   * A reply the Market may or may not have taken: read the history. Found → delivered. Not found, once the
   * attempt has settled → it is safe to send again (a bounded number of times). Returns false when the
   * chat's later replies must wait (the check is not conclusive yet).
   */
  private async resolveUnknown(reply: ReplyRecord): Promise<boolean> {
    const { d } = this;
    const rec = d.store.findChat(reply.marketChatId);
    if (!rec) return true;
    await this.readHistory(rec, rec.chat);
    if (reply.state === 'sent') return true;
    // Too early to conclude: the attempt may still land. Look again once it has settled; later replies of
    // this chat wait behind it, so the order is kept.
    const settleAt = Date.parse(reply.attemptedAt ?? reply.createdAt) + (d.options.ambiguousSettleMs ?? 20_000);
    const waitMs = settleAt - d.now().getTime();
    if (waitMs > 0) {
      this.retryAfter(reply.marketChatId, waitMs);
      return false;
    }
    if (reply.attempts >= MAX_AMBIGUOUS_ATTEMPTS) {
      await this.fail(reply, d.t.replyUnknown);
      return true;
    }
    reply.state = 'queued';
    d.store.saveReply(reply);
    await d.store.commit();
    return true;
  }

  /** The reply reached the buyer (its send said so, or its echo was found); the caller commits. */
  markSent(reply: ReplyRecord): void {
    const { d } = this;
    reply.state = 'sent';
    reply.sentAt = d.now().toISOString();
    reply.error = undefined;
    d.store.saveReply(reply);
    // The seller answered: the buyer no longer waits (the reply's echo in the history would say so later).
    const rec = d.store.findChat(reply.marketChatId);
    if (rec) {
      answered(d, rec, reply.sentAt);
      d.store.saveChat(rec);
      // The card no longer says the buyer waits, and shows the chat's new status.
      this.cards.refresh(rec);
    }
    const siblings = repliesOf(d.store, reply.topicId, reply.telegramMessageId);
    if (!siblings.every((r) => r.state === 'sent')) return;
    void d.telegram.react(reply.telegramMessageId, REACTION_DELIVERED).catch((err: unknown) => {
      d.log.warn({ err, replyId: reply.id }, 'could not react to the operator message');
    });
    const split = reply.parts > 1 && siblings.every((r) => r.text !== undefined);
    if (reply.noticeId !== undefined || split) {
      const text = split ? `${d.t.delivered} ${d.t.replySplit(siblings.length)}` : d.t.delivered;
      void this.notices.update(siblings, text);
    }
  }

  /**
   * Marks a reply (and the later parts of the same operator message) failed and tells the operator, with a
   * Retry button. `count`: whether this is a new outcome for metrics (a rejection was counted already).
   */
  private async fail(reply: ReplyRecord, reason: string, count = true): Promise<void> {
    const { d } = this;
    if (count) d.options.observer?.replyOutcome('failed');
    for (const r of d.store.replies(reply.marketChatId)) {
      if (r.telegramMessageId === reply.telegramMessageId && r.topicId === reply.topicId && r.part >= reply.part) {
        r.state = 'failed';
        r.error = reason;
        d.store.saveReply(r);
      }
    }
    await d.store.commit();
    await this.tellFailed(reply, reason);
  }

  private tellFailed(reply: ReplyRecord, reason: string): Promise<void> {
    const { d } = this;
    return this.notices.update(repliesOf(d.store, reply.topicId, reply.telegramMessageId), d.t.replyFailed(reason), [
      {
        text: d.t.retryButton,
        action: { kind: 'retry', topicId: reply.topicId, messageId: reply.telegramMessageId },
      },
    ]);
  }

  /** After a start: replies that were on their way when the process stopped are picked up again. */
  async resume(): Promise<void> {
    const { d } = this;
    const chats = new Set<MarketChatId>();
    // Failed before the operator was told (the process stopped in between): tell them now.
    const unnoticed: ReplyRecord[] = [];
    this.forgetOldReplies();
    for (const r of d.store.allReplies()) {
      if (r.state === 'sending') {
        r.state = 'unknown';
        d.store.saveReply(r);
      }
      if (r.state === 'queued' || r.state === 'unknown') chats.add(r.marketChatId);
      if (
        (r.state === 'failed' || r.state === 'held') &&
        r.noticeId === undefined &&
        r.part === repliesOf(d.store, r.topicId, r.telegramMessageId)[0]?.part
      ) {
        unnoticed.push(r);
      }
    }
    await d.store.commit();
    for (const id of chats) this.request(id);
    for (const r of unnoticed) {
      void d.queue.push(r.marketChatId, () =>
        r.state === 'held'
          ? this.holds.tellHeld(repliesOf(d.store, r.topicId, r.telegramMessageId))
          : this.tellFailed(r, r.error ?? ''),
      );
    }
  }

  /**
   * Drops finished replies older than REPLY_TTL_MS, now and then every hour: the main store file holds every
   * reply and is rewritten whenever one changes, so it must not grow with the uptime. The next commit writes it.
   */
  private forgetOldReplies(): void {
    const { d } = this;
    const cutoff = d.now().getTime() - REPLY_TTL_MS;
    for (const r of d.store.allReplies()) {
      const finished = r.state === 'sent' || r.state === 'failed' || r.state === 'cancelled';
      if (finished && Date.parse(r.createdAt) < cutoff) d.store.deleteReply(r.id);
    }
    d.queue.schedule('forget-replies', FORGET_REPLIES_EVERY_MS, () => this.forgetOldReplies());
  }
}
