/**
 * MarketClient.getOrder against the fake Market: the order method chosen by the key's scopes, both
 * answers reduced to the same OrderSummary, not-found, retries, tolerance of malformed optional fields,
 * and request shapes checked against the copied spec. Time is injected, so waits cost nothing.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderSummary } from '../../src/bridge/model.ts';
import { MarketClient } from '../../src/market/client.ts';
import type { MarketClientOptions } from '../../src/market/client.ts';
import { MarketApiError, MarketCredentialsError, MarketSchemaError } from '../../src/market/errors.ts';
import { requestProblems } from '../contract/partner-spec.ts';
import { startFakeMarket, type FakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';

const KEY = 'ACMA:orders-test-key:1';
const BUSINESS = 77;
const CAMPAIGN = 2001;
const T0 = Date.parse('2025-03-01T09:00:00Z');
const HOUR = 60 * 60 * 1000;
/** Scopes of a key that may call getBusinessOrders as well as the chat methods. */
const ORDER_KEY = ['COMMUNICATION', 'INVENTORY_AND_ORDER_PROCESSING_READ_ONLY'];

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function world(options: Partial<FakeMarketOptions> = {}, clientOptions: Partial<MarketClientOptions> = {}) {
  const clock = { now: T0 };
  const market = await startFakeMarket({ apiKey: KEY, businessId: BUSINESS, now: () => clock.now, ...options });
  const logs: Array<Record<string, unknown>> = [];
  const client = new MarketClient({
    baseUrl: market.url,
    apiKey: KEY,
    businessId: BUSINESS,
    logger: pino(
      { level: 'debug' },
      { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
    ),
    integration: 'marketgram/test',
    random: () => 0.5,
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
    now: () => clock.now,
    ...clientOptions,
  });
  open.push(client, market);
  return { market, client, clock, logs };
}

/** The order methods' requests the fake received, as `METHOD path`. */
const orderCalls = (market: FakeMarket) =>
  market.requests
    .filter((r) => r.operationId === 'getOrder' || r.operationId === 'getBusinessOrders')
    .map((r) => `${r.method} ${r.path}`);

/** One order with a value for everything the summary carries. */
function addKettleOrder(market: FakeMarket, extra: Parameters<FakeMarket['addOrder']>[0] = {}): number {
  return market.addOrder({
    status: 'DELIVERY',
    substatus: 'DELIVERY_SERVICE_RECEIVED',
    items: [
      { offerName: 'Kettle', count: 2, price: 1490.5 },
      { offerName: 'Filter', price: 300 },
    ],
    deliveryTotal: 99,
    paymentType: 'PREPAID',
    paymentMethod: 'SBP',
    delivery: { type: 'DELIVERY', fromDate: '2025-03-04', toDate: '2025-03-06' },
    fake: true,
    ...extra,
  });
}

const kettleSummary = (orderId: number): OrderSummary => ({
  orderId,
  items: [
    { name: 'Kettle', count: 2, price: 1490.5 },
    { name: 'Filter', count: 1, price: 300 },
  ],
  total: 3281,
  currency: 'RUR',
  status: 'DELIVERY',
  substatus: 'DELIVERY_SERVICE_RECEIVED',
  deliveryType: 'DELIVERY',
  deliveryDates: { from: '2025-03-04', to: '2025-03-06' },
  paymentType: 'PREPAID',
  paymentMethod: 'SBP',
  fake: true,
});

describe('choosing the order method', () => {
  it('reads through the deprecated getOrder when the key has only the communication scope', async () => {
    const { market, client } = await world();
    const orderId = addKettleOrder(market);
    expect(client.orderSource()).toBe('unknown');

    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(kettleSummary(orderId));
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(kettleSummary(orderId));

    expect(client.orderSource()).toBe('legacy');
    expect(market.count('getAuthTokenInfo')).toBe(1);
    expect(orderCalls(market)).toEqual([
      `GET /v2/campaigns/${CAMPAIGN}/orders/${orderId}`,
      `GET /v2/campaigns/${CAMPAIGN}/orders/${orderId}`,
    ]);
    const request = market.requests.find((r) => r.operationId === 'getOrder');
    expect([request?.body, request?.query, request?.headers['content-type']]).toEqual([undefined, {}, undefined]);
  });

  it('reads through getBusinessOrders with {orderIds:[id]} when the key has an order-processing scope', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);

    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(kettleSummary(orderId));

    expect(client.orderSource()).toBe('business');
    expect(orderCalls(market)).toEqual([`POST /v1/businesses/${BUSINESS}/orders`]);
    const request = market.requests.find((r) => r.operationId === 'getBusinessOrders');
    expect(request?.body).toEqual({ orderIds: [orderId] });
    expect(requestProblems('getBusinessOrders', request?.body)).toEqual([]);
    expect(request?.query).toEqual({});
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('finds an order without a campaign through getBusinessOrders, but not through getOrder', async () => {
    const business = await world({ scopes: ['ALL_METHODS_READ_ONLY'] });
    const orderId = addKettleOrder(business.market);
    await expect(business.client.getOrder({ orderId })).resolves.toEqual(kettleSummary(orderId));

    const legacy = await world();
    const legacyOrder = addKettleOrder(legacy.market);
    await expect(legacy.client.getOrder({ orderId: legacyOrder })).resolves.toBeUndefined();
    expect(orderCalls(legacy.market)).toEqual([]);
  });

  it('takes the scopes from the start-up token check instead of asking again', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);
    await client.getTokenInfo();
    expect(client.orderSource()).toBe('business');
    await client.getOrder({ orderId });
    await client.getOrder({ orderId });
    expect(market.count('getAuthTokenInfo')).toBe(1);
  });

  it('warns about the shutdown of getOrder once, at the first order read, not at the token check', async () => {
    const { market, client, logs } = await world();
    const orderId = addKettleOrder(market);
    const shutdownWarnings = () => logs.filter((l) => l['level'] === 40 && l['shutdownDate'] === '2027-04-12');
    await client.getTokenInfo();
    expect(client.orderSource()).toBe('legacy');
    expect(shutdownWarnings()).toEqual([]);
    await client.getOrder({ campaignId: CAMPAIGN, orderId });
    await client.getOrder({ campaignId: CAMPAIGN, orderId });
    expect(shutdownWarnings()).toHaveLength(1);
  });

  it('asks for the scopes once for concurrent reads, and again after an hour', async () => {
    const { market, client, clock } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);
    await Promise.all([client.getOrder({ orderId }), client.getOrder({ orderId }), client.resolveOrderSource()]);
    expect(market.count('getAuthTokenInfo')).toBe(1);
    clock.now += HOUR - 1;
    await client.getOrder({ orderId });
    expect(market.count('getAuthTokenInfo')).toBe(1);
    clock.now += 1;
    await client.getOrder({ orderId });
    expect(market.count('getAuthTokenInfo')).toBe(2);
  });

  it('reads through getOrder while the scopes cannot be learnt, and asks again only after five minutes', async () => {
    const { market, client, clock } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);
    market.failNext('getAuthTokenInfo', { status: 503 }, 4);

    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(kettleSummary(orderId));
    expect(client.orderSource()).toBe('unknown');
    expect(orderCalls(market)).toEqual([`GET /v2/campaigns/${CAMPAIGN}/orders/${orderId}`]);
    await client.getOrder({ campaignId: CAMPAIGN, orderId });
    expect(market.count('getAuthTokenInfo')).toBe(4);

    clock.now += 5 * 60 * 1000;
    await client.getOrder({ campaignId: CAMPAIGN, orderId });
    expect(market.count('getAuthTokenInfo')).toBe(5);
    expect(client.orderSource()).toBe('business');
  });

  it('falls back to getOrder, without stopping the service, when getBusinessOrders is refused with 403', async () => {
    const { market, client, logs } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);
    await client.getTokenInfo();
    market.failNext('getBusinessOrders', { status: 403 });

    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(kettleSummary(orderId));

    expect(client.orderSource()).toBe('legacy');
    expect(orderCalls(market)).toEqual([
      `POST /v1/businesses/${BUSINESS}/orders`,
      `GET /v2/campaigns/${CAMPAIGN}/orders/${orderId}`,
    ]);
    expect(logs.some((l) => l['level'] === 40 && String(l['msg']).includes('2027-04-12'))).toBe(true);
  });

  it('throws a 403 from getOrder as a MarketApiError, not as a fatal credentials error', async () => {
    const { market, client } = await world();
    const orderId = addKettleOrder(market);
    market.failNext('getOrder', { status: 403 });
    const err = await client.getOrder({ campaignId: CAMPAIGN, orderId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarketApiError);
    expect(err).toMatchObject({ status: 403, operation: 'getOrder' });
  });

  it('keeps a wrong key fatal', async () => {
    const { market } = await world();
    const client = new MarketClient({
      baseUrl: market.url,
      apiKey: 'ACMA:wrong:1',
      businessId: BUSINESS,
      logger: pino({ level: 'silent' }),
      integration: 'marketgram/test',
    });
    open.push(client);
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId: 1 })).rejects.toBeInstanceOf(MarketCredentialsError);
  });
});

