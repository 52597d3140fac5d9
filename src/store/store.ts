/**
 * The lowdb store behind the bridge's StorePort: one compact JSON file under DATA_DIR, written atomically
 * (lowdb/steno write a temp file and rename it), with commits coalesced so that any number of changes made
 * while a write is running cost one more write. A file that cannot be read or does not look like ours stops
 * the service and is never overwritten; the last good copy is kept beside it as `<file>.bak`.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import type { MarketChatId, TopicId } from '../bridge/ids.ts';
import type { ChatRecord, ReplyRecord, StorePort } from '../bridge/store-port.ts';

export const SCHEMA_VERSION = 1;
export const STORE_FILE = 'marketgram.json';

interface StoreData {
  schemaVersion: number;
  initializedAt: string;
  chats: Record<string, ChatRecord>;
  replies: Record<string, ReplyRecord>;
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

const shape = z.object({
  schemaVersion: z.number().int(),
  initializedAt: z.string(),
  chats: z.record(
    z.string(),
    z.object({ marketChatId: z.number(), chat: z.object({ id: z.number() }).loose() }).loose(),
  ),
  replies: z.record(z.string(), z.object({ id: z.string(), marketChatId: z.number(), state: z.string() }).loose()),
});

/** Upgrades older files in place (in memory) to SCHEMA_VERSION. */
const MIGRATIONS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {};

export class JsonStore implements StorePort {
  private readonly byTopic = new Map<number, MarketChatId>();
  private pending: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private writes = 0;

  private constructor(
    private readonly db: Low<StoreData>,
    readonly file: string,
  ) {
    for (const rec of Object.values(db.data.chats)) {
      if (rec.topicId !== undefined) this.byTopic.set(rec.topicId, rec.marketChatId);
    }
  }

  /** Opens (or creates) the store in `dataDir`. Throws StoreError for a file it must not touch. */
  static async open(dataDir: string, now: () => Date = () => new Date()): Promise<JsonStore> {
    const file = path.resolve(dataDir, STORE_FILE);
    const backup = `${file}.bak`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
    } catch (cause) {
      throw new StoreError(
        `Cannot create the data directory ${path.dirname(file)}: check DATA_DIR and permissions`,
        file,
        {
          cause,
        },
      );
    }
    const adapter = new DataFile<StoreData>(file, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) });
    const defaults: StoreData = {
      schemaVersion: SCHEMA_VERSION,
      initializedAt: now().toISOString(),
      chats: {},
      replies: {},
    };
    const db = new Low<StoreData>(adapter, defaults);
    const existed = await exists(file);
    try {
      await db.read();
    } catch (cause) {
      throw new StoreError(
        `The store ${file} cannot be read (${(cause as Error).message}). It was left untouched. ` +
          `Restore the last good copy (${backup}) or move the file away to start afresh.`,
        file,
        { cause },
      );
    }
    let data = db.data as unknown as Record<string, unknown>;
    const version = typeof data.schemaVersion === 'number' ? data.schemaVersion : -1;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `The store ${file} has schema version ${version}, newer than this marketgram understands (${SCHEMA_VERSION}). Upgrade marketgram.`,
        file,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const migrate = MIGRATIONS[v];
      if (!migrate) break;
      data = migrate(data);
    }
    const checked = shape.safeParse(data);
    if (!checked.success || checked.data.schemaVersion !== SCHEMA_VERSION) {
      throw new StoreError(
        `The store ${file} does not look like a marketgram store (${checked.error?.issues[0]?.message ?? 'wrong schema version'}). ` +
          `It was left untouched. Restore ${backup} or move the file away to start afresh.`,
        file,
      );
    }
    db.data = data as unknown as StoreData;
    if (existed) await copyFile(file, backup);
    const store = new JsonStore(db, file);
    if (!existed) await store.commit();
    return store;
  }

  get initializedAt(): string {
    return this.db.data.initializedAt;
  }

  /** Completed writes since open (for tests and benchmarks). */
  get writeCount(): number {
    return this.writes;
  }

  getChat(id: MarketChatId): ChatRecord | undefined {
    return this.db.data.chats[String(id)];
  }

  findChatByTopic(topicId: TopicId): ChatRecord | undefined {
    const id = this.byTopic.get(topicId);
    return id === undefined ? undefined : this.getChat(id);
  }

  chats(): ChatRecord[] {
    return Object.values(this.db.data.chats);
  }

  putChat(record: ChatRecord): void {
    this.db.data.chats[String(record.marketChatId)] = record;
    if (record.topicId !== undefined) this.byTopic.set(record.topicId, record.marketChatId);
  }

  setTopic(record: ChatRecord, topicId: TopicId | undefined): void {
    if (record.topicId !== undefined) this.byTopic.delete(record.topicId);
    record.topicId = topicId;
    this.putChat(record);
  }

  replies(chatId: MarketChatId): ReplyRecord[] {
    return (
      Object.values(this.db.data.replies)
        .filter((r) => r.marketChatId === chatId)
        // Telegram message ids grow within a chat: the order operators wrote in, however updates arrived.
        .sort((a, b) => a.telegramMessageId - b.telegramMessageId || a.part - b.part)
    );
  }

  allReplies(): ReplyRecord[] {
    return Object.values(this.db.data.replies);
  }

  putReply(reply: ReplyRecord): void {
    this.db.data.replies[reply.id] = reply;
  }

  deleteReply(id: string): void {
    delete this.db.data.replies[id];
  }

  commit(): Promise<void> {
    // Everything changed so far is covered by the next write to start. If one is already waiting for the
    // running write to finish, join it: it will serialise the data as it is when it starts.
    if (this.pending) return this.pending;
    const start = async () => {
      await this.running?.catch(() => undefined);
      this.pending = undefined;
      const write = this.db.write().then(() => {
        this.writes++;
      });
      this.running = write;
      try {
        await write;
      } finally {
        if (this.running === write) this.running = undefined;
      }
    };
    this.pending = start();
    return this.pending;
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
