/**
 * The orders of the fake Market (market-server.ts): how a test describes one, its defaults, and the spec's
 * two shapes of it (partner-api commit 1318e9b) — OrderDTO, which getOrder returns, and BusinessOrderDTO,
 * which getBusinessOrders returns. Prices are per unit and what the buyer pays; subsidies, promos, Plus
 * cashback and addresses are not modelled. `override` puts raw values into either shape, to send what the
 * spec does not allow.
 */

/** The spec's OrderStatusType. */
export const ORDER_STATUSES = [
  'PLACING',
  'RESERVED',
  'UNPAID',
  'PROCESSING',
  'DELIVERY',
  'PICKUP',
  'DELIVERED',
  'CANCELLED',
  'PENDING',
  'PARTIALLY_RETURNED',
  'RETURNED',
  'UNKNOWN',
] as const;
/** The spec's SellingProgramType (`programTypes` filter, `programType`). */
export const SELLING_PROGRAMS = ['FBY', 'FBS', 'DBS', 'EXPRESS', 'LAAS'] as const;
/** The spec's OrderSourcePlatformType (`sourcePlatforms` filter, `sourcePlatform`). */
export const ORDER_SOURCE_PLATFORMS = ['MARKET', 'OZON', 'WILDBERRIES', 'OTHER'] as const;

/** One line of an order as a test describes it. */
export interface FakeOrderItemInput {
  offerName: string;
  /** Default `SKU-<n>`. */
  offerId?: string;
  /** Default 1. */
  count?: number;
  /** What the buyer pays for one unit, in the order's currency. Default 1000. */
  price?: number;
  /** The crossed-out price of one unit. Default `price`. */
  priceBeforeDiscount?: number;
}

/** An order as a test describes it; every field has a default. Dates are ISO 8601 (`YYYY-MM-DD` for days). */
export interface FakeOrderInput {
  /** Default: the next free id from 70000001. */
  orderId?: number;
  /** Default: the campaign of the chat about this order, else the business's first campaign. */
  campaignId?: number;
  /** Any string is accepted, to test tolerance of unknown values. Default PROCESSING. */
  status?: string;
  /** Default STARTED. */
  substatus?: string;
  /** Default one item, "Test product", 1 × 1000. */
  items?: FakeOrderItemInput[];
  /** CurrencyType. Default RUR. */
  currency?: string;
  /** Default 0. */
  deliveryTotal?: number;
  /** Default PREPAID. */
  paymentType?: string;
  /** Default YANDEX (card). */
  paymentMethod?: string;
  delivery?: {
    /** OrderDeliveryType. Default PICKUP. */
    type?: string;
    /** Default 'Market Delivery'. */
    serviceName?: string;
    /** Default: three days after creation. */
    fromDate?: string;
    /** Default: five days after creation; `null` leaves it out, as the spec allows. */
    toDate?: string | null;
    /** `HH:MM`, courier delivery only. */
    fromTime?: string;
    toTime?: string;
  };
  /** The buyer's names are sent by getOrder only for DBS, as the spec says. Default type PERSON. */
  buyer?: { type?: 'PERSON' | 'BUSINESS'; firstName?: string; lastName?: string; middleName?: string };
  /** SellingProgramType. Default FBS. */
  programType?: string;
  externalOrderId?: string;
  /** Default false. */
  fake?: boolean;
  notes?: string;
  /** Default now. */
  createdAt?: string;
  /** Default `createdAt`. */
  updatedAt?: string;
  /** The buyer of a chat createChat opens about this order (the chat's `customer`). */
  customer?: { name?: string; publicId?: string };
  /** createChat refuses a chat about this order (400), as for an order too old to write about. Default false. */
  chatsClosed?: boolean;
  /** Fields put as they are into the OrderDTO (`order`) or the BusinessOrderDTO (`businessOrder`) answered. */
  override?: { order?: Record<string, unknown>; businessOrder?: Record<string, unknown> };
}

