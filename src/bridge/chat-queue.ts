/**
 * The per-chat serial queue ("portal" queue): every task for one Market chat (a sync of its history, a
 * delivery of its replies, a notice) runs after the one before it, so a topic is created exactly once and
 * echoes of our own replies are recognised; different chats run concurrently. Also owns the keyed timers
 * (retries, rate-limit windows, undo windows) and the stop switch, so stopping cancels every one of them.
 */
import { marketChatId, type MarketChatId } from './ids.ts';

/** What may be waiting in a chat's queue at most once: a second request while one waits is the same work. */
export type OnceKind = 'sync' | 'deliver';

/**
 * What runs beside a chat's queue, each kind waiting at most once (it reads the chat's state at its turn): a
 * topic's rename and closing, an edit of its card, and the read of the order its card shows.
 */
export type BesideKind = 'rename' | 'close' | 'card' | 'order';

export class ChatQueue {
  private readonly queue: KeyedQueue<MarketChatId>;
  /**
   * Work beside the chats' queues, one queue per kind and chat (a topic's rename waiting for a cosmetic turn
   * must hold up neither its chat nor an edit of its card).
   */
  private readonly aside: KeyedQueue<string>;
  private readonly waiting = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private halted = false;

  /** `onError`: a task threw (it does not stop the chat's queue). */
  constructor(onError: (marketChatId: MarketChatId, err: unknown) => void) {
    this.queue = new KeyedQueue(onError);
    this.aside = new KeyedQueue((key, err) => onError(marketChatId(Number(key.split(':')[1])), err));
  }

  get stopped(): boolean {
    return this.halted;
  }

  /**
   * Queues `task` for the chat unless a task of this kind already waits there (it will see the same state).
   * The task is skipped when the queue was stopped before its turn.
   */
  once(kind: OnceKind, marketChatId: MarketChatId, task: () => Promise<void>): void {
    const key = `${kind}:${marketChatId}`;
    if (this.halted || this.waiting.has(key)) return;
    this.waiting.add(key);
    void this.queue.push(marketChatId, async () => {
      this.waiting.delete(key);
      if (this.halted) return;
      await task();
    });
  }

  /** Queues `task` for the chat as it is (no de-duplication); resolves when it has run. */
  push(marketChatId: MarketChatId, task: () => Promise<void>): Promise<void> {
    return this.queue.push(marketChatId, task);
  }

  /**
   * Runs `task` beside the chat's queue: in order with other tasks of its kind for the chat, but not waiting for
   * (or holding up) its syncs and deliveries, nor tasks of other kinds. Like `once`, a task of a kind already waiting is not queued again:
   * the one waiting sees the same state when its turn comes (one asked for while it runs does run after it).
   * Skipped when the queue was stopped before its turn.
   */
  beside(kind: BesideKind, marketChatId: MarketChatId, task: () => Promise<void>): void {
    const key = `aside:${kind}:${marketChatId}`;
    if (this.halted || this.waiting.has(key)) return;
    this.waiting.add(key);
    void this.aside.push(`${kind}:${marketChatId}`, async () => {
      this.waiting.delete(key);
      if (!this.halted) await task();
    });
  }

  /** Runs `fn` after `delayMs`, replacing a timer of the same key; nothing once stopped. */
  schedule(key: string, delayMs: number, fn: () => void): void {
    if (this.halted) return;
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        fn();
      },
      Math.max(0, delayMs),
    );
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Stops taking new work and cancels every timer; running tasks finish (await idle()). */
  stop(): void {
    this.halted = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Tasks queued or running, in all chats. */
  get size(): number {
    return this.queue.size;
  }

  /** Resolves when no task is queued or running, in the chats' queues and beside them. */
  async idle(): Promise<void> {
    while (this.queue.size + this.aside.size > 0) {
      await this.queue.idle();
      await this.aside.idle();
    }
  }
}

/**
 * Per-key serial queues: tasks for one key run one after another in the order they were added; different
 * keys run concurrently. A task that throws does not stop its queue.
 */
export class KeyedQueue<K> {
  private readonly tails = new Map<K, Promise<void>>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly onError: (key: K, err: unknown) => void) {}

  /** Adds a task to the key's queue; resolves when the task has run (never rejects). */
  push(key: K, task: () => Promise<void>): Promise<void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    this.running++;
    const next = prev.then(async () => {
      try {
        await task();
      } catch (err) {
        this.onError(key, err);
      } finally {
        if (this.tails.get(key) === next) this.tails.delete(key);
        this.running--;
        if (this.running === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      }
    });
    this.tails.set(key, next);
    return next;
  }

  /** Tasks queued or running, in all queues. */
  get size(): number {
    return this.running;
  }

  /** Resolves when no task is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
