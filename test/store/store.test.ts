import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { marketChatId, marketMessageId, telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import type { ChatRecord, ReplyRecord } from '../../src/bridge/store-port.ts';
import { JsonStore, SHARD_DIR, STORE_FILE, StoreError } from '../../src/store/store.ts';

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
    expect(again.getChat(marketChatId(1))?.topicId).toBe(10);
    expect(again.findChatByTopic(topicId(10))?.marketChatId).toBe(1);
    expect(again.replies(marketChatId(1)).map((r) => r.id)).toEqual(['r1']);
    expect(again.initializedAt).toBe(store.initializedAt);
  });

  it('persists changes made to live records', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(7));
    rec.cursor = marketMessageId(99);
    rec.backfilled = true;
    const r = store.putReply(reply('r1', 7));
    r.state = 'sent';
    await store.commit();
    const again = await JsonStore.open(dir);
    expect(again.getChat(marketChatId(7))).toMatchObject({ cursor: 99, backfilled: true });
    expect(again.allReplies()[0]?.state).toBe('sent');
  });

  it('writes only the shard of a changed chat, however many chats there are', async () => {
    const store = await JsonStore.open(await tempDir());
    for (let i = 1; i <= 2000; i++) store.putChat(record(i));
    await store.commit();
    const before = store.writeCount;
    const rec = store.getChat(marketChatId(1234))!;
    rec.cursor = marketMessageId(5);
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
      commits.push(store.commit());
    }
    await Promise.all(commits);
    expect(store.writeCount - before).toBeLessThanOrEqual(2);
    const again = await JsonStore.open(dir);
    expect(again.getChat(marketChatId(1))?.cursor).toBe(50);
  });

  it('commits the changes of two chats made one right after the other', async () => {
    const store = await JsonStore.open(await tempDir());
    const a = store.putChat(record(1));
    const b = store.putChat(record(2));
    await store.commit();
    a.cursor = marketMessageId(1);
    const first = store.commit();
    b.cursor = marketMessageId(2);
    const second = store.commit();
    await Promise.all([first, second]);
    const again = await JsonStore.open(store.dir);
    expect(again.getChat(marketChatId(1))?.cursor).toBe(1);
    expect(again.getChat(marketChatId(2))?.cursor).toBe(2);
  });

  it('refuses a corrupted main file, names the backup, and leaves the file untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, STORE_FILE);
    await writeFile(file, '{"schemaVersion":2, "replies": {');
    await expect(JsonStore.open(dir)).rejects.toThrow(StoreError);
    await expect(JsonStore.open(dir)).rejects.toThrow(/marketgram\.json\.bak/);
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion":2, "replies": {');
  });

  it('refuses a corrupted shard, naming it and its backup', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(3));
    await store.commit();
    const shard = path.join(dir, SHARD_DIR, '003.json');
    await writeFile(shard, 'garbage');
    await expect(JsonStore.open(dir)).rejects.toThrow(/003\.json.*003\.json\.bak/s);
    expect(await readFile(shard, 'utf8')).toBe('garbage');
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
    expect(store.getChat(marketChatId(5))?.cursor).toBe(777);
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

  it('keeps the last good copy of every file as a backup when it opens an existing store', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(5, 50));
    await store.commit();
    await JsonStore.open(dir);
    const files = await readdir(path.join(dir, SHARD_DIR));
    expect(files.sort()).toEqual(['005.json', '005.json.bak']);
    const backup = JSON.parse(await readFile(path.join(dir, SHARD_DIR, '005.json.bak'), 'utf8')) as {
      chats: Record<string, unknown>;
    };
    expect(Object.keys(backup.chats)).toEqual(['5']);
  });

  it('moves the topic index when a chat gets a new topic', async () => {
    const store = await JsonStore.open(await tempDir());
    const rec = store.putChat(record(1, 10));
    store.setTopic(rec, topicId(11));
    expect(store.findChatByTopic(topicId(10))).toBeUndefined();
    expect(store.findChatByTopic(topicId(11))?.marketChatId).toBe(1);
    rec.topicId = undefined;
    expect(store.findChatByTopic(topicId(11))).toBeUndefined();
  });
});

describe('JsonStore.close', () => {
  it('flushes pending changes and ignores commits after it', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    const rec = store.putChat(record(1));
    rec.cursor = marketMessageId(1);
    await store.close();
    rec.cursor = marketMessageId(2);
    await store.commit();
    const again = await JsonStore.open(dir);
    expect(again.getChat(marketChatId(1))?.cursor).toBe(1);
  });
});
