/**
 * zod schema for the answer of getOfferMappings, mapped onto the bridge's `Product`. Tolerant like the other schemas
 * (schemas.ts): extra fields are stripped, optional ones may be null, an unknown showcase type is 'UNKNOWN', and a
 * showcase URL that is not an http(s) URL is dropped rather than linked. A product without a name (the offer's, else
 * its Market card's) is left out: there is nothing to show for it. The SKU and the envelope's `result` are enforced.
 */
import { z } from 'zod';
import type { Product } from '../bridge/product-port.ts';
import { envelope, optional, tolerantEnum } from './schemas.ts';

/** ShowcaseUrlDTO; only http(s) links are kept. */
const showcaseUrl = z.object({
  showcaseType: tolerantEnum(['B2C', 'B2B']),
  showcaseUrl: z.string(),
});

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** GetOfferMappingDTO → Product, or undefined when it names no product. The buyers' (B2C) showcase is preferred. */
const offerMappingSchema = z
  .object({
    offer: z.object({ offerId: z.string(), name: optional(z.string()) }),
    mapping: optional(z.object({ marketSkuName: optional(z.string()) })),
    showcaseUrls: optional(z.array(showcaseUrl)),
  })
  .transform((m): Product | undefined => {
    const name = m.offer.name?.trim() || m.mapping?.marketSkuName?.trim();
    if (!name) return undefined;
    const links = (m.showcaseUrls ?? []).filter((u) => isWebUrl(u.showcaseUrl));
    const url = (links.find((u) => u.showcaseType === 'B2C') ?? links[0])?.showcaseUrl;
    return { offerId: m.offer.offerId.trim(), name, ...(url !== undefined && { url }) };
  });

/** getOfferMappings: POST /v2/businesses/{businessId}/offer-mappings, the products it names. */
export const getOfferMappingsResponseSchema = envelope(
  z.object({ offerMappings: z.array(offerMappingSchema) }),
).transform((r) => r.result.offerMappings.filter((p): p is Product => p !== undefined));