describe('not found', () => {
  it('answers undefined when getOrder says 404, for an unknown order or one of another campaign', async () => {
    const { market, client } = await world({ campaignIds: [CAMPAIGN, 2002] });
    const orderId = addKettleOrder(market, { campaignId: 2002 });
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId: orderId + 1 })).resolves.toBeUndefined();
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toBeUndefined();
    expect(market.count('getOrder')).toBe(2);
  });

  it('answers undefined after getBusinessOrders and getOrder both miss, asking each once', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY });
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId: 123 })).resolves.toBeUndefined();
    expect(orderCalls(market)).toEqual([
      `POST /v1/businesses/${BUSINESS}/orders`,
      `GET /v2/campaigns/${CAMPAIGN}/orders/123`,
    ]);
    await expect(client.getOrder({ orderId: 124 })).resolves.toBeUndefined();
    expect(orderCalls(market)).toHaveLength(3);
  });

  it('finds an order older than getBusinessOrders’ 30-day window through getOrder', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY, orderIdsInDateWindow: true });
    const orderId = addKettleOrder(market, { createdAt: '2025-01-01T10:00:00Z' });
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(kettleSummary(orderId));
    expect(orderCalls(market)).toEqual([
      `POST /v1/businesses/${BUSINESS}/orders`,
      `GET /v2/campaigns/${CAMPAIGN}/orders/${orderId}`,
    ]);
  });

  it('refuses an order id that is not a positive integer without asking the Market', async () => {
    const { market, client } = await world();
    await expect(client.getOrder({ orderId: 0 })).rejects.toThrow(TypeError);
    await expect(client.getOrder({ campaignId: 1.5, orderId: 1 })).rejects.toThrow(TypeError);
    expect(market.requests).toEqual([]);
  });
});

