import { describe, expect, it } from 'vitest';
import { contextCard, messageTexts, splitText, topicTitle, visibleLength } from '../../src/bridge/format.ts';
import { marketChatId, marketMessageId } from '../../src/bridge/ids.ts';
import type { MarketChat, MarketMessage } from '../../src/bridge/model.ts';
import { textsFor } from '../../src/bridge/texts.ts';

const ru = textsFor('ru');
const en = textsFor('en');

function chat(over: Partial<MarketChat> = {}): MarketChat {
  return {
    id: marketChatId(42),
    kind: 'CHAT',
    status: 'WAITING_FOR_PARTNER',
    context: { type: 'ORDER', orderId: 123456, campaignId: 9, customer: { name: 'Иван', publicId: 'abc' } },
    createdAt: '2025-01-01T10:00:00+03:00',
    updatedAt: '2025-01-01T10:05:00+03:00',
    ...over,
  };
}

function message(over: Partial<MarketMessage> = {}): MarketMessage {
  return {
    id: marketMessageId(1),
    createdAt: '2025-01-02T09:07:00+03:00',
    sender: 'CUSTOMER',
    attachments: [],
    ...over,
  };
}

describe('topicTitle', () => {
  it('shows the order number, the buyer and a status emoji for an order chat', () => {
    expect(topicTitle(chat(), ru)).toBe('🔴 Заказ 123456 · Иван');
    expect(topicTitle(chat(), en)).toBe('🔴 Order 123456 · Иван');
  });

  it('shows the return number for a return chat', () => {
    const c = chat({ context: { type: 'RETURN', returnId: 77, orderId: 5, customer: { name: 'Ann' } } });
    expect(topicTitle(c, en)).toBe('🔴 Return 77 · Order 5 · Ann');
  });

  it('shows the buyer for a direct question', () => {
    expect(topicTitle(chat({ context: { type: 'DIRECT', customer: { name: 'Ann' } } }), en)).toBe('🔴 Question · Ann');
  });

  it('changes the emoji with the status', () => {
    expect(topicTitle(chat({ status: 'WAITING_FOR_CUSTOMER' }), en)).toMatch(/^🟢 /);
    expect(topicTitle(chat({ status: 'FINISHED' }), en)).toMatch(/^✅ /);
    expect(topicTitle(chat({ kind: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' }), en)).toBe(
      '⚖️ Dispute · Order 123456 · Иван',
    );
  });

  it('never exceeds 128 characters', () => {
    const long = chat({ context: { type: 'DIRECT', customer: { name: 'Я'.repeat(300) } } });
    const title = topicTitle(long, ru);
    expect(title.length).toBeLessThanOrEqual(128);
    expect(title.endsWith('…')).toBe(true);
  });
});

describe('messageTexts', () => {
  it('escapes every buyer character for HTML and keeps the text otherwise unchanged', () => {
    const text = '<b>bold?</b> & "quotes" *stars* 😀';
    const [html] = messageTexts(message({ text }), chat(), en);
    expect(html?.markup).toContain('&lt;b&gt;bold?&lt;/b&gt; &amp; &quot;quotes&quot; *stars* 😀');
    expect(html?.markup).toContain('<b>👤 Buyer · Иван</b> <i>02.01.2025 09:07</i>');
  });

  it('splits a text that would pass Telegram limit with its header', () => {
    const text = 'word '.repeat(1000).trim();
    const parts = messageTexts(message({ text }), chat(), en);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(visibleLength(p)).toBeLessThanOrEqual(4096);
  });

  it('labels Market, support and cabinet messages', () => {
    expect(messageTexts(message({ text: 'x', sender: 'SUPPORT' }), chat(), en)[0]?.markup).toContain('Market support');
    expect(messageTexts(message({ text: 'x', sender: 'PARTNER' }), chat(), en)[0]?.markup).toContain(
      'Seller (cabinet)',
    );
    expect(messageTexts(message({ text: 'x', sender: 'MARKET' }), chat(), ru)[0]?.markup).toContain('Маркет');
  });
});

describe('splitText', () => {
  it('returns short text whole', () => {
    expect(splitText('hello', 10)).toEqual(['hello']);
  });

  it('prefers paragraph boundaries', () => {
    const a = 'a'.repeat(60);
    const b = 'b'.repeat(60);
    expect(splitText(`${a}\n\n${b}`, 100)).toEqual([a, b]);
  });

  it('falls back to sentence boundaries', () => {
    const s = 'This is one sentence. '.repeat(10).trim();
    const parts = splitText(s, 50);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(50);
      expect(p.endsWith('.')).toBe(true);
    }
    expect(parts.join(' ')).toBe(s);
  });

  it('cuts a word-less text hard without breaking surrogate pairs', () => {
    const s = '😀'.repeat(30);
    const parts = splitText(s, 7);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(7);
      expect(p).toMatch(/^(😀)+$/u);
    }
    expect(parts.join('')).toBe(s);
  });
});

describe('contextCard', () => {
  it('shows the chat type, order, buyer link and created time', () => {
    const card = contextCard(chat(), en, 777).markup;
    expect(card).toContain('Order');
    expect(card).toContain('<code>123456</code>');
    expect(card).toContain('https://market.yandex.ru/user/abc/reviews');
    expect(card).toContain('01.01.2025 10:00');
    expect(card).toContain('partner.market.yandex.ru/business/777/chats?chatId=42');
  });
});
