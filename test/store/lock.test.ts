import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { marketChatId } from '../../src/bridge/ids.ts';
import { LOCK_FILE, STALE_MS } from '../../src/store/lock.ts';
import { StoreError } from '../../src/store/errors.ts';
import { JsonStore } from '../../src/store/store.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'marketgram-lock-'));
}

const lockOf = (dir: string) => path.join(dir, LOCK_FILE);

/** A lock file as another marketgram would leave it. */
async function foreignLock(dir: string, holder: { pid: number; host: string }, ageMs = 0): Promise<void> {
  await writeFile(lockOf(dir), JSON.stringify({ ...holder, startedAt: '2026-01-01T00:00:00.000Z', token: 'x' }));
  const at = new Date(Date.now() - ageMs);
  await utimes(lockOf(dir), at, at);
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

describe('the data directory lock', () => {
  it('is taken at open, names this process, and is removed at close', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    expect(JSON.parse(await readFile(lockOf(dir), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await store.close();
    await expect(stat(lockOf(dir))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a directory held by a live marketgram on this host, naming it and the lock file', async () => {
    const dir = await tempDir();
    await foreignLock(dir, { pid: process.ppid, host: hostname() });
    const err = await JsonStore.open(dir, undefined, { lockWaitMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(`pid ${process.ppid} on ${hostname()}`);
    expect((err as Error).message).toContain(lockOf(dir));
    expect((err as Error).message).toMatch(/twice/);
    // The holder's lock is left alone, and nothing else was written.
    expect(JSON.parse(await readFile(lockOf(dir), 'utf8'))).toMatchObject({ pid: process.ppid });
    await expect(stat(path.join(dir, 'marketgram.json'))).rejects.toThrow(/ENOENT/);
    // Not refreshed for longer than a holder ever waits: left over (its pid reused by another program).
    await foreignLock(dir, { pid: process.ppid, host: hostname() }, STALE_MS + 5_000);
    await (await JsonStore.open(dir, undefined, { lockWaitMs: 0 })).close();
  });

  it('takes over at once a lock left by a process of this host that is gone (kill -9)', async () => {
    const dir = await tempDir();
    const first = await JsonStore.open(dir);
    first.putChat({
      marketChatId: marketChatId(1),
      chat: {
        id: marketChatId(1),
        kind: 'CHAT',
        status: 'NEW',
        context: { type: 'DIRECT' },
        createdAt: '2025-01-01T10:00:00+03:00',
        updatedAt: '2025-01-01T10:00:00+03:00',
      },
      firstSeenAt: 'x',
    });
    await first.commit();
    await foreignLock(dir, { pid: await deadPid(), host: hostname() });
    const again = await JsonStore.open(dir, undefined, { lockWaitMs: 0 });
    expect(again.findChat(marketChatId(1))).toBeDefined();
    expect(JSON.parse(await readFile(lockOf(dir), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('from another host, refuses a lock refreshed lately and takes over one that stopped being refreshed', async () => {
    const dir = await tempDir();
    await foreignLock(dir, { pid: 1, host: 'other-container' }, 1_000);
    await expect(JsonStore.open(dir, undefined, { lockWaitMs: 0 })).rejects.toThrow(/pid 1 on other-container/);
    await foreignLock(dir, { pid: 1, host: 'other-container' }, STALE_MS + 5_000);
    const store = await JsonStore.open(dir, undefined, { lockWaitMs: 0 });
    expect(JSON.parse(await readFile(lockOf(dir), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await store.close();
  });

  it('waits for a live holder on another host to go', async () => {
    const dir = await tempDir();
    await foreignLock(dir, { pid: 1, host: 'other-container' });
    const opening = JsonStore.open(dir, undefined, { lockWaitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The other container stops cleanly: its lock goes.
    await rm(lockOf(dir));
    const store = await opening;
    expect(JSON.parse(await readFile(lockOf(dir), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });
});
