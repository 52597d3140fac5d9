/**
 * A chat's topic: created once (single-flight, because it runs in the chat's queue), opened by its context
 * card (card.ts, kept current), renamed as the chat's status changes, closed while the Market says the chat is finished and reopened
 * before anything new is posted into it (where Telegram closes topics: not in a private chat), and recreated
 * when someone deleted it in Telegram. Further kinds of conversation (reviews, questions) get their topics here
 * too, with their own title and card.
 */
import type { Deps } from './deps.ts';
import type { Cards } from './card.ts';
import { topicTitle } from './format.ts';
import { html } from './html.ts';
import type { MarketChatId, TopicId } from './ids.ts';
import type { MarketChat } from './model.ts';
import { laneOf, readLane, waitsForSeller } from './lanes.ts';
import { TelegramRefusedError, TopicGoneError, type Lane } from './ports.ts';
import type { ChatRecord } from './store-port.ts';

export class Topics {
  /** Topic creations waiting for their turn (chats that wait for the seller first), and whether one runs. */
  private readonly waitingTurns: Array<() => void> = [];
  private readonly otherTurns: Array<() => void> = [];
  private creating = false;

  constructor(
    private readonly d: Deps,
    readonly cards: Cards,
  ) {}

  /**
   * Runs one topic creation, up to the commit that links the topic to its chat, after the one before it. Telegram
   * cannot list a group's topics, so a topic created by a process killed before that commit is lost to the bridge
   * and stays empty; one at a time, a kill leaves at most one such topic behind, instead of one per chat that was
   * being created at that moment (at a first start, every chat at once). A chat that waits for the seller takes
   * the next turn before the others, so at a first start its topic does not wait for every other chat's.
   */
  private async createOneAtATime<T>(urgent: boolean, create: () => Promise<T>): Promise<T> {
    if (this.creating) {
      await new Promise<void>((resolve) => (urgent ? this.waitingTurns : this.otherTurns).push(resolve));
    }
    this.creating = true;
    try {
      return await create();
    } finally {
      const next = this.waitingTurns.shift() ?? this.otherTurns.shift();
      if (next) next();
      else this.creating = false;
    }
  }

  /** The chat's topic, created (with its card) when it has none; a card still pending is posted first. */
  async getOrCreate(rec: ChatRecord, chat: MarketChat, recreated = false): Promise<TopicId> {
    const { d } = this;
    if (rec.topicId !== undefined) {
      if (!rec.cardPending) return rec.topicId;
      try {
        await this.postCard(rec, chat, rec.topicId);
        return rec.topicId;
      } catch (err) {
        if (!(err instanceof TopicGoneError)) throw err;
        // Deleted before its card was posted: make a new one, like any deleted topic.
        rec.topicId = undefined;
        d.store.saveChat(rec);
        recreated = true;
      }
    }
    const title = topicTitle(chat, d.t);
    const topicId = await this.createOneAtATime(waitsForSeller(chat), async () => {
      const id = await d.telegram.createTopic(title, laneOf(d, chat));
      rec.topicId = id;
      rec.title = title;
      rec.cardPending = true;
      rec.closed = undefined;
      d.store.saveChat(rec);
      await d.store.commit();
      return id;
    });
    d.log.info({ marketChatId: rec.marketChatId, topicId, recreated }, 'topic created');
    await this.postCard(rec, chat, topicId);
    if (recreated) await d.telegram.sendText(topicId, html`${d.t.topicRecreated}`, { lane: laneOf(d, chat) });
    return topicId;
  }

  /**
   * The context card, with the button that shows the quick replies; remembered as pending until Telegram has
   * it, so a crash cannot leave a topic without one.
   */
  private postCard(rec: ChatRecord, chat: MarketChat, topicId: TopicId): Promise<void> {
    return this.cards.post(rec, chat, topicId);
  }

