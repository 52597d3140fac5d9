/**
 * The Market side's start-up check: the API key works for the cabinet and has the "communication" scope; a key
 * without an order-processing scope is warned that the order on the cards ends with getOrder's shutdown.
 * Used at start and by anything that diagnoses a set-up.
 */
import { FatalError } from '../bridge/ports.ts';
import type { MarketClient } from './client.ts';
import { GET_ORDER_SHUTDOWN_DATE, ORDER_PROCESSING_SCOPES } from './orders.ts';

/**
 * `ok`: the key works. `failed`: a person must fix something (`problem` says what). `unchecked`: the Market
 * could not be asked now (network, 5xx); the poller will retry and report.
 */
export type MarketPreflight =
  | { status: 'ok'; warnings: string[] }
  | { status: 'failed'; problem: string; cause?: unknown }
  | { status: 'unchecked'; cause: unknown };

export async function checkMarket(market: Pick<MarketClient, 'listChats' | 'getTokenInfo'>): Promise<MarketPreflight> {
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
    return { status: 'ok', warnings };
  } catch (err) {
    if (err instanceof FatalError) return { status: 'failed', problem: err.message, cause: err };
    return { status: 'unchecked', cause: err };
  }
}
