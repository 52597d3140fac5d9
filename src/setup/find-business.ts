/**
 * The cabinet to serve when MARKET_BUSINESS_ID is not set: the one the key reaches (getCampaigns, through
 * market/business-discovery.ts). Several, none, a refused key or an unreachable Market stop the start with a
 * message that says what to set.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { discoverBusiness } from '../market/business-discovery.ts';
import { VERSION } from '../version.ts';
import { SetupError } from './find-chat.ts';

/** The business id the key reaches; throws a SetupError naming what to set otherwise. */
export async function findBusiness(config: Config, logger: Logger, signal?: AbortSignal): Promise<number> {
  const found = await discoverBusiness({
    baseUrl: config.market.apiUrl,
    apiKey: config.market.apiKey,
    logger: logger.child({ side: 'market' }),
    integration: `marketgram/${VERSION}`,
    allowPrivateAttachmentHosts: config.market.attachmentsAllowPrivateHosts,
    ...(signal && { signal }),
  });
  if (found.kind !== 'one') throw new SetupError(found.message);
  logger.info({ businessId: found.businessId, name: found.name, shops: found.shops }, found.message);
  return found.businessId;
}
