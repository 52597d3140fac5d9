import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import { threadKey, type ThreadRecord } from '../../src/bridge/thread-store.ts';
import { JsonStore } from '../../src/store/store.ts';

const review = (id: number, topic?: number): ThreadRecord => ({
  key: threadKey('review', id),
  kind: 'review',
  marketId: id,
  ...(topic !== undefined && { topicId: topicId(topic) }),
  posted: {},
  state: 'waiting',
  firstSeenAt: '2026-12-01T10:00:00.000Z',
});

describe('threads in the store', () => {
  it('are kept across a restart, found by key and by topic', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'marketgram-threads-'));
    const store = await JsonStore.open(dir);
    const rec = store.threadStore.putThread(review(11, 5));
    rec.posted['c:7'] = telegramMessageId(99);
    store.threadStore.saveThread(rec);
    store.threadStore.putThread(review(12));
    await store.commit();
    await store.close();

    const again = await JsonStore.open(dir);
    try {
      expect(
        again
          .threads()
          .map((t) => t.key)
          .sort(),
      ).toEqual(['review:11', 'review:12']);
      expect(again.threadStore.findThread('review:11')?.posted).toEqual({ 'c:7': 99 });
      expect(again.threadStore.findThreadByTopic(topicId(5))?.key).toBe('review:11');
      expect(again.threadStore.findThread('question:11')).toBeUndefined();

      // A thread whose topic changed is found by its new topic only.
      const moved = again.threadStore.findThread('review:11')!;
      moved.topicId = topicId(6);
      again.threadStore.saveThread(moved);
      expect(again.threadStore.findThreadByTopic(topicId(5))).toBeUndefined();
      expect(again.threadStore.findThreadByTopic(topicId(6))?.key).toBe('review:11');
      expect(() => again.threadStore.saveThread({ ...moved })).toThrow(/not the stored record/);
    } finally {
      await again.close();
    }
  });
});
