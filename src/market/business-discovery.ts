/**
 * Which cabinet (business) MARKET_API_KEY works for, found from the key alone when MARKET_BUSINESS_ID is not set
 * (issue #14): the shops the key reaches (getCampaigns, campaigns.ts) grouped by their cabinet. The answer is an
 * outcome value with a message for the log or the console, never an exception for what the Market says.
 */
import { listCampaigns } from './campaigns.ts';
import type { MarketCampaign } from './campaigns.ts';
import { MarketCredentialsError, MarketError } from './errors.ts';
import type { MarketConnectionOptions } from './options.ts';

/** A cabinet the key reaches: its id (what MARKET_BUSINESS_ID takes), its name, and the names of its shops. */
export interface DiscoveredBusiness {
  id: number;
  /** Absent when the Market sends none. */
  name?: string;
  /** The shops' names (CampaignDTO.domain) in the Market's order; `campaign <id>` for a shop without one. */
  shops: string[];
}

/**
 * What the key says about its cabinet. `message` is English, for the log or the console:
 * - `one`: the key reaches one cabinet; use `businessId`.
 * - `several`: it reaches more than one; the operator must choose (`message` lists them).
 * - `none`: it reaches no shop, so no cabinet can be named.
 * - `rejected`: the Market refused the key (401/403): MARKET_API_KEY is wrong, revoked or its cabinet inactive.
 * - `unreachable`: the Market could not be asked now or gave no usable answer (network, timeouts, 5xx, 420, a
 *   malformed answer) once retries were spent; `cause` says which.
 */
export type BusinessDiscovery =
  | { kind: 'one'; businessId: number; name?: string; shops: string[]; message: string }
  | { kind: 'several'; businesses: DiscoveredBusiness[]; message: string }
  | { kind: 'none'; message: string }
  | { kind: 'rejected'; message: string; cause: MarketCredentialsError }
  | { kind: 'unreachable'; message: string; cause: MarketError };

/**
 * Finds the cabinet of the key in `options` (the `MarketClient` options without `businessId`: base URL, key, logger,
 * integration, and optionally the shutdown `signal`, timeouts and retries). One getCampaigns request per 100 shops,
 * retried as any read; it holds no connection afterwards.
 *
 * Intended use, at start-up before the `MarketClient` is built, only when MARKET_BUSINESS_ID is empty:
 * - `one`: build the client with `businessId`, and log `message` at info so the operator sees the id chosen;
 * - `several`, `none`, `rejected`: stop with `message` as a configuration error (it names the variable to set or fix);
 * - `unreachable`: stop (or retry later) with `message`; it is not a configuration error.
 * A set MARKET_BUSINESS_ID always wins: the key is then checked against it by the client's start-up check.
 *
 * The spec says an Api-Key lists the shops of its own cabinet only, so `several` is not expected from a key; it is
 * handled rather than trusted away. Throws only what is not the Market's answer: a TypeError for unusable options,
 * an abort of `signal`, a bug.
 */
export async function discoverBusiness(options: MarketConnectionOptions): Promise<BusinessDiscovery> {
  let shops: MarketCampaign[];
  try {
    shops = await listCampaigns(options);
  } catch (err) {
    const failure = failureOf(err);
    if (failure === undefined) throw err;
    return failure;
  }
  return discoveryOf(shops);
}

/** The cabinets behind `shops`, each once, in the order their first shop came. */
function businessesOf(shops: readonly MarketCampaign[]): DiscoveredBusiness[] {
  const byId = new Map<number, DiscoveredBusiness>();
  for (const shop of shops) {
    let business = byId.get(shop.business.id);
    if (business === undefined) {
      business = { id: shop.business.id, shops: [] };
      byId.set(shop.business.id, business);
    }
    if (business.name === undefined && shop.business.name !== undefined) business.name = shop.business.name;
    business.shops.push(shop.domain ?? `campaign ${shop.campaignId}`);
  }
  return [...byId.values()];
}

/** `123 (Shop A: a.ru, b.ru)`, or `123 (a.ru)` for a cabinet without a name. */
function describe(business: DiscoveredBusiness): string {
  const shops = business.shops.join(', ');
  return `${business.id} (${business.name !== undefined ? `${business.name}: ${shops}` : shops})`;
}

function discoveryOf(shops: readonly MarketCampaign[]): BusinessDiscovery {
  const businesses = businessesOf(shops);
  const [only] = businesses;
  if (only === undefined) {
    return {
      kind: 'none',
      message:
        'MARKET_BUSINESS_ID is not set and the key reaches no cabinet: Yandex Market lists no shop for ' +
        'MARKET_API_KEY. Set MARKET_BUSINESS_ID to the id of the cabinet the key was created in.',
    };
  }
  if (businesses.length === 1) {
    return {
      kind: 'one',
      businessId: only.id,
      ...(only.name !== undefined && { name: only.name }),
      shops: only.shops,
      message: `MARKET_BUSINESS_ID is not set; using cabinet ${describe(only)}, the only one the key reaches.`,
    };
  }
  return {
    kind: 'several',
    businesses,
    message:
      `MARKET_BUSINESS_ID is not set and the key reaches ${businesses.length} cabinets: ` +
      `${businesses.map(describe).join(', ')}. Set MARKET_BUSINESS_ID to one of them.`,
  };
}

/** The outcome of a failed shop list; undefined for what is not the Market's answer (a bug, an abort). */
function failureOf(err: unknown): BusinessDiscovery | undefined {
  if (err instanceof MarketCredentialsError) {
    return {
      kind: 'rejected',
      cause: err,
      message:
        `MARKET_API_KEY was rejected by Yandex Market (HTTP ${err.status}: ${err.reason}), so the cabinet could not ` +
        'be found from it. Check the key in the seller cabinet (Settings → API and modules), or set MARKET_BUSINESS_ID.',
    };
  }
  if (err instanceof MarketError) {
    return {
      kind: 'unreachable',
      cause: err,
      message:
        `Could not ask Yandex Market which cabinet MARKET_API_KEY works for: ${err.message.replace(/\.$/, '')}. ` +
        'Check MARKET_API_URL and the network, or set MARKET_BUSINESS_ID.',
    };
  }
  return undefined;
}
