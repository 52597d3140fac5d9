/**
 * The Market side's start-up check: the API key works for the cabinet and has the "communication" scope.
 * Used at start and by anything that diagnoses a set-up.
 */
import { FatalError } from '../bridge/ports.ts';
import type { MarketClient } from './client.ts';

/**
 * `ok`: the key works. `failed`: a person must fix something (`problem` says what). `unchecked`: the Market
 * could not be asked now (network, 5xx); the poller will retry and report.
 */
export type MarketPreflight =
  { status: 'ok' } | { status: 'failed'; problem: string; cause?: unknown } | { status: 'unchecked'; cause: unknown };

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
    return { status: 'ok' };
  } catch (err) {
    if (err instanceof FatalError) return { status: 'failed', problem: err.message, cause: err };
    return { status: 'unchecked', cause: err };
  }
}
