/**
 * The shops (campaigns) of the fake Market (market-server.ts) and the method that lists them, getCampaigns
 * (`GET /v2/campaigns`, spec commit 1318e9b): every shop the Api-Key reaches, each with its cabinet (business) and
 * its name (`domain`). The fake Market routes, authenticates, charges the quota (1 000 an hour) and injects faults for
 * it as for every other method; this module owns the shops and the answer.
 *
 * The key's own business (`FakeMarketOptions.businessId`) has the configured `campaignIds` and the campaign of every
 * chat and order added; `addCampaign` describes one of its shops (name, placement, API availability) or adds a shop
 * of another business. The spec says an Api-Key lists the shops of its own cabinet only; a second business is what
 * other tokens see (an OAuth user's shops may span cabinets), here so that a client can be tested against a list
 * spanning several. Only the own business's shops serve the campaign methods (getOrder); another's are only listed.
 *
 * Where the spec is silent the fake decides:
 * - Shops are listed by campaign id, ascending. A shop added without a name is `shop-<id>.example`; a business
 *   without one is `Business <id>` (the own one `FakeMarketOptions.businessName`, default 'Test business').
 * - Both kinds of paging the spec has: `pageToken` (alias `page_token`) with `limit` 1–100 answers `paging`
 *   (`nextPageToken` only when more shops follow); the deprecated `page` (1–10 000, default 1) with `pageSize`
 *   (1–100, as the description warns) answers `pager`. A request mixing the two kinds is 400. Neither `limit` nor
 *   `pageSize` has a default: without one, the page holds every shop from its start. Without any paging parameter
 *   the answer carries both `pager` and `paging`. A page past the end is empty.
 * - A page token is base64url JSON of the offset, bound to this list; a forged one is 400.
 */
import type { Reject } from './market-review-requests.ts';

/** getCampaigns' hourly quota (`x-resource-limit-config`, both tiers). */
export const CAMPAIGNS_LIMIT = 1000;
/** The largest `limit` and `pageSize`. */
export const MAX_CAMPAIGNS_PAGE = 100;
/** The largest `page` (PageNum's maximum). */
export const MAX_CAMPAIGNS_PAGE_NUMBER = 10_000;
/** The spec's PlacementType. */
export const PLACEMENT_TYPES = ['FBS', 'FBY', 'DBS', 'LAAS'] as const;
/** The spec's ApiAvailabilityStatusType. */
export const API_AVAILABILITY_STATUSES = [
  'AVAILABLE',
  'DISABLED_BY_INACTIVITY',
  'DISABLED_BY_NO_ACTIVE_CONTRACT',
  'MANUALLY_DISABLED',
  'DISABLED_BY_NO_PLACEMENT_TYPE',
] as const;

/** A shop as a test describes it; everything but `id` has a default (the own business, FBS, AVAILABLE). */
export interface FakeCampaignInput {
  id: number;
  businessId?: number;
  /** The business's name; given once per business (a different one later throws). */
  businessName?: string;
  /** The shop's name as the Market reports it (CampaignDTO.domain), e.g. 'shop.ru'. */
  domain?: string;
  placementType?: (typeof PLACEMENT_TYPES)[number];
  apiAvailability?: (typeof API_AVAILABILITY_STATUSES)[number];
}

/** A shop as the fake lists it. */
export interface FakeCampaign {
  readonly id: number;
  readonly businessId: number;
  readonly businessName: string;
  readonly domain: string;
  readonly placementType: (typeof PLACEMENT_TYPES)[number];
  readonly apiAvailability: (typeof API_AVAILABILITY_STATUSES)[number];
}

/** What the fake Market gives its shops. */
export interface FakeCampaignsDeps {
  /** The key's own business. */
  businessId: number;
  businessName: string;
  /** Makes the error the fake Market answers as an ApiErrorResponse with that status. */
  reject: Reject;
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** The shops the key reaches, by campaign id. */
export class FakeCampaigns {
  readonly #deps: FakeCampaignsDeps;
  readonly #byId = new Map<number, FakeCampaign>();
  readonly #businessNames = new Map<number, string>();

  constructor(deps: FakeCampaignsDeps, campaignIds: readonly number[]) {
    this.#deps = deps;
    this.#businessNames.set(deps.businessId, deps.businessName);
    for (const id of campaignIds) this.join(id, 'FakeMarket');
  }

  /** Makes `campaignId` a shop of the own business unless it is one already (a chat's or an order's campaign). */
  join(campaignId: number, caller: string): void {
    if (!isPositiveInt(campaignId)) throw new Error(`${caller}: bad campaignId ${String(campaignId)}`);
    const known = this.#byId.get(campaignId);
    if (known && known.businessId !== this.#deps.businessId) {
      throw new Error(`${caller}: campaign ${campaignId} belongs to business ${known.businessId}`);
    }
    if (!known) this.add({ id: campaignId });
  }

