/**
 * The product catalogue of the fake Market (market-server.ts): the shop's goods as getOfferMappings
 * (`POST /v2/businesses/{businessId}/offer-mappings`, spec commit 1318e9b) serves them — each product's `offer` (its
 * SKU, name, card status…), its `mapping` to a Market card, and its `showcaseUrls`. The fake Market routes,
 * authenticates, checks the key's scope (the "offers and cards" access or all methods: a `communication`-only key
 * gets 403), charges the quota (the spec's `none` tier: 100 a minute) and injects faults for it as for every other
 * method; this module owns the catalogue, the answer and the test's handle on it (`market.products`). The spec's
 * constants and the types tests use are in market-product-types.ts.
 *
 * Tests build the catalogue with `add` (and `remove`), and inspect it with `product`/`all`.
 *
 * Where the spec is silent the fake decides:
 * - The body is optional: none (or `{}`) lists the whole catalogue but the archive, in pages.
 * - `offerIds` (1–100 unique ShopSkus, trimmed) returns those products whole, archived ones included, in the
 *   catalogue's order (the order they were added), not the request's; unknown ids are simply absent. The spec says
 *   not to combine it with `pageToken`, `limit` or the filters: the fake refuses that with 400.
 * - Without `offerIds` the filters (`cardStatuses`, `categoryIds`, `vendorNames`, `tags`, `archived`) all apply; a
 *   page token is an offset, bound to this list; `limit` above 100 is cut to 100 (`x-transform: truncateLimit`),
 *   below 1 is 400; `nextPageToken` only when more exist.
 * - `language` (RU or UZ) is checked and otherwise ignored: names come back as added.
 */
import { ReviewRequestReader, isPositiveInt, shopSku, type Reject } from './market-review-requests.ts';
import {
  CATALOG_LANGUAGES,
  MAX_OFFER_IDS,
  OFFER_CARD_STATUSES,
  OFFER_PAGE_DEFAULT,
  OFFER_PAGE_MAX,
  SHOWCASE_TYPES,
  type FakeProduct,
  type FakeProductInput,
  type ProductOperationId,
} from './market-product-types.ts';

/** What the fake Market gives its catalogue. */
export interface FakeProductsDeps {
  /** Makes the error the fake Market answers as an ApiErrorResponse with that status. */
  reject: Reject;
}

const FILTERS = ['cardStatuses', 'categoryIds', 'vendorNames', 'tags', 'archived'] as const;

const nonEmptyString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The catalogue of one fake Market: its one method and the helpers tests use. */
export class FakeProducts {
  private readonly read: ReviewRequestReader;
  private readonly reject: Reject;
  /** By offerId, in the order added. */
  private readonly products = new Map<string, FakeProduct>();

  constructor(deps: FakeProductsDeps) {
    this.reject = deps.reject;
    this.read = new ReviewRequestReader(deps.reject);
  }

  // --- world set-up ---------------------------------------------------------------------------------

  /** Adds a product to the catalogue, or replaces the one with its SKU (which keeps its place). */
  add(input: FakeProductInput): FakeProduct {
    const offerId = shopSku(input.offerId);
    if (offerId === undefined || offerId !== input.offerId) {
      throw new Error(`FakeMarket.products.add: bad offerId ${JSON.stringify(input.offerId)}`);
    }
    if (input.marketSku !== undefined && !isPositiveInt(input.marketSku)) {
      throw new Error('FakeMarket.products.add: marketSku must be a positive integer');
    }
    if ((input.marketSkuName ?? input.marketCategoryId) !== undefined && input.marketSku === undefined) {
      throw new Error('FakeMarket.products.add: marketSkuName and marketCategoryId need marketSku');
    }
    if (input.marketCategoryId !== undefined && !isPositiveInt(input.marketCategoryId)) {
      throw new Error('FakeMarket.products.add: marketCategoryId must be a positive integer');
    }
    for (const url of input.showcaseUrls ?? []) {
      if (!SHOWCASE_TYPES.includes(url.showcaseType) || url.showcaseUrl === '') {
        throw new Error(`FakeMarket.products.add: bad showcase URL ${JSON.stringify(url)}`);
      }
    }
    const product: FakeProduct = {
      ...input,
      cardStatus:
        input.cardStatus ?? (input.marketSku === undefined ? 'NO_CARD_NEED_CONTENT' : 'HAS_CARD_CAN_NOT_UPDATE'),
      archived: input.archived ?? false,
      showcaseUrls: (input.showcaseUrls ?? []).map((u) => ({ ...u })),
      ...(input.tags !== undefined && { tags: [...input.tags] }),
    };
    this.products.set(offerId, product);
    return product;
  }

  /** Takes a product out of the catalogue; false when there was none with that SKU. */
  remove(offerId: string): boolean {
    return this.products.delete(offerId);
  }

  /** A product as stored, or undefined. */
  product(offerId: string): FakeProduct | undefined {
    return this.products.get(offerId);
  }

