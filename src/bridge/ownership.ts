/**
 * Who owns a chat: the operator who pressed Take on its card (or on a reminder), or the first who replied in it
 * while nobody did. Pressing Take on a chat someone else owns hands it over (the card says from whom); Release
 * gives it up (only its owner can). The owner is shown on the card, on the desk's board and named in reminders.
 */
import type { Cards } from './card.ts';
import type { Deps } from './deps.ts';
import type { OwnerAction } from './ports.ts';
import type { ChatRecord } from './store-port.ts';

/** An operator as the record keeps them. */
export interface Person {
  id: number;
  name: string;
}

export class Ownership {
  constructor(
    private readonly d: Deps,
    private readonly cards: Cards,
  ) {}

  /** Take or Release pressed by `by`; resolves with the short answer shown on the button. */
  async action(action: OwnerAction, by: Person): Promise<string> {
    const { d } = this;
    const t = d.t.owner;
    const rec = d.store.findChatByTopic(action.topicId);
    if (!rec) return t.noChat;
    const owner = rec.owner;
    let answer: string;
    if (action.kind === 'take') {
      if (owner?.id === by.id) return t.alreadyYours;
      rec.owner = { id: by.id, name: by.name };
      rec.previousOwner = owner;
      answer = owner ? t.takenOver(owner.name) : t.taken;
    } else {
      if (!owner) return t.notOwned;
      if (owner.id !== by.id) return t.notYours(owner.name);
      rec.owner = undefined;
      rec.previousOwner = undefined;
      answer = t.released;
    }
    d.store.saveChat(rec);
    await d.store.commit();
    d.log.info({ marketChatId: rec.marketChatId, action: action.kind, by: by.id }, 'chat owner changed');
    this.cards.refresh(rec, true);
    return answer;
  }

  /** An operator replied in the chat: they own it if nobody did (saved with the reply; the caller commits). */
  replied(rec: ChatRecord, by: Person): void {
    if (rec.owner || by.id <= 0) return; // an anonymous admin writes as the group: nobody to own it
    rec.owner = { id: by.id, name: by.name };
    this.d.store.saveChat(rec);
    this.cards.refresh(rec, true);
  }
}
