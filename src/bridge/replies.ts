/**
 * Telegram → Market, the operator's side: a message typed in a topic becomes replies written down (durably,
 * before anything is sent) and handed to the delivery; an edit changes a reply that has not gone yet or
 * offers the corrected text; a button retries, cancels or sends the correction. Every outcome is told to
 * the operator under their message.
 */
import type { Deps } from './deps.ts';
import type { Delivery } from './delivery.ts';
import { MARKET_FILE_LIMIT } from './delivery.ts';
import { splitText, TEXT_LIMIT } from './format.ts';
import type { TelegramMessageId, TopicId } from './ids.ts';
import type { Notices } from './notices.ts';
import { type Button, type ButtonHost, type OperatorMessage, type ReplyAction } from './ports.ts';
import { changeDurably, describeError, repliesOf, writeDown, type ReplyContent } from './reply-book.ts';
import type { ReplyRecord } from './store-port.ts';
import type { Holds } from './holds.ts';
import { becomeNote, isNote, markNote } from './notes.ts';
import type { Ownership } from './ownership.ts';

/** Longest operator message accepted for splitting, in parts of 4096. */
const MAX_REPLY_PARTS = 10;

export class Replies {
  constructor(
    private readonly d: Deps,
    private readonly notices: Notices,
    private readonly delivery: Delivery,
    private readonly holds: Holds,
    private readonly ownership: Ownership,
  ) {}

  /** See Bridge.operatorMessage. */
  async operatorMessage(msg: OperatorMessage): Promise<void> {
    const { d } = this;
    const body = msg.file ? msg.caption : msg.text;
    if (isNote(body)) {
      await markNote(this.d, msg.topicId, msg.messageId);
      return;
    }
    const rec = d.store.findChatByTopic(msg.topicId);
    const say = (text: string) => this.notices.tell(msg.topicId, msg.messageId, text);
    if (!rec) {
      await say(d.t.notLinked);
      return;
    }
    const texts: string[] = [];
    if (body !== undefined && body.trim().length > 0) {
      const parts = splitText(body, TEXT_LIMIT);
      if (parts.length > MAX_REPLY_PARTS) {
        await say(d.t.replyTooLong(parts.length));
        return;
      }
      texts.push(...parts);
    }
    if (msg.file && msg.file.size !== undefined && msg.file.size > MARKET_FILE_LIMIT) {
      await say(d.t.fileTooBig(MARKET_FILE_LIMIT / 1024 / 1024));
      return;
    }
    const items: ReplyContent[] = [];
    if (msg.file) items.push({ file: { fileId: msg.file.fileId, name: msg.file.name } });
    for (const text of texts) items.push({ text });
    if (items.length === 0) {
      await say(d.t.unsupportedMessage);
      return;
    }
    const added = writeDown(d, rec.marketChatId, msg.topicId, msg.messageId, items, 0);
    if (added.length === 0) return; // a redelivered update
    this.ownership.replied(rec, msg.from);
    for (const r of added) this.delivery.unsaved.add(r.id);
    try {
      await d.store.commit();
    } catch (err) {
      // Never sent behind the operator's back later: the records go, so a resend (or a redelivery) is new.
      for (const r of added) d.store.deleteReply(r.id);
      d.log.error(
        { err, marketChatId: rec.marketChatId, topicId: msg.topicId },
        'reply refused: the store cannot be written',
      );
      await say(d.t.replyNotSaved(describeError(err)));
      return;
    } finally {
      for (const r of added) this.delivery.unsaved.delete(r.id);
    }
    if (added.some((r) => r.state === 'held')) {
      await this.holds.tellHeld(added);
      return;
    }
    d.log.info({ marketChatId: rec.marketChatId, topicId: msg.topicId, parts: items.length }, 'reply queued');
    const undo = d.options.undoSeconds ?? 0;
    if (undo > 0) {
      await this.notices.update(added, d.t.undoNotice(undo), [
        {
          text: d.t.cancelButton,
          action: { kind: 'cancel', topicId: msg.topicId, messageId: msg.messageId },
        },
      ]);
    }
    this.delivery.request(rec.marketChatId);
  }

