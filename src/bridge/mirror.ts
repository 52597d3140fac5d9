/**
 * Market → Telegram. A chat seen by the poller or named by a notification is synced in its queue: described
 * afresh when new or changed, its history after the cursor fetched and posted (posting.ts: messages waiting
 * together share posts; our own echoes skipped), then its topic reopened if the chat came alive again, and
 * its title, its card (and, for a finished chat, its closing) brought up to date beside the queue. The cursor
 * advances only after Telegram accepted a post (or a permanent placeholder), so a crash repeats a post, never
 * loses one.
 */
import type { Deps } from './deps.ts';
import type { Echoes } from './echo.ts';
import { html } from './html.ts';
import type { MarketChatId, MarketMessageId } from './ids.ts';
import type { MarketChat, MarketMessage, MessageSender } from './model.ts';
import { FatalError } from './ports.ts';
import { laneOf, readLane } from './lanes.ts';
import { Imports } from './imports.ts';
import { Poster } from './posting.ts';
import { Refusals } from './refusals.ts';
import type { ChatRecord } from './store-port.ts';
import { SyncRequests } from './sync-requests.ts';
import type { Topics } from './topics.ts';

const MAX_HISTORY_PAGES = 1000;

/** What a Market push notification says happened in a chat. */
export type ChatEvent = 'created' | 'message' | 'arbitrage';

export class Mirror {
  /** Newest chat info received while a sync was queued. */
  private readonly latest = new Map<MarketChatId, MarketChat>();
  /** Chats whose info must be fetched afresh at the next sync (status changed at the Market). */
  private readonly refresh = new Set<MarketChatId>();
  /** When the earliest not-yet-handled notification for a chat arrived (epoch ms). */
  private readonly triggers = new Map<MarketChatId, number>();
  /** Messages fetched from the Market and not yet posted, per chat. */
  private readonly unposted = new Map<MarketChatId, number>();
  /** Failed tasks of a chat since its last good sync, for the backoff. */
  private readonly failures = new Map<MarketChatId, number>();
  /** What asked for each chat's next sync: whether it reads the history. */
  private readonly requests = new SyncRequests();
  /** Chats older than the store whose first sync is still to come (progress of a first start). */
  readonly imports = new Imports();
  private readonly poster: Poster;

  constructor(
    private readonly d: Deps,
    private readonly topics: Topics,
    echoes: Echoes,
  ) {
    this.poster = new Poster(d, topics, echoes, new Refusals(d.telegram, { ...d.options, logger: d.log }));
  }

  /** See Bridge.chatSeen. */
  chatSeen(chat: MarketChat): void {
    const { store } = this.d;
    const rec = store.findChat(chat.id);
    // A finished chat is left out until it comes alive: reopened, or written to since the store began.
    if (!rec && chat.status === 'FINISHED' && !(Date.parse(chat.updatedAt) > Date.parse(store.initializedAt))) {
      return;
    }
    // A status or kind of its own changes only the title: updatedAt is the time of the chat's last message, so
    // a chat it did not move holds nothing new, unless it was never read or a message may share a second with
    // our last read.
    const restated = rec !== undefined && (rec.chat.status !== chat.status || rec.chat.kind !== chat.kind);
    const read =
      rec?.topicId === undefined ||
      (rec.backfilled === true && isLater(chat.updatedAt, rec.chat.updatedAt)) ||
      this.requests.mayHoldMore(rec, restated);
    if (!read && !restated) return;
    this.imports.seen(rec, chat, store.initializedAt);
    this.latest.set(chat.id, chat);
    if (read) this.requests.read(chat.id);
    else this.requests.describe(chat.id);
    this.queueSync(chat.id);
  }

  /**
   * See Bridge.notified. A message notification asks for a read only of what comes after the message it
   * names (SyncRequests.take); CHAT_CREATED only for the chat's topic, since each message has a notification
   * of its own and a poll reads a chat never read (SyncRequests.mayHoldMore); a dispute for fresh chat info
   * and a read.
   */
  notified(marketChatId: MarketChatId, event: ChatEvent, receivedAt: number, messageId?: MarketMessageId): void {
    if (event === 'arbitrage') {
      this.refresh.add(marketChatId);
      this.requests.read(marketChatId);
    } else if (event === 'created') {
      this.requests.created(marketChatId);
    } else if (messageId === undefined) {
      this.requests.read(marketChatId);
    } else {
      this.requests.message(marketChatId, messageId);
    }
    if (!this.triggers.has(marketChatId)) this.triggers.set(marketChatId, receivedAt);
    this.queueSync(marketChatId);
  }

