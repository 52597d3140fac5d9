import { describe, expect, it } from 'vitest';
import { ORDER_RETRY_MS } from '../../src/bridge/card.ts';
import { formatTime } from '../../src/bridge/format.ts';
import { telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import type { ChatStatus, MarketChat, OrderSummary } from '../../src/bridge/model.ts';
import { makeBridge, marketChatId } from './memory-ports.ts';

const order: OrderSummary = {
  orderId: 10,
  items: [
    { name: 'Phone case, black', count: 2, price: 499 },
    { name: 'Charger 20 W', count: 1, price: 1290 },
  ],
  total: 2288,
  currency: 'RUR',
  status: 'PROCESSING',
  substatus: 'READY_TO_SHIP',
  deliveryType: 'PICKUP',
  deliveryDates: { from: '2025-03-03', to: '2025-03-05' },
  paymentType: 'PREPAID',
  paymentMethod: 'YANDEX',
};

/** A bridge whose clock the test moves, with Market chat 1 (about order 10) mirrored, the buyer's message in it. */
async function mirrored(answer: OrderSummary | Error | undefined = order, over: Partial<MarketChat> = {}) {
  let now = Date.now();
  const ctx = await makeBridge({ now: () => new Date(now) });
  ctx.market.order = answer;
  ctx.market.addChat(1, over);
  const first = ctx.market.addMessage(1, 'CUSTOMER', 'Where is my order?');
  ctx.bridge.chatSeen(ctx.market.chats.get(1)!);
  await ctx.bridge.idle();
  const card = () => ctx.telegram.inTopic(1)[0]!.html;
  const later = (ms: number) => (now += ms);
  return { ...ctx, card, later, first };
}

type Ctx = Awaited<ReturnType<typeof mirrored>>;

/** The Market says chat 1 is in `status` now; the bridge's next poll sees it. */
async function restate(ctx: Ctx, status: ChatStatus) {
  const chat = { ...ctx.market.chats.get(1)!, status };
  ctx.market.chats.set(1, chat);
  ctx.bridge.chatSeen(chat);
  await ctx.bridge.idle();
}

/** The buyer writes again (the chat's status stays as it is). */
async function buyerWrites(ctx: Ctx, text: string) {
  ctx.market.addMessage(1, 'CUSTOMER', text);
  ctx.bridge.requestSync(marketChatId(1));
  await ctx.bridge.idle();
}

describe('the context card: the order', () => {
  it('shows what the buyer ordered, read once, with the status, delivery and payment in words', async () => {
    const ctx = await mirrored();
    const card = ctx.card();
    expect(card).toContain('Order status: processing · ready to ship');
    expect(card).toContain('• Phone case, black — 2 × 499 ₽');
    expect(card).toContain('• Charger 20 W — 1 × 1,290 ₽');
    expect(card).toContain('Items total: 2,288 ₽');
    expect(card).toContain('Delivery: to a pickup point · 03.03–05.03.2025');
    expect(card).toContain('Payment: when ordering · card online');
    expect(ctx.market.orderCalls).toEqual([{ orderId: 10 }]);
    // The basic card was posted first, then edited once with everything, in the cosmetic lane.
    expect(ctx.telegram.edits).toEqual([{ messageId: ctx.store.findChat(marketChatId(1))!.cardId, lane: 'cosmetic' }]);
    await buyerWrites(ctx, 'Hello?');
    expect(ctx.market.orderCalls).toHaveLength(1);
  });

  it('reads the order again when the chat status changes, and shows both new statuses', async () => {
    const ctx = await mirrored();
    ctx.market.order = { ...order, status: 'DELIVERY', substatus: undefined };
    await restate(ctx, 'WAITING_FOR_MARKET');
    expect(ctx.market.orderCalls).toHaveLength(2);
    expect(ctx.card()).toContain('Order status: in delivery\n');
    expect(ctx.card()).toContain('Market chat: <code>1</code> · waiting for the Market');
    expect(ctx.telegram.edits).toHaveLength(2);
  });

  it('leaves the basic card when the read fails, and tries again only an hour later or at a status change', async () => {
    const ctx = await mirrored(new Error('socket hang up'));
    expect(ctx.card()).not.toContain('Order status');
    expect(ctx.card()).toContain('Order: <code>10</code>');
    expect(ctx.store.findChat(marketChatId(1))?.order).toMatchObject({
      failed: true,
      forStatus: 'WAITING_FOR_PARTNER',
    });
    await buyerWrites(ctx, 'Hello?');
    await buyerWrites(ctx, 'Anyone?');
    expect(ctx.market.orderCalls).toHaveLength(1);
    // An hour later, the next sync reads it.
    ctx.market.order = order;
    ctx.later(ORDER_RETRY_MS);
    await buyerWrites(ctx, 'Still there?');
    expect(ctx.market.orderCalls).toHaveLength(2);
    expect(ctx.card()).toContain('• Phone case, black — 2 × 499 ₽');
    // A later failure keeps what was read; a status change is tried at once.
    ctx.market.order = undefined;
    await restate(ctx, 'WAITING_FOR_MARKET');
    expect(ctx.market.orderCalls).toHaveLength(3);
    expect(ctx.store.findChat(marketChatId(1))?.order).toMatchObject({ failed: true, forStatus: 'WAITING_FOR_MARKET' });
    expect(ctx.card()).toContain('• Phone case, black — 2 × 499 ₽');
    expect(ctx.card()).toContain('waiting for the Market');
  });

  it('never reads an order for a product question', async () => {
    const ctx = await mirrored(order, { context: { type: 'DIRECT', customer: { name: 'Ann' } } });
    await restate(ctx, 'WAITING_FOR_MARKET');
    expect(ctx.market.orderCalls).toEqual([]);
    expect(ctx.card()).toContain('waiting for the Market');
  });

  it('links a return chat to its return in the seller cabinet, and reads the order it is about', async () => {
    const context = { type: 'RETURN' as const, returnId: 77, orderId: 5, campaignId: 9, customer: { name: 'Ann' } };
    const ctx = await mirrored({ ...order, orderId: 5 }, { context });
    expect(ctx.card()).toContain('<a href="https://partner.market.yandex.ru/shop/9/returns/77">Return 77</a>');
    expect(ctx.card()).toContain('<a href="https://partner.market.yandex.ru/shop/9/orders/5">Order 5</a>');
    expect(ctx.market.orderCalls).toEqual([{ campaignId: 9, orderId: 5 }]);
  });
});

describe('the context card: kept current', () => {
  it('says since when the buyer waits, and no longer once the seller answered', async () => {
    const ctx = await mirrored();
    expect(ctx.card()).toContain(`⏳ Waits for our reply since ${formatTime(ctx.first.createdAt)}`);
    await ctx.bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(900),
      from: { id: 7 as never, name: 'Olga' },
      text: 'It ships tomorrow.',
    });
    await ctx.bridge.idle();
    expect(ctx.card()).not.toContain('⏳');
    expect(ctx.card()).toContain('Market chat: <code>1</code> · waiting for the buyer');
    expect(ctx.card()).toContain('Owner: Olga');
    // The buyer writes again: a new wait, since their new message.
    const next = ctx.market.addMessage(1, 'CUSTOMER', 'Thanks, and the receipt?');
    ctx.bridge.requestSync(marketChatId(1));
    await ctx.bridge.idle();
    expect(ctx.card()).toContain(`⏳ Waits for our reply since ${formatTime(next.createdAt)}`);
    expect(ctx.card()).toContain('waiting for our reply');
  });

  it('makes no call when what the card shows has not changed', async () => {
    const ctx = await mirrored();
    const edits = ctx.telegram.edits.length;
    ctx.bridge.requestSync(marketChatId(1));
    await ctx.bridge.idle();
    await buyerWrites(ctx, 'Hello?');
    await restate(ctx, 'WAITING_FOR_PARTNER');
    expect(ctx.telegram.edits).toHaveLength(edits);
    // A change does edit it, once, in the cosmetic lane.
    await restate(ctx, 'FINISHED');
    expect(ctx.telegram.edits).toHaveLength(edits + 1);
    expect(ctx.telegram.edits.at(-1)?.lane).toBe('cosmetic');
    expect(ctx.card()).toContain('· finished');
    expect(ctx.card()).not.toContain('⏳');
  });
});
