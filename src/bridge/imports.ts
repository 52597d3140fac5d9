/**
 * Chats being imported: chats older than marketgram's store (a first start's cabinet, or chats that came alive
 * again) whose first sync has not completed yet. Counted for the progress shown in General while a long first
 * start runs (src/telegram/progress.ts): chats imported of total, and of those that wait for the seller.
 */
import type { MarketChatId } from './ids.ts';
import { waitsForSeller } from './lanes.ts';
import type { MarketChat } from './model.ts';
import type { ChatRecord } from './store-port.ts';

/** A snapshot: chats still to import, and chats imported since the process started (each with the waiting ones). */
export interface ImportProgress {
  importing: number;
  importingWaiting: number;
  imported: number;
  importedWaiting: number;
}

export class Imports {
  /** Chats whose first sync is pending, and whether each waits for the seller. */
  private readonly pending = new Map<MarketChatId, boolean>();
  private imported = 0;
  private importedWaiting = 0;

  /**
   * The Market showed a chat: one the store does not hold yet (or holds without a completed first sync) and
   * that is older than the store (`initializedAt`, with the minute of slack the history rule allows) is
   * being imported.
   */
  seen(rec: ChatRecord | undefined, chat: MarketChat, initializedAt: string): void {
    const firstSync = rec === undefined || rec.chat.updatedAt === '';
    const old = Date.parse(chat.createdAt) < Date.parse(initializedAt) - 60_000;
    if (firstSync && old) this.pending.set(chat.id, waitsForSeller(chat));
  }

  /** The chat's sync completed (or found the chat gone): imported, if it was being imported. */
  done(marketChatId: MarketChatId): void {
    const waiting = this.pending.get(marketChatId);
    if (waiting === undefined) return;
    this.pending.delete(marketChatId);
    this.imported++;
    if (waiting) this.importedWaiting++;
  }

  snapshot(): ImportProgress {
    let importingWaiting = 0;
    for (const waiting of this.pending.values()) if (waiting) importingWaiting++;
    return {
      importing: this.pending.size,
      importingWaiting,
      imported: this.imported,
      importedWaiting: this.importedWaiting,
    };
  }
}
