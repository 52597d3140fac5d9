/**
 * The lowdb store behind the bridge's StorePort. Under DATA_DIR:
 *   marketgram.json        schema version, creation time, and the operator replies on their way
 *   chats/NNN.json         the chat records whose id hashes to shard NNN (up to 256 shards)
 * Every file is compact JSON written atomically (lowdb/steno: temp file + rename). Records are live
 * objects watched by a proxy, so a commit writes only the files whose records changed: advancing one
 * chat's cursor costs one small shard, not the whole store, at 10,000 or 100,000 chats. Commits made
 * while a write runs share the next write. A file that cannot be read or does not look like ours stops
 * the service and is never overwritten; the last good copy of each file is kept beside it as `<file>.bak`.
 */
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import type { MarketChatId, TopicId } from '../bridge/ids.ts';
import type { ChatRecord, ReplyRecord, StorePort } from '../bridge/store-port.ts';

export const SCHEMA_VERSION = 2;
export const STORE_FILE = 'marketgram.json';
export const SHARD_DIR = 'chats';
/** Chats are spread over this many shard files by id. */
export const SHARDS = 256;

interface MetaData {
  schemaVersion: number;
  initializedAt: string;
  replies: Record<string, ReplyRecord>;
}

interface ShardData {
  chats: Record<string, ChatRecord>;
}

/** The store file is unreadable, corrupted or from an unknown version. */
export class StoreError extends Error {
  readonly code = 'STORE_UNREADABLE';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

const chatShape = z.object({ marketChatId: z.number(), chat: z.object({ id: z.number() }).loose() }).loose();
const replyShape = z.object({ id: z.string(), marketChatId: z.number(), state: z.string() }).loose();
const metaShape = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  initializedAt: z.string(),
  replies: z.record(z.string(), replyShape),
});
const shardShape = z.object({ chats: z.record(z.string(), chatShape) });

const json = { parse: JSON.parse, stringify: (d: unknown) => JSON.stringify(d) };

function shardOf(id: number): number {
  return ((id % SHARDS) + SHARDS) % SHARDS;
}

function shardFile(dir: string, shard: number): string {
  return path.join(dir, SHARD_DIR, `${String(shard).padStart(3, '0')}.json`);
}

export class JsonStore implements StorePort {
  private readonly chatsById = new Map<number, ChatRecord>();
  private readonly byTopic = new Map<number, MarketChatId>();
  private readonly shards = new Map<number, Low<ShardData>>();
  private readonly dirtyShards = new Set<number>();
  private metaDirty = false;
  private closed = false;
  /** Per file: the write in progress and the one waiting to start after it. */
  private readonly chains = new Map<number | 'meta', { running?: Promise<void>; pending?: Promise<void> }>();
  private writes = 0;
  private batches = 0;

  private constructor(
    private readonly meta: Low<MetaData>,
    readonly dir: string,
  ) {
    for (const [id, reply] of Object.entries(meta.data.replies)) meta.data.replies[id] = this.watchReply(reply);
  }

  /** The main file (schema version, replies). */
  get file(): string {
    return path.join(this.dir, STORE_FILE);
  }

  /** Opens (or creates) the store in `dataDir`. Throws StoreError for a file it must not touch. */
  static async open(dataDir: string, now: () => Date = () => new Date()): Promise<JsonStore> {
    const dir = path.resolve(dataDir);
    const file = path.join(dir, STORE_FILE);
    try {
      await mkdir(path.join(dir, SHARD_DIR), { recursive: true });
    } catch (cause) {
      throw new StoreError(`Cannot create the data directory ${dir}: check DATA_DIR and permissions`, file, { cause });
    }
    const existed = await exists(file);
    const raw = existed ? await readJson<Record<string, unknown>>(file) : undefined;
    const version = typeof raw?.schemaVersion === 'number' ? raw.schemaVersion : undefined;
    if (raw && version === undefined) {
      throw new StoreError(
        `The store ${file} does not look like a marketgram store (no schema version). It was left untouched. ` +
          `Restore ${file}.bak or move the file away to start afresh.`,
        file,
      );
    }
    if (version !== undefined && version > SCHEMA_VERSION) {
      throw new StoreError(
        `The store ${file} has schema version ${version}, newer than this marketgram understands (${SCHEMA_VERSION}). Upgrade marketgram.`,
        file,
      );
    }
    // The last good copies, before anything is written.
    if (existed) await backup(dir);

    const meta = new Low<MetaData>(new DataFile<MetaData>(file, json), {
      schemaVersion: SCHEMA_VERSION,
      initializedAt: now().toISOString(),
      replies: {},
    });
    let migratedChats: Record<string, ChatRecord> | undefined;
    if (raw && version === 1) {
      // v1 kept every chat in the main file. Move them to shards; the shards are written before the
      // main file, so an interrupted migration simply runs again.
      const v1 = z
        .object({
          initializedAt: z.string(),
          chats: z.record(z.string(), chatShape),
          replies: z.record(z.string(), replyShape),
        })
        .safeParse(raw);
      if (!v1.success) throw notOurs(file, v1.error.issues[0]?.message);
      migratedChats = v1.data.chats as unknown as Record<string, ChatRecord>;
      meta.data = {
        schemaVersion: SCHEMA_VERSION,
        initializedAt: v1.data.initializedAt,
        replies: v1.data.replies as unknown as Record<string, ReplyRecord>,
      };
    } else if (raw) {
      const checked = metaShape.safeParse(raw);
      if (!checked.success) throw notOurs(file, checked.error.issues[0]?.message);
      meta.data = checked.data as unknown as MetaData;
    }

    const store = new JsonStore(meta, dir);
    await store.loadShards();
    if (migratedChats) {
      for (const rec of Object.values(migratedChats)) store.putChat(rec);
      store.metaDirty = true;
    }
    if (!existed || migratedChats) {
      store.metaDirty = true;
      await store.commit();
    }
    return store;
  }

