import { describe, expect, it } from 'vitest';
import { checkMarket } from '../../src/checks/market.ts';

const key = (scopes: string[]) => ({
  listChats: () => Promise.resolve({ items: [] }),
  getTokenInfo: () => Promise.resolve({ name: 'bridge', scopes }),
});
const options = { businessId: 4242, apiUrl: 'https://api.partner.market.yandex.ru' };

describe('the Market start-up check', () => {
  it('refuses a key without the communication scope, naming the setting', async () => {
    const r = await checkMarket(key(['PRICING']), options);
    expect(r.status === 'failed' && r.problem).toMatch(/^MARKET_API_KEY "bridge" lacks the "communication" scope/);
  });

  it('warns a communication-only key that the order on the cards ends with getOrder', async () => {
    const r = await checkMarket(key(['COMMUNICATION']), options);
    expect(r.status).toBe('ok');
    expect(r.status === 'ok' && r.warnings).toEqual([
      expect.stringMatching(/switches off on 2027-04-12: add the "inventory-and-order-processing:read-only" scope/),
    ]);
  });

  it('has nothing to say about a key that may read orders', async () => {
    const r = await checkMarket(key(['COMMUNICATION', 'INVENTORY_AND_ORDER_PROCESSING_READ_ONLY']), options);
    expect(r).toEqual({ status: 'ok', warnings: [] });
  });

  it('warns a key without the "offers and cards" access that reviews and questions show SKUs, when they get topics', async () => {
    const orders = ['COMMUNICATION', 'INVENTORY_AND_ORDER_PROCESSING_READ_ONLY'];
    const r = await checkMarket(key(orders), { ...options, productNames: true });
    expect(r.status === 'ok' && r.warnings).toEqual([
      expect.stringMatching(
        /^MARKET_API_KEY "bridge" lacks the "offers and cards" access \(Товары и карточки\).*SKU.*"offers-and-cards-management:read-only" scope/,
      ),
    ]);
    expect(await checkMarket(key(orders), { ...options, productNames: false })).toEqual({ status: 'ok', warnings: [] });
    const catalogue = [...orders, 'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY'];
    expect(await checkMarket(key(catalogue), { ...options, productNames: true })).toEqual({
      status: 'ok',
      warnings: [],
    });
    expect(await checkMarket(key(['ALL_METHODS']), { ...options, productNames: true })).toEqual({
      status: 'ok',
      warnings: [],
    });
  });

  it('goes on unchecked when the Market cannot be asked now', async () => {
    const down = new Error('connect ECONNREFUSED');
    const r = await checkMarket({ ...key(['COMMUNICATION']), getTokenInfo: () => Promise.reject(down) }, options);
    expect(r).toEqual({ status: 'unchecked', cause: down });
  });
});
