/**
 * The Market checks: the API key works, has the "communication" scope, and reaches the cabinet of
 * MARKET_BUSINESS_ID. A key or cabinet a person must fix stops the start; a Market that cannot be asked now
 * (network, 5xx) does not: the poller retries and reports. A key without an order-processing scope is warned
 * that the order on the cards ends with getOrder's shutdown, and one without the "offers and cards" access that
 * reviews and questions show SKUs instead of product names.
 */
import { FatalError } from '../bridge/ports.ts';
import type { MarketClient, TokenInfo } from '../market/client.ts';
import { MarketCredentialsError } from '../market/errors.ts';
import { GET_ORDER_SHUTDOWN_DATE, ORDER_PROCESSING_SCOPES } from '../market/orders.ts';
import { CATALOGUE_SCOPES } from '../market/products.ts';
import { fail, pass, problemOf, skip, type CheckResult } from './check.ts';

export const MARKET_CHECKS = {
  key: 'Market API key',
  scope: 'Market key scope',
  business: 'Market business id',
} as const;

type MarketProbe = Pick<MarketClient, 'listChats' | 'getTokenInfo'>;

export interface MarketCheckOptions {
  businessId: number;
  /** MARKET_API_URL, named when the Market cannot be reached. */
  apiUrl: string;
  /** Reviews or questions get topics, whose titles and cards name the product when the key may read it. */
  productNames?: boolean;
}

/**
 * `ok`: the key works. `failed`: a person must fix something (`problem` says what). `unchecked`: the Market
 * could not be asked now (network, 5xx); the poller will retry and report.
 */
export type MarketPreflight =
  | { status: 'ok'; warnings: string[] }
  | { status: 'failed'; problem: string; cause?: unknown }
  | { status: 'unchecked'; cause: unknown };

/** The start-up check, over the same checks as the doctor's. */
export async function checkMarket(market: MarketProbe, o: MarketCheckOptions): Promise<MarketPreflight> {
  const { results, info } = await marketChecks(market, o);
  const failed = results.find((r) => !r.ok);
  if (failed?.fatal) return { status: 'failed', problem: problemOf(failed), cause: failed.cause };
  if (failed) return { status: 'unchecked', cause: failed.cause };
  return { status: 'ok', warnings: info ? scopeWarnings(info, o) : [] };
}

/** The key, its scope, then the cabinet; a check that needs what an earlier one could not get is skipped. */
export async function marketChecks(
  market: MarketProbe,
  o: MarketCheckOptions,
): Promise<{ results: CheckResult[]; info?: TokenInfo }> {
  let info: TokenInfo;
  try {
    info = await market.getTokenInfo();
  } catch (err) {
    const key = failure(MARKET_CHECKS.key, err, o, (status) => `MARKET_API_KEY was refused with HTTP ${status}`, {
      fix: 'copy the key again from the seller cabinet (Settings → API and modules), or create a new one with the "communication" scope.',
    });
    const later = [MARKET_CHECKS.scope, MARKET_CHECKS.business];
    return { results: [key, ...later.map((name) => skip(name, 'not checked: needs a working key'))] };
  }
  const key = pass(MARKET_CHECKS.key, `"${info.name}" is accepted`);
  const scope = scopeCheck(info);
  if (!scope.ok) {
    return {
      results: [key, scope, skip(MARKET_CHECKS.business, 'not checked: needs the "communication" scope')],
      info,
    };
  }
  return { results: [key, scope, await businessCheck(market, o)], info };
}

/** The key may use the chat methods: the "communication" scope (or every method). */
export function scopeCheck(info: TokenInfo): CheckResult {
  const scopes = info.scopes.map((s) => s.toUpperCase());
  if (!scopes.includes('COMMUNICATION') && !scopes.includes('ALL_METHODS')) {
    return fail(
      MARKET_CHECKS.scope,
      `MARKET_API_KEY "${info.name}" lacks the "communication" scope (Общение с покупателями)`,
      'edit the key in the seller cabinet (Settings → API and modules) and add it.',
      { fatal: true },
    );
  }
  const orders = ORDER_PROCESSING_SCOPES.some((s) => scopes.includes(s))
    ? ''
    : `; add "inventory-and-order-processing:read-only" to keep the order on the cards after ${GET_ORDER_SHUTDOWN_DATE}, when getOrder is switched off`;
  return pass(MARKET_CHECKS.scope, `has "communication"${orders}`);
}

/** Warnings for the log at start: nothing stops, but something will stop working or shows less. */
export function scopeWarnings(info: TokenInfo, o: Pick<MarketCheckOptions, 'productNames'> = {}): string[] {
  const scopes = info.scopes.map((s) => s.toUpperCase());
  const warnings: string[] = [];
  if (!ORDER_PROCESSING_SCOPES.some((s) => scopes.includes(s))) {
    warnings.push(
      `MARKET_API_KEY "${info.name}" reads orders for the context cards through getOrder, which the Market switches off on ${GET_ORDER_SHUTDOWN_DATE}: add the "inventory-and-order-processing:read-only" scope to the key to keep the order on the cards after that date.`,
    );
  }
  if (o.productNames === true && !CATALOGUE_SCOPES.some((s) => scopes.includes(s))) {
    warnings.push(
      `MARKET_API_KEY "${info.name}" lacks the "offers and cards" access (Товары и карточки), so the titles and cards of reviews and questions show the product's SKU instead of its name and a link to it: add the "offers-and-cards-management:read-only" scope to the key to show them.`,
    );
  }
  return warnings;
}

/** The key reaches the cabinet: a wrong business id shows as a 403 (the key belongs to another cabinet). */
async function businessCheck(market: MarketProbe, o: MarketCheckOptions): Promise<CheckResult> {
  try {
    await market.listChats({ limit: 1 });
    return pass(MARKET_CHECKS.business, `the key reaches cabinet ${o.businessId}`);
  } catch (err) {
    return failure(
      MARKET_CHECKS.business,
      err,
      o,
      (status) => `MARKET_BUSINESS_ID ${o.businessId} is not reachable with this key (HTTP ${status})`,
      {
        fix: 'set it to the id of the cabinet the key belongs to (the number in https://partner.market.yandex.ru/business/<id>/…), or use a key made in that cabinet.',
      },
    );
  }
}

/** A refusal (fatal: a person must fix it) or a Market that cannot be asked now (not fatal). */
function failure(
  name: string,
  err: unknown,
  o: MarketCheckOptions,
  refused: (status: number) => string,
  text: { fix: string },
): CheckResult {
  if (err instanceof MarketCredentialsError) {
    const why = err.errors.length > 0 ? `: ${err.reason}` : '';
    return fail(name, `${refused(err.status)}${why}`, text.fix, { fatal: true, cause: err });
  }
  if (err instanceof FatalError) return fail(name, err.message, undefined, { fatal: true, cause: err });
  return fail(
    name,
    `the Market (${o.apiUrl}) could not be asked: ${(err as Error).message}`,
    'check the network or MARKET_API_URL; marketgram starts anyway and keeps retrying.',
    { cause: err },
  );
}