/** An order as the fake stores it, every default applied. */
export interface FakeOrder {
  readonly orderId: number;
  readonly campaignId: number;
  readonly status: string;
  readonly substatus: string;
  readonly items: ReadonlyArray<{
    readonly id: number;
    readonly offerId: string;
    readonly offerName: string;
    readonly count: number;
    readonly price: number;
    readonly priceBeforeDiscount: number;
  }>;
  readonly currency: string;
  readonly deliveryTotal: number;
  readonly paymentType: string;
  readonly paymentMethod: string;
  readonly delivery: {
    readonly type: string;
    readonly serviceName: string;
    readonly fromDate: string;
    readonly toDate?: string;
    readonly fromTime?: string;
    readonly toTime?: string;
  };
  readonly buyer: {
    readonly type: 'PERSON' | 'BUSINESS';
    readonly firstName?: string;
    readonly lastName?: string;
    readonly middleName?: string;
  };
  readonly programType: string;
  readonly externalOrderId?: string;
  readonly fake: boolean;
  readonly notes?: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly override?: FakeOrderInput['override'];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Any delivery service id; the spec requires one. */
const DELIVERY_SERVICE_ID = 1005471;

/** `YYYY-MM-DDTHH:MM:SS` in Moscow time. */
const msk = (ms: number): string => new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 19);
const isoDay = (ms: number): string => msk(ms).slice(0, 10);
/** `YYYY-MM-DD` → the OrderDTO's `DD-MM-YYYY`. */
const dayMonthYear = (day: string): string => day.split('-').reverse().join('-');
/** OrderDTO's `DD-MM-YYYY HH:MM:SS`, Moscow time. */
function dayMonthYearTime(ms: number): string {
  const [day = '', time = ''] = msk(ms).split('T');
  return `${dayMonthYear(day)} ${time}`;
}
/** The Partner API's ISO form: `2025-01-01T10:00:00+03:00`. */
const isoDateTime = (ms: number): string => `${msk(ms)}+03:00`;
const kopecks = (value: number): number => Math.round(value * 100) / 100;

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`FakeMarket.addOrder: bad ${what} ${value}`);
  return ms;
}

function checkDay(value: string | undefined, what: string): void {
  if (value !== undefined && !ISO_DAY.test(value)) throw new Error(`FakeMarket.addOrder: ${what} must be YYYY-MM-DD`);
}

/** Applies the defaults to a test's order; throws on a set-up that cannot be answered in the spec's shapes. */
export function createOrder(
  input: FakeOrderInput,
  ids: { orderId: number; campaignId: number; nowMs: number },
): FakeOrder {
  const createdAtMs = input.createdAt === undefined ? ids.nowMs : parseTime(input.createdAt, 'createdAt');
  const updatedAtMs = input.updatedAt === undefined ? createdAtMs : parseTime(input.updatedAt, 'updatedAt');
  const items = (input.items ?? [{ offerName: 'Test product' }]).map((item, i) => {
    const count = item.count ?? 1;
    const price = item.price ?? 1000;
    if (!Number.isInteger(count) || count < 1) throw new Error('FakeMarket.addOrder: an item count must be ≥ 1');
    return {
      id: ids.orderId * 100 + i + 1,
      offerId: item.offerId ?? `SKU-${i + 1}`,
      offerName: item.offerName,
      count,
      price,
      priceBeforeDiscount: item.priceBeforeDiscount ?? price,
    };
  });
  if (items.length === 0) throw new Error('FakeMarket.addOrder: an order needs at least one item');
  const d = input.delivery ?? {};
  checkDay(d.fromDate, 'delivery.fromDate');
  checkDay(d.toDate ?? undefined, 'delivery.toDate');
  const toDate = d.toDate === null ? undefined : (d.toDate ?? isoDay(createdAtMs + 5 * DAY_MS));
  return {
    orderId: ids.orderId,
    campaignId: ids.campaignId,
    status: input.status ?? 'PROCESSING',
    substatus: input.substatus ?? 'STARTED',
    items,
    currency: input.currency ?? 'RUR',
    deliveryTotal: input.deliveryTotal ?? 0,
    paymentType: input.paymentType ?? 'PREPAID',
    paymentMethod: input.paymentMethod ?? 'YANDEX',
    delivery: {
      type: d.type ?? 'PICKUP',
      serviceName: d.serviceName ?? 'Market Delivery',
      fromDate: d.fromDate ?? isoDay(createdAtMs + 3 * DAY_MS),
      ...(toDate !== undefined && { toDate }),
      ...(d.fromTime !== undefined && { fromTime: d.fromTime }),
      ...(d.toTime !== undefined && { toTime: d.toTime }),
    },
    buyer: { type: 'PERSON', ...input.buyer },
    programType: input.programType ?? 'FBS',
    ...(input.externalOrderId !== undefined && { externalOrderId: input.externalOrderId }),
    fake: input.fake ?? false,
    ...(input.notes !== undefined && { notes: input.notes }),
    createdAtMs,
    updatedAtMs,
    ...(input.override !== undefined && { override: input.override }),
  };
}

