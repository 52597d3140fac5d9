/**
 * The lowdb store behind the bridge's StorePort. Under DATA_DIR:
 *   marketgram.json          schema version, creation time, and the operator replies on their way
 *   chats/NNN.json           the chat records whose id hashes to shard NNN (up to 256 shards)
 *   chats/journal.ndjson     chat records committed since the shards were last written, one JSON line each
 * The JSON files are written atomically (lowdb/steno: temp file + rename). Records are live objects watched
 * by a proxy, so a commit writes only what changed. A changed chat costs one line appended to the journal
 * (a single write on an open file, shared by every commit made meanwhile), not a rewrite of its shard: the
 * bridge commits after every mirrored message, so this is its hot path. Every few seconds, and at close and
 * open, the journal is compacted: the journal is set aside, the shards it touched are written, and it is
 * removed. At open, journal lines are replayed over the shards in order (each line is a whole record, so the
 * last one wins and a replay is idempotent); a torn or garbled line is skipped and counted. A file that
 * cannot be read or does not look like ours stops the service and is never overwritten; the last good copy
 * of each file is kept beside it as `<file>.bak`.
 */
import {
  copyFile,
  mkdir,
  open as openFile,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import { DirLock, LockedError } from './lock.ts';
import type { MarketChatId, TopicId } from '../bridge/ids.ts';
import type { ChatRecord, ReplyRecord, StorePort } from '../bridge/store-port.ts';

export const SCHEMA_VERSION = 2;
export const STORE_FILE = 'marketgram.json';
export const SHARD_DIR = 'chats';
/** Chats are spread over this many shard files by id. */
export const SHARDS = 256;
/** The journal of chat records committed since the shards were written, under SHARD_DIR. */
export const JOURNAL_FILE = 'journal.ndjson';
/** A journal set aside by a compaction that has not finished writing its shards. */
export const OLD_JOURNAL_FILE = 'journal.old.ndjson';
/** After a failed write, pending changes are written again this long after (the disk may have room by then). */
export const WRITE_RETRY_MS = 5_000;
/** The journal is compacted this long after its first line... */
export const COMPACT_AFTER_MS = 5_000;
/** ...or as soon as it grows past this. */
const COMPACT_AT_BYTES = 8 * 1024 * 1024;

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

export interface StoreOptions {
  lockWaitMs?: number;
  onLockWait?: (holder: string) => void;
  /** How long after a failed write the pending changes are written again (default WRITE_RETRY_MS). */
  writeRetryMs?: number;
  /**
   * Test-only seam: runs before every write of the main file, a shard or a journal append. An error it throws fails that write exactly as the file system would (e.g. an ENOSPC error),
   * so tests can fill the disk without mounts. Not used in production.
   */
  beforeWrite?: (file: string) => void;
}

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
  /** Chats changed since the last commit. */
  private readonly dirtyChats = new Set<number>();
  /** Shards with journal lines newer than the shard file. */
  private unflushed = new Set<number>();
  /** Shards of a journal set aside by a compaction that did not finish writing them. */
  private carried?: Set<number>;
  private metaDirty = false;
  private closed = false;
  /** Per file: the write in progress and the one waiting to start after it. */
  private readonly chains = new Map<number | 'meta', { running?: Promise<void>; pending?: Promise<void> }>();
  /** Journal operations (appends, rotation) run one after another on this chain. */
  private journalTail: Promise<unknown> = Promise.resolve();
  private journal?: FileHandle;
  private journalBytes = 0;
  /** The last append may have left half a line: start the next one on a fresh line. */
  private tornTail = false;
  /** Chats waiting for the append that has not started yet, and that append. */
  private readonly toAppend = new Set<number>();
  private appendQueued?: Promise<void>;
  private compaction?: Promise<void>;
  private compactTimer?: NodeJS.Timeout;
  private writes = 0;
  private batches = 0;
  private skipped = 0;
  private lock?: DirLock;
  /** The error of the last write, until a write succeeds again. */
  private writeFailure?: NodeJS.ErrnoException;
  private retryTimer?: NodeJS.Timeout;
  /** Told about a background compaction that failed (it is tried again later). */
  onBackgroundError: (err: unknown) => void = () => undefined;
  /** Told about every failed write of a store file; `first` is true for the first failure after a success. */
  onWriteFailed: (err: unknown, first: boolean) => void = () => undefined;
  /** Told when a write succeeds after failures. */
  onWriteRecovered: () => void = () => undefined;

  private constructor(
    private readonly meta: Low<MetaData>,
    readonly dir: string,
    private readonly options: StoreOptions = {},
  ) {
    for (const [id, reply] of Object.entries(meta.data.replies)) meta.data.replies[id] = this.watchReply(reply);
  }

  /** The main file (schema version, replies). */
  get file(): string {
    return path.join(this.dir, STORE_FILE);
  }

  private get journalFile(): string {
    return path.join(this.dir, SHARD_DIR, JOURNAL_FILE);
  }

  private get oldJournalFile(): string {
    return path.join(this.dir, SHARD_DIR, OLD_JOURNAL_FILE);
  }

  /**
   * Opens (or creates) the store in `dataDir`, taking its lock first (waiting up to `lockWaitMs` for another
   * marketgram on the directory to go). Throws StoreError for a file it must not touch or a directory in use.
   */
  static async open(
    dataDir: string,
    now: () => Date = () => new Date(),
    options: StoreOptions = {},
  ): Promise<JsonStore> {
    const dir = path.resolve(dataDir);
    const file = path.join(dir, STORE_FILE);
    let lock: DirLock;
    try {
      await mkdir(path.join(dir, SHARD_DIR), { recursive: true });
      lock = await DirLock.acquire(dir, options.lockWaitMs, options.onLockWait);
    } catch (cause) {
      if (cause instanceof LockedError) throw new StoreError(cause.message, cause.file);
      const what = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
      throw new StoreError(
        `Cannot create the data directory ${dir} or its lock file (${what}): check DATA_DIR and permissions`,
        file,
        { cause },
      );
    }
    try {
      const store = await JsonStore.openLocked(dir, file, now, options);
      store.lock = lock;
      return store;
    } catch (err) {
      await lock.release();
      throw await withoutMissingBackup(err);
    }
  }

  private static async openLocked(
    dir: string,
    file: string,
    now: () => Date,
    options: StoreOptions,
  ): Promise<JsonStore> {
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

    const store = new JsonStore(meta, dir, options);
    await store.loadShards();
    const touched = await store.replayJournals();
    // Every file has been read and checked: these are the last good copies. Taken before anything is written,
    // and never when a file failed to load (the refusal above left the previous copies for restoring).
    if (existed) await backup(dir);
    for (const rec of Object.values(migratedChats ?? {})) touched.add(store.install(rec));
    // The shards first (the chats of a migration, or the journal lines replayed), then the main file: an
    // interrupted migration still finds the version 1 file and runs again. Then the journals go.
    await store.flushShards([...touched]);
    if (!existed || migratedChats) {
      store.metaDirty = true;
      await store.commit();
    }
    await rm(store.oldJournalFile, { force: true });
    // Emptied (its lines are in the shards now), then appended to: with O_APPEND every write lands at the end.
    await writeFile(store.journalFile, '');
    store.journal = await openFile(store.journalFile, 'a');
    return store;
  }

  /**
   * Applies the journal lines left by the last run (a set-aside journal first) over the shards just read;
   * returns the shards they touched.
   */
  private async replayJournals(): Promise<Set<number>> {
    const touched = new Set<number>();
    for (const file of [this.oldJournalFile, this.journalFile]) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new StoreError(
          `The store journal ${file} cannot be read (${(err as Error).message}). It was left untouched. ` +
            `Check the permissions of the data directory.`,
          file,
          { cause: err },
        );
      }
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let rec: ChatRecord | undefined;
        try {
          const checked = chatShape.safeParse(JSON.parse(line));
          if (checked.success) rec = checked.data as unknown as ChatRecord;
        } catch {
          // counted below
        }
        // A line torn by a crash or a full disk. Each line is a whole record, so skipping one at worst
        // takes a chat back to its previous committed state: messages mirrored again, none lost.
        if (!rec) this.skipped++;
        else touched.add(this.install(rec));
      }
    }
    return touched;
  }

  /** Journal lines skipped at open because they could not be read (a torn last line after a crash). */
  get skippedJournalLines(): number {
    return this.skipped;
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
      this.shard(shard).data = { chats: {} };
      for (const rec of Object.values(checked.data.chats as unknown as Record<string, ChatRecord>)) this.install(rec);
    }
  }

  /** Puts a record in its shard and the indexes (replacing any record with its id); returns the shard. */
  private install(record: ChatRecord): number {
    const existing = this.chatsById.get(record.marketChatId);
    if (existing?.topicId !== undefined && this.byTopic.get(existing.topicId) === record.marketChatId)
      this.byTopic.delete(existing.topicId);
    const live = this.watchChat({ ...record });
    const shard = shardOf(record.marketChatId);
    this.shard(shard).data.chats[String(record.marketChatId)] = live;
    this.chatsById.set(record.marketChatId, live);
    if (record.topicId !== undefined) this.byTopic.set(record.topicId, record.marketChatId);
    return shard;
  }

  private shard(shard: number): Low<ShardData> {
    let low = this.shards.get(shard);
    if (!low) {
      low = new Low<ShardData>(new DataFile<ShardData>(shardFile(this.dir, shard), json), { chats: {} });
      this.shards.set(shard, low);
    }
    return low;
  }

  /** A proxy that marks the record dirty on every change of a field. */
  private watchChat(rec: ChatRecord): ChatRecord {
    const id = rec.marketChatId;
    return new Proxy(rec, {
      set: (target, key, value) => {
        if (key === 'topicId') this.reindex(target, value as TopicId | undefined);
        Reflect.set(target, key, value);
        this.dirtyChats.add(id);
        return true;
      },
      deleteProperty: (target, key) => {
        Reflect.deleteProperty(target, key);
        this.dirtyChats.add(id);
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

  findChat(id: MarketChatId): ChatRecord | undefined {
    return this.chatsById.get(id);
  }

  findChatByTopic(topicId: TopicId): ChatRecord | undefined {
    const id = this.byTopic.get(topicId);
    return id === undefined ? undefined : this.findChat(id);
  }

  chats(): ChatRecord[] {
    return [...this.chatsById.values()];
  }

  /**
   * Why the store cannot be written now (e.g. "cannot write DATA_DIR (/data): ENOSPC"), or undefined when the
   * last write succeeded. Pending changes are written again every few seconds until one succeeds.
   */
  get writeProblem(): string | undefined {
    const err = this.writeFailure;
    return err && `cannot write DATA_DIR (${this.dir}): ${err.code ?? err.message}`;
  }

  /** How many chats the store holds, without copying them (health, metrics). */
  get chatCount(): number {
    return this.chatsById.size;
  }

  putChat(record: ChatRecord): ChatRecord {
    const existing = this.chatsById.get(record.marketChatId);
    if (existing === record) return existing;
    this.install(record);
    this.dirtyChats.add(record.marketChatId);
    return this.chatsById.get(record.marketChatId) as ChatRecord;
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
   * Resolves once every change made before the call is on disk. A commit waits only for what it changed:
   * the main file if a reply changed, then one journal append for the changed chats. Changes made while a
   * file is being written share its next write.
   */
  async commit(): Promise<void> {
    if (this.closed) return;
    const chats = [...this.dirtyChats];
    this.dirtyChats.clear();
    const meta = this.metaDirty;
    this.metaDirty = false;
    if (chats.length === 0 && !meta) {
      // Nothing new, but an earlier commit may still be writing what this caller changed.
      await Promise.all([
        ...[...this.chains.values()].map((c) => c.pending ?? c.running ?? Promise.resolve()),
        this.journalTail,
      ]);
      return;
    }
    try {
      // Replies first: a chat's cursor never passes the echo of a reply whose match is not on disk (the
      // bridge recognises an echo it matched before, so the other order of a crash is harmless).
      if (meta) await this.writeFile('meta');
      if (chats.length > 0) await this.append(chats);
      this.batches++;
    } catch (err) {
      // Not written: these go again with the next commit, which comes on its own if nobody else commits.
      for (const id of chats) this.dirtyChats.add(id);
      if (meta) this.metaDirty = true;
      this.scheduleRetry();
      throw err;
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // A failure schedules the next try.
      this.commit().catch(() => undefined);
    }, this.options.writeRetryMs ?? WRITE_RETRY_MS).unref();
  }

  /** Runs one write of `file`, keeping track of whether the store can be written. */
  private async written<T>(file: string, write: () => Promise<T>): Promise<T> {
    try {
      this.options.beforeWrite?.(file);
      const result = await write();
      if (this.writeFailure) {
        this.writeFailure = undefined;
        this.onWriteRecovered();
      }
      return result;
    } catch (err) {
      const first = !this.writeFailure;
      this.writeFailure = err as NodeJS.ErrnoException;
      this.onWriteFailed(err, first);
      throw err;
    }
  }

  /**
   * Flushes what is pending, writes the journal into the shards and stops writing: work still finishing
   * after a shutdown must not touch the files (what it did is redone at the next start, as after a crash).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    this.closed = true;
    clearTimeout(this.compactTimer);
    clearTimeout(this.retryTimer);
    try {
      await this.compact();
    } finally {
      await this.journalOp(async () => {
        await this.journal?.close();
        this.journal = undefined;
      });
      await this.lock?.release();
    }
  }

  /** Appends the current records of `ids` to the journal, with any other chats waiting for the next append. */
  private append(ids: number[]): Promise<void> {
    for (const id of ids) this.toAppend.add(id);
    this.appendQueued ??= this.journalOp(async () => {
      this.appendQueued = undefined;
      const batch = [...this.toAppend];
      this.toAppend.clear();
      let text = this.tornTail ? '\n' : '';
      for (const id of batch) text += `${JSON.stringify(this.chatsById.get(id))}\n`;
      const data = Buffer.from(text);
      // Reopened here if a compaction could not reopen it after setting the old one aside.
      const journal = (this.journal ??= await openFile(this.journalFile, 'a'));
      this.tornTail = true;
      await this.written(this.journalFile, async () => {
        for (let at = 0; at < data.length;) at += (await journal.write(data, at, data.length - at)).bytesWritten;
      });
      this.tornTail = false;
      this.writes++;
      this.journalBytes += data.length;
      for (const id of batch) this.unflushed.add(shardOf(id));
      this.scheduleCompaction();
    });
    return this.appendQueued;
  }

  /** Runs `op` after every journal operation queued before it. */
  private journalOp(op: () => Promise<void>): Promise<void> {
    const run = this.journalTail.then(op);
    this.journalTail = run.catch(() => undefined);
    return run;
  }

  private scheduleCompaction(): void {
    if (this.closed) return;
    if (this.journalBytes >= COMPACT_AT_BYTES) {
      clearTimeout(this.compactTimer);
      this.compactTimer = undefined;
      this.compact().catch((err: unknown) => this.onBackgroundError(err));
      return;
    }
    this.compactTimer ??= setTimeout(() => {
      this.compactTimer = undefined;
      this.compact().catch((err: unknown) => this.onBackgroundError(err));
    }, COMPACT_AFTER_MS).unref();
  }

  /**
   * Writes the journal into the shards: the journal is set aside (appends go on in a fresh one), the shards
   * it touched are written with the records as they are now (never older than their lines), and it is removed.
   * A crash in between replays both journals at the next open. Resolves when done; concurrent calls share one.
   */
  async compact(): Promise<void> {
    this.compaction ??= (async () => {
      try {
        if (!this.carried) {
          await this.journalOp(async () => {
            const journal = this.journal;
            if (!journal || this.journalBytes === 0) return;
            await journal.close();
            this.journal = undefined;
            await rename(this.journalFile, this.oldJournalFile); // if this fails, the next append reopens it
            this.carried = this.unflushed;
            this.unflushed = new Set();
            this.journalBytes = 0;
            this.tornTail = false;
            this.journal = await openFile(this.journalFile, 'a');
          });
        }
        if (!this.carried) return;
        // On failure the set-aside journal and its shards stay: the next compaction tries them again.
        await this.flushShards([...this.carried]);
        await rm(this.oldJournalFile, { force: true });
        this.carried = undefined;
      } finally {
        this.compaction = undefined;
      }
    })();
    return this.compaction;
  }

  private async flushShards(shards: number[]): Promise<void> {
    await Promise.all(shards.map((s) => this.writeFile(s)));
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
      const write = this.written(key === 'meta' ? this.file : shardFile(this.dir, key), () => low.write()).then(() => {
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

/** Copies every store file to `<file>.bak` (the last good copies) and drops backups of files that are gone. */
async function backup(dir: string): Promise<void> {
  await copyFile(path.join(dir, STORE_FILE), path.join(dir, `${STORE_FILE}.bak`));
  const shardDir = path.join(dir, SHARD_DIR);
  const names = new Set(await readdir(shardDir));
  const ours = (name: string) => /^\d{3}\.json$/.test(name) || name === JOURNAL_FILE || name === OLD_JOURNAL_FILE;
  for (const name of names) {
    if (ours(name)) await copyFile(path.join(shardDir, name), path.join(shardDir, `${name}.bak`));
    else if (name.endsWith('.bak') && ours(name.slice(0, -4)) && !names.has(name.slice(0, -4)))
      await rm(path.join(shardDir, name));
  }
}

/** A refusal that names a `.bak` nobody has made yet (the file is newer than the last start) says so instead. */
async function withoutMissingBackup(err: unknown): Promise<unknown> {
  if (!(err instanceof StoreError) || !err.message.includes(`${err.file}.bak`) || (await exists(`${err.file}.bak`)))
    return err;
  const message = err.message
    .replace(/Restore the last good copy \([^)]*\) or move/, 'It has no backup yet: move')
    .replace(/Restore \S+\.bak or move/, 'It has no backup yet: move');
  return new StoreError(message, err.file, { cause: err.cause });
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
