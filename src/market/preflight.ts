/**
 * The Market side's start-up check: the API key works for the cabinet and has the "communication" scope; a key
 * without an order-processing scope is warned that the order on the cards ends with getOrder's shutdown, and one
 * without the "offers and cards" access that reviews and questions show SKUs instead of product names.
 * Used at start and by anything that diagnoses a set-up.
 */
import { FatalError } from '../bridge/ports.ts';
import type { MarketClient } from './client.ts';
import { GET_ORDER_SHUTDOWN_DATE, ORDER_PROCESSING_SCOPES } from './orders.ts';
import { CATALOGUE_SCOPES } from './products.ts';

/**
 * `ok`: the key works. `failed`: a person must fix something (`problem` says what). `unchecked`: the Market
 * could not be asked now (network, 5xx); the poller will retry and report.
 */
export type MarketPreflight =
  | { status: 'ok'; warnings: string[] }
  | { status: 'failed'; problem: string; cause?: unknown }
  | { status: 'unchecked'; cause: unknown };

/** `productNames`: reviews or questions get topics, whose titles and cards name the product when the key may read it. */
export async function checkMarket(
  market: Pick<MarketClient, 'listChats' | 'getTokenInfo'>,
  options: { productNames?: boolean } = {},
): Promise<MarketPreflight> {
  try {
    // A wrong business id shows here as a 403 (the key belongs to another cabinet).
    await market.listChats({ limit: 1 });
    const info = await market.getTokenInfo();
    const scopes = info.scopes.map((s) => s.toUpperCase());
    if (!scopes.includes('COMMUNICATION') && !scopes.includes('ALL_METHODS')) {
      return {
        status: 'failed',
        problem: `MARKET_API_KEY "${info.name}" lacks the "communication" scope (Общение с покупателями): edit the key in the seller cabinet (Settings → API and modules) and add it.`,
      };
    }
    const warnings: string[] = [];
    if (!ORDER_PROCESSING_SCOPES.some((s) => scopes.includes(s))) {
      warnings.push(
        `MARKET_API_KEY "${info.name}" reads orders for the context cards through getOrder, which the Market switches off on ${GET_ORDER_SHUTDOWN_DATE}: add the "inventory-and-order-processing:read-only" scope to the key to keep the order on the cards after that date.`,
      );
    }
    if (options.productNames === true && !CATALOGUE_SCOPES.some((s) => scopes.includes(s))) {
      warnings.push(
        `MARKET_API_KEY "${info.name}" lacks the "offers and cards" access (Товары и карточки), so the titles and cards of reviews and questions show the product's SKU instead of its name and a link to it: add the "offers-and-cards-management:read-only" scope to the key to show them.`,
      );
    }
    return { status: 'ok', warnings };
  } catch (err) {
    if (err instanceof FatalError) return { status: 'failed', problem: err.message, cause: err };
    return { status: 'unchecked', cause: err };
  }
}
