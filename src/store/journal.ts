/**
 * The append-only journal of chat records (chats/journal.ndjson). A changed chat costs one line appended to
 * the journal (a single write on a file opened with O_APPEND, shared by every commit made meanwhile), not a
 * rewrite of its shard: the bridge commits after every mirrored message, so this is its hot path. Every few
 * seconds, and at close and open, the journal is compacted: it is set aside, the shards it touched are
 * written, and it is removed. At open, journal lines are replayed over the shards in order, a set-aside
 * journal first (each line is a whole record, so the last one wins and a replay is idempotent); a torn or
 * garbled line is skipped and counted.
 */
import { open as openFile, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from './errors.ts';
import { chatShape, type FileWrites } from './files.ts';
import { JOURNAL_FILE, OLD_JOURNAL_FILE, SHARD_DIR, shardOf } from './layout.ts';
import type { ChatRecord } from '../bridge/store-port.ts';

/** The journal is compacted this long after its first line... */
export const COMPACT_AFTER_MS = 5_000;
/** ...or as soon as it grows past this. */
const COMPACT_AT_BYTES = 8 * 1024 * 1024;

/**
 * Applies the journal lines left by the last run (a set-aside journal first) in order, handing each record
 * to `apply`; returns how many lines were skipped because they could not be read.
 */
export async function replayJournals(dir: string, apply: (rec: ChatRecord) => void): Promise<number> {
  let skipped = 0;
  for (const file of [path.join(dir, SHARD_DIR, OLD_JOURNAL_FILE), path.join(dir, SHARD_DIR, JOURNAL_FILE)]) {
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
      if (!rec) skipped++;
      else apply(rec);
    }
  }
  return skipped;
}

/** What the journal needs from the store that owns it. */
export interface JournalHost {
  /** The current record of a chat: its line is written from this. */
  record(id: number): ChatRecord | undefined;
  /** Writes these shard files with the records as they are now. */
  flushShards(shards: number[]): Promise<void>;
  /** Told about a background compaction that failed (it is tried again later). */
  onBackgroundError(err: unknown): void;
}

export class Journal {
  private readonly file: string;
  private readonly oldFile: string;
  /** Journal operations (appends, rotation) run one after another on this chain. */
  private tail: Promise<unknown> = Promise.resolve();
  private handle?: FileHandle;
  private bytes = 0;
  /** The last append may have left half a line: start the next one on a fresh line. */
  private tornTail = false;
  /** Chats waiting for the append that has not started yet, and that append. */
  private readonly toAppend = new Set<number>();
  private appendQueued?: Promise<void>;
  /** Shards with journal lines newer than the shard file. */
  private unflushed = new Set<number>();
  /** Shards of a journal set aside by a compaction that did not finish writing them. */
  private carried?: Set<number>;
  private compaction?: Promise<void>;
  private compactTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    dir: string,
    private readonly writes: FileWrites,
    private readonly host: JournalHost,
  ) {
    this.file = path.join(dir, SHARD_DIR, JOURNAL_FILE);
    this.oldFile = path.join(dir, SHARD_DIR, OLD_JOURNAL_FILE);
  }

  /** Once the replayed lines are in the shards: removes the old journals and opens an empty one. */
  async start(): Promise<void> {
    await rm(this.oldFile, { force: true });
    // Emptied (its lines are in the shards now), then appended to: with O_APPEND every write lands at the end.
    await writeFile(this.file, '');
    this.handle = await openFile(this.file, 'a');
  }

  /** Resolves when every journal operation queued so far has finished (whether it failed or not). */
  settled(): Promise<unknown> {
    return this.tail;
  }

  /** Appends the current records of `ids` to the journal, with any other chats waiting for the next append. */
  append(ids: number[]): Promise<void> {
    for (const id of ids) this.toAppend.add(id);
    this.appendQueued ??= this.op(async () => {
      this.appendQueued = undefined;
      const batch = [...this.toAppend];
      this.toAppend.clear();
      let text = this.tornTail ? '\n' : '';
      for (const id of batch) text += `${JSON.stringify(this.host.record(id))}\n`;
      const data = Buffer.from(text);
      // Reopened here if a compaction could not reopen it after setting the old one aside.
      const journal = (this.handle ??= await openFile(this.file, 'a'));
      this.tornTail = true;
      await this.writes.tracked(this.file, async () => {
        for (let at = 0; at < data.length;) at += (await journal.write(data, at, data.length - at)).bytesWritten;
      });
      this.tornTail = false;
      this.bytes += data.length;
      for (const id of batch) this.unflushed.add(shardOf(id));
      this.scheduleCompaction();
    });
    return this.appendQueued;
  }

  /**
   * Writes the journal into the shards: the journal is set aside (appends go on in a fresh one), the shards
   * it touched are written with the records as they are now (never older than their lines), and it is removed.
   * A crash in between replays both journals at the next open. Resolves when done; concurrent calls share one.
   */
  compact(): Promise<void> {
    this.compaction ??= (async () => {
      try {
        if (!this.carried) {
          await this.op(async () => {
            const journal = this.handle;
            if (!journal || this.bytes === 0) return;
            await journal.close();
            this.handle = undefined;
            await rename(this.file, this.oldFile); // if this fails, the next append reopens it
            this.carried = this.unflushed;
            this.unflushed = new Set();
            this.bytes = 0;
            this.tornTail = false;
            this.handle = await openFile(this.file, 'a');
          });
        }
        if (!this.carried) return;
        // On failure the set-aside journal and its shards stay: the next compaction tries them again.
        await this.host.flushShards([...this.carried]);
        await rm(this.oldFile, { force: true });
        this.carried = undefined;
      } finally {
        this.compaction = undefined;
      }
    })();
    return this.compaction;
  }

  /** Stops compacting on a timer, compacts one last time and closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.compactTimer);
    try {
      await this.compact();
    } finally {
      await this.op(async () => {
        await this.handle?.close();
        this.handle = undefined;
      });
    }
  }

  /** Runs `op` after every journal operation queued before it. */
  private op(op: () => Promise<void>): Promise<void> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private scheduleCompaction(): void {
    if (this.closed) return;
    if (this.bytes >= COMPACT_AT_BYTES) {
      clearTimeout(this.compactTimer);
      this.compactTimer = undefined;
      this.compact().catch((err: unknown) => this.host.onBackgroundError(err));
      return;
    }
    this.compactTimer ??= setTimeout(() => {
      this.compactTimer = undefined;
      this.compact().catch((err: unknown) => this.host.onBackgroundError(err));
    }, COMPACT_AFTER_MS).unref();
  }
}
