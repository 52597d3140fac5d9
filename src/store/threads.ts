/**
 * The thread records (reviews and questions mirrored into topics) in the store's main file: they are few (only
 * those that need the seller get a topic), so they are written with the replies rather than sharded like chats.
 */
import type { TopicId } from '../bridge/ids.ts';
import type { ThreadKey, ThreadRecord, ThreadReplyRecord } from '../bridge/thread-store.ts';

export class ThreadTable {
  /** Thread keys by the topic they were last saved with. */
  private readonly byTopic = new Map<number, ThreadKey>();

  /** `records`: the main file's map (created on first use); `changed`: marks the main file for the next commit. */
  constructor(
    private readonly records: () => Record<string, ThreadRecord>,
    private readonly replies: () => Record<string, ThreadReplyRecord>,
    private readonly changed: () => void,
  ) {
    for (const thread of Object.values(records())) this.index(thread);
  }

  all(): ThreadRecord[] {
    return Object.values(this.records());
  }

  find(key: ThreadKey): ThreadRecord | undefined {
    const records = this.records();
    return Object.hasOwn(records, key) ? records[key] : undefined;
  }

  findByTopic(topicId: TopicId): ThreadRecord | undefined {
    const key = this.byTopic.get(topicId);
    const rec = key === undefined ? undefined : this.find(key);
    return rec?.topicId === topicId ? rec : undefined;
  }

  put(record: ThreadRecord): ThreadRecord {
    const stored = { ...record };
    this.records()[record.key] = stored;
    this.save(stored);
    return stored;
  }

  save(record: ThreadRecord): void {
    if (this.find(record.key) !== record) throw new Error(`saveThread: ${record.key} is not the stored record`);
    this.index(record);
    this.changed();
  }

  allReplies(): ThreadReplyRecord[] {
    return Object.values(this.replies());
  }

  findReply(id: string): ThreadReplyRecord | undefined {
    const replies = this.replies();
    return Object.hasOwn(replies, id) ? replies[id] : undefined;
  }

  putReply(record: ThreadReplyRecord): ThreadReplyRecord {
    const stored = { ...record };
    this.replies()[record.id] = stored;
    this.changed();
    return stored;
  }

  saveReply(record: ThreadReplyRecord): void {
    if (this.findReply(record.id) === record) this.changed();
  }

  private index(record: ThreadRecord): void {
    if (record.topicId !== undefined) this.byTopic.set(record.topicId, record.key);
  }
}
