/**
 * The shop list against the fake Market: `listCampaigns` (no cabinet needed) and `MarketClient.campaigns` read every
 * page by pageToken, retry as any read, refuse a bad key at once, tolerate what the spec leaves optional, and stop on
 * a Market that keeps paging. Time is injected, so waits cost nothing.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMPAIGNS_PAGE_LIMIT, listCampaigns } from '../../src/market/campaigns.ts';
import type { MarketConnectionOptions } from '../../src/market/options.ts';
import { MarketClient } from '../../src/market/client.ts';
import { MarketCredentialsError, MarketSchemaError } from '../../src/market/errors.ts';
import { operationSpec } from '../contract/partner-spec.ts';
import { startFakeMarket, type FakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';

const KEY = 'ACMA:campaigns-test-key:1';
const BUSINESS = 77;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
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

/** The getCampaigns requests the fake received, as `path?query`. */
const calls = (market: FakeMarket) =>
  market.requests
    .filter((r) => r.operationId === 'getCampaigns')
    .map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`);

const answer = (body: unknown) => ({ malformed: true as const, body: JSON.stringify(body) });

describe('listCampaigns', () => {
  it('reads every page by pageToken, 100 shops at a time, without naming a cabinet', async () => {
    const { market, connection } = await world({ campaignIds: Array.from({ length: 250 }, (_, i) => 5001 + i) });
    market.addCampaign({ id: 5001, domain: 'kettles.ru' });

    const shops = await listCampaigns(connection);

    expect(shops.map((s) => s.campaignId)).toEqual(Array.from({ length: 250 }, (_, i) => 5001 + i));
    expect(shops[0]).toEqual({
      campaignId: 5001,
      domain: 'kettles.ru',
      business: { id: BUSINESS, name: 'Test business' },
    });
    const paths = calls(market);
    expect(paths.length).toBe(3);
    expect(paths[0]).toBe(`/v2/campaigns?limit=${CAMPAIGNS_PAGE_LIMIT}`);
    expect(paths.slice(1).every((p) => /^\/v2\/campaigns\?limit=100&pageToken=[\w-]+$/.test(p))).toBe(true);
    expect(operationSpec('getCampaigns').parameters['limit']?.schema['maximum']).toBe(CAMPAIGNS_PAGE_LIMIT);
    expect(market.requests.every((r) => r.apiKeyOk && r.headers['x-market-integration'] === 'marketgram/test')).toBe(
      true,
    );
  });

  it('retries a 5xx and a dropped connection as any read', async () => {
    const { market, connection } = await world();
    market.failNext('getCampaigns', { status: 503 });
    market.failNext('getCampaigns', { resetBeforeEffect: true });
    await expect(listCampaigns(connection)).resolves.toEqual([
      { campaignId: 2001, domain: 'shop-2001.example', business: { id: BUSINESS, name: 'Test business' } },
    ]);
    expect(market.requests.filter((r) => r.operationId === 'getCampaigns').length).toBe(3);
  });

  it('refuses a wrong key with MarketCredentialsError at once, without retrying', async () => {
    const { market, connection } = await world();
    const err = await listCampaigns({ ...connection, apiKey: 'ACMA:wrong:1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarketCredentialsError);
    expect(err).toMatchObject({
      operation: 'getCampaigns',
      status: 401,
      reason: 'UNAUTHORIZED: Api-Key token is invalid',
    });
    expect(market.count('getCampaigns')).toBe(1);
  });

  it('takes a shop without a name and a cabinet without one, and drops what it does not need', async () => {
    const { market, connection } = await world();
    market.failNext(
      'getCampaigns',
      answer({
        campaigns: [
          { id: 1, business: { id: 5 } },
          { id: 2, domain: null, business: { id: 5, name: null }, placementType: 'NEW', clientId: 9, extra: true },
        ],
        pager: { total: 2 },
        paging: { nextPageToken: '' },
      }),
    );
    await expect(listCampaigns(connection)).resolves.toEqual([
      { campaignId: 1, business: { id: 5 } },
      { campaignId: 2, business: { id: 5 } },
    ]);
  });

  it('fails with MarketSchemaError for a shop without its cabinet’s id, after the one retry of a malformed answer', async () => {
    const { market, connection } = await world();
    market.failNext('getCampaigns', answer({ campaigns: [{ id: 1, domain: 'a.ru', business: { name: 'A' } }] }), 2);
    const err = await listCampaigns(connection).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarketSchemaError);
    expect((err as MarketSchemaError).message).toMatch(/campaigns\.0\.business\.id/);
    expect(market.count('getCampaigns')).toBe(2);
  });

  it('stops with MarketSchemaError when the Market gives a page token again instead of looping', async () => {
    const { market, connection } = await world();
    const page = answer({ campaigns: [{ id: 1, business: { id: 5 } }], paging: { nextPageToken: 'again' } });
    market.failNext('getCampaigns', page, 2);
    const err = await listCampaigns(connection).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarketSchemaError);
    expect((err as MarketSchemaError).message).toMatch(/paging\.nextPageToken: a page token given before/);
    expect(calls(market)).toEqual(['/v2/campaigns?limit=100', '/v2/campaigns?limit=100&pageToken=again']);
  });

  it('counts each shop once when a page repeats one (the list moved between pages)', async () => {
    const { market, connection } = await world();
    market.failNext(
      'getCampaigns',
      answer({ campaigns: [{ id: 1, business: { id: 5 } }], paging: { nextPageToken: 'next' } }),
    );
    market.failNext(
      'getCampaigns',
      answer({
        campaigns: [
          { id: 1, business: { id: 5 } },
          { id: 2, business: { id: 5 } },
        ],
      }),
    );
    expect((await listCampaigns(connection)).map((s) => s.campaignId)).toEqual([1, 2]);
  });
});

describe('MarketClient.campaigns', () => {
  it('lists the shops through the client’s own transport, with the client’s business id unused', async () => {
    const { market, connection } = await world({ businessName: 'Kettles LLC' });
    market.addCampaign({ id: 3001, businessId: 88, businessName: 'Other', domain: 'other.ru' });
    const client = new MarketClient({ ...connection, businessId: BUSINESS });
    open.push(client);
    expect(await client.campaigns()).toEqual([
      { campaignId: 2001, domain: 'shop-2001.example', business: { id: BUSINESS, name: 'Kettles LLC' } },
      { campaignId: 3001, domain: 'other.ru', business: { id: 88, name: 'Other' } },
    ]);
    expect(calls(market)).toEqual(['/v2/campaigns?limit=100']);
    expect(client.quotaSnapshot()['getCampaigns']?.remaining).toBe(999);
  });
});