  /** Something happened in the chat (or a task is retried): read what is new. */
  requestSync(marketChatId: MarketChatId): void {
    this.requests.read(marketChatId);
    this.queueSync(marketChatId);
  }

  /**
   * Gives a chat its topic (new-chats.ts): in the chat's queue, after whatever waits there, a chat still without
   * a topic is synced at once (described, its topic created with the card, its history posted). Resolves when
   * that is done; a failure is retried like any sync's, after a backoff.
   */
  async open(marketChatId: MarketChatId): Promise<void> {
    await this.d.queue.push(marketChatId, async () => {
      if (this.d.queue.stopped || this.d.store.findChat(marketChatId)?.topicId !== undefined) return;
      this.requests.read(marketChatId);
      await this.sync(marketChatId);
    });
  }

  /** A polling round begins (push notifications let some reads of a poll wait: SyncRequests.mayHoldMore). */
  roundStarted(): void {
    this.requests.roundStarted();
  }

  /** One sync waits in the chat's queue at most; what asked for it is gathered in `requests`. */
  private queueSync(marketChatId: MarketChatId): void {
    this.d.queue.once('sync', marketChatId, () => this.sync(marketChatId));
  }

  /** Buyer messages fetched and waiting for their turn to be posted. */
  get backlog(): number {
    let n = 0;
    for (const v of this.unposted.values()) n += v;
    return n;
  }

  /** A task of the chat failed: how many times in a row now (a good sync starts over). */
  countFailure(marketChatId: MarketChatId): number {
    const failures = (this.failures.get(marketChatId) ?? 0) + 1;
    this.failures.set(marketChatId, failures);
    return failures;
  }

  private async sync(marketChatId: MarketChatId): Promise<void> {
    const { d } = this;
    let chat = this.latest.get(marketChatId);
    this.latest.delete(marketChatId);
    const triggeredAt = this.triggers.get(marketChatId);
    this.triggers.delete(marketChatId);
    let rec = d.store.findChat(marketChatId);
    const work = this.requests.take(marketChatId, rec);
    if (work === 'none') {
      d.log.debug({ marketChatId }, 'notified of messages already mirrored; nothing to read');
      return;
    }
    // A chat we do not know yet, or one whose status changed at the Market, is described afresh.
    const refresh = this.refresh.delete(marketChatId);
    if (!rec) {
      const fresh = chat && !refresh ? chat : await this.describeNewChat(marketChatId, triggeredAt !== undefined);
      if (!fresh) {
        this.imports.done(marketChatId);
        return;
      }
      chat = fresh;
      // updatedAt stays unknown until the first sync completes, so an interrupted one is retried after a restart.
      rec = { marketChatId, chat: { ...fresh, updatedAt: '' }, firstSeenAt: d.now().toISOString() };
      rec = d.store.putChat(rec);
      d.log.info({ marketChatId, status: fresh.status }, 'new chat');
    } else if (refresh) {
      chat = await d.market.getChat(marketChatId);
    }
    let current = chat ?? rec.chat;
    await this.topics.getOrCreate(rec, current);
    if (triggeredAt !== undefined) this.requests.pushed(marketChatId);
    let last: MarketMessage | undefined;
    if (work === 'read') {
      // The turn of the first post is taken before the read, so the post carries every message written while
      // it waited for Telegram's limit (one post for a burst, not one for the first message and one for the rest).
      const release =
        rec.topicId === undefined ? undefined : await d.telegram.reserveTurn(rec.topicId, readLane(d, rec, current));
      try {
        last = await this.mirrorNew(rec, current, triggeredAt);
      } finally {
        release?.();
      }
    } else {
      // Nothing was read: the chat is mirrored as far as before (a chat never read keeps updatedAt unknown).
      current = { ...current, updatedAt: rec.chat.updatedAt };
    }
    current = withDerivedStatus(current, last?.sender);
    // Synced without fresh chat info (a notification): the newest message is the chat's last activity, so
    // the next poll does not see a change that was already mirrored.
    if (last && isLater(last.createdAt, current.updatedAt)) current = { ...current, updatedAt: last.createdAt };
    // A chat that came alive again gets its topic reopened before its state counts as mirrored, so a failure
    // leaves the old state and the next poll tries again.
    if (this.topics.mustReopen(rec, current)) await this.topics.reopen(rec, current);
    // Only now is the chat's state known to be mirrored: a failure above leaves the old state, so the next
    // poll still sees a change and tries again.
    rec.chat = current;
    d.store.saveChat(rec);
    await d.store.commit();
    this.topics.synced(rec);
    this.imports.done(marketChatId);
    this.failures.delete(marketChatId);
  }

