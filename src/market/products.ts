/**
 * Product names and links for the topics of reviews and questions: the bridge's `ProductPort` through getOfferMappings
 * (`POST /v2/businesses/{businessId}/offer-mappings`, 100 SKUs a request, 100 requests a minute on the lower tier).
 * Reads go through the client's one retry point with a single attempt (`once`): a name is a nicety, and a topic never
 * waits for it. The method needs the "offers and cards" access (Товары и карточки; read-only is enough) or all
 * methods, not `communication`: a key without it is known from its scopes (getAuthTokenInfo) or from a 403, which is
 * neither retried nor fatal. The catalogue is then not asked for an hour, and titles show the SKU.
 */
import type { Logger } from 'pino';
import type { Product, ProductLookup, ProductPort } from '../bridge/product-port.ts';
import { MarketApiError } from './errors.ts';
import type { Read } from './orders.ts';
import { getOfferMappingsResponseSchema } from './product-schemas.ts';

/** getOfferMappings' `x-auth-scopes` in ApiKeyScopeType spelling (spec commit 1318e9b); `communication` is not one. */
export const CATALOGUE_SCOPES = [
  'ALL_METHODS',
  'ALL_METHODS_READ_ONLY',
  'OFFERS_AND_CARDS_MANAGEMENT',
  'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY',
] as const;

/** GetOfferMappingsRequest.offerIds: at most 100 a request. */
export const MAX_OFFER_IDS = 100;

/** What to do about a key without the access, for logs and the start-up check. */
export const CATALOGUE_ACCESS_HINT =
  'product names and links in the titles and cards of reviews and questions need the "offers and cards" access ' +
  '(Товары и карточки, "offers-and-cards-management:read-only" is enough) on MARKET_API_KEY; until then they show the SKU';

/** How long a key known to lack the access is not asked again (the Market applies edits to a key within 10 minutes). */
const RECHECK_MS = 60 * 60 * 1000;
/** ShopSku: a visible character, no control characters but tab, 1–255 characters; one bad SKU would spoil a request. */
// eslint-disable-next-line no-control-regex -- the spec's own pattern
const SHOP_SKU = /^(?=.*\S.*)[^\x00-\x08\x0A-\x1f\x7f]{1,255}$/;

export interface ProductReaderDeps {
  businessId: number;
  /** A read through the client's one retry point. */
  read: Read;
  now: () => number;
  log: Logger;
}

/** Looks products up by SKU and keeps track of whether the key may. */
export class ProductReader implements ProductPort {
  readonly #deps: ProductReaderDeps;
  /** When the key was last known to lack the access. */
  #deniedAt: number | undefined;
  /** What was last said about the access: once per change. */
  #announced: 'denied' | 'allowed' | undefined;

  constructor(deps: ProductReaderDeps) {
    this.#deps = deps;
  }

  /** Learns the key's scopes from a getAuthTokenInfo answer (the start-up check's, which warns about them). */
  noteScopes(scopes: readonly string[]): void {
    const known = new Set(scopes.map((s) => s.toUpperCase()));
    if (CATALOGUE_SCOPES.some((s) => known.has(s))) {
      this.#deniedAt = undefined;
    } else {
      this.#deniedAt = this.#deps.now();
      this.#announced = 'denied';
    }
  }

  /**
   * The products with these SKUs (trimmed, each asked once), 100 a request; a SKU the catalogue does not know, or
   * whose product has no name, is absent. `unavailable` without a request while the key is known to lack the access.
   * A 403 is remembered; any other failure is thrown after one attempt.
   */
  async products(offerIds: readonly string[]): Promise<ProductLookup> {
    const skus = [...new Set(offerIds.map((s) => s.trim()))].filter((s) => SHOP_SKU.test(s));
    if (skus.length === 0) return { kind: 'found', products: [] };
    if (this.#deniedAt !== undefined && this.#deps.now() - this.#deniedAt < RECHECK_MS) {
      return { kind: 'unavailable', reason: 'MARKET_API_KEY lacks the "offers and cards" access' };
    }
    const products: Product[] = [];
    for (let i = 0; i < skus.length; i += MAX_OFFER_IDS) {
      try {
        products.push(...(await this.#ask(skus.slice(i, i + MAX_OFFER_IDS))));
      } catch (err) {
        if (!(err instanceof MarketApiError && err.status === 403)) throw err;
        this.#deny(err.reason);
        return { kind: 'unavailable', reason: err.reason };
      }
    }
    if (this.#announced === 'denied') {
      this.#deps.log.info({ operation: 'getOfferMappings' }, 'product names are read from the catalogue again');
    }
    this.#announced = 'allowed';
    this.#deniedAt = undefined;
    return { kind: 'found', products };
  }

  #ask(offerIds: string[]): Promise<Product[]> {
    return this.#deps.read(
      {
        operation: 'getOfferMappings',
        method: 'POST',
        path: `/v2/businesses/${this.#deps.businessId}/offer-mappings`,
        json: { offerIds },
      },
      getOfferMappingsResponseSchema,
      { forbiddenIsFatal: false, once: true },
    );
  }

  #deny(reason: string): void {
    this.#deniedAt = this.#deps.now();
    if (this.#announced === 'denied') return;
    this.#announced = 'denied';
    this.#deps.log.warn({ operation: 'getOfferMappings', reason }, CATALOGUE_ACCESS_HINT);
  }
}
