/**
 * The context card: the first message of a chat's topic (what the chat is about, its current status, since when
 * the buyer waits, who owns it, what they ordered), with the buttons operators use most: quick replies, Take,
 * Release. Posted with the topic (topics.ts) and remembered (`cardId`), then edited as things change: one edit at
 * a time per chat, beside the chat's queue, in the budget's cosmetic lane, showing the latest state, and only
 * when what it shows changed (`cardHash`), since every edit counts against the group's Telegram limit.
 *
 * The order of an ORDER or RETURN chat is read beside the chat's queue too (never holding up its mirroring):
 * after the sync that posted the card, and again when the chat's status changes; a failed read is tried again at
 * the next status change or an hour later, never at once. A card that was deleted is posted afresh; one posted by
 * an older version, whose id is unknown, only when an operator changes the chat's owner.
 */
import type { Deps } from './deps.ts';
import { contextCard } from './format.ts';
import type { Html } from './html.ts';
import type { MarketChatId, TopicId } from './ids.ts';
import type { MarketChat, OrderSummary } from './model.ts';
import { orderLines } from './order-lines.ts';
import { FatalError, MessageGoneError, TopicGoneError, type Button } from './ports.ts';
import type { ChatRecord } from './store-port.ts';
import { waitingSince } from './waits.ts';

/** A failed read of a chat's order is tried again after this long, unless the chat's status changes first. */
export const ORDER_RETRY_MS = 60 * 60 * 1000;

/** What a card shows: its text, its buttons, and a hash of both. */
interface CardView {
  text: Html;
  buttons: Button[];
  hash: string;
}

export class Cards {
  /** Chats whose card of unknown id (an older version's) is to be posted afresh: an operator changed the owner. */
  private readonly reposts = new Set<MarketChatId>();

  constructor(private readonly d: Deps) {}

  /** Posts the chat's card into its topic and remembers it (the caller made it pending before). */
  async post(rec: ChatRecord, chat: MarketChat, topicId: TopicId): Promise<void> {
    const { d } = this;
    const view = this.view(rec, chat, topicId);
    rec.cardId = await d.telegram.sendText(topicId, view.text, { buttons: view.buttons });
    rec.cardHash = view.hash;
    rec.cardPending = undefined;
    d.store.saveChat(rec);
    await d.store.commit();
  }

  /**
   * Brings the chat's card up to date with its record, soon, if what it shows changed (the caller saved the
   * record). `byOperator`: an operator changed the owner, so a card whose id is unknown is posted afresh.
   */
  refresh(rec: ChatRecord, byOperator = false): void {
    if (rec.topicId === undefined || rec.cardPending) return;
    if (byOperator) this.reposts.add(rec.marketChatId);
    else if (this.view(rec, rec.chat, rec.topicId).hash === rec.cardHash) return;
    this.d.queue.beside('card', rec.marketChatId, () => this.editOnce(rec.marketChatId));
  }

  /**
   * The chat was synced (its status and waiting time may have changed): its order is read when due, which then
   * brings the card up to date with everything at once; otherwise the card is brought up to date now.
   */
  synced(rec: ChatRecord): void {
    if (this.orderDue(rec)) this.d.queue.beside('order', rec.marketChatId, () => this.readOrder(rec.marketChatId));
    else this.refresh(rec);
  }

  /**
   * Whether the chat's order is to be read: an ORDER or RETURN chat whose card is posted, and whose order was
   * never read, was read for another status, or failed over an hour ago. Never a DIRECT chat.
   */
  private orderDue(rec: ChatRecord): boolean {
    const c = rec.chat.context;
    if ((c.type !== 'ORDER' && c.type !== 'RETURN') || c.orderId === undefined) return false;
    if (rec.topicId === undefined || rec.cardPending) return false;
    const read = rec.order;
    if (!read || read.forStatus !== rec.chat.status) return true;
    return read.failed === true && this.d.now().getTime() - Date.parse(read.fetchedAt) >= ORDER_RETRY_MS;
  }

