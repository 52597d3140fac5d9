import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { marketChatId, topicId } from '../../src/bridge/ids.ts';
import type { ChatRecord } from '../../src/bridge/store-port.ts';
import { JsonStore, STORE_FILE, StoreError } from '../../src/store/store.ts';

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

describe('JsonStore', () => {
  it('creates a new store file with a schema version and keeps data across reopen', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(1, 10));
    await store.commit();
    const raw = JSON.parse(await readFile(path.join(dir, STORE_FILE), 'utf8')) as { schemaVersion: number };
    expect(raw.schemaVersion).toBe(1);
    const again = await JsonStore.open(dir);
    expect(again.getChat(marketChatId(1))?.topicId).toBe(10);
    expect(again.findChatByTopic(topicId(10))?.marketChatId).toBe(1);
    expect(again.initializedAt).toBe(store.initializedAt);
  });

  it('coalesces commits made while a write runs into one more write', async () => {
    const store = await JsonStore.open(await tempDir());
    const before = store.writeCount;
    const commits: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      store.putChat(record(i));
      commits.push(store.commit());
    }
    await Promise.all(commits);
    expect(store.writeCount - before).toBeLessThanOrEqual(2);
    const again = await JsonStore.open(store.file.replace(`/${STORE_FILE}`, ''));
    expect(again.chats()).toHaveLength(50);
  });

  it('refuses a corrupted file, names the backup, and leaves the file untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, STORE_FILE);
    await writeFile(file, '{"schemaVersion":1, "chats": {');
    await expect(JsonStore.open(dir)).rejects.toThrow(StoreError);
    await expect(JsonStore.open(dir)).rejects.toThrow(/marketgram\.json\.bak/);
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion":1, "chats": {');
  });

  it('refuses a file that is JSON but not a marketgram store', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, STORE_FILE), '{"hello":"world"}');
    await expect(JsonStore.open(dir)).rejects.toThrow(/does not look like a marketgram store/);
  });

  it('refuses a store from a newer version', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, STORE_FILE),
      JSON.stringify({ schemaVersion: 99, initializedAt: 'x', chats: {}, replies: {} }),
    );
    await expect(JsonStore.open(dir)).rejects.toThrow(/newer than this marketgram understands/);
  });

  it('keeps the last good copy as a backup when it opens an existing store', async () => {
    const dir = await tempDir();
    const store = await JsonStore.open(dir);
    store.putChat(record(5, 50));
    await store.commit();
    await JsonStore.open(dir);
    const backup = JSON.parse(await readFile(path.join(dir, `${STORE_FILE}.bak`), 'utf8')) as {
      chats: Record<string, unknown>;
    };
    expect(Object.keys(backup.chats)).toEqual(['5']);
  });

  it('moves the topic index when a chat gets a new topic', async () => {
    const store = await JsonStore.open(await tempDir());
    const rec = record(1, 10);
    store.putChat(rec);
    store.setTopic(rec, topicId(11));
    expect(store.findChatByTopic(topicId(10))).toBeUndefined();
    expect(store.findChatByTopic(topicId(11))?.marketChatId).toBe(1);
  });
});
