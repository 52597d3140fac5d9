/**
 * MarketClient.products (getOfferMappings) against the fake Market: names and links by SKU, the buyers' showcase
 * preferred, 100 SKUs a request, one attempt only, and a key without the "offers and cards" access — learnt from a
 * 403 or from its scopes — answered `unavailable` without asking again for an hour, never fatal. Time is injected.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketClient } from '../../src/market/client.ts';
import { MarketApiError, MarketCredentialsError, MarketRateLimitError } from '../../src/market/errors.ts';
import { requestProblems } from '../contract/partner-spec.ts';
import { startFakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';

const KEY = 'ACMA:products-test-key:1';
const BUSINESS = 77;
const T0 = Date.parse('2025-03-01T09:00:00Z');
const HOUR = 60 * 60 * 1000;
const CATALOGUE_KEY = ['COMMUNICATION', 'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY'];
const B2C = 'https://market.yandex.ru/card/kettle/100256';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function world(options: Partial<FakeMarketOptions> = {}) {
  const clock = { now: T0 };
  const market = await startFakeMarket({
    apiKey: KEY,
    businessId: BUSINESS,
    now: () => clock.now,
    scopes: CATALOGUE_KEY,
    ...options,
  });
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
  });
  open.push(client, market);
  const lookups = () => market.requests.filter((r) => r.operationId === 'getOfferMappings');
  return { market, client, clock, logs, lookups };
}

describe('product names by SKU', () => {
  it('answers each known SKU’s name and its buyers’ (B2C) page; unknown SKUs are absent', async () => {
    const { market, client, lookups } = await world();
    market.products.add({
      offerId: 'KETTLE-1',
      name: 'Чайник Bosch',
      marketSku: 100256,
      showcaseUrls: [
        { showcaseType: 'B2B', showcaseUrl: 'https://market.yandex.ru/business--kettle/100256' },
        { showcaseType: 'B2C', showcaseUrl: B2C },
      ],
    });
    market.products.add({
      offerId: 'BOOT-42',
      name: 'Boots',
      showcaseUrls: [{ showcaseType: 'B2B', showcaseUrl: 'https://market.yandex.ru/b/42' }],
    });
    market.products.add({ offerId: 'NAMELESS-1' });
    market.products.add({ offerId: 'CARD-1', marketSku: 5, marketSkuName: 'Card name' });

    const lookup = await client.products.products(['KETTLE-1', 'NOPE', 'BOOT-42', 'KETTLE-1', 'NAMELESS-1', 'CARD-1']);
    expect(lookup).toEqual({
      kind: 'found',
      products: [
        { offerId: 'KETTLE-1', name: 'Чайник Bosch', url: B2C },
        { offerId: 'BOOT-42', name: 'Boots', url: 'https://market.yandex.ru/b/42' },
        { offerId: 'CARD-1', name: 'Card name' },
      ],
    });
    expect(lookups()).toHaveLength(1);
    const body = lookups()[0]!.body;
    expect(body).toEqual({ offerIds: ['KETTLE-1', 'NOPE', 'BOOT-42', 'NAMELESS-1', 'CARD-1'] });
    expect(requestProblems('getOfferMappings', body)).toEqual([]);
  });

  it('asks 100 SKUs a request, and nothing for no SKUs', async () => {
    const { client, lookups } = await world();
    expect(await client.products.products([])).toEqual({ kind: 'found', products: [] });
    expect(lookups()).toHaveLength(0);
    await client.products.products(Array.from({ length: 150 }, (_, i) => `SKU-${i}`));
    expect(lookups().map((r) => (r.body as { offerIds: string[] }).offerIds.length)).toEqual([100, 50]);
  });

  it('drops a link that is not an http(s) URL rather than linking it', async () => {
    const { market, client } = await world();
    market.products.add({
      offerId: 'A',
      name: 'Kettle',
      showcaseUrls: [{ showcaseType: 'B2C', showcaseUrl: 'javascript:alert(1)' }],
    });
    expect(await client.products.products(['A'])).toEqual({
      kind: 'found',
      products: [{ offerId: 'A', name: 'Kettle' }],
    });
  });

  it('makes one attempt only: a 500 or an open 420 window is thrown at once, not retried or waited out', async () => {
    const { market, client, clock, lookups } = await world();
    market.failNext('getOfferMappings', { status: 500 });
    await expect(client.products.products(['A'])).rejects.toBeInstanceOf(MarketApiError);
    expect(lookups()).toHaveLength(1);
    market.failNext('getOfferMappings', { status: 420, untilMs: T0 + 30_000 });
    await expect(client.products.products(['A'])).rejects.toBeInstanceOf(MarketRateLimitError);
    const before = clock.now;
    await expect(client.products.products(['A'])).rejects.toBeInstanceOf(MarketRateLimitError);
    expect(clock.now).toBe(before);
    expect(lookups()).toHaveLength(2);
  });
});

describe('a key without the "offers and cards" access', () => {
  it('is answered unavailable after a 403, never fatal, and not asked again for an hour', async () => {
    const { market, client, clock, logs, lookups } = await world({ scopes: ['COMMUNICATION'] });
    market.products.add({ offerId: 'A', name: 'Kettle' });
    const first = await client.products.products(['A']);
    expect(first).toEqual({ kind: 'unavailable', reason: expect.stringContaining('scopes') as string });
    expect(lookups()).toHaveLength(1);
    expect(logs.filter((l) => l['level'] === 40 && l['operation'] === 'getOfferMappings')).toEqual([
      expect.objectContaining({ msg: expect.stringContaining('"offers and cards" access') as string }),
    ]);

    // Remembered: no request, no second warning, while the hour lasts — even once the key is edited.
    market.setScopes(CATALOGUE_KEY);
    clock.now += HOUR - 1;
    expect((await client.products.products(['A'])).kind).toBe('unavailable');
    expect(lookups()).toHaveLength(1);

    clock.now += 1;
    expect(await client.products.products(['A'])).toEqual({
      kind: 'found',
      products: [{ offerId: 'A', name: 'Kettle' }],
    });
    expect(lookups()).toHaveLength(2);
    expect(logs.filter((l) => l['level'] === 40 && l['operation'] === 'getOfferMappings')).toHaveLength(1);
    expect(logs.some((l) => l['msg'] === 'product names are read from the catalogue again')).toBe(true);
  });

  it('is known from the start-up token check without a request, and a key that gets the access is asked at once', async () => {
    const { market, client, lookups, logs } = await world({ scopes: ['COMMUNICATION'] });
    await client.getTokenInfo();
    expect((await client.products.products(['A'])).kind).toBe('unavailable');
    expect(lookups()).toHaveLength(0);
    // The start-up check warns about it; the reader says nothing more.
    expect(logs.filter((l) => l['operation'] === 'getOfferMappings')).toEqual([]);

    market.setScopes(['COMMUNICATION', 'ALL_METHODS_READ_ONLY']);
    await client.getTokenInfo();
    expect((await client.products.products(['A'])).kind).toBe('found');
    expect(lookups()).toHaveLength(1);
  });

  it('keeps a wrong key fatal', async () => {
    const { client, market } = await world();
    market.failNext('getOfferMappings', { status: 403 });
    expect((await client.products.products(['A'])).kind).toBe('unavailable');
    const stranger = new MarketClient({
      baseUrl: market.url,
      apiKey: 'ACMA:wrong:1',
      businessId: BUSINESS,
      logger: pino({ level: 'silent' }),
      integration: 'marketgram/test',
    });
    open.push(stranger);
    await expect(stranger.products.products(['A'])).rejects.toBeInstanceOf(MarketCredentialsError);
  });
});
