/**
 * The waiting board's life in General: posted and pinned once, then edited in place — at once (but at most
 * once a minute) when the list changes, every few minutes when only the waits grew, never when nothing would
 * change. A board someone deleted is posted and pinned afresh; so is one someone unpinned, which shows as the
 * group's pinned message being older than the board (Telegram reports only the newest pin, so a newer pin of
 * someone else's is answered by pinning the board again, once per such pin). Without the right to pin, the
 * board stays unpinned (said once in the log). Its message id is kept in the store across restarts.
 */
import type { TelegramMessageId } from '../bridge/ids.ts';
import { MessageGoneError } from '../bridge/ports.ts';
import type { BoardView } from './board-view.ts';
import type { DeskOptions } from './options.ts';

export class Board {
  /** What the board shows now, and when that was last posted or edited (this process). */
  private shown: { text: string; structure: string; at: number } | undefined;
  private pinCheckedAt = -Infinity;
  /** Telegram refused to pin: the board lives unpinned (and "unpinned" is not a reason to post it again). */
  private pinRefused = false;

  constructor(private readonly o: DeskOptions) {}

  /** Brings the board to `view`, if it is time to. */
  async update(view: BoardView, nowMs: number): Promise<void> {
    const { o } = this;
    const id = o.store.desk().boardId;
    if (id === undefined) return this.post(view, nowMs);
    if (nowMs - this.pinCheckedAt >= (o.pinCheckMs ?? 600_000)) {
      this.pinCheckedAt = nowMs;
      if (!(await this.stillPinned(id))) return this.post(view, nowMs, id);
    }
    const shown = this.shown;
    if (shown?.text === view.text.markup) return;
    if (shown) {
      const gap = nowMs - shown.at;
      const wait = view.structure === shown.structure ? (o.boardRefreshMs ?? 300_000) : (o.boardGapMs ?? 60_000);
      if (gap < wait) return;
    }
    try {
      await o.telegram.editText(id, view.text, [], 'cosmetic');
      this.shown = { text: view.text.markup, structure: view.structure, at: nowMs };
    } catch (err) {
      if (!(err instanceof MessageGoneError)) throw err;
      o.log.info({ messageId: id }, 'the board was deleted; posting it again');
      await this.post(view, nowMs);
    }
  }

  /** Posts the board (removing the old one, if any) and pins it. */
  private async post(view: BoardView, nowMs: number, old?: TelegramMessageId): Promise<void> {
    const { o } = this;
    if (old !== undefined) {
      await o.telegram.deleteMessage(old).catch((err: unknown) => {
        o.log.debug({ err, messageId: old }, 'could not delete the old board');
      });
    }
    const desk = o.store.desk();
    const id = await o.telegram.sendGeneral(view.text, { lane: 'live' });
    desk.boardId = id;
    desk.repinnedOver = undefined;
    o.store.saveDesk();
    await o.store.commit();
    this.shown = { text: view.text.markup, structure: view.structure, at: nowMs };
    this.pinCheckedAt = nowMs;
    try {
      await o.telegram.pin(id, 'live');
    } catch (err) {
      if (err instanceof MessageGoneError) return;
      if (!this.pinRefused) o.log.warn({ err }, 'could not pin the board: give the bot the right to pin messages');
      this.pinRefused = true;
    }
  }

  private async stillPinned(id: TelegramMessageId): Promise<boolean> {
    const { o } = this;
    const pinned = await o.telegram.pinned();
    if (pinned?.messageId === id) return true;
    // Message ids grow with time: a newer pin hides whether the board is pinned too; an older one (or none) says it is not.
    if (pinned === undefined || pinned.messageId < id) return this.pinRefused;
    const desk = o.store.desk();
    if (desk.repinnedOver === pinned.messageId) return true;
    try {
      await o.telegram.pin(id);
    } catch (err) {
      if (err instanceof MessageGoneError) return false;
      throw err;
    }
    desk.repinnedOver = pinned.messageId;
    o.store.saveDesk();
    return true;
  }
}
