import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataFile } from 'lowdb/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { marketChatId, marketMessageId, telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import type { ChatRecord, ReplyRecord } from '../../src/bridge/store-port.ts';
import { FullDisk } from '../fakes/full-disk.ts';
import { StoreError } from '../../src/store/errors.ts';
import { JOURNAL_FILE, OLD_JOURNAL_FILE, SHARD_DIR, STORE_FILE } from '../../src/store/layout.ts';
import { JsonStore } from '../../src/store/store.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'marketgram-store-'));
}

function record(id: number, topic?: number): ChatRecord {
  return {
    marketChatId: marketChatId(id),
    topicId: topic === undefined ? undefined : topicId(topic),
    chat: {
      id: marketChatId(id),
      kind: 'CHAT',
      status: 'NEW',
      context: { type: 'DIRECT' },
      createdAt: '2025-01-01T10:00:00+03:00',
      updatedAt: '2025-01-01T10:00:00+03:00',
    },
    firstSeenAt: '2025-01-01T10:00:00Z',
  };
}

function reply(id: string, chat: number): ReplyRecord {
  return {
    id,
    marketChatId: marketChatId(chat),
    topicId: topicId(1),
    telegramMessageId: telegramMessageId(5),
    part: 0,
    parts: 1,
    text: 'hi',
    state: 'queued',
    attempts: 0,
    createdAt: '2025-01-01T10:00:00Z',
  };
}

