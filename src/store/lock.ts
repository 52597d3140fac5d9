/**
 * One marketgram per data directory. Two processes on one store would both post every buyer message and
 * both write the files, so the store takes `marketgram.lock` (pid, host, start time) before it reads
 * anything, refreshes its mtime while it runs, and removes it at close.
 *
 * A lock not refreshed for STALE_MS is left over from a crash and taken over. One from this host is
 * recognised at once when its pid is gone or is our own (a container restarted as pid 1 again). A fresh
 * lock of a live holder (another container on a shared volume, a second `npm start`) is waited for, then
 * refused with a message that says what to do.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'marketgram.lock';
/** The holder refreshes the lock's mtime this often... */
const HEARTBEAT_MS = 10_000;
/** ...so a lock from another host not refreshed for this long belongs to a process that is gone. */
export const STALE_MS = 30_000;

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
  /** Tells two opens by one process apart. */
  token: string;
}

/** Another live marketgram holds the data directory. */
export class LockedError extends Error {
  readonly code = 'STORE_LOCKED';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'LockedError';
  }
}

export class DirLock {
  private readonly heartbeat: NodeJS.Timeout;
  private released = false;

  private constructor(
    readonly file: string,
    private readonly me: Holder,
  ) {
    this.heartbeat = setInterval(() => {
      const now = new Date();
      utimes(this.file, now, now).catch(() => undefined);
    }, HEARTBEAT_MS).unref();
  }

  /**
   * Takes the lock of `dir`, waiting up to `waitMs` for a live holder on another host to go (a restart
   * of the other container, say); throws LockedError if it does not.
   */
  static async acquire(
    dir: string,
    waitMs = STALE_MS + HEARTBEAT_MS,
    onWait: (holder: string) => void = () => undefined,
  ): Promise<DirLock> {
    const file = path.join(dir, LOCK_FILE);
    const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      try {
        await writeFile(file, JSON.stringify(me), { flag: 'wx' });
        return new DirLock(file, me);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const other = await readHolder(file);
      if (other === 'gone') continue;
      const verdict = judge(other, me);
      if (verdict.stale) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new LockedError(
          `Another marketgram (${verdict.who}) is using the data directory ${dir}. Two would post every ` +
            `message twice: stop the other one, or give this one its own DATA_DIR. If no other marketgram ` +
            `runs, delete ${file}.`,
          file,
        );
      }
      if (!told) onWait(verdict.who);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, deadline - Date.now()))));
    }
  }

  /** Stops the heartbeat and removes the lock if it is still ours. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    const holder = await readHolder(this.file);
    if (holder !== 'gone' && holder.value && sameHolder(holder.value, this.me)) await rm(this.file, { force: true });
  }
}

/** What the lock of a data directory says, read without taking it. */
export type LockState =
  | { state: 'free'; file: string }
  /** `stale`: its holder is gone, and the next start takes the lock over; `held`: a live marketgram holds it. */
  | { state: 'stale' | 'held'; file: string; who: string };

/** Reads the lock of `dir` and judges it as `acquire` would, without taking or touching it. */
export async function inspectLock(dir: string): Promise<LockState> {
  const file = path.join(dir, LOCK_FILE);
  const other = await readHolder(file);
  if (other === 'gone') return { state: 'free', file };
  const verdict = judge(other, { pid: process.pid, host: hostname(), startedAt: '', token: '' });
  return { state: verdict.stale ? 'stale' : 'held', file, who: verdict.who };
}

type Read = 'gone' | { value: Holder | undefined; mtimeMs: number };

/** The lock's holder and age; `value` undefined for a lock that is not ours to read (half written, garbage). */
async function readHolder(file: string): Promise<Read> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let value: Holder | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Holder>;
      if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.startedAt === 'string')
        value = { token: '', ...parsed } as Holder;
    } catch {
      value = undefined;
    }
    return { value, mtimeMs: info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
}

function judge(other: Exclude<Read, 'gone'>, me: Holder): { stale: boolean; who: string } {
  const age = Math.max(0, Date.now() - other.mtimeMs);
  const holder = other.value;
  if (!holder) return { stale: age > STALE_MS, who: `unreadable lock, refreshed ${Math.round(age / 1000)} s ago` };
  const who = `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}, seen ${Math.round(age / 1000)} s ago`;
  // A live holder refreshes its lock; on this host a gone pid (or our own) also says it is over, at once.
  const stale = age > STALE_MS || (holder.host === me.host && (holder.pid === me.pid || !alive(holder.pid)));
  return { stale, who };
}

function sameHolder(a: Holder, b: Holder): boolean {
  return a.pid === b.pid && a.host === b.host && a.token === b.token;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