  /**
   * Runs `post` in the chat's topic, recreating the topic once if it was deleted in Telegram. A topic the bridge
   * closed is reopened first, in `lane` (the lane of what is posted), so that what is new shows in an open topic.
   */
  async within<T>(rec: ChatRecord, chat: MarketChat, lane: Lane, post: (topicId: TopicId) => Promise<T>): Promise<T> {
    const topicId = await this.getOrCreate(rec, chat);
    try {
      await this.reopenBefore(rec, topicId, lane);
      return await post(topicId);
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      this.d.log.warn({ marketChatId: rec.marketChatId, topicId }, 'topic was deleted, recreating it');
      rec.topicId = undefined;
      this.d.store.saveChat(rec);
      return post(await this.getOrCreate(rec, chat, true));
    }
  }

  /**
   * After a sync recorded the chat's state: its title, its closing (a finished chat) and its card (status, wait,
   * order) are brought up to date, each beside the chat's queue.
   */
  synced(rec: ChatRecord): void {
    this.retitle(rec);
    this.closeIfFinished(rec);
    this.cards.synced(rec);
  }

  /**
   * Brings the topic's title up to date with its chat (status, names), beside the chat's queue: a rename is
   * cosmetic, the last of the budget's lanes, and must not hold up the chat's next messages. What is renamed
   * is decided when the turn has come, from the chat's state then: changes made while a rename waits are merged
   * into it, and a rename the chat no longer needs (its title went back) is dropped without a call. Nothing to
   * commit for the caller; a crash leaves the old title, which the chat's next sync corrects.
   */
  private retitle(rec: ChatRecord): void {
    if (rec.topicId === undefined || topicTitle(rec.chat, this.d.t) === rec.title) return;
    this.d.queue.beside('rename', rec.marketChatId, async () => {
      await this.atCosmeticTurn(
        rec.marketChatId,
        'rename',
        (r) => topicTitle(r.chat, this.d.t) !== r.title,
        async (r, topicId) => {
          const title = topicTitle(r.chat, this.d.t);
          await this.d.telegram.renameTopic(topicId, title);
          r.title = title;
        },
      );
    });
  }

  /**
   * Runs a cosmetic change of the chat's topic at its turn in the budget, if the chat's state then still asks for
   * it (`due`): checked before the turn is asked for, and again once it has come, so a change the chat no longer
   * needs costs no call. `act` changes the topic and the record, which is then committed. A deleted topic is
   * recreated by the chat's next post; any other failure is tried again by the chat's next sync.
   */
  private async atCosmeticTurn(
    marketChatId: MarketChatId,
    what: 'rename' | 'close',
    due: (rec: ChatRecord) => boolean,
    act: (rec: ChatRecord, topicId: TopicId) => Promise<void>,
  ): Promise<boolean> {
    const { d } = this;
    const before = d.store.findChat(marketChatId);
    if (before?.topicId === undefined || !due(before)) return false;
    const topicId = before.topicId;
    const release = await d.telegram.reserveTurn(topicId, 'cosmetic');
    try {
      const rec = d.store.findChat(marketChatId);
      if (rec?.topicId !== topicId || !due(rec) || d.queue.stopped) return false;
      await act(rec, topicId);
      d.store.saveChat(rec);
      await d.store.commit();
      return true;
    } catch (err) {
      const gone = err instanceof TopicGoneError;
      d.log[gone ? 'debug' : 'warn']({ err, marketChatId, topicId }, `could not ${what} a topic`);
      return false;
    } finally {
      release();
    }
  }

  // ---------------------------------------------------------------- closed while finished

  /**
   * Whether the chat's topic, closed by the bridge, is to be reopened now that the chat is `chat`: any status but
   * FINISHED. Synchronous, so that the caller can check it and record the chat's new state without a gap in
   * which a close on its way could miss the change.
   */
  mustReopen(rec: ChatRecord, chat: MarketChat): boolean {
    return rec.closed === true && rec.topicId !== undefined && chat.status !== 'FINISHED';
  }

