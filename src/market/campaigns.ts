/**
 * The shops (campaigns) the Api-Key reaches, each with its cabinet (business): getCampaigns (`GET /v2/campaigns`,
 * 1 000 requests an hour, allowed to every key scope), all pages. The method names no cabinet, so it can be asked
 * before MARKET_BUSINESS_ID is known: `listCampaigns` asks with the client's options minus `businessId`, through a
 * transport, quota and retry point of its own that live for this one call; `MarketClient.campaigns` asks through the
 * client's.
 */
import { z } from 'zod';
import { MarketSchemaError } from './errors.ts';
import { resolveConnection } from './options.ts';
import type { MarketConnectionOptions } from './options.ts';
import type { Read } from './orders.ts';
import { readThrough } from './outcomes.ts';
import { QuotaTracker } from './quota.ts';
import { ReadRetry } from './retry.ts';
import { optional, pagingSchema } from './schemas.ts';
import { MarketTransport } from './transport.ts';

/** The page asked for: PageLimit100WithoutDefault's maximum (the Market has no default, so it is always sent). */
export const CAMPAIGNS_PAGE_LIMIT = 100;
/** Pages read at most (10 000 shops, far more than a cabinet has), so a Market that keeps paging cannot loop us. */
const MAX_PAGES = 100;

/**
 * A shop the key reaches. `campaignId` is the Market's id of the shop (campaign); `business.id` is its cabinet's,
 * the id MARKET_BUSINESS_ID takes. The spec makes every field optional; a shop without its id or its cabinet's id
 * is a `MarketSchemaError`, as the bridge cannot use it.
 */
export interface MarketCampaign {
  campaignId: number;
  /** The shop's name as the Market reports it (CampaignDTO.domain), e.g. 'shop.ru'; absent when it sends none. */
  domain?: string;
  business: { id: number; name?: string };
}

const id = z.number().int().positive();

/** CampaignDTO → MarketCampaign; placementType, apiAvailability and the deprecated clientId are not needed. */
const campaignSchema = z
  .object({
    id,
    domain: optional(z.string()),
    business: z.object({ id, name: optional(z.string()) }),
  })
  .transform((c): MarketCampaign => {
    const business: MarketCampaign['business'] = { id: c.business.id };
    if (c.business.name !== undefined) business.name = c.business.name;
    return c.domain !== undefined ? { campaignId: c.id, domain: c.domain, business } : { campaignId: c.id, business };
  });

/** getCampaigns: GetCampaignsResponse, without the status envelope. The deprecated page-number `pager` is not read. */
export const getCampaignsResponseSchema = z.object({ campaigns: z.array(campaignSchema), paging: pagingSchema });

/**
 * Every shop `read` reaches, in the Market's order, each once: page after page by `pageToken` (the spec's preferred
 * paging) until a page comes without `nextPageToken`. A token the Market already gave, or more than 100 pages, is a
 * `MarketSchemaError` rather than a loop.
 */
export async function readCampaigns(read: Read): Promise<MarketCampaign[]> {
  const shops = new Map<number, MarketCampaign>();
  const tokens = new Set<string>();
  let pageToken: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await read(
      {
        operation: 'getCampaigns',
        method: 'GET',
        path: '/v2/campaigns',
        query: { limit: CAMPAIGNS_PAGE_LIMIT, pageToken },
      },
      getCampaignsResponseSchema,
    );
    for (const shop of page.campaigns) if (!shops.has(shop.campaignId)) shops.set(shop.campaignId, shop);
    if (page.paging === undefined) return [...shops.values()];
    if (tokens.has(page.paging) || pages >= MAX_PAGES) {
      const message = tokens.has(page.paging) ? 'a page token given before' : `more than ${MAX_PAGES} pages`;
      throw new MarketSchemaError('getCampaigns', [{ code: 'custom', path: ['paging', 'nextPageToken'], message }]);
    }
    tokens.add(page.paging);
    pageToken = page.paging;
  }
}

/**
 * Every shop the key reaches, asked before a cabinet is chosen: the client's options without `businessId`, a
 * transport (and HTTP agent, closed when done), quota and retry point of its own. Fails as a `MarketClient` read
 * does: `MarketCredentialsError` for 401/403, `MarketNetworkError`, `MarketApiError`, `MarketRateLimitError` or
 * `MarketSchemaError` once retries are spent; a TypeError for options that cannot work.
 */
export async function listCampaigns(options: MarketConnectionOptions): Promise<MarketCampaign[]> {
  const settings = resolveConnection(options);
  const quota = new QuotaTracker(settings.now);
  const transport = new MarketTransport(settings, quota);
  const read = readThrough({
    transport,
    retry: new ReadRetry(settings, quota),
    errors: { quota, now: settings.now, redact: (text) => transport.redact(text) },
  });
  try {
    return await readCampaigns(read);
  } finally {
    await transport.close();
  }
}