  private async loadShards(): Promise<void> {
    const names = await readdir(path.join(this.dir, SHARD_DIR));
    for (const name of names) {
      const m = /^(\d{3})\.json$/.exec(name);
      if (!m) continue;
      const shard = Number(m[1]);
      const file = shardFile(this.dir, shard);
      const data = await readJson<unknown>(file);
      const checked = shardShape.safeParse(data);
      if (!checked.success) throw notOurs(file, checked.error.issues[0]?.message);
      const low = this.shard(shard);
      low.data = { chats: {} };
      for (const rec of Object.values(checked.data.chats as unknown as Record<string, ChatRecord>)) {
        const live = this.watchChat(rec);
        low.data.chats[String(rec.marketChatId)] = live;
        this.chatsById.set(rec.marketChatId, live);
        if (rec.topicId !== undefined) this.byTopic.set(rec.topicId, rec.marketChatId);
      }
    }
  }

  private shard(shard: number): Low<ShardData> {
    let low = this.shards.get(shard);
    if (!low) {
      low = new Low<ShardData>(new DataFile<ShardData>(shardFile(this.dir, shard), json), { chats: {} });
      this.shards.set(shard, low);
    }
    return low;
  }

  /** A proxy that marks the record's shard dirty on every change of a field. */
  private watchChat(rec: ChatRecord): ChatRecord {
    const shard = shardOf(rec.marketChatId);
    return new Proxy(rec, {
      set: (target, key, value) => {
        if (key === 'topicId') this.reindex(target, value as TopicId | undefined);
        Reflect.set(target, key, value);
        this.dirtyShards.add(shard);
        return true;
      },
      deleteProperty: (target, key) => {
        Reflect.deleteProperty(target, key);
        this.dirtyShards.add(shard);
        return true;
      },
    });
  }

  private watchReply(reply: ReplyRecord): ReplyRecord {
    return new Proxy(reply, {
      set: (target, key, value) => {
        Reflect.set(target, key, value);
        this.metaDirty = true;
        return true;
      },
      deleteProperty: (target, key) => {
        Reflect.deleteProperty(target, key);
        this.metaDirty = true;
        return true;
      },
    });
  }

  private reindex(rec: ChatRecord, topicId: TopicId | undefined): void {
    if (rec.topicId !== undefined && this.byTopic.get(rec.topicId) === rec.marketChatId)
      this.byTopic.delete(rec.topicId);
    if (topicId !== undefined) this.byTopic.set(topicId, rec.marketChatId);
  }

  get initializedAt(): string {
    return this.meta.data.initializedAt;
  }

  /** Completed file writes since open (for tests and benchmarks). */
  get writeCount(): number {
    return this.writes;
  }

  /** Completed commits that wrote anything (one per coalesced batch). */
  get batchCount(): number {
    return this.batches;
  }

  getChat(id: MarketChatId): ChatRecord | undefined {
    return this.chatsById.get(id);
  }

  findChatByTopic(topicId: TopicId): ChatRecord | undefined {
    const id = this.byTopic.get(topicId);
    return id === undefined ? undefined : this.getChat(id);
  }

  chats(): ChatRecord[] {
    return [...this.chatsById.values()];
  }

  putChat(record: ChatRecord): ChatRecord {
    const existing = this.chatsById.get(record.marketChatId);
    if (existing === record) return existing;
    if (existing?.topicId !== undefined) this.byTopic.delete(existing.topicId);
    const live = this.watchChat({ ...record });
    const shard = shardOf(record.marketChatId);
    this.shard(shard).data.chats[String(record.marketChatId)] = live;
    this.chatsById.set(record.marketChatId, live);
    if (record.topicId !== undefined) this.byTopic.set(record.topicId, record.marketChatId);
    this.dirtyShards.add(shard);
    return live;
  }