describe('retries and quotas', () => {
  it('retries 5xx and waits out a 420 window on both order methods, like other reads', async () => {
    // The fake Market on the real clock: the client reads the 420 window against the answer's Date header.
    const { market, client, clock } = await world({ scopes: ORDER_KEY, now: Date.now });
    const orderId = addKettleOrder(market);
    await client.getTokenInfo();
    market.failNext('getBusinessOrders', { status: 500 });
    market.failNext('getBusinessOrders', { status: 420, untilMs: Date.now() + 30_000 });
    await expect(client.getOrder({ orderId })).resolves.toEqual(kettleSummary(orderId));
    expect(market.count('getBusinessOrders')).toBe(3);
    expect(clock.now - T0).toBeGreaterThanOrEqual(28_000);

    const legacy = await world();
    const legacyOrder = addKettleOrder(legacy.market);
    legacy.market.failNext('getOrder', { status: 503 }, 2);
    await expect(legacy.client.getOrder({ campaignId: CAMPAIGN, orderId: legacyOrder })).resolves.toEqual(
      kettleSummary(legacyOrder),
    );
    expect(legacy.market.count('getOrder')).toBe(3);
  });

  it('records the quota of both order methods from their rate-limit headers', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);
    await client.getOrder({ campaignId: CAMPAIGN, orderId: orderId + 1 });
    const quota = client.quotaSnapshot();
    expect(quota['getBusinessOrders']).toMatchObject({ limit: 10000, remaining: 9999 });
    expect(quota['getOrder']).toMatchObject({ limit: 10000, remaining: 9999 });
  });
});

