/**
 * The context card: the first message of a chat's topic (what the chat is about, who owns it), with the buttons
 * operators use most: quick replies, Take, Release. Posted with the topic (topics.ts) and remembered (`cardId`),
 * then edited as things change: one edit at a time per chat, beside the chat's queue, showing the latest state.
 * A card that was deleted (or one posted by an older version, whose id is unknown) is posted afresh.
 */
import type { Deps } from './deps.ts';
import { contextCard } from './format.ts';
import type { MarketChatId, TopicId } from './ids.ts';
import type { MarketChat } from './model.ts';
import { MessageGoneError, TopicGoneError, type Button } from './ports.ts';
import type { ChatRecord } from './store-port.ts';

export class Cards {
  constructor(private readonly d: Deps) {}

  /** Posts the chat's card into its topic and remembers it (the caller made it pending before). */
  async post(rec: ChatRecord, chat: MarketChat, topicId: TopicId): Promise<void> {
    const { d } = this;
    rec.cardId = await d.telegram.sendText(topicId, this.text(rec, chat), { buttons: this.buttons(rec, topicId) });
    rec.cardPending = undefined;
    d.store.saveChat(rec);
    await d.store.commit();
  }

  /** Brings the chat's card up to date with its record, soon (the caller saved the record). */
  refresh(rec: ChatRecord): void {
    this.d.queue.beside('card', rec.marketChatId, () => this.editOnce(rec.marketChatId));
  }

  private async editOnce(marketChatId: MarketChatId): Promise<void> {
    const { d } = this;
    const rec = d.store.findChat(marketChatId);
    if (rec?.topicId === undefined || rec.cardPending) return;
    const topicId = rec.topicId;
    try {
      if (rec.cardId !== undefined) {
        try {
          await d.telegram.editText(rec.cardId, this.text(rec, rec.chat), this.buttons(rec, topicId));
          return;
        } catch (err) {
          if (!(err instanceof MessageGoneError)) throw err;
        }
      }
      await this.post(rec, rec.chat, topicId);
    } catch (err) {
      // A deleted topic gets a new card with its new topic; anything else is tried at the next change.
      d.log[err instanceof TopicGoneError ? 'debug' : 'warn']({ err, marketChatId }, 'could not update the card');
    }
  }

  private text(rec: ChatRecord, chat: MarketChat) {
    const { d } = this;
    return contextCard(chat, d.t, d.options.businessId, { owner: ownerLine(rec, d.t.owner) });
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
