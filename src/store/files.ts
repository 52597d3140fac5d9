/**
 * The JSON files of the store: their shapes, reading and checking them, and writing them. A file is written
 * atomically (lowdb/steno: temp file + rename), one write at a time per file, and every write of the store
 * (these files and the journal appends) goes through FileWrites, which keeps track of whether the store can
 * be written. A file that cannot be read or does not look like ours is refused and never overwritten.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import { noSchemaVersion, notOurs, unreadable } from './backup.ts';
import { StoreError } from './errors.ts';
import { SHARD_DIR, SHARD_NAME, shardFile } from './layout.ts';
import type { ChatRecord, ReplyRecord } from '../bridge/store-port.ts';
import type { ThreadRecord, ThreadReplyRecord } from '../bridge/thread-store.ts';
import type { DeskRecord } from '../desk/port.ts';
import type { TemplateRecord } from '../templates/port.ts';

export const SCHEMA_VERSION = 2;

export interface MetaData {
  schemaVersion: number;
  initializedAt: string;
  replies: Record<string, ReplyRecord>;
  /** Quick replies by name. Files written before quick replies existed have none: read as empty. */
  templates: Record<string, TemplateRecord>;
  /** Quick reply taps acted on (callback query id → when), so a redelivered tap is not sent again. */
  taps?: Record<string, string>;
  /** The desk's board and digest (src/desk/port.ts). */
  desk?: DeskRecord;
  /** Reviews and questions mirrored into topics, by key (src/bridge/thread-store.ts). */
  threads?: Record<string, ThreadRecord>;
  /** Operators' replies to reviews and questions on their way to the Market. */
  threadReplies?: Record<string, ThreadReplyRecord>;
}

export interface ShardData {
  chats: Record<string, ChatRecord>;
}

export const chatShape = z.object({ marketChatId: z.number(), chat: z.object({ id: z.number() }).loose() }).loose();
const replyShape = z.object({ id: z.string(), marketChatId: z.number(), state: z.string() }).loose();
const templateShape = z.object({ name: z.string(), text: z.string(), source: z.string() }).loose();
const metaShape = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  initializedAt: z.string(),
  replies: z.record(z.string(), replyShape),
  // Optional: a file from before quick replies reads as one without any (same schema version).
  templates: z.record(z.string(), templateShape).optional(),
  taps: z.record(z.string(), z.string()).optional(),
  desk: z.object({}).loose().optional(),
  threads: z.record(z.string(), z.object({ key: z.string(), marketId: z.number() }).loose()).optional(),
  threadReplies: z.record(z.string(), z.object({ id: z.string(), thread: z.string() }).loose()).optional(),
});
const shardShape = z.object({ chats: z.record(z.string(), chatShape) });

const json = { parse: JSON.parse, stringify: (d: unknown) => JSON.stringify(d) };

/** A lowdb handle on `file`, holding `defaults` until it is read or set. */
export function jsonFile<T>(file: string, defaults: T): Low<T> {
  return new Low<T>(new DataFile<T>(file, json), defaults);
}

/** The main file as found at open. */
export interface OpenedMeta {
  meta: Low<MetaData>;
  /** The file was there (otherwise `meta` holds a new store's data). */
  existed: boolean;
  /** The chats of a version 1 file, which kept them in the main file: they go to the shards. */
  migratedChats?: Record<string, ChatRecord>;
}

/** Reads and checks the main file (a missing one gives a new store created `now`). Throws StoreError. */
export async function readMeta(file: string, now: () => Date): Promise<OpenedMeta> {
  const existed = await exists(file);
  const raw = existed ? await readJson<Record<string, unknown>>(file) : undefined;
  const version = typeof raw?.schemaVersion === 'number' ? raw.schemaVersion : undefined;
  if (raw && version === undefined) throw noSchemaVersion(file);
  if (version !== undefined && version > SCHEMA_VERSION) {
    throw new StoreError(
      `The store ${file} has schema version ${version}, newer than this marketgram understands (${SCHEMA_VERSION}). Upgrade marketgram.`,
      file,
    );
  }
  const meta = jsonFile<MetaData>(file, {
    schemaVersion: SCHEMA_VERSION,
    initializedAt: now().toISOString(),
    replies: {},
    templates: {},
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
      templates: {},
    };
  } else if (raw) {
    const checked = metaShape.safeParse(raw);
    if (!checked.success) throw notOurs(file, checked.error.issues[0]?.message);
    const data = checked.data as unknown as Omit<MetaData, 'templates'> & Partial<Pick<MetaData, 'templates'>>;
    // A file from before quick replies has no templates field.
    meta.data = { ...data, templates: data.templates ?? {} };
  }
  return { meta, existed, migratedChats };
}

