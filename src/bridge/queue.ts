/**
 * Per-key serial queues: tasks for one key (one Market chat, a "portal") run one after another in the order
 * they were added; different keys run concurrently. A task that throws does not stop its queue.
 */
export class KeyedQueue<K> {
  private readonly tails = new Map<K, Promise<void>>();
  private readonly depth = new Map<K, number>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly onError: (key: K, err: unknown) => void) {}

  /** Adds a task to the key's queue; resolves when the task has run (never rejects). */
  push(key: K, task: () => Promise<void>): Promise<void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    this.running++;
    this.depth.set(key, (this.depth.get(key) ?? 0) + 1);
    const next = prev.then(async () => {
      try {
        await task();
      } catch (err) {
        this.onError(key, err);
      } finally {
        const d = (this.depth.get(key) ?? 1) - 1;
        if (d === 0) this.depth.delete(key);
        else this.depth.set(key, d);
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
