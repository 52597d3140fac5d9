/**
 * The lowdb store behind the bridge's StorePort: opens the files under DATA_DIR (layout.ts) under the
 * directory's lock (lock.ts), holds the operator replies and quick replies of the main file and the chats
 * (chats.ts) in memory, and commits what changed: the main file when a reply or a template changed, one
 * journal append for the changed chats (journal.ts). At open every file is read and checked (files.ts) before the last good copies are taken
 * (backup.ts). A commit that fails is tried again by itself a few seconds later, until the disk has room.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Low } from 'lowdb';
import { backup, withoutMissingBackup } from './backup.ts';
import { ChatTable } from './chats.ts';
import { StoreError } from './errors.ts';
import { FileWrites, readMeta, readShards, type MetaData } from './files.ts';
import { Journal, replayJournals } from './journal.ts';
import { ThreadTable } from './threads.ts';
import { SHARD_DIR, STORE_FILE, shardFile } from './layout.ts';
import { DirLock, LockedError } from './lock.ts';
import type { MarketChatId, TopicId } from '../bridge/ids.ts';
import type { ChatRecord, ReplyRecord, StorePort } from '../bridge/store-port.ts';
import type { ThreadRecord } from '../bridge/thread-store.ts';
import type { DeskRecord, DeskStore } from '../desk/port.ts';
import type { TemplateRecord, TemplateStore } from '../templates/port.ts';

/** After a failed write, pending changes are written again this long after (the disk may have room by then). */
export const WRITE_RETRY_MS = 5_000;

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

/** How long a quick reply's tap is remembered: far longer than Telegram redelivers an update. */
const TAP_MEMORY_MS = 24 * 3600 * 1000;