describe('tolerant parsing', () => {
  /** Malformed optional fields, and unknown enum values, in both shapes. */
  const broken = {
    order: {
      status: 'SOMETHING_NEW',
      substatus: null,
      itemsTotal: 'a lot',
      paymentType: 42,
      paymentMethod: 'PAY_BY_THOUGHT',
      fake: 'no',
      delivery: { type: 'TELEPORT', dates: { fromDate: '2025-13', toDate: '06-03-2025' } },
      items: [{ offerName: 'Kettle', count: 2, buyerPrice: 'cheap', price: 1490.5 }, { offerName: 'Ghost' }, 'junk'],
    },
    businessOrder: {
      status: 'SOMETHING_NEW',
      substatus: null,
      prices: { payment: { value: 'a lot', currencyId: 'RUR' } },
      paymentType: 42,
      paymentMethod: 'PAY_BY_THOUGHT',
      fake: 'no',
      delivery: { type: 'TELEPORT', dates: { fromDate: '2025-13', toDate: '2025-03-06' } },
      items: [{ offerName: 'Kettle', count: 2, prices: { payment: { value: 2981 } } }, { offerName: 'Ghost' }, 'junk'],
    },
  };
  const tolerated = (orderId: number): OrderSummary => ({
    orderId,
    items: [{ name: 'Kettle', count: 2, price: 1490.5 }],
    currency: 'RUR',
    status: 'SOMETHING_NEW',
    deliveryType: 'TELEPORT',
    deliveryDates: { to: '2025-03-06' },
    paymentMethod: 'PAY_BY_THOUGHT',
  });

  it('keeps unknown values and drops malformed optional fields and items in a getOrder answer', async () => {
    const { market, client } = await world();
    const orderId = addKettleOrder(market, { override: broken });
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).resolves.toEqual(tolerated(orderId));
  });

  it('keeps unknown values and drops malformed optional fields and items in a getBusinessOrders answer', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market, { override: broken });
    const { currency: _fromPrices, ...rest } = tolerated(orderId);
    // The malformed `prices.payment` takes its currency with it.
    await expect(client.getOrder({ orderId })).resolves.toEqual(rest);
  });

  it('ignores a malformed neighbour in the orders list', async () => {
    const { market, client } = await world({ scopes: ORDER_KEY });
    const orderId = addKettleOrder(market);
    market.failNext('getBusinessOrders', {
      malformed: true,
      body: JSON.stringify({
        orders: [
          { orderId: 'x', items: 7 },
          { orderId, status: 'DELIVERED', items: [] },
        ],
      }),
    });
    await expect(client.getOrder({ orderId })).resolves.toEqual({ orderId, items: [], status: 'DELIVERED' });
  });

  it('throws MarketSchemaError, after one retry, when the order itself is missing', async () => {
    const { market, client } = await world();
    const orderId = addKettleOrder(market);
    market.failNext('getOrder', { malformed: true, body: '{"status":"OK","result":{}}' }, 2);
    await expect(client.getOrder({ campaignId: CAMPAIGN, orderId })).rejects.toBeInstanceOf(MarketSchemaError);
    expect(market.count('getOrder')).toBe(2);
  });
});