describe('JsonStore', () => {
  it('creates a store with a schema version and keeps chats, topics and replies across reopen', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(1, 10));
    store.putReply(reply('r1', 1));
    await store.commit();
    const raw = JSON.parse(await readFile(path.join(dir, STORE_FILE), 'utf8')) as { schemaVersion: number };
    expect(raw.schemaVersion).toBe(2);
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(1))?.topicId).toBe(10);
    expect(again.findChatByTopic(topicId(10))?.marketChatId).toBe(1);
    expect(again.replies(marketChatId(1)).map((r) => r.id)).toEqual(['r1']);
    expect(again.initializedAt).toBe(store.initializedAt);
  });

  it('persists a nested change of a chat once it is saved', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat({ ...record(7), partial: { messageId: marketMessageId(3), partsDone: 1 } });
    await store.commit();
    // Only nested fields change: the proxies before saveChat saw no field set, and this commit wrote nothing.
    rec.chat.status = 'WAITING_FOR_PARTNER';
    rec.partial!.partsDone++;
    store.saveChat(rec);
    await store.commit();
    await store.close();
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(7))).toMatchObject({
      chat: { status: 'WAITING_FOR_PARTNER' },
      partial: { messageId: 3, partsDone: 2 },
    });
    await again.close();
  });

  it('writes nothing for a change that is not saved', async () => {
    const store = await JsonStore.open(await tempDir());
    const rec = store.putChat(record(7));
    await store.commit();
    const before = store.writeCount;
    rec.cursor = marketMessageId(1);
    await store.commit();
    expect(store.writeCount).toBe(before);
    store.saveChat(rec);
    await store.commit();
    expect(store.writeCount).toBe(before + 1);
  });

  it('refuses to save a chat record that is not the stored one', async () => {
    const store = await JsonStore.open(await tempDir());
    const rec = store.putChat(record(7));
    expect(() => store.saveChat({ ...rec })).toThrow(/not the stored record/);
  });

  it('persists changes made to records and saved', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(7));
    rec.cursor = marketMessageId(99);
    rec.backfilled = true;
    store.saveChat(rec);
    const r = store.putReply(reply('r1', 7));
    r.state = 'sent';
    store.saveReply(r);
    await store.commit();
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(7))).toMatchObject({ cursor: 99, backfilled: true });
    expect(again.allReplies()[0]?.state).toBe('sent');
  });

  it('writes only the shard of a changed chat, however many chats there are', async () => {
    const store = await JsonStore.open(await tempDir());
    for (let i = 1; i <= 2000; i++) store.putChat(record(i));
    await store.commit();
    const before = store.writeCount;
    const rec = store.findChat(marketChatId(1234))!;
    rec.cursor = marketMessageId(5);
    store.saveChat(rec);
    await store.commit();
    expect(store.writeCount - before).toBe(1);
    // A commit with nothing changed writes nothing.
    await store.commit();
    expect(store.writeCount - before).toBe(1);
  });

  it('coalesces commits to one file made while it is being written into one more write', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(1));
    await store.commit();
    const before = store.writeCount;
    const commits: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      rec.cursor = marketMessageId(i);
      store.saveChat(rec);
      commits.push(store.commit());
    }
    await Promise.all(commits);
    expect(store.writeCount - before).toBeLessThanOrEqual(2);
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(1))?.cursor).toBe(50);
  });

  it('commits the changes of two chats made one right after the other', async () => {
    const store = await JsonStore.open(await tempDir());
    const a = store.putChat(record(1));
    const b = store.putChat(record(2));
    await store.commit();
    a.cursor = marketMessageId(1);
    store.saveChat(a);
    const first = store.commit();
    b.cursor = marketMessageId(2);
    store.saveChat(b);
    const second = store.commit();
    await Promise.all([first, second]);
    const again = await JsonStore.open(store.dir);
    expect(again.findChat(marketChatId(1))?.cursor).toBe(1);
    expect(again.findChat(marketChatId(2))?.cursor).toBe(2);
  });

  it('refuses a corrupted main file, names the backup, and leaves the file untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, STORE_FILE);
    await writeFile(`${file}.bak`, '{"schemaVersion":2,"initializedAt":"2025-01-01T00:00:00Z","replies":{}}');
    await writeFile(file, '{"schemaVersion":2, "replies": {');
    await expect(JsonStore.open(dir)).rejects.toThrow(StoreError);
    await expect(JsonStore.open(dir)).rejects.toThrow(/marketgram\.json\.bak/);
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion":2, "replies": {');
  });

  it('refuses a corrupted shard, naming it and its backup', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(3));
    await store.close();
    await (await JsonStore.open(dir)).close();
    const shard = path.join(dir, SHARD_DIR, '003.json');
    await writeFile(shard, 'garbage');
    await expect(JsonStore.open(dir)).rejects.toThrow(/003\.json.*003\.json\.bak/s);
    expect(await readFile(shard, 'utf8')).toBe('garbage');
  });

  it('keeps the good backups of every file when a damaged shard stops the start, however often it is retried', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(233, 7));
    store.putReply(reply('1:5:0', 233));
    await store.close();
    await (await JsonStore.open(dir)).close(); // the second start keeps the good copies
    const shard = path.join(dir, SHARD_DIR, '233.json');
    const good = await readFile(`${shard}.bak`, 'utf8');
    const goodMain = await readFile(path.join(dir, `${STORE_FILE}.bak`), 'utf8');
    expect(JSON.parse(good)).toMatchObject({ chats: { '233': { topicId: 7 } } });
    await writeFile(shard, good.slice(0, good.length / 2));
    for (let i = 0; i < 2; i++) await expect(JsonStore.open(dir)).rejects.toThrow(/233\.json\.bak/);
    expect(await readFile(`${shard}.bak`, 'utf8')).toBe(good);
    expect(await readFile(path.join(dir, `${STORE_FILE}.bak`), 'utf8')).toBe(goodMain);
    // Restoring the copy it names brings the chat back.
    await writeFile(shard, good);
    const restored = await JsonStore.open(dir);
    expect(restored.findChat(marketChatId(233))?.topicId).toBe(7);
    await restored.close();
  });

  it('does not send the user to a backup that does not exist yet', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(3));
    await store.close();
    await writeFile(path.join(dir, SHARD_DIR, '003.json'), 'garbage');
    const refusal = JsonStore.open(dir);
    await expect(refusal).rejects.toThrow(/003\.json.*It has no backup yet: move the data directory away/s);
    await expect(refusal).rejects.not.toThrow(/\.bak/);
  });

  it('refuses a file that is JSON but not a marketgram store', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, STORE_FILE), '{"hello":"world"}');
    await expect(JsonStore.open(dir)).rejects.toThrow(/does not look like a marketgram store/);
  });

  it('refuses a store from a newer version', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, STORE_FILE), JSON.stringify({ schemaVersion: 99, initializedAt: 'x', replies: {} }));
    await expect(JsonStore.open(dir)).rejects.toThrow(/newer than this marketgram understands/);
  });

  it('keeps quick replies in the main file across a reopen, and backs them up with it', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putTemplate({ name: 'thanks', text: 'Thank you, {buyer}!', source: 'telegram', updatedAt: 'now', by: 7 });
    store.putTemplate({ name: 'bye', text: 'Bye', source: 'file', updatedAt: 'now' });
    store.putTemplate({ name: 'gone', text: 'x', source: 'telegram', updatedAt: 'now' });
    store.deleteTemplate('gone');
    await store.close();
    const again = await JsonStore.open(dir);
    expect(again.templates().map((t) => t.name)).toEqual(['bye', 'thanks']);
    expect(again.findTemplate('thanks')).toEqual({
      name: 'thanks',
      text: 'Thank you, {buyer}!',
      source: 'telegram',
      updatedAt: 'now',
      by: 7,
    });
    expect(again.findTemplate('gone')).toBeUndefined();
    expect(again.findTemplate('constructor')).toBeUndefined();
    const backup = JSON.parse(await readFile(path.join(dir, `${STORE_FILE}.bak`), 'utf8')) as { templates: object };
    expect(Object.keys(backup.templates).sort()).toEqual(['bye', 'thanks']);
  });

  it('opens a main file written before quick replies existed, as one without templates', async () => {
    const dir = await tempDir();
    const old = { schemaVersion: 2, initializedAt: '2024-01-01T00:00:00.000Z', replies: { r1: reply('r1', 5) } };
    await writeFile(path.join(dir, STORE_FILE), JSON.stringify(old));
    const store = await JsonStore.open(dir);
    expect(store.templates()).toEqual([]);
    expect(store.allReplies().map((r) => r.id)).toEqual(['r1']);
    store.putTemplate({ name: 'hi', text: 'Hi', source: 'telegram', updatedAt: 'now' });
    await store.commit();
    const main = JSON.parse(await readFile(path.join(dir, STORE_FILE), 'utf8')) as Record<string, unknown>;
    expect(main).toMatchObject({ schemaVersion: 2, templates: { hi: { text: 'Hi' } }, replies: { r1: { id: 'r1' } } });
  });

  it('refuses a main file whose templates do not have the shape of ours', async () => {
    const dir = await tempDir();
    const bad = { schemaVersion: 2, initializedAt: 'x', replies: {}, templates: { hi: { name: 'hi' } } };
    await writeFile(path.join(dir, STORE_FILE), JSON.stringify(bad));
    await expect(JsonStore.open(dir)).rejects.toThrow(/does not look like a marketgram store/);
  });

  it('migrates a version 1 store (every chat in one file) to shards', async () => {
    const dir = await tempDir();
    const v1 = {
      schemaVersion: 1,
      initializedAt: '2024-01-01T00:00:00.000Z',
      chats: { '5': { ...record(5, 50), cursor: 777 }, '300': record(300, 51) },
      replies: { r1: reply('r1', 5) },
    };
    await writeFile(path.join(dir, STORE_FILE), JSON.stringify(v1));
    const store = await JsonStore.open(dir);
    expect(store.initializedAt).toBe('2024-01-01T00:00:00.000Z');
    expect(store.findChat(marketChatId(5))?.cursor).toBe(777);
    expect(store.findChatByTopic(topicId(51))?.marketChatId).toBe(300);
    const main = JSON.parse(await readFile(path.join(dir, STORE_FILE), 'utf8')) as Record<string, unknown>;
    expect(main.schemaVersion).toBe(2);
    expect(main.chats).toBeUndefined();
    // The v1 file is kept as the backup.
    expect(JSON.parse(await readFile(path.join(dir, `${STORE_FILE}.bak`), 'utf8'))).toMatchObject({ schemaVersion: 1 });
    const again = await JsonStore.open(dir);
    expect(
      again
        .chats()
        .map((c) => c.marketChatId)
        .sort(),
    ).toEqual([300, 5]);
  });

  it('writes the migrated shards before the main file, so an interrupted migration runs again', async () => {
    const dir = await tempDir();
    const v1 = {
      schemaVersion: 1,
      initializedAt: '2024-01-01T00:00:00.000Z',
      chats: { '5': record(5, 50), '300': record(300, 51) },
      replies: {},
    };
    await writeFile(path.join(dir, STORE_FILE), JSON.stringify(v1));
    const order: string[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the instance as `this`
    const original = DataFile.prototype.write;
    const spy = vi.spyOn(DataFile.prototype, 'write').mockImplementation(function (
      this: DataFile<unknown>,
      data: unknown,
    ): Promise<void> {
      order.push(typeof data === 'object' && data !== null && 'schemaVersion' in data ? 'main' : 'shard');
      return original.call(this, data);
    });
    try {
      await JsonStore.open(dir);
    } finally {
      spy.mockRestore();
    }
    expect(order).toEqual(['shard', 'shard', 'main']);
  });

  it('keeps the last good copy of every file as a backup when it opens an existing store', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(5, 50));
    await store.close();
    await JsonStore.open(dir);
    const files = await readdir(path.join(dir, SHARD_DIR));
    expect(files.sort()).toEqual(['005.json', '005.json.bak', JOURNAL_FILE, `${JOURNAL_FILE}.bak`]);
    const backup = JSON.parse(await readFile(path.join(dir, SHARD_DIR, '005.json.bak'), 'utf8')) as {
      chats: Record<string, unknown>;
    };
    expect(Object.keys(backup.chats)).toEqual(['5']);
  });

  it('moves the topic index when a chat with a new topic is saved', async () => {
    const store = await JsonStore.open(await tempDir());
    const rec = store.putChat(record(1, 10));
    rec.topicId = topicId(11);
    store.saveChat(rec);
    expect(store.findChatByTopic(topicId(10))).toBeUndefined();
    expect(store.findChatByTopic(topicId(11))?.marketChatId).toBe(1);
    rec.topicId = undefined;
    store.saveChat(rec);
    expect(store.findChatByTopic(topicId(11))).toBeUndefined();
  });
});

