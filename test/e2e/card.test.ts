import { describe, expect, it } from 'vitest';
import { GROUP_ID, topicFor, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('the context card, end to end', () => {
  it("shows the order's items and is edited to the chat's new status when it changes at the Market", async () => {
    const { market, telegram } = world;
    market.addOrder({
      orderId: 100,
      campaignId: 2001,
      status: 'PROCESSING',
      substatus: 'READY_TO_SHIP',
      items: [
        { offerName: 'Phone case, black', count: 2, price: 499 },
        { offerName: 'Charger 20 W', count: 1, price: 1290 },
      ],
    });
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 100, campaignId: 2001, customer: { name: 'Ivan' } });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Where is my order?' });
    await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Ivan'), 'topic');
    const card = () =>
      telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true }).find((m) => !m.isService);

    const withOrder = await waitFor(() => {
      const m = card();
      return m?.text?.includes('• Charger 20 W — 1 × 1,290 ₽') ? m : undefined;
    }, 'the order');
    expect(withOrder.text).toContain('Order status: processing · ready to ship');
    expect(withOrder.text).toContain('• Phone case, black — 2 × 499 ₽');
    expect(withOrder.text).toContain('Items total: 2,288 ₽');
    expect(withOrder.text).toContain(`Market chat: ${chatId} · waiting for our reply`);
    expect(withOrder.text).toMatch(/⏳ Waits for our reply since \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);
    expect(market.count('getOrder')).toBe(1);

    market.setStatus(chatId, 'WAITING_FOR_MARKET');
    await waitFor(() => card()?.text?.includes(`Market chat: ${chatId} · waiting for the Market`), 'the new status');
    await waitFor(() => market.count('getOrder') === 2, 'the order read again');
    // A few more polls change nothing: the card was edited twice, once for the order and once for the status.
    await new Promise((r) => setTimeout(r, 1500));
    expect(card()?.editHistory).toHaveLength(2);
    expect(card()?.text).toContain('• Phone case, black — 2 × 499 ₽');
    expect(market.count('getOrder')).toBe(2);
  });
});