  /** See Bridge.operatorEdited. */
  async operatorEdited(topicId: TopicId, messageId: TelegramMessageId, newText?: string): Promise<void> {
    const { d } = this;
    const parts = repliesOf(d.store, topicId, messageId);
    const first = parts[0];
    if (!first) return;
    const waiting = parts.every((r) => (r.state === 'queued' || r.state === 'held') && r.attempts === 0);
    if (waiting && newText && newText.trim()) {
      if (isNote(newText)) {
        const chatId = await becomeNote(this.d, this.notices, topicId, messageId, parts);
        if (chatId !== undefined) this.delivery.request(chatId);
        return;
      }
      const texts = splitText(newText, TEXT_LIMIT);
      if (texts.length <= MAX_REPLY_PARTS) {
        await this.rewrite(topicId, messageId, parts, texts);
        return;
      }
    }
    const notSaved = await changeDurably(d, topicId, messageId, () => {
      if (newText && newText.trim()) {
        first.correction = newText;
        d.store.saveReply(first);
      }
    });
    if (notSaved) {
      await this.notices.tell(topicId, messageId, d.t.editNotSaved(notSaved));
      return;
    }
    const buttons: Button[] = first.correction
      ? [{ text: d.t.correctionButton, action: { kind: 'correct', topicId, messageId } }]
      : [];
    const noticeId = await this.notices.tell(topicId, messageId, d.t.editNotApplied, buttons);
    if (first.correction && noticeId !== undefined) {
      first.correctionNoticeId = noticeId;
      d.store.saveReply(first);
      // Not vital: the button also acts under the bot's own reply to the operator message.
      await d.store.commit().catch((err: unknown) => d.log.warn({ err }, 'could not save the correction notice'));
    }
  }

  /**
   * An edit of a reply that has not gone yet: its text parts are written down anew (a file part stays), which
   * checks them with the guard again. A held reply that is clean now goes as usual; one still flagged gets its
   * notice updated.
   */
  private async rewrite(topicId: TopicId, messageId: TelegramMessageId, parts: ReplyRecord[], texts: string[]) {
    const { d } = this;
    const first = parts[0] as ReplyRecord;
    const wasHeld = parts.some((r) => r.state === 'held');
    const items: ReplyContent[] = [
      ...parts.filter((r) => r.file).map((r) => ({ file: r.file })),
      ...texts.map((text) => ({ text })),
    ];
    const notSaved = await changeDurably(d, topicId, messageId, () => {
      for (const r of parts) d.store.deleteReply(r.id);
      for (const r of writeDown(d, first.marketChatId, topicId, messageId, items, 0)) {
        r.notBefore = first.notBefore;
        r.noticeId = first.noticeId;
        d.store.saveReply(r);
      }
    });
    if (notSaved) {
      await this.notices.tell(topicId, messageId, d.t.editNotSaved(notSaved));
      return;
    }
    const now = repliesOf(d.store, topicId, messageId);
    if (now.some((r) => r.state === 'held')) {
      await this.holds.tellHeld(now);
      return;
    }
    // The hold notice (and its buttons) is replaced; a plain waiting reply gets a word under it.
    if (wasHeld) await this.notices.update(now, d.t.editApplied);
    else await this.notices.tell(topicId, messageId, d.t.editApplied);
    this.delivery.request(first.marketChatId);
  }

  /** See Bridge.operatorAction. */
  async operatorAction(action: ReplyAction, under: ButtonHost): Promise<string> {
    const { d } = this;
    const parts = repliesOf(d.store, action.topicId, action.messageId);
    const first = parts[0];
    if (!first) return d.t.nothingToDo;
    const notices = action.kind === 'correct' ? parts.map((r) => r.correctionNoticeId) : parts.map((r) => r.noticeId);
    if (!notices.includes(under.messageId) && under.botReplyTo !== action.messageId) {
      d.log.warn(
        { ...action, under: under.messageId },
        'button pressed under a message it does not belong to; ignored',
      );
      return d.t.nothingToDo;
    }
    switch (action.kind) {
      case 'retry':
        return this.retry(action, parts);
      case 'cancel':
        return this.cancel(action, parts);
      case 'correct':
        return this.sendCorrection(action, parts, first);
      case 'allow':
        return this.sendAnyway(action, parts);
    }
  }

