/**
 * Product names for the topics of reviews and questions, by the shop's SKU: kept in memory and looked up at the Market
 * (`ProductPort`) when a topic is about to be created — at most one look-up per topic, and never an error: a failed
 * or impossible look-up leaves the topic its SKU. The SKUs of threads that are about to get topics are noted first
 * (`want`), so threads found together are named by one look-up; a topic whose SKU a look-up under way already asks
 * for waits for that one instead of starting another.
 */
import type { Log } from './log.ts';
import type { Product, ProductLookup, ProductPort } from './product-port.ts';

/** A SKU the catalogue did not know is asked again after this long (it may have been added meanwhile). */
const MISSING_TTL_MS = 60 * 60 * 1000;
/** SKUs one look-up takes along besides the one needed now. */
const BATCH = 100;

interface Known {
  product?: Product;
  at: number;
}

export class ProductBook {
  private readonly known = new Map<string, Known>();
  private readonly wanted = new Set<string>();
  /** The look-up under way that asks for each SKU. */
  private readonly asking = new Map<string, Promise<void>>();

  /** `port`: none when the service reads no product names (then every find is undefined, with no request). */
  constructor(
    private readonly port: ProductPort | undefined,
    private readonly log: Log,
    private readonly now: () => number,
  ) {}

  /** Notes a SKU a topic may soon need, so that the next look-up asks for it along with its own. */
  want(offerId: string | undefined): void {
    const sku = offerId?.trim();
    if (this.port === undefined || !sku || this.cached(sku) || this.asking.has(sku)) return;
    if (this.wanted.size < BATCH) this.wanted.add(sku);
  }

  /**
   * The product of a SKU: from memory, else from the look-up under way that asks for it, else from a new one (of it
   * and the SKUs wanted meanwhile). Undefined when the catalogue does not know it or could not be read. Never throws.
   */
  async find(offerId: string | undefined): Promise<Product | undefined> {
    const sku = offerId?.trim();
    if (this.port === undefined || !sku) return undefined;
    const cached = this.cached(sku);
    if (cached) return cached.product;
    await (this.asking.get(sku) ?? this.lookUp(this.port, sku));
    return this.known.get(sku)?.product;
  }

  private cached(sku: string): Known | undefined {
    const known = this.known.get(sku);
    if (known === undefined) return undefined;
    return known.product !== undefined || this.now() - known.at < MISSING_TTL_MS ? known : undefined;
  }

  private lookUp(port: ProductPort, sku: string): Promise<void> {
    this.wanted.delete(sku);
    const batch = [sku, ...[...this.wanted].slice(0, BATCH - 1)];
    for (const s of batch) this.wanted.delete(s);
    const run: Promise<void> = Promise.resolve()
      .then(() => port.products(batch))
      .then(
        (lookup) => this.learn(batch, lookup),
        (err: unknown) => this.log.warn({ err, skus: batch.length }, 'could not read product names; titles show SKUs'),
      )
      .finally(() => {
        for (const s of batch) if (this.asking.get(s) === run) this.asking.delete(s);
      });
    for (const s of batch) this.asking.set(s, run);
    return run;
  }

  private learn(batch: readonly string[], lookup: ProductLookup): void {
    if (lookup.kind === 'unavailable') {
      this.log.debug({ reason: lookup.reason }, 'product names cannot be read; titles show SKUs');
      return;
    }
    const found = new Map(lookup.products.map((p) => [p.offerId.trim(), p]));
    const at = this.now();
    for (const sku of batch) {
      const product = found.get(sku);
      this.known.set(sku, product === undefined ? { at } : { product, at });
    }
  }
}