/** Reads and checks the shard files one after another, yielding the records of each. Throws StoreError. */
export async function* readShards(dir: string): AsyncGenerator<{ shard: number; chats: ChatRecord[] }> {
  const names = await readdir(path.join(dir, SHARD_DIR));
  for (const name of names) {
    const m = SHARD_NAME.exec(name);
    if (!m) continue;
    const shard = Number(m[1]);
    const file = shardFile(dir, shard);
    const data = await readJson<unknown>(file);
    const checked = shardShape.safeParse(data);
    if (!checked.success) throw notOurs(file, checked.error.issues[0]?.message);
    yield { shard, chats: Object.values(checked.data.chats as unknown as Record<string, ChatRecord>) };
  }
}

async function readJson<T>(file: string): Promise<T> {
  const low = jsonFile<T | null>(file, null);
  try {
    await low.read();
  } catch (cause) {
    throw unreadable(file, cause);
  }
  return low.data as T;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export interface WriteHooks {
  /** Test-only seam: runs before every write; what it throws fails that write (see StoreOptions.beforeWrite). */
  beforeWrite?: (file: string) => void;
  /** A write failed; `first` is true for the first failure after a success. */
  failed: (err: unknown, first: boolean) => void;
  /** A write succeeded after failures. */
  recovered: () => void;
}

/** The store's writes: one at a time per file, each tracked for whether the store can be written. */
export class FileWrites {
  /** Completed writes. */
  private completed = 0;
  /** The error of the last write, until a write begun after it succeeds. */
  private lastFailure?: NodeJS.ErrnoException;
  /** Failed writes so far. */
  private failures = 0;
  /** Per file: the write in progress and the one waiting to start after it. */
  private readonly chains = new Map<number | 'meta', { running?: Promise<void>; pending?: Promise<void> }>();

  constructor(private readonly hooks: WriteHooks) {}

  get count(): number {
    return this.completed;
  }

  get failure(): NodeJS.ErrnoException | undefined {
    return this.lastFailure;
  }

  /** Runs one write of `file`, keeping track of whether the store can be written. */
  async tracked<T>(file: string, write: () => Promise<T>): Promise<T> {
    const failuresBefore = this.failures;
    try {
      this.hooks.beforeWrite?.(file);
      const result = await write();
      // A write that began before a failure says nothing about the disk now: only a later one recovers.
      if (this.lastFailure && this.failures === failuresBefore) {
        this.lastFailure = undefined;
        this.hooks.recovered();
      }
      this.completed++;
      return result;
    } catch (err) {
      const first = !this.lastFailure;
      this.failures++;
      this.lastFailure = err as NodeJS.ErrnoException;
      this.hooks.failed(err, first);
      throw err;
    }
  }

  /**
   * Writes `file` (the main file or a shard, by `key`) after its running write, if any; callers arriving
   * meanwhile share that next write. `low` is asked for the data when the write starts.
   */
  write(key: number | 'meta', file: string, low: () => { write(): Promise<void> }): Promise<void> {
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
      const data = low();
      const write = this.tracked(file, () => data.write());
      c.running = write;
      try {
        await write;
      } finally {
        if (c.running === write) c.running = undefined;
      }
    })();
    return c.pending;
  }

  /** The writes running or waiting now (each rejects if its write fails). */
  inFlight(): Promise<void>[] {
    return [...this.chains.values()].map((c) => c.pending ?? c.running ?? Promise.resolve());
  }
}