describe('JsonStore on a full disk', () => {
  it('says why it cannot write, keeps the changes, and writes them by itself once the disk has room', async () => {
    const dir = await tempDir();
    const disk = new FullDisk();
    const store = await JsonStore.open(dir, undefined, { beforeWrite: disk.beforeWrite, writeRetryMs: 30 });
    const failures: boolean[] = [];
    let recovered = 0;
    store.onWriteFailed = (_err, first) => failures.push(first);
    store.onWriteRecovered = () => recovered++;
    expect(store.writeProblem).toBeUndefined();
    disk.full = true;
    store.putChat(record(8, 80));
    store.putReply(reply('1:5:0', 8));
    await expect(store.commit()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(store.writeProblem).toBe(`cannot write DATA_DIR (${dir}): ENOSPC`);
    await vi.waitFor(() => expect(disk.refused).toBeGreaterThan(2)); // it keeps trying on its own
    expect(failures[0]).toBe(true);
    expect(failures.slice(1)).not.toContain(true);
    disk.full = false;
    await vi.waitFor(() => expect(store.writeProblem).toBeUndefined());
    expect(recovered).toBe(1);
    await store.close();
    const reopened = await JsonStore.open(dir);
    expect(reopened.findChat(marketChatId(8))?.topicId).toBe(80);
    expect(reopened.allReplies().map((r) => r.id)).toEqual(['1:5:0']);
    await reopened.close();
  });
});

describe('JsonStore.close', () => {
  it('flushes pending changes and ignores commits after it', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(1));
    rec.cursor = marketMessageId(1);
    store.saveChat(rec);
    await store.close();
    rec.cursor = marketMessageId(2);
    store.saveChat(rec);
    await store.commit();
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(1))?.cursor).toBe(1);
  });
});

