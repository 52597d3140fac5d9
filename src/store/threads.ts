/**
 * The thread records (reviews and questions mirrored into topics) and their replies in the store's main file, as
 * the ThreadStore (`JsonStore.threadStore`): they are few (only
 * those that need the seller get a topic), so they are written with the replies rather than sharded like chats.
 */
import type { TopicId } from '../bridge/ids.ts';
import type { ThreadKey, ThreadRecord, ThreadReplyRecord, ThreadStore } from '../bridge/thread-store.ts';

export class ThreadTable implements ThreadStore {
  /** Thread keys by the topic they were last saved with. */
  private readonly byTopic = new Map<number, ThreadKey>();

  /**
   * `records`, `replies`: the main file's maps (created on first use); `changed`: marks the main file for the next
   * commit; `store`: the store's creation time and commit.
   */
  constructor(
    private readonly records: () => Record<string, ThreadRecord>,
    private readonly replies: () => Record<string, ThreadReplyRecord>,
    private readonly changed: () => void,
    private readonly store: { readonly initializedAt: string; commit(): Promise<void> },
  ) {
    for (const thread of Object.values(records())) this.index(thread);
  }

  get initializedAt(): string {
    return this.store.initializedAt;
  }

  commit(): Promise<void> {
    return this.store.commit();
  }

  threads(): ThreadRecord[] {
    return Object.values(this.records());
  }

  findThread(key: ThreadKey): ThreadRecord | undefined {
    const records = this.records();
    return Object.hasOwn(records, key) ? records[key] : undefined;
  }

  findThreadByTopic(topicId: TopicId): ThreadRecord | undefined {
    const key = this.byTopic.get(topicId);
    const rec = key === undefined ? undefined : this.findThread(key);
    return rec?.topicId === topicId ? rec : undefined;
  }

  putThread(record: ThreadRecord): ThreadRecord {
    const stored = { ...record };
    this.records()[record.key] = stored;
    this.saveThread(stored);
    return stored;
  }

  saveThread(record: ThreadRecord): void {
    if (this.findThread(record.key) !== record) throw new Error(`saveThread: ${record.key} is not the stored record`);
    this.index(record);
    this.changed();
  }

  threadReplies(): ThreadReplyRecord[] {
    return Object.values(this.replies());
  }

  findThreadReply(id: string): ThreadReplyRecord | undefined {
    const replies = this.replies();
    return Object.hasOwn(replies, id) ? replies[id] : undefined;
  }

  putThreadReply(record: ThreadReplyRecord): ThreadReplyRecord {
    const stored = { ...record };
    this.replies()[record.id] = stored;
    this.changed();
    return stored;
  }

  saveThreadReply(record: ThreadReplyRecord): void {
    if (this.findThreadReply(record.id) === record) this.changed();
  }

  deleteThreadReply(id: string): void {
    if (this.findThreadReply(id) === undefined) return;
    delete this.replies()[id];
    this.changed();
  }

  private index(record: ThreadRecord): void {
    if (record.topicId !== undefined) this.byTopic.set(record.topicId, record.key);
  }
}
