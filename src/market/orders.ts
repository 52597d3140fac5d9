/**
 * Order details for a chat's context card, through whichever of the Market's two order methods the key
 * may call: getBusinessOrders (`POST /v1/businesses/{businessId}/orders`) when it has an order-processing
 * scope, otherwise the deprecated getOrder (`GET /v2/campaigns/{campaignId}/orders/{orderId}`), which the
 * `communication` scope allows until the Market switches it off. Which one is known from the key's scopes
 * (getAuthTokenInfo, 100 calls an hour): taken from any answer to it, asked when unknown, kept an hour.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { OrderSummary } from '../bridge/model.ts';
import { FatalError } from '../bridge/ports.ts';
import { MarketApiError } from './errors.ts';
import { getBusinessOrderResponseSchema, getOrderResponseSchema } from './order-schemas.ts';
import type { TokenInfo } from './schemas.ts';
import type { ApiRequest } from './transport.ts';

/**
 * Where order details come from: `business` getBusinessOrders; `legacy` the deprecated getOrder, so the
 * key loses order details on `GET_ORDER_SHUTDOWN_DATE` unless it gets an order-processing scope;
 * `unknown` the key's scopes have not been learnt yet.
 */
export type OrderSource = 'business' | 'legacy' | 'unknown';

/** getBusinessOrders' `x-auth-scopes` in ApiKeyScopeType spelling (spec commit 1318e9b); `communication` is not one. */
export const ORDER_PROCESSING_SCOPES = [
  'ALL_METHODS',
  'ALL_METHODS_READ_ONLY',
  'INVENTORY_AND_ORDER_PROCESSING',
  'INVENTORY_AND_ORDER_PROCESSING_READ_ONLY',
  'FINANCE_AND_ACCOUNTING',
] as const;

/** getOrder's `x-deprecation-config.shutdown-date` (Moscow time); degradation starts on 2027-01-18. */
export const GET_ORDER_SHUTDOWN_DATE = '2027-04-12';

/** How long the key's scopes are trusted; the Market applies edits to a key within 10 minutes. */
const SCOPES_TTL_MS = 60 * 60 * 1000;
/** After a failed scope check, orders go through getOrder for this long before asking again. */
const SCOPES_RETRY_MS = 5 * 60 * 1000;

/** Options of one read: order reads treat 403 as an ordinary error, since chats work without them. */
export interface ReadOptions {
  forbiddenIsFatal?: boolean;
  /** One attempt, and an open 420 window is not waited out (see `ReadRetry.run`). */
  once?: boolean;
}

/** A read through the client's one retry point. */
export type Read = <S extends z.ZodType>(req: ApiRequest, schema: S, options?: ReadOptions) => Promise<z.output<S>>;

export interface OrderReaderDeps {
  businessId: number;
  read: Read;
  /** getAuthTokenInfo; its answer also reaches `noteScopes` through the client. */
  tokenInfo: () => Promise<TokenInfo>;
  now: () => number;
  log: Logger;
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

/** Reads one order for a card and keeps track of which order method the key may call. */
export class OrderReader {
  readonly #deps: OrderReaderDeps;
  #scopes: { orderProcessing: boolean; at: number } | undefined;
  #failedAt: number | undefined;
  #asking: Promise<void> | undefined;
  #announced: OrderSource | undefined;

  constructor(deps: OrderReaderDeps) {
    this.#deps = deps;
  }

  /** Learns the key's scopes from a getAuthTokenInfo answer (the start-up check's included). */
  noteScopes(scopes: readonly string[]): void {
    const known = new Set(scopes.map((s) => s.toUpperCase()));
    const orderProcessing = ORDER_PROCESSING_SCOPES.some((s) => known.has(s));
    this.#learn(orderProcessing);
  }