describe('JsonStore journal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const journal = (dir: string) => path.join(dir, SHARD_DIR, JOURNAL_FILE);
  const shardOf5 = (dir: string) => path.join(dir, SHARD_DIR, '005.json');
  const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');

  it('commits a changed chat as one journal line and leaves its shard file alone until compaction', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(5, 50));
    await store.commit();
    await store.compact();
    const shardBefore = await readFile(shardOf5(dir), 'utf8');
    const mtimeBefore = (await stat(shardOf5(dir))).mtimeMs;
    expect(await lines(journal(dir))).toEqual([]);

    rec.cursor = marketMessageId(7);
    store.saveChat(rec);
    await store.commit();
    rec.cursor = marketMessageId(8);
    store.saveChat(rec);
    await store.commit();
    expect((await lines(journal(dir))).map((l) => (JSON.parse(l) as ChatRecord).cursor)).toEqual([7, 8]);
    expect(await readFile(shardOf5(dir), 'utf8')).toBe(shardBefore);
    expect((await stat(shardOf5(dir))).mtimeMs).toBe(mtimeBefore);

    // As after kill -9: the journal is replayed over the shard.
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(5))).toMatchObject({ cursor: 8, topicId: 50 });
    expect(again.findChatByTopic(topicId(50))?.marketChatId).toBe(5);
    // ...and folded into it at open.
    expect(await lines(journal(dir))).toEqual([]);
    expect(JSON.parse(await readFile(shardOf5(dir), 'utf8'))).toMatchObject({ chats: { '5': { cursor: 8 } } });
  });

  it('compaction writes the journal into the shards and empties it', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    for (let i = 1; i <= 300; i++) store.putChat(record(i));
    await store.commit();
    expect(await lines(journal(dir))).toHaveLength(300);
    await store.compact();
    expect(await lines(journal(dir))).toEqual([]);
    await expect(stat(path.join(dir, SHARD_DIR, OLD_JOURNAL_FILE))).rejects.toThrow(/ENOENT/);
    const shards = (await readdir(path.join(dir, SHARD_DIR))).filter((n) => /^\d{3}\.json$/.test(n));
    expect(shards).toHaveLength(256);
    // Reading the shards alone gives every chat.
    const again = await JsonStore.open(dir);
    expect(again.chats()).toHaveLength(300);
    expect(again.skippedJournalLines).toBe(0);
  });

  it('skips a torn last line left by a crash and counts it, applying every line before it', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(5));
    await store.close();
    const line = (cursor: number) => JSON.stringify({ ...record(5), cursor });
    await writeFile(journal(dir), `${line(1)}\n${line(2)}\n${line(3).slice(0, 40)}`);
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(5))?.cursor).toBe(2);
    expect(again.skippedJournalLines).toBe(1);
  });

  it('after a crash in the middle of a compaction, replays the set-aside journal before the new one', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(5));
    store.putChat(record(6));
    await store.close();
    const line = (id: number, cursor: number) => JSON.stringify({ ...record(id), cursor });
    await writeFile(path.join(dir, SHARD_DIR, OLD_JOURNAL_FILE), `${line(5, 1)}\n${line(6, 10)}\n${line(5, 2)}\n`);
    await writeFile(journal(dir), `${line(5, 3)}\n`);
    const again = await JsonStore.open(dir);
    expect(again.findChat(marketChatId(5))?.cursor).toBe(3);
    expect(again.findChat(marketChatId(6))?.cursor).toBe(10);
    await expect(stat(path.join(dir, SHARD_DIR, OLD_JOURNAL_FILE))).rejects.toThrow(/ENOENT/);
    // Opening once more (nothing left to replay) gives the same.
    const third = await JsonStore.open(dir);
    expect(third.findChat(marketChatId(5))?.cursor).toBe(3);
    expect(third.findChat(marketChatId(6))?.cursor).toBe(10);
  });

  it('loses no commit made while a compaction runs', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const recs = Array.from({ length: 40 }, (_, i) => store.putChat(record(i + 1)));
    await store.commit();
    const work: Promise<void>[] = [store.compact()];
    for (let round = 1; round <= 20; round++) {
      for (const rec of recs) {
        rec.cursor = marketMessageId(round);
        store.saveChat(rec);
        work.push(store.commit());
      }
      if (round % 5 === 0) work.push(store.compact());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(work);
    const again = await JsonStore.open(dir);
    expect(again.chats().map((c) => c.cursor)).toEqual(recs.map(() => 20));
  });

  it('compacts on its own a few seconds after the first line', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(5));
    await store.commit();
    rec.cursor = marketMessageId(1);
    store.saveChat(rec);
    await store.commit();
    expect(await lines(journal(dir))).toHaveLength(2);
    vi.advanceTimersByTime(4_000);
    expect(await lines(journal(dir))).toHaveLength(2);
    vi.advanceTimersByTime(2_000);
    vi.useRealTimers();
    // Not store.compact(): that would compact by itself, timer or not.
    await expect.poll(() => lines(journal(dir))).toEqual([]);
    expect(JSON.parse(await readFile(shardOf5(dir), 'utf8'))).toMatchObject({ chats: { '5': { cursor: 1 } } });
  });
});
