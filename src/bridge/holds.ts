/**
 * Replies the reply guard holds (ReplyGuardPort, ports.ts). Every text that would reach a buyer is checked
 * when it is written down (reply-book.ts: messages, captions, file names, edits, corrections, quick replies)
 * and once more just before it is sent (delivery.ts: a retry, or a guard turned on since). A flagged reply
 * is held: the operator is told under their message what was found and why, with Send anyway (not with
 * REPLY_GUARD=block) and Cancel; an edit checks it again (replies.ts). The chat's order is kept: its delivery
 * stops at a held reply, and later replies are told that they wait.
 */
import type { Deps } from './deps.ts';
import type { MarketChatId, TelegramMessageId, TopicId } from './ids.ts';
import type { Notices } from './notices.ts';
import type { Button, GuardFinding } from './ports.ts';
import type { ReplyContent } from './reply-book.ts';
import type { ReplyRecord } from './store-port.ts';

/** What the guard finds in the parts of one operator message (texts and file names); none when it is off. */
export function screen(d: Deps, marketChatId: MarketChatId, items: readonly ReplyContent[]): GuardFinding[] {
  const guard = d.options.guard;
  if (!guard) return [];
  const c = d.store.findChat(marketChatId)?.chat.context;
  // The chat's own numbers are never phone numbers, however they look.
  const knownNumbers = [marketChatId, c?.orderId, c?.returnId, c?.campaignId]
    .filter((n) => n !== undefined)
    .map(String);
  const found: GuardFinding[] = [];
  for (const item of items) {
    for (const text of [item.text, item.file?.name]) {
      if (!text) continue;
      for (const f of guard.check(text, { knownNumbers })) found.push({ kind: f.kind, fragment: f.fragment });
    }
  }
  return found;
}

/** Marks the parts held with what was found (the caller saves nothing more and commits). */
export function markHeld(d: Deps, parts: readonly ReplyRecord[], findings: GuardFinding[]): void {
  // Counted where the guard decides, once per hold (not each time the notice is shown again).
  if (parts.length > 0)
    d.options.observer?.guard(
      'held',
      findings.map((f) => f.kind),
    );
  for (const r of parts) {
    r.state = 'held';
    r.findings = findings;
    d.store.saveReply(r);
  }
}

export class Holds {
  constructor(
    private readonly d: Deps,
    private readonly notices: Notices,
  ) {}

  get mode(): 'warn' | 'block' {
    return this.d.options.guard?.mode ?? 'warn';
  }

  /** The notice under a held operator message: what was found, why it matters, Send anyway and Cancel. */
  async tellHeld(parts: ReplyRecord[]): Promise<void> {
    const { d } = this;
    const held = parts.find((r) => r.state === 'held');
    if (!held) return;
    d.log.info(
      { marketChatId: held.marketChatId, topicId: held.topicId, kinds: held.findings?.map((f) => f.kind) },
      'reply held by the guard',
    );
    await this.notices.update(
      parts,
      d.t.guard.held(held.findings ?? [], this.mode),
      this.buttons(held.topicId, held.telegramMessageId),
    );
  }

  /**
   * The delivery's last look before a reply goes: a reply flagged now (a retry, a guard turned on since it
   * was written down) is held and told, and true is returned: the chat's delivery stops here.
   */
  async holdsBack(reply: ReplyRecord): Promise<boolean> {
    const { d } = this;
    if (reply.allowed || !d.options.guard) return false;
    const findings = screen(d, reply.marketChatId, [reply]);
    if (findings.length === 0) return false;
    const parts = this.partsOf(reply).filter((r) => r.state === 'queued' && !r.allowed);
    markHeld(d, parts, findings);
    await d.store.commit();
    await this.tellHeld(this.partsOf(reply));
    return true;
  }

  /**
   * The chat's delivery stopped at `held`: later replies of the chat (other operator messages) are told once
   * that they wait behind it; they keep a Cancel button.
   */
  async tellWaitingBehind(held: ReplyRecord): Promise<void> {
    const { d } = this;
    const later = d.store
      .replies(held.marketChatId)
      .filter((r) => r.state === 'queued' && !r.toldBehindHeld && r.telegramMessageId !== held.telegramMessageId);
    if (later.length === 0) return;
    for (const r of later) {
      r.toldBehindHeld = true;
      d.store.saveReply(r);
    }
    await d.store.commit();
    const messages = new Map<TelegramMessageId, ReplyRecord>();
    for (const r of later) if (!messages.has(r.telegramMessageId)) messages.set(r.telegramMessageId, r);
    for (const r of messages.values()) {
      await this.notices.update(this.partsOf(r), d.t.guard.behindHeld, [
        this.cancelButton(r.topicId, r.telegramMessageId),
      ]);
    }
  }

  private partsOf(reply: ReplyRecord): ReplyRecord[] {
    return this.d.store
      .replies(reply.marketChatId)
      .filter((r) => r.topicId === reply.topicId && r.telegramMessageId === reply.telegramMessageId);
  }

  private buttons(topicId: TopicId, messageId: TelegramMessageId): Button[] {
    const cancel = this.cancelButton(topicId, messageId);
    if (this.mode === 'block') return [cancel];
    return [{ text: this.d.t.guard.sendAnywayButton, action: { kind: 'allow', topicId, messageId } }, cancel];
  }

  private cancelButton(topicId: TopicId, messageId: TelegramMessageId): Button {
    return { text: this.d.t.cancelButton, action: { kind: 'cancel', topicId, messageId } };
  }
}
