import { describe, expect, it } from 'vitest';
import { contextCard, TEXT_LIMIT, visibleLength } from '../../src/bridge/format.ts';
import { html } from '../../src/bridge/html.ts';
import { marketChatId } from '../../src/bridge/ids.ts';
import type { MarketChat, OrderSummary } from '../../src/bridge/model.ts';
import { ITEM_NAME_LIMIT, orderLines } from '../../src/bridge/order-lines.ts';
import { textsFor } from '../../src/bridge/texts.ts';

const ru = textsFor('ru');
const en = textsFor('en');

const chat: MarketChat = {
  id: marketChatId(42),
  kind: 'CHAT',
  status: 'WAITING_FOR_PARTNER',
  context: { type: 'ORDER', orderId: 123456, campaignId: 9, customer: { name: 'Иван', publicId: 'abc' } },
  createdAt: '2025-01-01T10:00:00+03:00',
  updatedAt: '2025-01-01T10:05:00+03:00',
};

function order(over: Partial<OrderSummary> = {}): OrderSummary {
  return {
    orderId: 123456,
    items: [{ name: 'Чехол для телефона', count: 2, price: 1499.5 }],
    total: 2999,
    currency: 'RUR',
    status: 'CANCELLED',
    substatus: 'USER_CHANGED_MIND',
    deliveryType: 'DELIVERY',
    deliveryDates: { from: '2024-12-30', to: '2025-01-02' },
    paymentType: 'POSTPAID',
    paymentMethod: 'CASH_ON_DELIVERY',
    ...over,
  };
}

const text = (o: OrderSummary, t = en) => orderLines(o, t).map((l) => l.markup);

describe('orderLines', () => {
  it('puts the order in words, in either language', () => {
    expect(text(order(), ru)).toEqual([
      'Статус заказа: отменён · покупатель передумал',
      '• Чехол для телефона — 2 × 1\u00a0499,5 ₽',
      'Итого за товары: 2\u00a0999 ₽',
      'Доставка: курьером · 30.12.2024–02.01.2025',
      'Оплата: при получении · наличными',
    ]);
    expect(text(order())).toEqual([
      'Order status: cancelled · the buyer changed their mind',
      '• Чехол для телефона — 2 × 1,499.5 ₽',
      'Items total: 2,999 ₽',
      'Delivery: by courier · 30.12.2024–02.01.2025',
      'Payment: on delivery · cash',
    ]);
  });

  it('shows the codes it has no words for as the Market sent them, and marks a test order', () => {
    const lines = text(
      order({
        status: 'SOMETHING_NEW',
        substatus: 'constructor',
        deliveryType: 'DRONE',
        deliveryDates: { from: '2025-01-05' },
        paymentType: 'UNKNOWN_TYPE',
        paymentMethod: undefined,
        currency: 'KZT',
        fake: true,
      }),
    );
    expect(lines[0]).toBe('Order status: SOMETHING_NEW · constructor · 🧪 test order');
    expect(lines).toContain('Delivery: DRONE · 05.01.2025');
    expect(lines).toContain('Payment: UNKNOWN_TYPE');
    expect(lines).toContain('Items total: 2,999 KZT');
  });

  it('leaves out what the Market did not send, and escapes what it did', () => {
    const lines = text({ orderId: 1, status: 'PROCESSING', items: [{ name: '<b>Mug</b> & co', count: 3 }] });
    expect(lines).toEqual(['Order status: processing', '• &lt;b&gt;Mug&lt;/b&gt; &amp; co — × 3']);
  });

  it('shows the first items of a long order and how many more there are, names cut short', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      name: `Item ${i} ${'x'.repeat(1000)}`,
      count: 1,
      price: 10,
    }));
    const lines = text(order({ items }));
    const itemLines = lines.filter((l) => l.startsWith('• '));
    expect(itemLines).toHaveLength(9);
    expect(itemLines[0]).toMatch(/^• Item 0 x+… — 1 × 10 ₽$/);
    expect(itemLines[0]!.indexOf('…')).toBe(2 + ITEM_NAME_LIMIT - 1);
    expect(lines).toContain('…and 16 more items');
    expect(text(order({ items: items.slice(0, 10) })).filter((l) => l.startsWith('• '))).toHaveLength(10);
    expect(orderLines(order({ items }), ru).map((l) => l.markup)).toContain('…и ещё 16 товаров');
  });
});

describe('contextCard with an order', () => {
  it('stays under 4096 characters with the longest names and codes the Market can send', () => {
    const long = 'Ж'.repeat(5000);
    const items = Array.from({ length: 500 }, () => ({ name: long, count: 999999, price: 123456789.99 }));
    const summary = order({ items, status: long, substatus: long, deliveryType: long, paymentMethod: long });
    const customer = { name: long, publicId: 'abc' };
    const big = { ...chat, context: { ...chat.context, returnId: 77, customer } };
    for (const t of [ru, en]) {
      const card = contextCard(big, t, 777, {
        owner: 'Olga',
        waitingSince: chat.updatedAt,
        order: orderLines(summary, t),
      });
      expect(visibleLength(card)).toBeLessThanOrEqual(TEXT_LIMIT);
      expect(card.markup).toContain('• ');
    }
  });

  it('leaves the order out rather than pass Telegram’s limit', () => {
    const card = contextCard(chat, en, 777, { order: [html`${'x'.repeat(TEXT_LIMIT)}`] });
    expect(visibleLength(card)).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(card.markup).toContain('Order: <code>123456</code>');
    expect(card.markup).not.toContain('xxx');
  });

  it('shows the current status, the waiting line and the owner above the order', () => {
    const card = contextCard(chat, en, 777, {
      owner: 'Olga',
      waitingSince: '2025-01-01T10:05:00+03:00',
      order: orderLines(order(), en),
    }).markup;
    expect(card).toContain(
      'Market chat: <code>42</code> · waiting for our reply\n⏳ Waits for our reply since 01.01.2025 10:05\n' +
        'Owner: Olga\n\nOrder status: cancelled',
    );
  });
});