  setTopic(record: ChatRecord, topicId: TopicId | undefined): void {
    const live = this.chatsById.get(record.marketChatId) ?? this.putChat(record);
    live.topicId = topicId;
    if (live !== record) record.topicId = topicId;
  }

  replies(chatId: MarketChatId): ReplyRecord[] {
    return (
      Object.values(this.meta.data.replies)
        .filter((r) => r.marketChatId === chatId)
        // Telegram message ids grow within a chat: the order operators wrote in, however updates arrived.
        .sort((a, b) => a.telegramMessageId - b.telegramMessageId || a.part - b.part)
    );
  }

  allReplies(): ReplyRecord[] {
    return Object.values(this.meta.data.replies);
  }

  putReply(reply: ReplyRecord): ReplyRecord {
    const live = this.watchReply({ ...reply });
    this.meta.data.replies[reply.id] = live;
    this.metaDirty = true;
    return live;
  }

  deleteReply(id: string): void {
    if (!(id in this.meta.data.replies)) return;
    delete this.meta.data.replies[id];
    this.metaDirty = true;
  }

  /**
   * Resolves once every change made before the call is on disk. Each file has its own write chain: a commit
   * waits only for the files it changed, and changes made while a file is being written share its next write.
   */
  async commit(): Promise<void> {
    if (this.closed) return;
    const shards = [...this.dirtyShards];
    this.dirtyShards.clear();
    const meta = this.metaDirty;
    this.metaDirty = false;
    if (shards.length === 0 && !meta) {
      // Nothing new, but an earlier commit may still be writing what this caller changed.
      await Promise.all([...this.chains.values()].map((c) => c.pending ?? c.running ?? Promise.resolve()));
      return;
    }
    try {
      // Replies first: a chat's cursor never passes the echo of a reply whose match is not on disk (the
      // bridge recognises an echo it matched before, so the other order of a crash is harmless).
      if (meta) await this.writeFile('meta');
      await Promise.all(shards.map((s) => this.writeFile(s)));
      this.batches++;
    } catch (err) {
      // Not written: these go again with the next commit.
      for (const s of shards) this.dirtyShards.add(s);
      if (meta) this.metaDirty = true;
      throw err;
    }
  }

  /**
   * Flushes what is pending and stops writing: work still finishing after a shutdown must not touch the
   * files (what it did is redone at the next start, as after a crash).
   */
  async close(): Promise<void> {
    await this.commit();
    this.closed = true;
  }

  /** Writes one file after its running write (if any); callers arriving meanwhile share that next write. */
  private writeFile(key: number | 'meta'): Promise<void> {
    let chain = this.chains.get(key);
    if (!chain) {
      chain = {};
      this.chains.set(key, chain);
    }
    const c = chain;
    if (c.pending) return c.pending;
    c.pending = (async () => {
      await c.running?.catch(() => undefined);
      c.pending = undefined;
      const low = key === 'meta' ? this.meta : this.shard(key);
      const write = low.write().then(() => {
        this.writes++;
      });
      c.running = write;
      try {
        await write;
      } finally {
        if (c.running === write) c.running = undefined;
      }
    })();
    return c.pending;
  }
}

function notOurs(file: string, detail: string | undefined): StoreError {
  return new StoreError(
    `The store file ${file} does not look like a marketgram store (${detail ?? 'wrong shape'}). ` +
      `It was left untouched. Restore ${file}.bak or move the data directory away to start afresh.`,
    file,
  );
}

async function readJson<T>(file: string): Promise<T> {
  const low = new Low<T | null>(new DataFile<T | null>(file, json), null);
  try {
    await low.read();
  } catch (cause) {
    throw new StoreError(
      `The store file ${file} cannot be read (${(cause as Error).message}). It was left untouched. ` +
        `Restore the last good copy (${file}.bak) or move the data directory away to start afresh.`,
      file,
      { cause },
    );
  }
  return low.data as T;
}

/** Copies every store file to `<file>.bak` (the last good copies) and drops backups of vanished shards. */
async function backup(dir: string): Promise<void> {
  await copyFile(path.join(dir, STORE_FILE), path.join(dir, `${STORE_FILE}.bak`));
  const shardDir = path.join(dir, SHARD_DIR);
  const names = new Set(await readdir(shardDir));
  for (const name of names) {
    if (/^\d{3}\.json$/.test(name)) await copyFile(path.join(shardDir, name), path.join(shardDir, `${name}.bak`));
    else if (name.endsWith('.json.bak') && !names.has(name.slice(0, -4))) await rm(path.join(shardDir, name));
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