const itemsTotal = (o: FakeOrder): number => kopecks(o.items.reduce((sum, i) => sum + i.price * i.count, 0));

/** The OrderDTO of getOrder's `{order: ...}`: every required field, dates as `DD-MM-YYYY`, Moscow time. */
export function orderDto(o: FakeOrder): Record<string, unknown> {
  const dbs = o.programType === 'DBS';
  return {
    id: o.orderId,
    ...(o.externalOrderId !== undefined && { externalOrderId: o.externalOrderId }),
    status: o.status,
    substatus: o.substatus,
    creationDate: dayMonthYearTime(o.createdAtMs),
    updatedAt: dayMonthYearTime(o.updatedAtMs),
    currency: o.currency,
    itemsTotal: itemsTotal(o),
    deliveryTotal: o.deliveryTotal,
    buyerItemsTotalBeforeDiscount: kopecks(o.items.reduce((sum, i) => sum + i.priceBeforeDiscount * i.count, 0)),
    paymentType: o.paymentType,
    paymentMethod: o.paymentMethod,
    fake: o.fake,
    items: o.items.map((i) => ({
      id: i.id,
      offerId: i.offerId,
      offerName: i.offerName,
      price: i.price,
      buyerPrice: i.price,
      buyerPriceBeforeDiscount: i.priceBeforeDiscount,
      count: i.count,
    })),
    delivery: {
      type: o.delivery.type,
      serviceName: o.delivery.serviceName,
      deliveryPartnerType: 'YANDEX_MARKET',
      dates: {
        fromDate: dayMonthYear(o.delivery.fromDate),
        ...(o.delivery.toDate !== undefined && { toDate: dayMonthYear(o.delivery.toDate) }),
        ...(o.delivery.fromTime !== undefined && { fromTime: o.delivery.fromTime }),
        ...(o.delivery.toTime !== undefined && { toTime: o.delivery.toTime }),
      },
      deliveryServiceId: DELIVERY_SERVICE_ID,
    },
    buyer: dbs ? { ...o.buyer } : { type: o.buyer.type },
    ...(o.notes !== undefined && { notes: o.notes }),
    taxSystem: 'OSN',
    ...o.override?.order,
  };
}

/** The BusinessOrderDTO of getBusinessOrders: ISO dates, prices as CurrencyValueDTO, no buyer names. */
export function businessOrderDto(o: FakeOrder): Record<string, unknown> {
  const value = (amount: number) => ({ value: kopecks(amount), currencyId: o.currency });
  return {
    orderId: o.orderId,
    campaignId: o.campaignId,
    programType: o.programType,
    ...(o.externalOrderId !== undefined && { externalOrderId: o.externalOrderId }),
    status: o.status,
    substatus: o.substatus,
    creationDate: isoDateTime(o.createdAtMs),
    updateDate: isoDateTime(o.updatedAtMs),
    paymentType: o.paymentType,
    paymentMethod: o.paymentMethod,
    fake: o.fake,
    items: o.items.map((i) => ({
      id: i.id,
      offerId: i.offerId,
      offerName: i.offerName,
      count: i.count,
      prices: { payment: value(i.price * i.count) },
    })),
    prices: { payment: value(itemsTotal(o)), delivery: { payment: value(o.deliveryTotal) } },
    delivery: {
      type: o.delivery.type,
      serviceName: o.delivery.serviceName,
      deliveryServiceId: DELIVERY_SERVICE_ID,
      deliveryPartnerType: 'YANDEX_MARKET',
      dates: {
        fromDate: o.delivery.fromDate,
        ...(o.delivery.toDate !== undefined && { toDate: o.delivery.toDate }),
        ...(o.delivery.fromTime !== undefined && { fromTime: o.delivery.fromTime }),
        ...(o.delivery.toTime !== undefined && { toTime: o.delivery.toTime }),
      },
    },
    buyerType: o.buyer.type,
    ...(o.notes !== undefined && { notes: o.notes }),
    ...o.override?.businessOrder,
  };
}
