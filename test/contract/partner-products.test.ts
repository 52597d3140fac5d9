/**
 * The product catalogue's getOfferMappings in the copied partner-api spec (./partner-api/), pinned: what the fake
 * Market and the client take from it (the path, the scopes — not `communication` —, the per-minute limit, the paging
 * parameters, the 100 SKUs a request, the enums), and the client's request body checked against the request schema.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE_SCOPES, MAX_OFFER_IDS as CLIENT_MAX_OFFER_IDS } from '../../src/market/products.ts';
import {
  CATALOG_LANGUAGES,
  MAX_OFFER_IDS,
  OFFER_CARD_STATUSES,
  OFFER_PAGE_DEFAULT,
  OFFER_PAGE_MAX,
  PRODUCT_LIMIT_WINDOWS_MS,
  PRODUCT_ROUTES,
  PRODUCT_SCOPES,
  SHOWCASE_TYPES,
} from '../fakes/market-product-types.ts';
import { DEFAULT_LIMITS } from '../fakes/market-server.ts';
import { operationSpec, requestProblems, responseProblems, schemaEnum } from './partner-spec.ts';

describe('getOfferMappings in the spec copy', () => {
  it('is a POST on the path the fake serves, with the scopes it and the client check; communication is not one', () => {
    const op = operationSpec('getOfferMappings');
    expect([...op.scopes].sort()).toEqual([...CATALOGUE_SCOPES].sort());
    expect([op.method, op.operationId, op.deprecated]).toEqual(['POST', 'getOfferMappings', false]);
    const suffix = Object.entries(PRODUCT_ROUTES).find(([, methods]) => methods.POST === 'getOfferMappings')?.[0];
    expect(op.path).toBe(`/v2/businesses/{businessId}/${suffix ?? ''}`);
    expect([...op.scopes].sort()).toEqual([...PRODUCT_SCOPES.getOfferMappings].sort());
    expect(op.scopes).not.toContain('COMMUNICATION');
    expect(op.statuses).toEqual(['200', '400', '401', '403', '404', '420', '500']);
    for (const scope of op.scopes) expect(schemaEnum('ApiKeyScopeType')).toContain(scope);
  });

  it('allows 100 requests a minute on the none tier and 600 on medium, as the fake charges', () => {
    const { limits } = operationSpec('getOfferMappings');
    expect(limits.none).toEqual({ amount: DEFAULT_LIMITS.getOfferMappings, period: '1 minutes' });
    expect(PRODUCT_LIMIT_WINDOWS_MS.getOfferMappings).toBe(60_000);
    expect(limits.medium).toEqual({ amount: 600, period: '1 minutes' });
    expect(limits.parallel).toBeUndefined();
  });

  it('pages by pageToken (alias page_token) and a limit cut to 100, default 50; the body is optional', () => {
    const { parameters, requestBodyRequired } = operationSpec('getOfferMappings');
    expect(parameters['pageToken']).toMatchObject({ in: 'query', aliases: ['pageToken', 'page_token'] });
    expect(parameters['limit']).toMatchObject({
      in: 'query',
      transform: 'truncateLimit',
      schema: { minimum: 1, default: OFFER_PAGE_DEFAULT, maximum: OFFER_PAGE_MAX },
    });
    expect(parameters['language']).toMatchObject({ in: 'query', required: false });
    expect(requestBodyRequired).toBe(false);
  });

  it('takes 1–100 unique SKUs in offerIds, as many as the client sends at once', () => {
    expect(CLIENT_MAX_OFFER_IDS).toBe(MAX_OFFER_IDS);
    const skus = (n: number) => Array.from({ length: n }, (_, i) => `SKU-${i}`);
    expect(requestProblems('getOfferMappings', { offerIds: skus(MAX_OFFER_IDS) })).toEqual([]);
    expect(requestProblems('getOfferMappings', { offerIds: skus(MAX_OFFER_IDS + 1) })).toEqual([
      'offerIds: too many items',
    ]);
    expect(requestProblems('getOfferMappings', { offerIds: [] })).toEqual(['offerIds: too few items']);
    expect(requestProblems('getOfferMappings', { offerIds: ['A', 'A'] })).toEqual(['offerIds: items are not unique']);
    expect(requestProblems('getOfferMappings', { offerIds: [''] })).toEqual([
      'offerIds[0]: does not match ^(?=.*\\S.*)[^\\x00-\\x08\\x0A-\\x1f\\x7f]{1,255}$',
      'offerIds[0]: shorter than 1',
    ]);
  });

  it('has the enums the fake and the client know', () => {
    expect(schemaEnum('ShowcaseType')).toEqual([...SHOWCASE_TYPES]);
    expect(schemaEnum('OfferCardStatusType')).toEqual([...OFFER_CARD_STATUSES]);
    expect(schemaEnum('CatalogLanguageType')).toEqual([...CATALOG_LANGUAGES]);
  });

  it('answers an offer with its SKU required, and links with their type and URL required', () => {
    const answer = (mapping: unknown) => ({ status: 'OK', result: { offerMappings: [mapping] } });
    expect(
      responseProblems(
        'getOfferMappings',
        answer({
          offer: { offerId: 'A', name: 'Kettle' },
          mapping: { marketSku: 1 },
          showcaseUrls: [{ showcaseType: 'B2C', showcaseUrl: 'https://market.yandex.ru/card/a/1' }],
        }),
      ),
    ).toEqual([]);
    expect(responseProblems('getOfferMappings', answer({ offer: { name: 'Kettle' } }))).toEqual([
      'result.offerMappings[0].offer.offerId: required',
    ]);
    expect(
      responseProblems(
        'getOfferMappings',
        answer({ offer: { offerId: 'A' }, showcaseUrls: [{ showcaseType: 'B2C' }] }),
      ),
    ).toEqual(['result.offerMappings[0].showcaseUrls[0].showcaseUrl: required']);
  });
});
