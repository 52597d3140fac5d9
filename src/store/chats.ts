/**
 * The chat records in memory: by Market chat id, by topic, and grouped by the shard file each belongs to.
 * Records are live objects watched by a proxy, so the store knows which chats changed since it last wrote
 * and reassigning a record's topicId re-indexes it.
 */
import type { Low } from 'lowdb';
import { jsonFile, type ShardData } from './files.ts';
import { shardFile, shardOf } from './layout.ts';
import type { MarketChatId, TopicId } from '../bridge/ids.ts';
import type { ChatRecord } from '../bridge/store-port.ts';

export class ChatTable {
  private readonly byId = new Map<number, ChatRecord>();
  private readonly byTopic = new Map<number, MarketChatId>();
  private readonly shards = new Map<number, Low<ShardData>>();
  /** Chats changed since they were last taken. */
  private readonly changed = new Set<number>();

  constructor(private readonly dir: string) {}

  find(id: number): ChatRecord | undefined {
    return this.byId.get(id);
  }

  findByTopic(topicId: TopicId): ChatRecord | undefined {
    const id = this.byTopic.get(topicId);
    return id === undefined ? undefined : this.find(id);
  }

  all(): ChatRecord[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  /** Stores a copy of `record` (replacing the one with its id), marked changed; returns the live copy. */
  put(record: ChatRecord): ChatRecord {
    const existing = this.byId.get(record.marketChatId);
    if (existing === record) return existing;
    this.install(record);
    this.changed.add(record.marketChatId);
    return this.byId.get(record.marketChatId) as ChatRecord;
  }

  /** Takes the shard's records as read from its file. */
  load(shard: number, chats: ChatRecord[]): void {
    this.shard(shard).data = { chats: {} };
    for (const rec of chats) this.install(rec);
  }

  /** Puts a record in its shard and the indexes (replacing any record with its id); returns the shard. */
  install(record: ChatRecord): number {
    const existing = this.byId.get(record.marketChatId);
    if (existing?.topicId !== undefined && this.byTopic.get(existing.topicId) === record.marketChatId)
      this.byTopic.delete(existing.topicId);
    const live = this.watch({ ...record });
    const shard = shardOf(record.marketChatId);
    this.shard(shard).data.chats[String(record.marketChatId)] = live;
    this.byId.set(record.marketChatId, live);
    if (record.topicId !== undefined) this.byTopic.set(record.topicId, record.marketChatId);
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

  /** A proxy that marks the record changed on every change of a field. */
  private watch(rec: ChatRecord): ChatRecord {
    const id = rec.marketChatId;
    return new Proxy(rec, {
      set: (target, key, value) => {
        if (key === 'topicId') this.reindex(target, value as TopicId | undefined);
        Reflect.set(target, key, value);
        this.changed.add(id);
        return true;
      },
      deleteProperty: (target, key) => {
        Reflect.deleteProperty(target, key);
        this.changed.add(id);
        return true;
      },
    });
  }

  private reindex(rec: ChatRecord, topicId: TopicId | undefined): void {
    if (rec.topicId !== undefined && this.byTopic.get(rec.topicId) === rec.marketChatId)
      this.byTopic.delete(rec.topicId);
    if (topicId !== undefined) this.byTopic.set(topicId, rec.marketChatId);
  }
}
