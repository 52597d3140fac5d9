/**
 * Reviews' and questions' topics named after their product: one look-up before a topic is created, for every thread
 * seen together, kept in memory and on the record; a failed or impossible look-up leaves the SKU and stops nothing.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Product, ProductLookup, ProductPort } from '../../src/bridge/product-port.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import type { ThreadKey, ThreadStore } from '../../src/bridge/thread-store.ts';
import { Threads } from '../../src/bridge/threads.ts';
import { JsonStore } from '../../src/store/store.ts';
import { MemoryFeedback } from './memory-feedback.ts';
import { MemoryTelegram } from './memory-ports.ts';

const KETTLE: Product = { offerId: 'KETTLE-1', name: 'Чайник Bosch', url: 'https://market.yandex.ru/card/kettle/1' };
const BOOTS: Product = { offerId: 'BOOT-42', name: 'Boots' };

/** A catalogue in memory: what it was asked, and scripted failures. */
class MemoryProducts implements ProductPort {
  readonly catalogue = new Map<string, Product>([
    [KETTLE.offerId, KETTLE],
    [BOOTS.offerId, BOOTS],
  ]);
  readonly asked: string[][] = [];
  next: Array<'throw' | 'unavailable'> = [];

  products(offerIds: readonly string[]): Promise<ProductLookup> {
    this.asked.push([...offerIds]);
    const next = this.next.shift();
    if (next === 'throw') return Promise.reject(new Error('HTTP 500'));
    if (next === 'unavailable') return Promise.resolve({ kind: 'unavailable', reason: 'no access' });
    const products = offerIds.flatMap((id) => this.catalogue.get(id) ?? []);
    return Promise.resolve({ kind: 'found', products });
  }
}

async function world(store?: ThreadStore) {
  const feedback = new MemoryFeedback();
  const telegram = new MemoryTelegram();
  const products = new MemoryProducts();
  const threadStore =
    store ?? (await JsonStore.open(await mkdtemp(path.join(tmpdir(), 'marketgram-products-')))).threadStore;
  const threads = new Threads(feedback, telegram, threadStore, {
    texts: textsFor('en'),
    logger: pino({ level: 'silent' }),
    sinceDays: 14,
    products,
  });
  const topic = (key: ThreadKey) => telegram.topics.get(threadStore.findThread(key)!.topicId!);
  const card = (key: ThreadKey) => telegram.inTopic(threadStore.findThread(key)!.topicId!)[0]!.html;
  return { feedback, telegram, products, store: threadStore, threads, topic, card };
}