export class JsonStore implements StorePort, TemplateStore, DeskStore {
  private readonly table: ChatTable;
  /** Reviews and questions in topics, and the replies to them (threads.ts). */
  readonly threadStore: ThreadTable;
  private metaDirty = false;
  private closed = false;
  private readonly writes: FileWrites;
  private readonly journal: Journal;
  private batches = 0;
  private skipped = 0;
  private lock?: DirLock;
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
    this.table = new ChatTable(dir);
    this.threadStore = new ThreadTable(
      () => (meta.data.threads ??= {}),
      () => (meta.data.threadReplies ??= {}),
      () => (this.metaDirty = true),
      this,
    );
    this.writes = new FileWrites({
      beforeWrite: options.beforeWrite,
      failed: (err, first) => this.onWriteFailed(err, first),
      recovered: () => this.onWriteRecovered(),
    });
    this.journal = new Journal(dir, this.writes, {
      record: (id) => this.table.find(id),
      flushShards: (shards) => this.flushShards(shards),
      onBackgroundError: (err) => this.onBackgroundError(err),
    });
  }

  /** The main file (schema version, replies, templates). */
  get file(): string {
    return path.join(this.dir, STORE_FILE);
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
    const { meta, existed, migratedChats } = await readMeta(file, now);
    const store = new JsonStore(meta, dir, options);
    for await (const { shard, chats } of readShards(dir)) store.table.load(shard, chats);
    const touched = new Set<number>();
    store.skipped = await replayJournals(dir, (rec) => touched.add(store.table.install(rec)));
    // Every file has been read and checked: these are the last good copies. Taken before anything is written,
    // and never when a file failed to load (the refusal above left the previous copies for restoring).
    if (existed) await backup(dir);
    for (const rec of Object.values(migratedChats ?? {})) touched.add(store.table.install(rec));
    // The shards first (the chats of a migration, or the journal lines replayed), then the main file: an
    // interrupted migration still finds the version 1 file and runs again. Then the journals go.
    await store.flushShards([...touched]);
    if (!existed || migratedChats) {
      store.metaDirty = true;
      await store.commit();
    }
    await store.journal.start();
    return store;
  }

  /** Journal lines skipped at open because they could not be read (a torn last line after a crash). */
  get skippedJournalLines(): number {
    return this.skipped;
  }

  get initializedAt(): string {
    return this.meta.data.initializedAt;
  }

  /** Completed file writes since open (for tests and benchmarks). */
  get writeCount(): number {
    return this.writes.count;
  }

  /** Completed commits that wrote anything (one per coalesced batch). */
  get batchCount(): number {
    return this.batches;
  }

  findChat(id: MarketChatId): ChatRecord | undefined {
    return this.table.find(id);
  }

  findChatByTopic(topicId: TopicId): ChatRecord | undefined {
    return this.table.findByTopic(topicId);
  }

  chats(): ChatRecord[] {
    return this.table.all();
  }

  /**
   * Why the store cannot be written now (e.g. "cannot write DATA_DIR (/data): ENOSPC"), or undefined when the
   * last write succeeded. Pending changes are written again every few seconds until one succeeds.
   */
  get writeProblem(): string | undefined {
    const err = this.writes.failure;
    return err && `cannot write DATA_DIR (${this.dir}): ${err.code ?? err.message}`;
  }

  /** How many chats the store holds, without copying them (health, metrics). */
  get chatCount(): number {
    return this.table.size;
  }

  putChat(record: ChatRecord): ChatRecord {
    return this.table.put(record);
  }

  saveChat(record: ChatRecord): void {
    this.table.save(record);
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
    const stored = { ...reply };
    this.meta.data.replies[reply.id] = stored;
    this.metaDirty = true;
    return stored;
  }

  /**
   * A reply that is no longer the stored one (replaced or deleted meanwhile, e.g. by an operator's edit or an
   * undone change) stays out: its change is not written, as the replacement decides.
   */
  saveReply(reply: ReplyRecord): void {
    if (this.meta.data.replies[reply.id] === reply) this.metaDirty = true;
  }

  deleteReply(id: string): void {
    if (!(id in this.meta.data.replies)) return;
    delete this.meta.data.replies[id];
    this.metaDirty = true;
  }

  templates(): TemplateRecord[] {
    return Object.values(this.meta.data.templates).sort((a, b) => a.name.localeCompare(b.name));
  }

  findTemplate(name: string): TemplateRecord | undefined {
    return Object.hasOwn(this.meta.data.templates, name) ? this.meta.data.templates[name] : undefined;
  }

  /** Quick replies live in the main file, beside the replies: written with it, backed up with it. */
  putTemplate(template: TemplateRecord): void {
    this.meta.data.templates[template.name] = { ...template };
    this.metaDirty = true;
  }

  deleteTemplate(name: string): void {
    if (!Object.hasOwn(this.meta.data.templates, name)) return;
    delete this.meta.data.templates[name];
    this.metaDirty = true;
  }

  /** For the desk: the threads, and saving one. The rest of the ThreadStore is `threadStore`. */
  threads(): ThreadRecord[] {
    return this.threadStore.threads();
  }

  saveThread(record: ThreadRecord): void {
    this.threadStore.saveThread(record);
  }

  desk(): DeskRecord {
    return (this.meta.data.desk ??= {});
  }

  saveDesk(): void {
    this.metaDirty = true;
  }

  rememberTap(id: string, now: Date): boolean {
    const taps = (this.meta.data.taps ??= {});
    if (Object.hasOwn(taps, id)) return false;
    const cutoff = now.getTime() - TAP_MEMORY_MS;
    for (const [old, at] of Object.entries(taps)) if (Date.parse(at) < cutoff) delete taps[old];
    taps[id] = now.toISOString();
    this.metaDirty = true;
    return true;
  }

  /**
   * Resolves once every change made before the call is on disk. A commit waits only for what it changed:
   * the main file if a reply or a template changed, then one journal append for the changed chats. Changes made while a
   * file is being written share its next write.
   */
  async commit(): Promise<void> {
    if (this.closed) return;
    const chats = this.table.takeChanged();
    const meta = this.metaDirty;
    this.metaDirty = false;
    if (chats.length === 0 && !meta) {
      // Nothing new, but an earlier commit may still be writing what this caller changed.
      await Promise.all([...this.writes.inFlight(), this.journal.settled()]);
      return;
    }
    try {
      // Replies first: a chat's cursor never passes the echo of a reply whose match is not on disk (the
      // bridge recognises an echo it matched before, so the other order of a crash is harmless).
      if (meta) await this.writeFile('meta');
      if (chats.length > 0) await this.journal.append(chats);
      this.batches++;
    } catch (err) {
      // Not written: these go again with the next commit, which comes on its own if nobody else commits.
      this.table.markChanged(chats);
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

  /**
   * Flushes what is pending, writes the journal into the shards and stops writing: work still finishing
   * after a shutdown must not touch the files (what it did is redone at the next start, as after a crash).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    this.closed = true;
    clearTimeout(this.retryTimer);
    try {
      await this.journal.close();
    } finally {
      await this.lock?.release();
    }
  }

  /**
   * Writes the journal into the shards now, instead of a few seconds after its first line (see Journal.compact).
   * Resolves when done; concurrent calls share one.
   */
  async compact(): Promise<void> {
    await this.journal.compact();
  }

  private async flushShards(shards: number[]): Promise<void> {
    await Promise.all(shards.map((s) => this.writeFile(s)));
  }

  /** Writes the main file or a shard; callers arriving while it is being written share its next write. */
  private writeFile(key: number | 'meta'): Promise<void> {
    if (key === 'meta') return this.writes.write(key, this.file, () => this.meta);
    return this.writes.write(key, shardFile(this.dir, key), () => this.table.shard(key));
  }
}