  private async retry(action: ReplyAction, parts: ReplyRecord[]): Promise<string> {
    const { d } = this;
    const failed = parts.filter((r) => r.state === 'failed' || r.state === 'cancelled');
    const first = failed[0];
    if (!first) return d.t.nothingToDo;
    const notSaved = await changeDurably(d, action.topicId, action.messageId, () => {
      for (const r of failed) {
        Object.assign(r, { state: 'queued', attempts: 0, error: undefined, toldQueued: false, notBefore: undefined });
        d.store.saveReply(r);
      }
    });
    if (notSaved) return d.t.actionNotSaved(notSaved);
    await this.notices.update(failed, d.t.retrying);
    this.delivery.request(first.marketChatId);
    return d.t.retrying;
  }

  private async cancel(action: ReplyAction, parts: ReplyRecord[]): Promise<string> {
    const { d } = this;
    // A held part (a correction of a sent message, say) is cancelled whatever went before it.
    const held = parts.filter((r) => r.state === 'held');
    if (held.length === 0 && parts.some((r) => r.state === 'sent' || r.state === 'sending' || r.state === 'unknown')) {
      return d.t.alreadySent;
    }
    const queued = held.length > 0 ? held : parts.filter((r) => r.state === 'queued');
    if (queued.length === 0) return d.t.nothingToDo;
    const notSaved = await changeDurably(d, action.topicId, action.messageId, () => {
      for (const r of queued) {
        r.state = 'cancelled';
        d.store.saveReply(r);
      }
    });
    if (notSaved) return d.t.actionNotSaved(notSaved);
    d.options.observer?.replyOutcome('failed');
    await this.notices.update(queued, d.t.cancelled);
    // Later replies of the chat may have waited behind a held one.
    if (held[0]) this.delivery.request(held[0].marketChatId);
    return d.t.cancelled;
  }

  /** Send anyway, under a held reply: the operator takes the guard's warning and sends it as it is. */
  private async sendAnyway(action: ReplyAction, parts: ReplyRecord[]): Promise<string> {
    const { d } = this;
    if (this.holds.mode === 'block') return d.t.guard.blocked;
    const held = parts.filter((r) => r.state === 'held');
    const first = held[0];
    if (!first) return d.t.nothingToDo;
    const kinds = (first.findings ?? []).map((f) => f.kind);
    const notSaved = await changeDurably(d, action.topicId, action.messageId, () => {
      for (const r of held) {
        Object.assign(r, { state: 'queued', allowed: true, findings: undefined, notBefore: undefined });
        d.store.saveReply(r);
      }
    });
    if (notSaved) return d.t.actionNotSaved(notSaved);
    d.options.observer?.guard('sent-anyway', kinds);
    d.log.info({ marketChatId: first.marketChatId, topicId: first.topicId, kinds }, 'held reply sent anyway');
    await this.notices.update(parts, d.t.guard.sendingAnyway);
    this.delivery.request(first.marketChatId);
    return d.t.guard.sendingAnyway;
  }

  private async sendCorrection(action: ReplyAction, parts: ReplyRecord[], first: ReplyRecord): Promise<string> {
    const { d } = this;
    const text = first.correction;
    if (!text) return d.t.nothingToDo;
    let added: ReplyRecord[] = [];
    const notSaved = await changeDurably(d, action.topicId, action.messageId, () => {
      first.correction = undefined;
      d.store.saveReply(first);
      const next = Math.max(...parts.map((r) => r.part)) + 1;
      const items = splitText(text, TEXT_LIMIT).map((t) => ({ text: t }));
      added = writeDown(d, first.marketChatId, action.topicId, action.messageId, items, next);
    });
    if (notSaved) return d.t.actionNotSaved(notSaved);
    if (added.some((r) => r.state === 'held')) {
      await this.holds.tellHeld(repliesOf(d.store, action.topicId, action.messageId));
      return d.t.guard.heldAnswer;
    }
    if (added.length > 0) this.delivery.request(first.marketChatId);
    return d.t.correctionQueued;
  }
}
