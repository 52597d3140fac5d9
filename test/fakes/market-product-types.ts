/**
 * The product catalogue of the fake Market as tests see it (the state and the method are in market-products.ts):
 * getOfferMappings' operationId, path, scopes and per-minute quota from the spec, its enums and limits, and what a
 * test describes (`products.add`) and inspects.
 */

/** The catalogue's one method, by spec operationId. */
export const PRODUCT_OPERATION_IDS = ['getOfferMappings'] as const;
export type ProductOperationId = (typeof PRODUCT_OPERATION_IDS)[number];

/** Quotas of the spec's `x-resource-limit-config`, `none` tier: per minute, not per hour (`medium` is 600). */
export const PRODUCT_LIMITS: Readonly<Record<ProductOperationId, number>> = { getOfferMappings: 100 };
/** The length of each product method's quota window. */
export const PRODUCT_LIMIT_WINDOWS_MS: Readonly<Record<ProductOperationId, number>> = { getOfferMappings: 60_000 };

/** `x-auth-scopes` in ApiKeyScopeType spelling: the "offers and cards" access or all methods, not `communication`. */
export const PRODUCT_SCOPES: Readonly<Record<ProductOperationId, readonly string[]>> = {
  getOfferMappings: [
    'ALL_METHODS',
    'ALL_METHODS_READ_ONLY',
    'OFFERS_AND_CARDS_MANAGEMENT',
    'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY',
  ],
};

/** Paths below `/v2/businesses/{businessId}/`, each served by POST only (the shape of the fake's route table). */
export const PRODUCT_ROUTES: Readonly<Record<string, Readonly<{ POST: ProductOperationId }>>> = {
  'offer-mappings': { POST: 'getOfferMappings' },
};

/** GetOfferMappingsRequest.offerIds: at most 100. */
export const MAX_OFFER_IDS = 100;
/** PageLimit100Truncate: default 50, more than 100 is cut to 100. */
export const OFFER_PAGE_DEFAULT = 50;
export const OFFER_PAGE_MAX = 100;

/** The spec's OfferCardStatusType. */
export const OFFER_CARD_STATUSES = [
  'HAS_CARD_CAN_NOT_UPDATE',
  'HAS_CARD_CAN_UPDATE',
  'HAS_CARD_CAN_UPDATE_ERRORS',
  'HAS_CARD_CAN_UPDATE_PROCESSING',
  'NO_CARD_NEED_CONTENT',
  'NO_CARD_MARKET_WILL_CREATE',
  'NO_CARD_ERRORS',
  'NO_CARD_PROCESSING',
  'NO_CARD_ADD_TO_CAMPAIGN',
] as const;
export type OfferCardStatus = (typeof OFFER_CARD_STATUSES)[number];
/** The spec's ShowcaseType. */
export const SHOWCASE_TYPES = ['B2B', 'B2C'] as const;
/** The spec's CatalogLanguageType (`language`). */
export const CATALOG_LANGUAGES = ['RU', 'UZ'] as const;

/** A link to the product on one of the Market's showcases (ShowcaseUrlDTO). */
export interface FakeShowcaseUrl {
  showcaseType: (typeof SHOWCASE_TYPES)[number];
  showcaseUrl: string;
}

/** A product of the shop's catalogue, as a test describes it. */
export interface FakeProductInput {
  /** The shop's SKU (ShopSku: 1–255 characters, trimmed). */
  offerId: string;
  /** The product's name (optional in the spec). */
  name?: string;
  /** The Market card the product is bound to; without it the answer has no `mapping`. */
  marketSku?: number;
  /** The card's name (`mapping.marketSkuName`); only with `marketSku`. */
  marketSkuName?: string;
  /** The Market category (`mapping.marketCategoryId`, what `categoryIds` filters); only with `marketSku`. */
  marketCategoryId?: number;
  /** Links to the product on the showcases; none by default. */
  showcaseUrls?: FakeShowcaseUrl[];
  /** Default HAS_CARD_CAN_NOT_UPDATE with `marketSku`, else NO_CARD_NEED_CONTENT. */
  cardStatus?: OfferCardStatus;
  vendor?: string;
  tags?: string[];
  /** In the archive: listed only with `archived: true`, found by `offerIds` all the same. */
  archived?: boolean;
}

/** A product as stored, every default applied. */
export interface FakeProduct extends Omit<FakeProductInput, 'cardStatus' | 'archived' | 'showcaseUrls'> {
  readonly cardStatus: OfferCardStatus;
  readonly archived: boolean;
  readonly showcaseUrls: readonly FakeShowcaseUrl[];
}
