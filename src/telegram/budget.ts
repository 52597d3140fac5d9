/**
 * The group's Telegram budget: every call that counts against Telegram's flood limits (posts, topic creation,
 * renames, closes and reopens, message edits) takes a turn here, spaced evenly at the configured group rate (and
 * under the global rate), one at a time. Turns go by priority, and round-robin across topics within a priority, so:
 *   operator  what a person waits for: receipts, hold notices, the undo window's Cancel, /status, answers
 *   waiting   buyer messages (and the topic, its card and its reopening) of chats that wait for the seller
 *   live      other new buyer, support and Market messages
 *   history   messages written before marketgram first started (a first start's backlog)
 *   cosmetic  topic renames, and closing the topics of finished chats
 * A call made outside any lane (grammY calls of the Telegram side itself: /status, quick replies, refusals) is an
 * operator's. A 429 pauses every turn until Telegram's retry_after has passed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transformer } from 'grammy';
import { LANES, type Lane } from '../bridge/ports.ts';

/** Methods that count against the group's flood limit. */
export const BUDGETED = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendMediaGroup',
  'copyMessage',
  'forwardMessage',
  'createForumTopic',
  'editForumTopic',
  'closeForumTopic',
  'reopenForumTopic',
  'editMessageText',
  'editMessageReplyMarkup',
  'pinChatMessage',
]);

/** Group calls are spaced this much wider than the configured rate strictly needs (network jitter). */
export const GROUP_SPACING_MARGIN = 1.01;

export interface BudgetOptions {
  groupPerMinute: number;
  globalPerSecond: number;
  /**
   * When the calls of the last second started: pass one array to the budgets of every chat one bot posts into
   * (several cabinets), since Telegram's per-second limit is the bot's, not a chat's. Default: this budget's own.
   */
  globalWindow?: number[];
  now?: () => number;
}

interface Turn {
  key: number;
  start: () => void;
}

/** A turn that has started: `end` when its call ended, `unused` when no call was made in it (costs nothing). */
export interface TurnHandle {
  end(): void;
  unused(): void;
}

/** A turn reserved for a topic's next call (see `reserve`). */
interface Held {
  handle: TurnHandle;
  timer: NodeJS.Timeout;
}

/** How long a reserved turn waits for its call before it is handed back. */
export const HOLD_MS = 2_000;

export class CallBudget {
  private readonly context = new AsyncLocalStorage<{ lane: Lane; key: number }>();
  /** Per lane: the topics with turns waiting, in round-robin order, and each topic's turns in order. */
  private readonly lanes = new Map<Lane, Map<number, Turn[]>>(LANES.map((l) => [l, new Map()]));
  private readonly spacingMs: number;
  private readonly now: () => number;
  private lastStart = -Infinity;
  private readonly recent: number[];
  private running = false;
  private pausedUntil = 0;
  private timer?: NodeJS.Timeout;
  /** Turns reserved per topic, waiting for the topic's next call. */
  private readonly held = new Map<number, Held>();

  constructor(private readonly o: BudgetOptions) {
    this.spacingMs = Math.ceil((60_000 / o.groupPerMinute) * GROUP_SPACING_MARGIN);
    this.now = o.now ?? Date.now;
    this.recent = o.globalWindow ?? [];
  }

  /** Runs `fn` with its budgeted calls in `lane`, counted for topic `key` (0: none). */
  within<T>(lane: Lane, key: number, fn: () => Promise<T>): Promise<T> {
    return this.context.run({ lane, key }, fn);
  }

  /** Turns waiting, per lane (for /status and the metrics). */
  queued(): Record<Lane, number> {
    const out = Object.fromEntries(LANES.map((l) => [l, 0])) as Record<Lane, number>;
    for (const [lane, topics] of this.lanes) for (const turns of topics.values()) out[lane] = out[lane] + turns.length;
    return out;
  }