  /**
   * getChat for a chat the store does not know. When only a notification named it (which anyone who can
   * reach the endpoint could forge), a chat the Market will not show us is ignored rather than retried
   * forever or taken as a sign that our credentials are bad.
   */
  private async describeNewChat(
    marketChatId: MarketChatId,
    fromNotification: boolean,
  ): Promise<MarketChat | undefined> {
    const { market, log } = this.d;
    if (!fromNotification) return market.getChat(marketChatId);
    try {
      const chat = await market.findChat(marketChatId);
      if (!chat) log.warn({ marketChatId }, 'a notification named a chat the Market does not show us; ignored');
      return chat;
    } catch (err) {
      if (!(err instanceof FatalError)) throw err;
      log.warn({ err, marketChatId }, 'a notification named a chat the Market does not show us; ignored');
      return undefined;
    }
  }

  /**
   * Fetches the messages after the cursor and mirrors each, advancing the cursor after each one. Returns the
   * newest message mirrored (or recognised as ours), if any. Also how a reply of unknown fate is looked for.
   */
  async mirrorNew(rec: ChatRecord, chat: MarketChat, triggeredAt?: number): Promise<MarketMessage | undefined> {
    const { d } = this;
    const readAt = d.now().toISOString();
    let messages = await this.fetchSince(rec.marketChatId, rec.cursor);
    if (!rec.backfilled) {
      // A minute of slack: the Market's times have whole seconds, and a chat born as the bridge first
      // started is new, not history.
      const isOld = Date.parse(chat.createdAt) < Date.parse(d.store.initializedAt) - 60_000;
      const keep = d.options.historyOnFirstSight;
      if (isOld && messages.length > keep) {
        const skipped = messages.slice(0, messages.length - keep);
        messages = messages.slice(messages.length - keep);
        rec.cursor = skipped[skipped.length - 1]?.id ?? rec.cursor;
        d.store.saveChat(rec);
        if (keep > 0) {
          const lane = laneOf(d, chat);
          await this.topics.within(rec, chat, lane, (topicId) =>
            d.telegram.sendText(topicId, html`${d.t.historyNote(keep)}`, { lane }),
          );
        }
      }
      rec.backfilled = true;
      d.store.saveChat(rec);
      await d.store.commit();
    }
    let left = messages.length;
    this.unposted.set(rec.marketChatId, left);
    try {
      await this.poster.postAll(rec, chat, messages, triggeredAt, (n) => {
        left -= n;
        this.unposted.set(rec.marketChatId, left);
      });
    } finally {
      this.unposted.delete(rec.marketChatId);
    }
    rec.syncedAt = readAt;
    d.store.saveChat(rec);
    return messages.at(-1);
  }

  /** Every message after `cursor`, in id order, each once. */
  private async fetchSince(marketChatId: MarketChatId, cursor: MarketMessageId | undefined): Promise<MarketMessage[]> {
    const byId = new Map<number, MarketMessage>();
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const res = await this.d.market.getHistory(marketChatId, { messageIdFrom: cursor, pageToken, limit: 100 });
      for (const m of res.items) if (cursor === undefined || m.id > cursor) byId.set(m.id, m);
      pageToken = res.nextPageToken;
      if (!pageToken || seenTokens.has(pageToken)) break;
      seenTokens.add(pageToken);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
}

/**
 * Whose turn it is after the newest message, as the Market itself will say at the next poll: a buyer
 * message waits for us, our reply waits for the buyer. Keeps the topic title right between polls.
 */
function withDerivedStatus(chat: MarketChat, lastSender: MessageSender | undefined): MarketChat {
  if (chat.kind !== 'CHAT' || chat.status === 'FINISHED' || chat.status === 'WAITING_FOR_ARBITER') return chat;
  if (lastSender === 'CUSTOMER') return { ...chat, status: 'WAITING_FOR_PARTNER' };
  if (lastSender === 'PARTNER') return { ...chat, status: 'WAITING_FOR_CUSTOMER' };
  return chat;
}

/** Whether time `a` is after time `b` (ISO strings of any offset); an unreadable `b` counts as earlier. */
function isLater(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(tb) ? true : ta > tb;
}
