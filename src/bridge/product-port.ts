/**
 * The Market's product catalogue as the core sees it: a product's name and its page on the Market, by the shop's
 * SKU (the `offerId` a review or question carries), for the titles and cards of their topics.
 */

/** A product of the shop as the Market's catalogue names it. */
export interface Product {
  /** The shop's SKU. */
  offerId: string;
  name: string;
  /** The product's page on the Market (the buyers' showcase when it has one). */
  url?: string;
}

/**
 * What a look-up found: the products the catalogue knows (a SKU it does not know is simply absent), or
 * `unavailable` when the catalogue may not be read now (the key lacks the access), with nothing asked.
 */
export type ProductLookup = { kind: 'found'; products: Product[] } | { kind: 'unavailable'; reason: string };

export interface ProductPort {
  /**
   * The products with these SKUs, in one request per 100. A single attempt: a name is a nicety, so a failure
   * (network, 5xx, 420) is thrown at once rather than retried, and the caller goes on without it.
   */
  products(offerIds: readonly string[]): Promise<ProductLookup>;
}
