/**
 * The chat records in memory: by Market chat id, by topic, and grouped by the shard file each belongs to.
 * Records are plain objects: a change counts (and a new topicId is indexed) once the record is saved.
 */
import type { Low } from 'lowdb';
import { jsonFile, type ShardData } from './files.ts';
import { shardFile, shardOf } from './layout.ts';
import type { MarketChatId, TopicId } from '../bridge/ids.ts';
import type { ChatRecord } from '../bridge/store-port.ts';

export class ChatTable {
  private readonly byId = new Map<number, ChatRecord>();
  private readonly byTopic = new Map<number, MarketChatId>();
  /** The topic each chat is indexed under in `byTopic` (as of its last save). */
  private readonly topics = new Map<number, TopicId>();
  private readonly shards = new Map<number, Low<ShardData>>();
  /** Chats changed since they were last taken. */
  private readonly changed = new Set<number>();

  constructor(private readonly dir: string) {}

  find(id: number): ChatRecord | undefined {
    return this.byId.get(id);
  }

  findByTopic(topicId: TopicId): ChatRecord | undefined {
    const id = this.byTopic.get(topicId);
    const rec = id === undefined ? undefined : this.find(id);
    // A topicId changed but not saved yet no longer names this chat.
    return rec?.topicId === topicId ? rec : undefined;
  }

  all(): ChatRecord[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  /** Stores a copy of `record` (replacing the one with its id), marked changed; returns the stored copy. */
  put(record: ChatRecord): ChatRecord {
    if (this.byId.get(record.marketChatId) === record) {
      this.save(record);
      return record;
    }
    this.install(record);
    this.changed.add(record.marketChatId);
    return this.byId.get(record.marketChatId) as ChatRecord;
  }

  /** Marks a stored record changed and indexes its current topicId. A record not stored is an error. */
  save(record: ChatRecord): void {
    const id = record.marketChatId;
    if (this.byId.get(id) !== record) throw new Error(`saveChat: chat ${id} is not the stored record`);
    const indexed = this.topics.get(id);
    if (indexed !== record.topicId) {
      if (indexed !== undefined && this.byTopic.get(indexed) === id) this.byTopic.delete(indexed);
      if (record.topicId !== undefined) this.byTopic.set(record.topicId, id);
      if (record.topicId === undefined) this.topics.delete(id);
      else this.topics.set(id, record.topicId);
    }
    this.changed.add(id);
  }

  /** Takes the shard's records as read from its file. */
  load(shard: number, chats: ChatRecord[]): void {
    this.shard(shard).data = { chats: {} };
    for (const rec of chats) this.install(rec);
  }

  /** Puts a record in its shard and the indexes (replacing any record with its id); returns the shard. */
  install(record: ChatRecord): number {
    const id = record.marketChatId;
    const indexed = this.topics.get(id);
    if (indexed !== undefined && this.byTopic.get(indexed) === id) this.byTopic.delete(indexed);
    this.topics.delete(id);
    const stored = { ...record };
    const shard = shardOf(id);
    this.shard(shard).data.chats[String(id)] = stored;
    this.byId.set(id, stored);
    if (record.topicId !== undefined) {
      this.byTopic.set(record.topicId, id);
      this.topics.set(id, record.topicId);
    }
    return shard;
  }

  /** The shard file with the records that belong to it. */
  shard(shard: number): Low<ShardData> {
    let low = this.shards.get(shard);
    if (!low) {
      low = jsonFile<ShardData>(shardFile(this.dir, shard), { chats: {} });
      this.shards.set(shard, low);
    }
    return low;
  }

  /** The chats changed since the last call; they count as unchanged from now on. */
  takeChanged(): number[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  /** Marks chats changed again (their write failed). */
  markChanged(ids: number[]): void {
    for (const id of ids) this.changed.add(id);
  }
}