describe('product names in reviews’ and questions’ topics', () => {
  it('names a new topic and its card after the product, and keeps it on the record for later titles', async () => {
    const w = await world();
    const review = w.feedback.addReview({ id: 11, offerId: 'KETTLE-1', author: 'Anna', rating: 2 });
    await w.threads.reviewSeen(review);
    expect(w.topic('review:11')?.title).toBe('🔴 ⭐️2 · Чайник Bosch · Anna');
    expect(w.card('review:11')).toContain(
      'Product: <a href="https://market.yandex.ru/card/kettle/1">Чайник Bosch</a> · SKU <code>KETTLE-1</code>',
    );
    expect(w.store.findThread('review:11')?.product).toEqual(KETTLE);

    w.feedback.addComment(11, { text: 'thanks', author: { type: 'BUSINESS', name: 'Shop' } });
    review.needReaction = false;
    await w.threads.reviewSeen(review);
    expect(w.topic('review:11')?.title).toBe('✅ ⭐️2 · Чайник Bosch · Anna');
    expect(w.products.asked).toEqual([['KETTLE-1']]);
    expect(w.telegram.createCalls).toBe(1);

    await w.threads.questionSeen(w.feedback.addQuestion({ id: 12, offerId: 'BOOT-42' }), true);
    expect(w.topic('question:12')?.title).toBe('🔴 ❓ Boots · Petr');
    expect(w.card('question:12')).toContain('Product: Boots · SKU <code>BOOT-42</code>');
  });

  it('asks once for the SKUs of the threads seen together, and not again for a SKU it knows', async () => {
    const w = await world();
    await Promise.all([
      w.threads.reviewSeen(w.feedback.addReview({ id: 1, offerId: 'KETTLE-1' })),
      w.threads.reviewSeen(w.feedback.addReview({ id: 2, offerId: 'KETTLE-1' })),
      w.threads.reviewSeen(w.feedback.addReview({ id: 3, offerId: 'UNKNOWN-1' })),
      // Needs nothing: no topic, and no reason to ask.
      w.threads.reviewSeen(w.feedback.addReview({ id: 4, offerId: 'READ-1', needReaction: false })),
      w.threads.questionSeen(w.feedback.addQuestion({ id: 5, offerId: 'BOOT-42' }), true),
    ]);
    expect(w.products.asked).toHaveLength(1);
    expect([...w.products.asked[0]!].sort()).toEqual(['BOOT-42', 'KETTLE-1', 'UNKNOWN-1']);
    expect(w.topic('review:1')?.title).toBe('🔴 ⭐️2 · Чайник Bosch · Anna');
    expect(w.topic('review:2')?.title).toBe('🔴 ⭐️2 · Чайник Bosch · Anna');
    expect(w.topic('review:3')?.title).toBe('🔴 ⭐️2 · UNKNOWN-1 · Anna');
    expect(w.topic('question:5')?.title).toBe('🔴 ❓ Boots · Petr');

    // Known, and known to be missing: no look-up. A new SKU: one.
    await w.threads.reviewSeen(w.feedback.addReview({ id: 6, offerId: 'KETTLE-1' }));
    await w.threads.reviewSeen(w.feedback.addReview({ id: 7, offerId: 'UNKNOWN-1' }));
    expect(w.products.asked).toHaveLength(1);
    await w.threads.reviewSeen(w.feedback.addReview({ id: 8, offerId: 'NEW-1' }));
    expect(w.products.asked.slice(1)).toEqual([['NEW-1']]);
  });

  it('creates the topic with the SKU when the look-up fails or the catalogue may not be read, after one attempt', async () => {
    const w = await world();
    w.products.next = ['throw'];
    const review = w.feedback.addReview({ id: 21, offerId: 'KETTLE-1' });
    await w.threads.reviewSeen(review);
    expect(w.topic('review:21')?.title).toBe('🔴 ⭐️2 · KETTLE-1 · Anna');
    expect(w.card('review:21')).toContain('Product (SKU): <code>KETTLE-1</code>');
    expect(w.store.findThread('review:21')?.product).toBeUndefined();
    // Its topic exists: it is not asked about again, and its title stays.
    await w.threads.reviewSeen(review);
    expect(w.products.asked).toEqual([['KETTLE-1']]);

    w.products.next = ['unavailable'];
    await w.threads.questionSeen(w.feedback.addQuestion({ id: 22, offerId: 'BOOT-42' }), true);
    expect(w.topic('question:22')?.title).toBe('🔴 ❓ BOOT-42 · Petr');
    // Nothing was learnt from either: the next topic asks again, and gets the name.
    await w.threads.reviewSeen(w.feedback.addReview({ id: 23, offerId: 'KETTLE-1' }));
    expect(w.topic('review:23')?.title).toBe('🔴 ⭐️2 · Чайник Bosch · Anna');
    expect(w.products.asked).toHaveLength(3);
  });

  it('keeps the product across a restart: a recreated topic is named without asking', async () => {
    const first = await world();
    const review = first.feedback.addReview({ id: 31, offerId: 'KETTLE-1' });
    await first.threads.reviewSeen(review);
    await first.threads.stop();

    // The new Telegram knows nothing of the old topic: the next post recreates it.
    const second = await world(first.store);
    second.feedback.reviewList.push(review);
    second.feedback.addComment(31, { text: 'hello?' });
    await second.threads.reviewSeen(review);
    expect(second.telegram.createCalls).toBe(1);
    expect(second.topic('review:31')?.title).toBe('🔴 ⭐️2 · Чайник Bosch · Anna');
    expect(second.card('review:31')).toContain('Чайник Bosch</a>');
    expect(second.products.asked).toEqual([]);
  });
});
