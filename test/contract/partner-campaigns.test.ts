/**
 * The shop list of the copied partner-api spec (./partner-api/), pinned: what the fake Market and the client take from
 * getCampaigns (path, scopes, limits, both kinds of paging parameters, the enums), and proof that the body checker
 * the fake's conformance tests rely on catches an answer that breaks GetCampaignsResponse.
 */
import { describe, expect, it } from 'vitest';
import { CAMPAIGNS_PAGE_LIMIT } from '../../src/market/campaigns.ts';
import {
  API_AVAILABILITY_STATUSES,
  MAX_CAMPAIGNS_PAGE,
  MAX_CAMPAIGNS_PAGE_NUMBER,
  PLACEMENT_TYPES,
} from '../fakes/market-campaigns.ts';
import { DEFAULT_LIMITS } from '../fakes/market-server.ts';
import { operationSpec, responseProblems, schemaEnum } from './partner-spec.ts';

const shop = () => ({
  domain: 'kettles.ru',
  id: 2001,
  business: { id: 77, name: 'Kettles LLC' },
  placementType: 'FBS',
  apiAvailability: 'AVAILABLE',
});

describe('getCampaigns in the spec copy', () => {
  it('is a GET of /v2/campaigns that every key scope may call, 1 000 times an hour on both tiers', () => {
    const op = operationSpec('getCampaigns');
    expect([op.method, op.path, op.operationId, op.deprecated]).toEqual([
      'GET',
      '/v2/campaigns',
      'getCampaigns',
      false,
    ]);
    expect([...op.scopes].sort()).toEqual(schemaEnum('ApiKeyScopeType').sort());
    expect(op.scopes).toContain('COMMUNICATION');
    expect(op.limits).toEqual({
      none: { amount: DEFAULT_LIMITS.getCampaigns, period: '1 hours' },
      medium: { amount: DEFAULT_LIMITS.getCampaigns, period: '1 hours' },
    });
    expect(op.statuses).toEqual(['200', '400', '401', '403', '404', '420', '500']);
    expect(op.requestBodyRequired).toBe(false);
  });

  it('pages by pageToken (alias page_token) and a limit of 1–100 without default, or by the deprecated page and pageSize', () => {
    const { parameters } = operationSpec('getCampaigns');
    expect(Object.keys(parameters).sort()).toEqual(['limit', 'page', 'pageSize', 'pageToken']);
    expect(parameters['pageToken']).toMatchObject({
      in: 'query',
      required: false,
      aliases: ['pageToken', 'page_token'],
    });
    expect(parameters['limit']?.schema).toEqual({ type: 'integer', format: 'int32', minimum: 1, maximum: 100 });
    expect([CAMPAIGNS_PAGE_LIMIT, MAX_CAMPAIGNS_PAGE]).toEqual([100, 100]);
    expect(parameters['page']?.schema).toEqual({
      type: 'integer',
      format: 'int32',
      default: 1,
      maximum: MAX_CAMPAIGNS_PAGE_NUMBER,
    });
    // pageSize has no maximum in its schema; the operation's description warns against more than 100.
    expect(parameters['pageSize']?.schema).toEqual({ type: 'integer', format: 'int32' });
  });

  it('has the enums the fake knows', () => {
    expect(schemaEnum('PlacementType')).toEqual([...PLACEMENT_TYPES]);
    expect(schemaEnum('ApiAvailabilityStatusType')).toEqual([...API_AVAILABILITY_STATUSES]);
  });
});

describe('the body checker on GetCampaignsResponse', () => {
  it('accepts both pagers and a shop with every field, or none but the required list', () => {
    const pager = { total: 1, from: 1, to: 1, currentPage: 1, pagesCount: 1, pageSize: 100 };
    expect(responseProblems('getCampaigns', { campaigns: [shop()], pager, paging: { nextPageToken: 'x' } })).toEqual(
      [],
    );
    expect(responseProblems('getCampaigns', { campaigns: [{}] })).toEqual([]);
  });

  it('reports a missing list, the status envelope, an undefined field, a bad enum value and an id below 1', () => {
    expect(responseProblems('getCampaigns', {})).toEqual(['campaigns: required']);
    expect(responseProblems('getCampaigns', { status: 'OK', result: { campaigns: [] } })).toEqual([
      'campaigns: required',
      'status: not in the spec',
      'result: not in the spec',
    ]);
    expect(responseProblems('getCampaigns', { campaigns: [{ ...shop(), name: 'Kettles' }] })).toEqual([
      'campaigns[0].name: not in the spec',
    ]);
    expect(responseProblems('getCampaigns', { campaigns: [{ ...shop(), placementType: 'FBW' }] })).toEqual([
      'campaigns[0].placementType: "FBW" is not in the enum',
    ]);
    expect(responseProblems('getCampaigns', { campaigns: [{ ...shop(), business: { id: 0 } }] })).toEqual([
      'campaigns[0].business.id: below minimum',
    ]);
  });
});