  /**
   * Reads the chat's order at its turn, if still due, keeps it on the record and refreshes the card. A failure
   * (no answer, a refusal, no such order) keeps what was read before and is logged; the card stays as it was.
   */
  private async readOrder(marketChatId: MarketChatId): Promise<void> {
    const { d } = this;
    const rec = d.store.findChat(marketChatId);
    if (!rec) return;
    const { campaignId, orderId } = rec.chat.context;
    if (!this.orderDue(rec) || orderId === undefined) {
      this.refresh(rec);
      return;
    }
    const forStatus = rec.chat.status;
    let summary: OrderSummary | undefined;
    try {
      summary = await d.market.getOrder({ campaignId, orderId });
      if (!summary) d.log.debug({ marketChatId, orderId }, 'the Market has no such order; the card shows the chat');
    } catch (err) {
      if (err instanceof FatalError) throw err;
      d.log.warn({ err, marketChatId, orderId }, 'could not read the order for the card');
    }
    const after = d.store.findChat(marketChatId);
    if (!after) return;
    const fetchedAt = d.now().toISOString();
    if (summary) {
      after.order = { summary, forStatus, fetchedAt };
    } else {
      const before = after.order?.summary;
      after.order = { ...(before !== undefined && { summary: before }), forStatus, fetchedAt, failed: true };
      // Tried again in an hour even if the chat stays quiet (a restart leaves it to the chat's next sync).
      d.queue.schedule(`order:${marketChatId}`, ORDER_RETRY_MS + 1_000, () => {
        const later = d.store.findChat(marketChatId);
        if (later) this.synced(later);
      });
    }
    d.store.saveChat(after);
    await d.store.commit();
    this.refresh(after);
  }

  /** One edit of the card at its turn, with what it shows then; nothing when that is what it shows already. */
  private async editOnce(marketChatId: MarketChatId): Promise<void> {
    const { d } = this;
    const repost = this.reposts.delete(marketChatId);
    const rec = d.store.findChat(marketChatId);
    if (rec?.topicId === undefined || rec.cardPending) return;
    const topicId = rec.topicId;
    const view = this.view(rec, rec.chat, topicId);
    if (view.hash === rec.cardHash) return;
    try {
      const cardId = rec.cardId;
      if (cardId !== undefined) {
        try {
          await d.telegram.editText(cardId, view.text, view.buttons, 'cosmetic');
          // Saved, not committed: a crash before the next commit costs one edit that changes nothing.
          if (rec.cardId === cardId) rec.cardHash = view.hash;
          d.store.saveChat(rec);
          return;
        } catch (err) {
          if (!(err instanceof MessageGoneError)) throw err;
        }
      } else if (!repost) {
        return;
      }
      await this.post(rec, rec.chat, topicId);
    } catch (err) {
      // A deleted topic gets a new card with its new topic; anything else is tried at the next change.
      d.log[err instanceof TopicGoneError ? 'debug' : 'warn']({ err, marketChatId }, 'could not update the card');
    }
  }

  /** The card as the record says it is now. */
  private view(rec: ChatRecord, chat: MarketChat, topicId: TopicId): CardView {
    const { d } = this;
    const order = rec.order?.summary;
    const text = contextCard(chat, d.t, d.options.businessId, {
      owner: ownerLine(rec, d.t.owner),
      waitingSince: waitingSince({ ...rec, chat }),
      order: order && orderLines(order, d.t),
    });
    const buttons = this.buttons(rec, topicId);
    return { text, buttons, hash: hashOf(`${text.markup}\n${JSON.stringify(buttons)}`) };
  }

  private buttons(rec: ChatRecord, topicId: TopicId): Button[] {
    const { t } = this.d;
    return [
      // Quick replies at one tap from the top of the topic.
      { text: t.templates.cardButton, action: { kind: 'templates', topicId } },
      { text: t.owner.takeButton, action: { kind: 'take', topicId } },
      ...(rec.owner ? [{ text: t.owner.releaseButton, action: { kind: 'release' as const, topicId } }] : []),
    ];
  }
}

/** The card's owner line: the owner, and whom they took the chat over from. */
function ownerLine(rec: ChatRecord, t: Deps['t']['owner']): string {
  if (!rec.owner) return t.nobody;
  return rec.previousOwner ? t.tookOver(rec.owner.name, rec.previousOwner.name) : rec.owner.name;
}

/** A short hash of a card (cyrb53): enough to tell whether it changed; a collision would cost one edit not made. */
function hashOf(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