  /**
   * Waits for a turn in the current lane; resolves with its handle. A turn reserved for the topic is taken
   * at once.
   */
  take(): Promise<TurnHandle> {
    const ctx = this.context.getStore() ?? { lane: 'operator' as const, key: 0 };
    const held = this.held.get(ctx.key);
    if (held && ctx.key !== 0) {
      this.held.delete(ctx.key);
      clearTimeout(held.timer);
      return Promise.resolve(held.handle);
    }
    const topics = this.lanes.get(ctx.lane) as Map<number, Turn[]>;
    return new Promise((resolve) => {
      const turns = topics.get(ctx.key) ?? [];
      turns.push({ key: ctx.key, start: () => resolve(this.handle()) });
      topics.set(ctx.key, turns);
      this.pump();
    });
  }

  /**
   * Waits for a turn in `lane` and keeps it for topic `key`'s next budgeted call, which then starts at once:
   * what that call carries is decided when the turn has come, not when it was asked for (a chat's post takes
   * in every message written while it waited). Resolves with the function that hands the turn back unused
   * (after the call, it does nothing). A turn not used within `holdMs` is handed back by itself, so a slow
   * step between the two (a Market read) cannot hold up the group.
   */
  async reserve(lane: Lane, key: number, holdMs = HOLD_MS): Promise<() => void> {
    const handle = await this.within(lane, key, () => this.take());
    const old = this.held.get(key);
    if (old) this.release(key, old);
    const held: Held = { handle, timer: setTimeout(() => this.release(key, held), holdMs) };
    held.timer.unref?.();
    this.held.set(key, held);
    return () => this.release(key, held);
  }

  private release(key: number, held: Held): void {
    if (this.held.get(key) !== held) return;
    this.held.delete(key);
    clearTimeout(held.timer);
    held.handle.unused();
  }

  /** The handle of the turn starting now. */
  private handle(): TurnHandle {
    const previous = this.lastStart;
    const now = this.now();
    this.running = true;
    this.lastStart = now;
    this.recent.push(now);
    let over = false;
    return {
      end: () => {
        if (over) return;
        over = true;
        this.finished();
      },
      unused: () => {
        if (over) return;
        over = true;
        // No call was made: the next turn may start as if this one had never been given.
        if (this.lastStart === now) this.lastStart = previous;
        const i = this.recent.lastIndexOf(now);
        if (i >= 0) this.recent.splice(i, 1);
        this.finished();
      },
    };
  }

  /** Telegram answered 429: no turn starts before `retryAfterS` seconds have passed. */
  pause(retryAfterS: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterS * 1000);
  }

  /** A grammY transformer that makes every budgeted call take its turn (each attempt, retries included). */
  transformer(): Transformer {
    return async (prev, method, payload, signal) => {
      if (!BUDGETED.has(method)) return prev(method, payload, signal);
      const turn = await this.take();
      try {
        const result = await prev(method, payload, signal);
        if (!result.ok && result.error_code === 429) this.pause(result.parameters?.retry_after ?? 1);
        return result;
      } finally {
        turn.end();
      }
    };
  }

  private finished(): void {
    this.running = false;
    this.pump();
  }

  /** Starts the next turn when one may start, or sets a timer for when it may. */
  private pump(): void {
    if (this.running || this.timer) return;
    const next = this.next();
    if (!next) return;
    const now = this.now();
    while (this.recent.length > 0 && (this.recent[0] ?? 0) <= now - 1000) this.recent.shift();
    const globalAt = this.recent.length >= this.o.globalPerSecond ? (this.recent[0] ?? now) + 1000 : now;
    const at = Math.max(this.lastStart + this.spacingMs, this.pausedUntil, globalAt);
    if (at > now) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, at - now);
      return;
    }
    this.dequeue(next).start();
  }

  /** The highest lane with turns waiting. */
  private next(): Lane | undefined {
    return LANES.find((l) => (this.lanes.get(l)?.size ?? 0) > 0);
  }

  /** The next turn of the lane: the first topic in the rotation gives one turn and goes to the back. */
  private dequeue(lane: Lane): Turn {
    const topics = this.lanes.get(lane) as Map<number, Turn[]>;
    const [key, turns] = topics.entries().next().value as [number, Turn[]];
    const turn = turns.shift() as Turn;
    topics.delete(key);
    if (turns.length > 0) topics.set(key, turns);
    return turn;
  }
}
