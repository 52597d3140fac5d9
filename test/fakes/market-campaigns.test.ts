/**
 * Proves the fake Market's shop list (getCampaigns, `GET /v2/campaigns`) follows the copied spec: the shops with
 * their cabinets, both kinds of paging, the ApiErrorResponse for a bad key or bad paging, the quota, scopes and
 * injected faults; and that `addCampaign` models shops of other cabinets without opening their orders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorProblems, operationSpec, responseProblems, schemaEnum } from '../contract/partner-spec.ts';
import { type FakeMarket, type FakeMarketOptions, startFakeMarket } from './market-server.ts';

const API_KEY = 'ACMA:fake-campaigns-key:12345678';
const BUSINESS_ID = 77;

interface CampaignsBody {
  campaigns: Array<{ id: number; domain: string; business: { id: number; name: string } }>;
  paging?: { nextPageToken?: string };
  pager?: Record<string, number>;
}

let market: FakeMarket | undefined;

async function start(options: Partial<FakeMarketOptions> = {}): Promise<FakeMarket> {
  market = await startFakeMarket({ apiKey: API_KEY, businessId: BUSINESS_ID, ...options });
  return market;
}

afterEach(async () => {
  await market?.close();
  market = undefined;
});

function fm(): FakeMarket {
  if (!market) throw new Error('start() first');
  return market;
}

function campaigns(query = '', init: { key?: string; method?: string } = {}): Promise<Response> {
  const key = init.key ?? API_KEY;
  return fetch(`${fm().url}/v2/campaigns${query}`, {
    method: init.method ?? 'GET',
    headers: key === '' ? {} : { 'Api-Key': key },
  });
}

async function page(query = ''): Promise<CampaignsBody> {
  const res = await campaigns(query);
  const body = (await res.json()) as CampaignsBody;
  expect([res.status, responseProblems('getCampaigns', body)]).toEqual([200, []]);
  return body;
}

async function expectError(res: Response, status: number, message: string | RegExp): Promise<unknown> {
  const body = (await res.json()) as { status: string; errors: Array<{ message: string }> };
  expect(res.status).toBe(status);
  expect(body.status).toBe('ERROR');
  expect(body.errors[0]?.message).toMatch(message);
  return body;
}

const ids = (body: CampaignsBody) => body.campaigns.map((c) => c.id);

describe('getCampaigns', () => {
  it('lists the business’s shops with their cabinet and name, without the status envelope', async () => {
    await start({ campaignIds: [2002, 2001], businessName: 'Kettles LLC' });
    fm().addChat({ contextType: 'ORDER', orderId: 9, campaignId: 2005 });
    fm().addOrder({ campaignId: 2003 });
    fm().addCampaign({ id: 2001, domain: 'kettles.ru', placementType: 'DBS' });
    const res = await campaigns();
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe(
      String(operationSpec('getCampaigns').limits.none.amount),
    );
    const body = (await res.json()) as CampaignsBody;
    expect(responseProblems('getCampaigns', body)).toEqual([]);
    expect(body).not.toHaveProperty('status');
    const business = { id: BUSINESS_ID, name: 'Kettles LLC' };
    expect(body.campaigns).toEqual([
      { domain: 'kettles.ru', id: 2001, business, placementType: 'DBS', apiAvailability: 'AVAILABLE' },
      { domain: 'shop-2002.example', id: 2002, business, placementType: 'FBS', apiAvailability: 'AVAILABLE' },
      { domain: 'shop-2003.example', id: 2003, business, placementType: 'FBS', apiAvailability: 'AVAILABLE' },
      { domain: 'shop-2005.example', id: 2005, business, placementType: 'FBS', apiAvailability: 'AVAILABLE' },
    ]);
    expect(body.paging).toEqual({});
    expect(body.pager).toEqual({ total: 4, from: 1, to: 4, currentPage: 1, pagesCount: 1, pageSize: 4 });
  });

  it('lists nothing for a cabinet without shops', async () => {
    await start({ campaignIds: [] });
    expect(await page()).toEqual({
      campaigns: [],
      paging: {},
      pager: { total: 0, from: 0, to: 0, currentPage: 1, pagesCount: 0, pageSize: 0 },
    });
  });

  it('lists the shops of another cabinet added with addCampaign, but serves none of their orders', async () => {
    await start();
    fm().addCampaign({ id: 3001, businessId: 88, businessName: 'Other', domain: 'other.ru' });
    fm().addCampaign({ id: 3002, businessId: 88, apiAvailability: 'DISABLED_BY_INACTIVITY' });
    fm().addCampaign({ id: 3003, businessId: 99 });
    const body = await page();
    expect(body.campaigns.map((c) => [c.id, c.business, c.domain])).toEqual([
      [2001, { id: BUSINESS_ID, name: 'Test business' }, 'shop-2001.example'],
      [3001, { id: 88, name: 'Other' }, 'other.ru'],
      [3002, { id: 88, name: 'Other' }, 'shop-3002.example'],
      [3003, { id: 99, name: 'Business 99' }, 'shop-3003.example'],
    ]);
    const order = await fetch(`${fm().url}/v2/campaigns/3001/orders/1`, { headers: { 'Api-Key': API_KEY } });
    await expectError(order, 403, 'Access denied');
  });

  it('refuses a set-up that moves a shop to another cabinet or renames a cabinet', async () => {
    await start();
    fm().addCampaign({ id: 3001, businessId: 88, businessName: 'Other' });
    expect(() => fm().addCampaign({ id: 2001, businessId: 88 })).toThrow(/belongs to business 77/);
    expect(() => fm().addCampaign({ id: 3001 })).toThrow(/belongs to business 88/);
    expect(() => fm().addCampaign({ id: 3002, businessId: 88, businessName: 'Renamed' })).toThrow(/named 'Other'/);
    expect(() => fm().addCampaign({ id: 0 })).toThrow(/bad id/);
    expect(() => fm().addChat({ contextType: 'ORDER', orderId: 5, campaignId: 3001 })).toThrow(/business 88/);
    expect(() => fm().addOrder({ campaignId: 3001 })).toThrow(/business 88/);
    expect(fm().addOrder()).toBeGreaterThan(0);
  });

  it('pages by limit (1–100) with pageToken or page_token, nextPageToken only while shops follow', async () => {
    await start({ campaignIds: Array.from({ length: 250 }, (_, i) => 5001 + i) });
    const first = await page('?limit=100');
    expect(ids(first)).toEqual(Array.from({ length: 100 }, (_, i) => 5001 + i));
    expect(first).not.toHaveProperty('pager');
    const second = await page(`?limit=100&pageToken=${first.paging?.nextPageToken ?? ''}`);
    expect(ids(second)[0]).toBe(5101);
    const third = await page(`?limit=100&page_token=${second.paging?.nextPageToken ?? ''}`);
    expect([ids(third).length, ids(third).at(-1), third.paging]).toEqual([50, 5250, {}]);
    // Without a limit the page holds the rest.
    expect(ids(await page(`?pageToken=${first.paging?.nextPageToken ?? ''}`)).length).toBe(150);
  });

  it('pages by the deprecated page and pageSize (at most 100), answering pager', async () => {
    await start({ campaignIds: Array.from({ length: 250 }, (_, i) => 5001 + i) });
    const third = await page('?page=3&pageSize=100');
    expect(ids(third)).toEqual(Array.from({ length: 50 }, (_, i) => 5201 + i));
    expect(third).not.toHaveProperty('paging');
    expect(third.pager).toEqual({ total: 250, from: 201, to: 250, currentPage: 3, pagesCount: 3, pageSize: 100 });
    expect(ids(await page('?pageSize=10')).at(-1)).toBe(5010);
    expect((await page('?page=4&pageSize=100')).campaigns).toEqual([]);
  });

  it('answers bad paging with 400 in the spec’s error envelope', async () => {
    await start();
    for (const [query, message] of [
      ['?limit=101', 'Limit exceeded'],
      ['?limit=0', /'limit' must be at least 1/],
      ['?limit=ten', /'limit' must be an integer/],
      ['?pageSize=101', /'pageSize' must not exceed 100/],
      ['?page=0&pageSize=10', /'page' must be at least 1/],
      ['?page=10001', /'page' must not exceed 10000/],
      ['?pageToken=forged', 'Invalid page token'],
      ['?limit=10&page=2', /either pageToken and limit or page and pageSize/],
    ] as const) {
      const body = await expectError(await campaigns(query), 400, message);
      expect(errorProblems('getCampaigns', 400, body)).toEqual([]);
    }
  });

  it('answers a missing or wrong key with 401 that costs nothing, and GET only', async () => {
    await start();
    const wrong = await campaigns('', { key: 'ACMA:wrong' });
    const body = await expectError(wrong, 401, 'Api-Key token is invalid');
    expect(errorProblems('getCampaigns', 401, body)).toEqual([]);
    expect(wrong.headers.get('x-ratelimit-resource-limit')).toBeNull();
    await expectError(await campaigns('', { key: '' }), 401, 'Credentials are not specified');
    await expectError(await campaigns('', { method: 'POST' }), 405, /not allowed/);
    const ok = await campaigns();
    expect(ok.headers.get('x-ratelimit-resource-remaining')).toBe('999');
  });

  it('lets a key of any scope list the shops, as x-auth-scopes says', async () => {
    expect([...operationSpec('getCampaigns').scopes].sort()).toEqual(schemaEnum('ApiKeyScopeType').sort());
    for (const scope of schemaEnum('ApiKeyScopeType')) {
      await start({ scopes: [scope] });
      expect([scope, (await campaigns()).status]).toEqual([scope, 200]);
      await fm().close();
    }
  });

  it('charges its hourly quota and takes injected faults like every other method', async () => {
    await start({ limits: { getCampaigns: 2 } });
    fm().failNext('getCampaigns', { status: 503 });
    expect((await campaigns()).status).toBe(503);
    fm().failNext('getCampaigns', { malformed: true });
    expect(await (await campaigns()).text()).toBe('{"status":"OK","result":{');
    expect(fm().queuedFaults('getCampaigns')).toBe(0);
    expect((await campaigns()).status).toBe(200);
    const body = await expectError(await campaigns(), 420, /2 requests per 1 hour for resource \/v2\/campaigns/);
    expect(errorProblems('getCampaigns', 420, body)).toEqual([]);
    expect(fm().count('getCampaigns')).toBe(4);
  });
});