  /** Every product, in the catalogue's order. */
  all(): FakeProduct[] {
    return [...this.products.values()];
  }

  // --- the method -----------------------------------------------------------------------------------

  /** Answers one request of getOfferMappings with its 200 body, or throws the fake's rejection. */
  execute(
    _operation: ProductOperationId,
    query: URLSearchParams,
    contentType: string | undefined,
    raw: Buffer,
  ): unknown {
    const language = query.get('language');
    if (language !== null && !CATALOG_LANGUAGES.some((l) => l === language)) {
      throw this.read.bad(`Parameter 'language' must be one of ${CATALOG_LANGUAGES.join(', ')}`);
    }
    const body = this.read.body(contentType, raw, false);
    const offerIds = this.read.array(body, 'offerIds', shopSku, MAX_OFFER_IDS);
    const cardStatuses = this.read.array(
      body,
      'cardStatuses',
      (v) => OFFER_CARD_STATUSES.find((s) => s === v),
      OFFER_CARD_STATUSES.length,
    );
    const int32 = (v: unknown) => (isPositiveInt(v) && v <= 2 ** 31 - 1 ? v : undefined);
    const categoryIds = this.read.array(body, 'categoryIds', int32, Number.MAX_SAFE_INTEGER);
    const vendorNames = this.read.array(body, 'vendorNames', nonEmptyString, Number.MAX_SAFE_INTEGER);
    const tags = this.read.array(body, 'tags', nonEmptyString, Number.MAX_SAFE_INTEGER);
    const archived = this.read.optionalBoolean(body, 'archived');

    if (offerIds !== undefined) {
      const paged = ['pageToken', 'page_token', 'limit'].filter((key) => query.has(key));
      const filtered = FILTERS.filter((key) => body[key] !== undefined && body[key] !== null);
      const others = [...paged, ...filtered];
      if (others.length > 0) throw this.read.bad(`'offerIds' cannot be combined with ${others.join(', ')}`);
      const found = this.all().filter((p) => offerIds.includes(p.offerId));
      return { status: 'OK', result: { offerMappings: found.map(mappingDto), paging: {} } };
    }

    const limit = this.limit(query);
    const offset = this.offset(query);
    const matching = this.all().filter(
      (p) =>
        p.archived === (archived ?? false) &&
        (!cardStatuses || cardStatuses.includes(p.cardStatus)) &&
        (!categoryIds || (p.marketCategoryId !== undefined && categoryIds.includes(p.marketCategoryId))) &&
        (!vendorNames || (p.vendor !== undefined && vendorNames.includes(p.vendor))) &&
        (!tags || (p.tags ?? []).some((t) => tags.includes(t))),
    );
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? token(offset + limit) : undefined;
    return {
      status: 'OK',
      result: { offerMappings: page.map(mappingDto), paging: next === undefined ? {} : { nextPageToken: next } },
    };
  }

  /** PageLimit100Truncate: default 50, above 100 cut to 100, below 1 refused. */
  private limit(query: URLSearchParams): number {
    const raw = query.get('limit');
    if (raw === null || raw === '') return OFFER_PAGE_DEFAULT;
    if (!/^-?[0-9]+$/.test(raw)) throw this.read.bad(`Parameter 'limit' must be an integer, got '${raw}'`);
    const n = Number(raw);
    if (n < 1) throw this.read.bad("Parameter 'limit' must be at least 1");
    return Math.min(n, OFFER_PAGE_MAX);
  }

  /** The offset a page token (`pageToken` or its alias `page_token`) carries; 0 without one. */
  private offset(query: URLSearchParams): number {
    const raw = query.get('pageToken') ?? query.get('page_token');
    if (raw === null || raw === '') return 0;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      throw this.reject(400, 'Invalid page token');
    }
    const t = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const o = t['o'];
    if (t['k'] !== 'offers' || typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      throw this.reject(400, 'Invalid page token');
    }
    return o;
  }
}

function token(offset: number): string {
  return Buffer.from(JSON.stringify({ k: 'offers', o: offset }), 'utf8').toString('base64url');
}

/** GetOfferMappingDTO: the offer, its mapping to a Market card when bound to one, and its showcase links. */
function mappingDto(p: FakeProduct): Record<string, unknown> {
  return {
    offer: {
      offerId: p.offerId,
      ...(p.name !== undefined && { name: p.name }),
      ...(p.vendor !== undefined && { vendor: p.vendor }),
      ...(p.tags !== undefined && p.tags.length > 0 && { tags: [...p.tags] }),
      cardStatus: p.cardStatus,
      archived: p.archived,
    },
    ...(p.marketSku !== undefined && {
      mapping: {
        marketSku: p.marketSku,
        ...(p.marketSkuName !== undefined && { marketSkuName: p.marketSkuName }),
        ...(p.marketCategoryId !== undefined && { marketCategoryId: p.marketCategoryId }),
      },
    }),
    ...(p.showcaseUrls.length > 0 && { showcaseUrls: p.showcaseUrls.map((u) => ({ ...u })) }),
  };
}