  /** The order method in use now, as far as it is known (no request). */
  source(): OrderSource {
    if (this.#scopes === undefined) return 'unknown';
    return this.#scopes.orderProcessing ? 'business' : 'legacy';
  }

  /** The order method in use, asking the Market for the key's scopes when they are unknown or old. */
  async resolveSource(): Promise<OrderSource> {
    await this.#refreshScopes();
    return this.source();
  }

  /**
   * One order by id. Through getBusinessOrders when the key may call it; through getOrder (which needs the
   * chat's `campaignId`) otherwise, and also when getBusinessOrders does not return the order: the spec
   * leaves open whether its 30-day default window limits a lookup by id. Undefined when neither finds it.
   */
  async getOrder(context: { campaignId?: number; orderId: number }): Promise<OrderSummary | undefined> {
    const { campaignId, orderId } = context;
    if (!isId(orderId)) throw new TypeError(`getOrder needs a positive integer orderId, got ${String(orderId)}`);
    if (campaignId !== undefined && !isId(campaignId)) {
      throw new TypeError(`getOrder needs a positive integer campaignId, got ${String(campaignId)}`);
    }
    await this.#refreshScopes();
    this.#announce(this.source());
    if (this.source() === 'business') {
      const order = await this.#fromBusiness(orderId);
      if (order !== undefined) return order;
    }
    return campaignId !== undefined ? this.#fromCampaign(campaignId, orderId) : undefined;
  }

  async #fromBusiness(orderId: number): Promise<OrderSummary | undefined> {
    try {
      return await this.#deps.read(
        {
          operation: 'getBusinessOrders',
          method: 'POST',
          path: `/v1/businesses/${this.#deps.businessId}/orders`,
          json: { orderIds: [orderId] },
        },
        getBusinessOrderResponseSchema(orderId),
        { forbiddenIsFatal: false },
      );
    } catch (err) {
      if (err instanceof MarketApiError && err.status === 403) {
        // The scope was taken away after the check: getOrder until the next one.
        this.#deps.log.warn(
          { operation: 'getBusinessOrders', reason: err.reason },
          'the Api-Key may no longer call getBusinessOrders; reading orders through getOrder',
        );
        this.#learn(false);
        this.#announce('legacy');
        return undefined;
      }
      if (err instanceof MarketApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async #fromCampaign(campaignId: number, orderId: number): Promise<OrderSummary | undefined> {
    try {
      return await this.#deps.read(
        { operation: 'getOrder', method: 'GET', path: `/v2/campaigns/${campaignId}/orders/${orderId}` },
        getOrderResponseSchema,
        { forbiddenIsFatal: false },
      );
    } catch (err) {
      if (err instanceof MarketApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  #learn(orderProcessing: boolean): void {
    this.#scopes = { orderProcessing, at: this.#deps.now() };
    this.#failedAt = undefined;
  }

  /** Says which order method is in use, once per change, when an order is first read through it. */
  #announce(source: OrderSource): void {
    if (source === this.#announced || source === 'unknown') return;
    this.#announced = source;
    if (source === 'business') {
      this.#deps.log.info({ operation: 'getBusinessOrders' }, 'order details are read through getBusinessOrders');
    } else {
      this.#deps.log.warn(
        { operation: 'getOrder', shutdownDate: GET_ORDER_SHUTDOWN_DATE },
        'order details are read through the deprecated getOrder, which the Market switches off on ' +
          `${GET_ORDER_SHUTDOWN_DATE}; give MARKET_API_KEY an order-processing scope, e.g. ` +
          '"inventory-and-order-processing:read-only", to keep them',
      );
    }
  }

  async #refreshScopes(): Promise<void> {
    const now = this.#deps.now();
    if (this.#scopes !== undefined && now - this.#scopes.at < SCOPES_TTL_MS) return;
    if (this.#failedAt !== undefined && now - this.#failedAt < SCOPES_RETRY_MS) return;
    this.#asking ??= this.#askScopes().finally(() => {
      this.#asking = undefined;
    });
    await this.#asking;
  }

  async #askScopes(): Promise<void> {
    try {
      this.noteScopes((await this.#deps.tokenInfo()).scopes);
    } catch (err) {
      if (err instanceof FatalError) throw err;
      // Old scopes, if any, stay in use; without them orders go through getOrder.
      this.#failedAt = this.#deps.now();
      this.#deps.log.warn({ err, operation: 'getAuthTokenInfo' }, 'could not read the Api-Key scopes');
    }
  }
}
