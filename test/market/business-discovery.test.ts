/**
 * Business id discovered from the key (issue #14): `discoverBusiness` against the fake Market names the one cabinet
 * the key reaches, lists several with the message an operator needs, says when there is none, and turns a refused
 * key or an unreachable Market into an outcome with its message. Time is injected, so retries cost nothing.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverBusiness } from '../../src/market/business-discovery.ts';
import { MarketApiError, MarketCredentialsError, MarketNetworkError } from '../../src/market/errors.ts';
import type { MarketConnectionOptions } from '../../src/market/options.ts';
import { startFakeMarket, type FakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';

const KEY = 'ACMA:discovery-test-key:1';
const BUSINESS = 77;

const open: FakeMarket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function world(options: Partial<FakeMarketOptions> = {}) {
  const market = await startFakeMarket({ apiKey: KEY, businessId: BUSINESS, ...options });
  open.push(market);
  const connection: MarketConnectionOptions = {
    baseUrl: market.url,
    apiKey: KEY,
    logger: pino({ level: 'silent' }),
    integration: 'marketgram/test',
    random: () => 0.5,
    sleep: () => Promise.resolve(),
  };
  return { market, connection };
}

describe('discoverBusiness', () => {
  it('names the one cabinet of a key whose two shops are both in it', async () => {
    const { market, connection } = await world({ campaignIds: [2001, 2002], businessName: 'Kettles LLC' });
    market.addCampaign({ id: 2001, domain: 'kettles.ru' });
    market.addCampaign({ id: 2002, domain: 'kettles.by' });

    expect(await discoverBusiness(connection)).toEqual({
      kind: 'one',
      businessId: BUSINESS,
      name: 'Kettles LLC',
      shops: ['kettles.ru', 'kettles.by'],
      message:
        'MARKET_BUSINESS_ID is not set; using cabinet 77 (Kettles LLC: kettles.ru, kettles.by), the only one the key reaches.',
    });
    expect(market.count('getCampaigns')).toBe(1);
  });

  it('lists every cabinet with its shops when the key reaches several, and asks to choose', async () => {
    const { market, connection } = await world({ campaignIds: [2001], businessName: 'Shop A' });
    market.addCampaign({ id: 2001, domain: 'a.ru' });
    market.addCampaign({ id: 2002, domain: 'b.ru' });
    market.addCampaign({ id: 3001, businessId: 456, businessName: 'Shop B', domain: 'c.ru' });

    const found = await discoverBusiness(connection);

    expect(found).toEqual({
      kind: 'several',
      businesses: [
        { id: BUSINESS, name: 'Shop A', shops: ['a.ru', 'b.ru'] },
        { id: 456, name: 'Shop B', shops: ['c.ru'] },
      ],
      message:
        'MARKET_BUSINESS_ID is not set and the key reaches 2 cabinets: 77 (Shop A: a.ru, b.ru), 456 (Shop B: c.ru). ' +
        'Set MARKET_BUSINESS_ID to one of them.',
    });
  });

  it('says so when the key reaches no shop, hence no cabinet', async () => {
    const { connection } = await world({ campaignIds: [] });
    const found = await discoverBusiness(connection);
    expect(found.kind).toBe('none');
    expect(found.message).toBe(
      'MARKET_BUSINESS_ID is not set and the key reaches no cabinet: Yandex Market lists no shop for MARKET_API_KEY. ' +
        'Set MARKET_BUSINESS_ID to the id of the cabinet the key was created in.',
    );
  });

  it('reports a rejected key with the Market’s reason, after one request', async () => {
    const { market, connection } = await world();
    const found = await discoverBusiness({ ...connection, apiKey: 'ACMA:revoked:1' });
    expect(found).toMatchObject({
      kind: 'rejected',
      message:
        'MARKET_API_KEY was rejected by Yandex Market (HTTP 401: UNAUTHORIZED: Api-Key token is invalid), so the ' +
        'cabinet could not be found from it. Check the key in the seller cabinet (Settings → API and modules), or ' +
        'set MARKET_BUSINESS_ID.',
    });
    expect(found.kind === 'rejected' && found.cause).toBeInstanceOf(MarketCredentialsError);
    expect(market.count('getCampaigns')).toBe(1);
  });

  it('reports a key refused with 403 as rejected too', async () => {
    const { market, connection } = await world();
    market.failNext('getCampaigns', { status: 403 });
    const found = await discoverBusiness(connection);
    expect(found.kind).toBe('rejected');
    expect(found.message).toMatch(
      /^MARKET_API_KEY was rejected by Yandex Market \(HTTP 403: FORBIDDEN: Token does not/,
    );
  });

  it('reads every page: a second cabinet on the second page makes it several', async () => {
    const { market, connection } = await world({ campaignIds: Array.from({ length: 150 }, (_, i) => 5001 + i) });
    market.addCampaign({ id: 9001, businessId: 88, businessName: 'Late', domain: 'late.ru' });

    const found = await discoverBusiness(connection);

    expect(market.count('getCampaigns')).toBe(2);
    expect(found.kind).toBe('several');
    if (found.kind !== 'several') return;
    expect(found.businesses.map((b) => [b.id, b.shops.length])).toEqual([
      [BUSINESS, 150],
      [88, 1],
    ]);
    expect(found.message).toMatch(
      /reaches 2 cabinets: 77 \(Test business: shop-5001\.example, .*shop-5150\.example\), 88 \(Late: late\.ru\)\./,
    );
  });

  it('reports an unreachable Market after the retries, and a Market failing with 5xx the same way', async () => {
    const { market, connection } = await world();
    market.failNext('getCampaigns', { status: 503 }, 4);
    const failing = await discoverBusiness(connection);
    expect(failing.kind).toBe('unreachable');
    expect(failing.kind === 'unreachable' && failing.cause).toBeInstanceOf(MarketApiError);
    expect(failing.message).toMatch(
      /^Could not ask Yandex Market which cabinet MARKET_API_KEY works for: .*HTTP 503.*\. Check MARKET_API_URL and the network, or set MARKET_BUSINESS_ID\.$/,
    );
    expect(market.count('getCampaigns')).toBe(4);

    await market.close();
    const down = await discoverBusiness(connection);
    expect(down.kind).toBe('unreachable');
    expect(down.kind === 'unreachable' && down.cause).toBeInstanceOf(MarketNetworkError);
    expect(down.message).not.toContain(KEY);
  });
});