  /**
   * Reopens the topic of a chat that came alive again, in the chat's queue and in the lane of its new messages,
   * whatever CLOSE_FINISHED_TOPICS says now (a topic closed earlier is never left closed on a live chat). A topic
   * found deleted is left to the chat's next post to recreate (open). The caller commits.
   */
  async reopen(rec: ChatRecord, chat: MarketChat): Promise<void> {
    const topicId = rec.topicId;
    if (topicId === undefined) return;
    try {
      await this.reopenBefore(rec, topicId, readLane(this.d, rec, chat));
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      rec.closed = undefined;
      this.d.store.saveChat(rec);
    }
  }

  /**
   * Reopens the topic if the bridge closed it. A refusal for good (a right taken away) is logged and forgotten:
   * the post is tried anyway (an admin with Manage topics may post in a closed topic), and the next finished
   * sync closes it again if need be. Network failures and deleted topics reach the caller.
   */
  private async reopenBefore(rec: ChatRecord, topicId: TopicId, lane: Lane): Promise<void> {
    const { d } = this;
    if (rec.closed !== true) return;
    try {
      // A chat whose topics cannot be closed has nothing to reopen (a record from another chat's store).
      if (d.telegram.canCloseTopics) await d.telegram.reopenTopic(topicId, lane);
      d.log.info({ marketChatId: rec.marketChatId, topicId }, 'topic reopened');
    } catch (err) {
      if (!(err instanceof TelegramRefusedError)) throw err;
      d.log.warn({ err, marketChatId: rec.marketChatId, topicId }, 'could not reopen a topic');
    }
    // Saved, not committed: the post that follows commits it; a crash before that only repeats the reopen,
    // which Telegram takes as done.
    rec.closed = undefined;
    d.store.saveChat(rec);
  }

  /**
   * With CLOSE_FINISHED_TOPICS on, closes the topic of a chat the Market finished, beside the chat's queue like a
   * rename: closing is cosmetic and waits for the last of the budget's lanes. Whether to close is decided at its
   * turn, from the chat's state then: a chat that came alive again meanwhile (or whose topic is closed already,
   * or gone) costs no call. A close that lands just as the chat comes alive is undone in the chat's queue. A
   * crash before the close leaves the topic open until the chat's next sync.
   */
  private closeIfFinished(rec: ChatRecord): void {
    if (this.closeDue(rec)) this.d.queue.beside('close', rec.marketChatId, () => this.closeOnce(rec.marketChatId));
  }

  /**
   * The chat is finished, its topic open as far as the bridge knows, and the setting says to close it (and the
   * chat is one whose topics Telegram closes: not a private chat).
   */
  private closeDue(rec: ChatRecord): boolean {
    return (
      this.d.options.closeFinishedTopics === true &&
      this.d.telegram.canCloseTopics &&
      rec.topicId !== undefined &&
      rec.chat.status === 'FINISHED' &&
      rec.closed !== true
    );
  }

  /** One close at its turn. */
  private async closeOnce(marketChatId: MarketChatId): Promise<void> {
    const { d } = this;
    const closed = await this.atCosmeticTurn(
      marketChatId,
      'close',
      (r) => this.closeDue(r),
      async (r, topicId) => {
        await d.telegram.closeTopic(topicId);
        r.closed = true;
        d.log.info({ marketChatId, topicId }, 'topic closed');
      },
    );
    if (!closed) return;
    // The chat came alive while the close was on its way (its sync found the topic still open): reopen it in the
    // chat's queue, as that sync would have.
    const after = d.store.findChat(marketChatId);
    if (!after || !this.mustReopen(after, after.chat)) return;
    void d.queue.push(marketChatId, async () => {
      const rec = d.store.findChat(marketChatId);
      if (d.queue.stopped || !rec || !this.mustReopen(rec, rec.chat)) return;
      await this.reopen(rec, rec.chat);
      await d.store.commit();
    });
  }
}