  /**
   * Adds a shop, or describes again one of the same business (its name, placement, availability). Moving a shop to
   * another business, or renaming a business, throws.
   */
  add(input: FakeCampaignInput): FakeCampaign {
    const where = 'FakeMarket.addCampaign';
    if (!isPositiveInt(input.id)) throw new Error(`${where}: bad id ${String(input.id)}`);
    const businessId = input.businessId ?? this.#deps.businessId;
    if (!isPositiveInt(businessId)) throw new Error(`${where}: bad businessId ${String(businessId)}`);
    const known = this.#byId.get(input.id);
    if (known && known.businessId !== businessId) {
      throw new Error(`${where}: campaign ${input.id} belongs to business ${known.businessId}`);
    }
    const named = this.#businessNames.get(businessId);
    if (named !== undefined && input.businessName !== undefined && input.businessName !== named) {
      throw new Error(`${where}: business ${businessId} is named '${named}'`);
    }
    const businessName = named ?? input.businessName ?? `Business ${businessId}`;
    this.#businessNames.set(businessId, businessName);
    const campaign: FakeCampaign = {
      id: input.id,
      businessId,
      businessName,
      domain: input.domain ?? known?.domain ?? `shop-${input.id}.example`,
      placementType: input.placementType ?? known?.placementType ?? 'FBS',
      apiAvailability: input.apiAvailability ?? known?.apiAvailability ?? 'AVAILABLE',
    };
    this.#byId.set(input.id, campaign);
    return campaign;
  }

  /** Whether `campaignId` is a shop of the key's own business (the only ones the campaign methods serve). */
  isOwn(campaignId: number): boolean {
    return this.#byId.get(campaignId)?.businessId === this.#deps.businessId;
  }

  /** Every shop, by campaign id. */
  list(): FakeCampaign[] {
    return [...this.#byId.values()].sort((a, b) => a.id - b.id);
  }

  /** getCampaigns: one page of `list()` as GetCampaignsResponse (no status envelope). */
  execute(query: URLSearchParams): unknown {
    const token = query.get('pageToken') ?? query.get('page_token');
    const limit = this.#size(query, 'limit');
    const pageNumber = this.#number(query, 'page', MAX_CAMPAIGNS_PAGE_NUMBER);
    const pageSize = this.#size(query, 'pageSize');
    const byToken = (token !== null && token !== '') || limit !== undefined;
    const byNumber = pageNumber !== undefined || pageSize !== undefined;
    if (byToken && byNumber) {
      throw this.#deps.reject(400, 'Use either pageToken and limit or page and pageSize, not both');
    }
    const all = this.list();
    const size = (byToken ? limit : pageSize) ?? all.length;
    const offset = byToken ? this.#offset(token) : ((pageNumber ?? 1) - 1) * size;
    const items = all.slice(offset, offset + size);
    const answer: Record<string, unknown> = { campaigns: items.map((c) => this.#dto(c)) };
    if (!byNumber) {
      const next = offset + items.length < all.length ? { nextPageToken: this.#token(offset + items.length) } : {};
      answer['paging'] = next;
    }
    if (!byToken) {
      answer['pager'] = {
        total: all.length,
        from: items.length > 0 ? offset + 1 : 0,
        to: items.length > 0 ? offset + items.length : 0,
        currentPage: pageNumber ?? 1,
        pagesCount: size > 0 ? Math.ceil(all.length / size) : 0,
        pageSize: size,
      };
    }
    return answer;
  }

  #dto(c: FakeCampaign): Record<string, unknown> {
    return {
      domain: c.domain,
      id: c.id,
      business: { id: c.businessId, name: c.businessName },
      placementType: c.placementType,
      apiAvailability: c.apiAvailability,
    };
  }

  /** `limit` or `pageSize`: 1–100 when given. */
  #size(query: URLSearchParams, name: 'limit' | 'pageSize'): number | undefined {
    const n = this.#number(query, name, MAX_CAMPAIGNS_PAGE);
    if (n !== undefined && n < 1) throw this.#deps.reject(400, `Parameter '${name}' must be at least 1`);
    return n;
  }

  #number(query: URLSearchParams, name: string, max: number): number | undefined {
    const raw = query.get(name);
    if (raw === null || raw === '') return undefined;
    if (!/^-?[0-9]+$/.test(raw)) throw this.#deps.reject(400, `Parameter '${name}' must be an integer, got '${raw}'`);
    const n = Number(raw);
    if (n > max)
      throw this.#deps.reject(400, name === 'limit' ? 'Limit exceeded' : `Parameter '${name}' must not exceed ${max}`);
    if (name === 'page' && n < 1) throw this.#deps.reject(400, "Parameter 'page' must be at least 1");
    return n;
  }

  #offset(token: string | null): number {
    if (token === null || token === '') return 0;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      value = undefined;
    }
    const { k, o } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (k !== 'campaigns' || typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      throw this.#deps.reject(400, 'Invalid page token');
    }
    return o;
  }

  #token(offset: number): string {
    return Buffer.from(JSON.stringify({ k: 'campaigns', o: offset }), 'utf8').toString('base64url');
  }
}
