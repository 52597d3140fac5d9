/**
 * Proves the fake Market's product catalogue (market-products.ts) follows the Partner API spec closely enough for the
 * client's tests to trust it: every body checked against the copied spec, the lookup by SKU, the paged list and its
 * filters, the errors, the scope, the per-minute quota and the faults. Talks to the fake with plain `fetch` on
 * loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorProblems, requestProblems, responseProblems } from '../contract/partner-spec.ts';
import { type FakeMarket, type FakeMarketOptions, startFakeMarket } from './market-server.ts';

const API_KEY = 'ACMA:fake-key-for-tests:12345678';
const BUSINESS_ID = 77;
const T = Date.parse('2025-03-15T09:00:00Z');
const CATALOGUE_KEY = ['COMMUNICATION', 'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY'];

type Body = Record<string, unknown>;
interface Mapping {
  offer: { offerId: string; name?: string; archived?: boolean } & Body;
  mapping?: { marketSku: number } & Body;
  showcaseUrls?: Array<{ showcaseType: string; showcaseUrl: string }>;
}
interface MappingList {
  offerMappings: Mapping[];
  paging?: { nextPageToken?: string };
}

let market: FakeMarket | undefined;
let clock = T;

async function start(options: Partial<FakeMarketOptions> = {}) {
  clock = T;
  market = await startFakeMarket({
    apiKey: API_KEY,
    businessId: BUSINESS_ID,
    now: () => clock,
    scopes: CATALOGUE_KEY,
    ...options,
  });
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

function post(json?: unknown, query = '', headers: Record<string, string> = {}): Promise<Response> {
  const all: Record<string, string> = { 'Api-Key': API_KEY, ...headers };
  if (json !== undefined) all['Content-Type'] ??= 'application/json';
  for (const [k, v] of Object.entries(all)) if (v === '') delete all[k];
  return fetch(`${fm().url}/v2/businesses/${BUSINESS_ID}/offer-mappings${query}`, {
    method: 'POST',
    headers: all,
    ...(json !== undefined && { body: typeof json === 'string' ? json : JSON.stringify(json) }),
  });
}

async function mappings(body?: unknown, query = ''): Promise<MappingList> {
  if (body !== undefined && typeof body !== 'string') expect(requestProblems('getOfferMappings', body)).toEqual([]);
  const res = await post(body, query);
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { status: string; result: MappingList };
  expect(responseProblems('getOfferMappings', answer)).toEqual([]);
  expect(answer.status).toBe('OK');
  return answer.result;
}

async function expectError(res: Response, status: number, message?: string | RegExp): Promise<Body> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { status: string; errors?: Array<{ code: string; message?: string }> };
  expect(body.status).toBe('ERROR');
  // 405 and 415 are not among the statuses the spec documents.
  if (status !== 405 && status !== 415) expect(errorProblems('getOfferMappings', status, body)).toEqual([]);
  if (message !== undefined) expect(body.errors?.[0]?.message).toMatch(message);
  return body;
}

const skus = (list: MappingList) => list.offerMappings.map((m) => m.offer.offerId);

describe('getOfferMappings by SKU', () => {
  it('answers the products asked for with their offer, their card and their showcase links, as the spec says; unknown SKUs are absent', async () => {
    await start();
    fm().products.add({
      offerId: 'KETTLE-1',
      name: 'Чайник Bosch TWK 3A011',
      marketSku: 100256,
      marketSkuName: 'Bosch TWK 3A011',
      marketCategoryId: 90586,
      showcaseUrls: [
        { showcaseType: 'B2B', showcaseUrl: 'https://market.yandex.ru/business--kettle/100256' },
        { showcaseType: 'B2C', showcaseUrl: 'https://market.yandex.ru/card/kettle/100256' },
      ],
      vendor: 'Bosch',
    });
    fm().products.add({ offerId: 'BOOT-42', name: 'Boots, size 42' });
    const list = await mappings({ offerIds: ['BOOT-42', 'NOPE-1', 'KETTLE-1'] });
    // The catalogue's order, not the request's.
    expect(skus(list)).toEqual(['KETTLE-1', 'BOOT-42']);
    expect(list.offerMappings[0]).toEqual({
      offer: {
        offerId: 'KETTLE-1',
        name: 'Чайник Bosch TWK 3A011',
        vendor: 'Bosch',
        cardStatus: 'HAS_CARD_CAN_NOT_UPDATE',
        archived: false,
      },
      mapping: { marketSku: 100256, marketSkuName: 'Bosch TWK 3A011', marketCategoryId: 90586 },
      showcaseUrls: [
        { showcaseType: 'B2B', showcaseUrl: 'https://market.yandex.ru/business--kettle/100256' },
        { showcaseType: 'B2C', showcaseUrl: 'https://market.yandex.ru/card/kettle/100256' },
      ],
    });
    // Not bound to a card: no mapping, no links.
    expect(list.offerMappings[1]).toEqual({
      offer: { offerId: 'BOOT-42', name: 'Boots, size 42', cardStatus: 'NO_CARD_NEED_CONTENT', archived: false },
    });
    expect(list.paging?.nextPageToken).toBeUndefined();
    expect(skus(await mappings({ offerIds: ['NOPE-1'] }))).toEqual([]);
  });

  it('trims the SKUs asked for and finds archived products too', async () => {
    await start();
    fm().products.add({ offerId: 'OLD-1', name: 'Old kettle', archived: true });
    expect(skus(await mappings({ offerIds: ['  OLD-1 '] }))).toEqual(['OLD-1']);
    expect(skus(await mappings({}))).toEqual([]);
  });

  it('takes up to 100 unique SKUs and refuses 101, duplicates, an empty list and a SKU the spec does not allow, with the Market’s envelope', async () => {
    await start();
    const hundred = Array.from({ length: 100 }, (_, i) => `SKU-${i}`);
    expect(skus(await mappings({ offerIds: hundred }))).toEqual([]);
    const tooMany = [...hundred, 'SKU-100'];
    expect(requestProblems('getOfferMappings', { offerIds: tooMany })).toEqual(['offerIds: too many items']);
    await expectError(await post({ offerIds: tooMany }), 400, "'offerIds' must have at most 100 items");
    await expectError(await post({ offerIds: ['A', 'A'] }), 400, /unique/);
    await expectError(await post({ offerIds: ['A', ' A'] }), 400, /unique/);
    await expectError(await post({ offerIds: [] }), 400, /non-empty/);
    await expectError(await post({ offerIds: ['   '] }), 400, /invalid value/);
    await expectError(await post({ offerIds: ['x'.repeat(256)] }), 400, /invalid value/);
    await expectError(await post({ offerIds: [42] }), 400, /invalid value/);
  });

  it('refuses SKUs combined with paging or a filter, which the spec says not to send together', async () => {
    await start();
    await expectError(await post({ offerIds: ['A'] }, '?limit=10'), 400, "'offerIds' cannot be combined with limit");
    await expectError(await post({ offerIds: ['A'] }, '?page_token=x'), 400, /page_token/);
    await expectError(await post({ offerIds: ['A'], archived: true }), 400, /archived/);
    await expectError(await post({ offerIds: ['A'], vendorNames: ['Bosch'] }), 400, /vendorNames/);
  });
});

describe('getOfferMappings as a list', () => {
  it('lists the catalogue but the archive without a body, 50 a page by default, with pageToken or page_token', async () => {
    await start();
    for (let i = 1; i <= 120; i++) fm().products.add({ offerId: `P-${i}`, name: `Product ${i}` });
    fm().products.add({ offerId: 'ARCHIVED-1', archived: true });
    const first = await mappings();
    expect(first.offerMappings).toHaveLength(50);
    const second = await mappings(undefined, `?pageToken=${first.paging?.nextPageToken ?? ''}`);
    expect(skus(second)[0]).toBe('P-51');
    const third = await mappings({}, `?page_token=${second.paging?.nextPageToken ?? ''}`);
    expect(skus(third)).toEqual(Array.from({ length: 20 }, (_, i) => `P-${101 + i}`));
    expect(third.paging?.nextPageToken).toBeUndefined();
    expect(skus(await mappings({ archived: true }))).toEqual(['ARCHIVED-1']);
  });

  it('cuts a limit above 100 to 100 and refuses one below 1 or a bad page token', async () => {
    await start();
    for (let i = 1; i <= 120; i++) fm().products.add({ offerId: `P-${i}` });
    expect((await mappings({}, '?limit=500')).offerMappings).toHaveLength(100);
    expect((await mappings({}, '?limit=3')).offerMappings).toHaveLength(3);
    await expectError(await post({}, '?limit=0'), 400, /at least 1/);
    await expectError(await post({}, '?pageToken=not-a-token'), 400, 'Invalid page token');
  });

  it('filters by card status, category, brand and tag', async () => {
    await start();
    fm().products.add({ offerId: 'A', marketSku: 1, marketCategoryId: 10, vendor: 'Bosch', tags: ['kitchen'] });
    fm().products.add({ offerId: 'B', vendor: 'Tefal', tags: ['sale'] });
    expect(skus(await mappings({ cardStatuses: ['NO_CARD_NEED_CONTENT'] }))).toEqual(['B']);
    expect(skus(await mappings({ categoryIds: [10] }))).toEqual(['A']);
    expect(skus(await mappings({ vendorNames: ['Tefal', 'Nobody'] }))).toEqual(['B']);
    expect(skus(await mappings({ tags: ['kitchen'] }))).toEqual(['A']);
    await expectError(await post({ cardStatuses: ['ON_SALE'] }), 400, /cardStatuses/);
    await expectError(await post({ categoryIds: [0] }), 400, /categoryIds/);
  });

  it('takes a language of RU or UZ only, and refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    await start();
    fm().products.add({ offerId: 'A', name: 'Чайник' });
    expect(skus(await mappings({ offerIds: ['A'] }, '?language=UZ'))).toEqual(['A']);
    await expectError(await post({}, '?language=EN'), 400, /language/);
    await expectError(await post('{"offerIds":'), 400, 'Request body is not valid JSON');
    await expectError(await post('[]'), 400, /JSON object/);
    await expectError(await post('{}', '', { 'Content-Type': 'text/plain' }), 415);
  });
});

describe('access, quota and faults', () => {
  const remaining = (res: Response) => Number(res.headers.get('x-ratelimit-resource-remaining'));

  it('needs the "offers and cards" access or all methods: a communication-only key gets 403, until the key is edited', async () => {
    await start({ scopes: ['COMMUNICATION'] });
    fm().products.add({ offerId: 'A', name: 'Kettle' });
    const refused = await post({ offerIds: ['A'] });
    expect(refused.headers.get('x-ratelimit-resource-limit')).toBe('100');
    await expectError(refused, 403, 'Token does not have any of the scopes to access the API method');
    fm().setScopes(['COMMUNICATION', 'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY']);
    expect(skus(await mappings({ offerIds: ['A'] }))).toEqual(['A']);
    fm().setScopes(['ALL_METHODS_READ_ONLY']);
    expect(skus(await mappings({ offerIds: ['A'] }))).toEqual(['A']);
    fm().setScopes(['INVENTORY_AND_ORDER_PROCESSING_READ_ONLY']);
    await expectError(await post({ offerIds: ['A'] }), 403);
    const unauthorised = await post({}, '', { 'Api-Key': '' });
    await expectError(unauthorised, 401, 'Credentials are not specified');
  });

  it('serves only POST on the spec’s path', async () => {
    await start();
    const get = await fetch(`${fm().url}/v2/businesses/${BUSINESS_ID}/offer-mappings`, {
      headers: { 'Api-Key': API_KEY },
    });
    await expectError(get, 405);
    expect(get.headers.get('allow')).toBe('POST');
    const v1 = await fetch(`${fm().url}/v1/businesses/${BUSINESS_ID}/offer-mappings`, { method: 'POST' });
    expect(v1.status).toBe(404);
  });

  it('charges 100 a minute, 4xx included, then answers 420 until the minute is over', async () => {
    await start();
    const first = await post({ offerIds: ['A'] });
    expect([first.headers.get('x-ratelimit-resource-limit'), remaining(first)]).toEqual(['100', 99]);
    expect(first.headers.get('x-ratelimit-resource-until')).toBe(new Date(T + 60_000).toUTCString());
    const bad = await post({ offerIds: [] });
    expect([bad.status, remaining(bad)]).toEqual([400, 98]);
    fm().setQuotaRemaining('getOfferMappings', 1);
    expect(remaining(await post({ offerIds: ['A'] }))).toBe(0);
    await expectError(
      await post({ offerIds: ['A'] }),
      420,
      `Hit rate limit of 100 requests per 1 minute for resource /v2/businesses/${BUSINESS_ID}/offer-mappings`,
    );
    clock = T + 60_000;
    const fresh = await post({ offerIds: ['A'] });
    expect([fresh.status, remaining(fresh)]).toEqual([200, 99]);
  });

  it('injects faults: 420 with its window, 500, a malformed answer', async () => {
    await start();
    fm().failNext('getOfferMappings', { status: 420, untilMs: T + 5000 });
    const limited = await post({ offerIds: ['A'] });
    expect(limited.headers.get('x-ratelimit-resource-until')).toBe(new Date(T + 5000).toUTCString());
    await expectError(limited, 420, /per 1 minute/);
    fm().failNext('getOfferMappings', { status: 500 });
    await expectError(await post({ offerIds: ['A'] }), 500);
    fm().failNext('getOfferMappings', { malformed: true });
    const broken = await post({ offerIds: ['A'] });
    expect(broken.status).toBe(200);
    await expect(broken.json()).rejects.toThrow();
    expect(fm().count('getOfferMappings')).toBe(3);
  });
});
