/**
 * The titles and cards of reviews' and questions' topics with and without the product's name: Telegram's 128
 * characters taken from the product's name, never from the rating or the author; the name linked and escaped.
 */
import { describe, expect, it } from 'vitest';
import { questionCard, questionTitle, reviewCard, reviewTitle } from '../../src/bridge/feedback-format.ts';
import type { Question, Review } from '../../src/bridge/feedback-model.ts';
import { enFeedback } from '../../src/bridge/feedback-texts.ts';

const review = (over: Partial<Review> = {}): Review => ({
  id: 1,
  createdAt: '2025-03-01T12:00:00+03:00',
  needReaction: true,
  offerId: 'KETTLE-1',
  author: 'Anna',
  photos: [],
  videos: [],
  rating: 2,
  commentsCount: 0,
  ...over,
});

const question = (over: Partial<Question> = {}): Question => ({
  id: 2,
  offerId: 'BOOT-42',
  text: 'Is it waterproof?',
  createdAt: '2025-03-01T12:00:00+03:00',
  author: { type: 'USER', name: 'Petr' },
  ...over,
});

const kettle = { offerId: 'KETTLE-1', name: 'Чайник Bosch', url: 'https://market.yandex.ru/card/kettle/100256' };

describe('a topic’s title', () => {
  it('names the product when the catalogue did, and shows the SKU as before when not', () => {
    expect(reviewTitle(review(), 'waiting', enFeedback, kettle)).toBe('🔴 ⭐️2 · Чайник Bosch · Anna');
    expect(reviewTitle(review(), 'waiting', enFeedback)).toBe('🔴 ⭐️2 · KETTLE-1 · Anna');
    const boots = { offerId: 'BOOT-42', name: 'Boots\n  size 42' };
    expect(questionTitle(question(), 'answered', enFeedback, boots)).toBe('✅ ❓ Boots size 42 · Petr');
    expect(questionTitle(question(), 'answered', enFeedback)).toBe('✅ ❓ BOOT-42 · Petr');
    expect(reviewTitle(review({ offerId: undefined, author: ' ' }), 'skipped', enFeedback)).toBe(
      '⏭ ⭐️2 · product · buyer',
    );
  });

  it('cuts a long product name to fit 128 characters, keeping the rating and the author whole', () => {
    const name = `Электрический чайник ${'очень '.repeat(40)}длинный`;
    const title = reviewTitle(review({ rating: 5 }), 'waiting', enFeedback, { offerId: 'KETTLE-1', name });
    expect(title).toHaveLength(128);
    expect(title.startsWith('🔴 ⭐️5 · Электрический чайник очень')).toBe(true);
    expect(title.endsWith('… · Anna')).toBe(true);
    const q = questionTitle(question(), 'waiting', enFeedback, { offerId: 'BOOT-42', name });
    expect(q).toHaveLength(128);
    expect(q.endsWith('… · Petr')).toBe(true);
  });

  it('gives a long author 48 characters and the product name the rest', () => {
    const author = 'A'.repeat(80);
    const title = reviewTitle(review({ author }), 'waiting', enFeedback, {
      offerId: 'KETTLE-1',
      name: 'N'.repeat(200),
    });
    expect(title).toHaveLength(128);
    expect(title.endsWith(` · ${'A'.repeat(47)}…`)).toBe(true);
    expect(title.startsWith(`🔴 ⭐️2 · ${'N'.repeat(60)}`)).toBe(true);
    // A short name is not padded or cut; a SKU is cut to 48 as before.
    expect(reviewTitle(review({ author }), 'waiting', enFeedback, kettle)).toBe(
      `🔴 ⭐️2 · Чайник Bosch · ${'A'.repeat(47)}…`,
    );
    expect(reviewTitle(review({ offerId: 'S'.repeat(100) }), 'waiting', enFeedback)).toBe(
      `🔴 ⭐️2 · ${'S'.repeat(47)}… · Anna`,
    );
  });
});

describe('a topic’s card', () => {
  it('shows the product’s name linked to its page on the Market, and the SKU', () => {
    expect(reviewCard(review(), enFeedback, kettle).markup).toContain(
      'Product: <a href="https://market.yandex.ru/card/kettle/100256">Чайник Bosch</a> · SKU <code>KETTLE-1</code>',
    );
    expect(questionCard(question(), enFeedback, { offerId: 'BOOT-42', name: 'Boots' }).markup).toContain(
      'Product: Boots · SKU <code>BOOT-42</code>',
    );
  });

  it('escapes the name and the link', () => {
    const odd = { offerId: 'KETTLE-1', name: 'Kettle <b>"1"</b> & co', url: 'https://market.yandex.ru/a?b=1&c="x"' };
    expect(reviewCard(review(), enFeedback, odd).markup).toContain(
      'Product: <a href="https://market.yandex.ru/a?b=1&amp;c=&quot;x&quot;">Kettle &lt;b&gt;&quot;1&quot;&lt;/b&gt; &amp; co</a> · SKU <code>KETTLE-1</code>',
    );
  });

  it('stays as it was without the product’s name', () => {
    expect(reviewCard(review(), enFeedback).markup).toContain('Product (SKU): <code>KETTLE-1</code>');
    expect(reviewCard(review(), enFeedback).markup).not.toContain('<a href');
    expect(questionCard(question(), enFeedback).markup).toContain('Product (SKU): <code>BOOT-42</code>');
  });
});
