/**
 * What asked for a chat's next sync, and so what that sync has to do: read the history, only describe the
 * chat (its status or kind changed, or it needs a topic), or nothing at all. Also when a poll reads a chat
 * whose updatedAt did not change (the same-second rule, `mayHaveMore`) and how push notifications let that
 * read wait. The mirror asks here before it spends a Market request.
 */
import type { MarketChatId, MarketMessageId } from './ids.ts';
import type { ChatRecord } from './store-port.ts';

/**
 * How close to our last history read a chat's last message must be for the chat to possibly hold a message
 * that read missed: the Market's times have whole seconds (1 s), plus a margin for the two clocks disagreeing.
 */
const SAME_TIME_SLACK_MS = 5_000;

/**
 * With push notifications, how many whole rounds must pass without a notification making us read (or
 * describe) a chat before a poll reads it for what push cannot announce (see `mayHoldMore`).
 */
export const PUSH_QUIET_ROUNDS = 2;

/** What a sync must do. */
export type SyncWork = 'read' | 'describe' | 'none';

interface Asked {
  /** Something that always reads asked: a poll saw a change, a retry, a notification naming no message. */
  read: boolean;
  /** The chat's status or kind changed: describe it, without reading by itself. */
  describe: boolean;
  /** The highest message a notification named. */
  upTo?: MarketMessageId;
}

export class SyncRequests {
  private readonly asked = new Map<MarketChatId, Asked>();
  /** Polling rounds begun so far. */
  private round = 0;
  /** The round during which notifications last made us read or describe a chat, per chat. */
  private readonly pushedIn = new Map<MarketChatId, number>();

  /** A poll saw a change, a task is retried, or a notification named no message: the history is read. */
  read(marketChatId: MarketChatId): void {
    this.entry(marketChatId).read = true;
  }

  /** The chat's status or kind changed: it is described afresh, and read only if something else asks. */
  describe(marketChatId: MarketChatId): void {
    this.entry(marketChatId).describe = true;
  }

  /**
   * CHAT_CREATED: a chat we do not know, or know without a topic, is described and gets its topic; nothing
   * is read for it, as each of its messages is announced on its own (and `mayHoldMore` covers the rest).
   */
  created(marketChatId: MarketChatId): void {
    this.entry(marketChatId);
  }

  /** A notification named a message of the chat. */
  message(marketChatId: MarketChatId, messageId: MarketMessageId): void {
    const asked = this.entry(marketChatId);
    if (asked.upTo === undefined || messageId > asked.upTo) asked.upTo = messageId;
  }

  /**
   * What the sync starting now must do, from everything asked since the chat's previous sync started (which
   * forgets it: what is asked from now on is for the next sync). A read returns every message written before
   * it, so notifications that name only messages at or below the cursor (mirrored, or skipped as old history)
   * need no read: neither a duplicate, nor one that arrived while the sync that read its message was running.
   */
  take(marketChatId: MarketChatId, rec: ChatRecord | undefined): SyncWork {
    const asked = this.asked.get(marketChatId);
    this.asked.delete(marketChatId);
    if (!asked || asked.read) return 'read';
    if (asked.upTo !== undefined && (rec?.cursor === undefined || asked.upTo > rec.cursor)) return 'read';
    return asked.describe || rec?.topicId === undefined ? 'describe' : 'none';
  }

  /** A polling round begins (see `mayHoldMore`). */
  roundStarted(): void {
    this.round++;
    for (const [id, round] of this.pushedIn) if (round < this.round - PUSH_QUIET_ROUNDS) this.pushedIn.delete(id);
  }

  /** Notifications made a sync of the chat read its history or describe it (not a sync that did nothing). */
  pushed(marketChatId: MarketChatId): void {
    this.pushedIn.set(marketChatId, this.round);
  }

  /**
   * Whether a poll that shows the chat with the updatedAt we hold, and a topic, should read it anyway: it
   * was never read (a chat described on CHAT_CREATED), or its last read may have missed a message of the
   * same second (`mayHaveMore`).
   *
   * With push notifications that read can wait. A message written after our last read gets a notification of
   * its own, which reads the chat from the cursor, so it is not missed. What push never announces (stickers,
   * a notification the Market gave up on), or what an earlier run of the process accepted and died before
   * reading, is found by this read once notifications have made us read or describe the chat in none of the
   * last PUSH_QUIET_ROUNDS intervals between rounds: at most PUSH_QUIET_ROUNDS + 1 rounds after the chat's
   * last notification, and at the first round after a restart (nothing here survives one). Every read goes
   * forward from the cursor, so any read in between also finds whatever this one would have found. Nothing is
   * lost; what push cannot announce only waits longer in a chat push keeps busy.
   *
   * `restated`: the status or kind changed. Such a chat is read at once when it may hold more: a finished
   * chat leaves the open list, and no later round would look at it.
   */
  mayHoldMore(rec: ChatRecord, restated: boolean): boolean {
    if (rec.backfilled && !mayHaveMore(rec)) return false;
    if (restated) return true;
    const pushed = this.pushedIn.get(rec.marketChatId);
    return pushed === undefined || pushed < this.round - PUSH_QUIET_ROUNDS;
  }

  private entry(marketChatId: MarketChatId): Asked {
    let asked = this.asked.get(marketChatId);
    if (!asked) {
      asked = { read: false, describe: false };
      this.asked.set(marketChatId, asked);
    }
    return asked;
  }
}

/**
 * Whether the chat may hold a message our last history read did not return although the updatedAt we hold
 * for it did not change. The argument:
 *
 * - A read returns every message written before it began; `syncedAt` is when it began, on our clock.
 * - A message written after that has a `createdAt` of at least `syncedAt − skew` (the Market's clock may be
 *   behind ours), so its whole second is later than `syncedAt − skew − 1 s`.
 * - The chat's updatedAt is the time of its last message, in whole seconds, so that message moves it to at
 *   least that second.
 * - So when the updatedAt we hold is older than `syncedAt − SAME_TIME_SLACK_MS` (1 s of rounding plus the
 *   skew we allow), any message the read missed would have moved updatedAt past it, and the poll reads the
 *   chat because updatedAt changed. Only a chat whose updatedAt lies within the slack of its last read can
 *   hide one: a message in the same second, just after the read, leaves updatedAt as it was.
 *
 * Which message the read saw last does not narrow this: a second message of that same second, written just
 * after the read, is exactly the case. Only a read that begins after the slack has passed settles it.
 */
function mayHaveMore(rec: ChatRecord): boolean {
  if (!rec.syncedAt) return true;
  return Date.parse(rec.chat.updatedAt) >= Date.parse(rec.syncedAt) - SAME_TIME_SLACK_MS;
}
