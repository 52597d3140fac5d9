/**
 * zod schemas for the two order-details answers, mapped onto the bridge's `OrderSummary`: getOrder's
 * `{order: OrderDTO}` and getBusinessOrders' `{orders: BusinessOrderDTO[], paging}` (neither has the usual
 * `status`/`result` envelope).
 *
 * More lenient than the chat schemas, because an order only decorates a card: only the order id is
 * enforced. Enum values are kept as sent (the card shows an unknown one raw), a missing status becomes
 * 'UNKNOWN', an optional field of the wrong shape is dropped, and so is an item without a name or count.
 */
import { z } from 'zod';
import type { OrderItemSummary, OrderSummary } from '../bridge/model.ts';

/** An int64 id as the Market sends it (a JSON number, ≥ 1). */
const id = z.number().int().positive();

/** Optional and forgiving: null, absent or malformed all become undefined. */
const lenient = <S extends z.ZodType>(schema: S) =>
  schema
    .nullish()
    .catch(undefined)
    .transform((v) => v ?? undefined);

const text = lenient(z.string().min(1));
const money = lenient(z.number());

const DAY_MONTH_YEAR = /^(\d{2})-(\d{2})-(\d{4})$/;
const YEAR_MONTH_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A date as either endpoint sends it (`DD-MM-YYYY` in OrderDTO, `YYYY-MM-DD` in BusinessOrderDTO) → YYYY-MM-DD. */
const isoDate = lenient(
  z
    .string()
    .refine((s) => DAY_MONTH_YEAR.test(s) || YEAR_MONTH_DAY.test(s))
    .transform((s) => {
      const m = DAY_MONTH_YEAR.exec(s);
      return m ? `${m[3]}-${m[2]}-${m[1]}` : s;
    }),
);

/** Order(Business)DeliveryDatesDTO → the card's window; undefined when neither end is usable. */
const deliveryDates = lenient(
  z
    .object({ fromDate: isoDate, toDate: isoDate })
    .transform((d): OrderSummary['deliveryDates'] =>
      d.fromDate === undefined && d.toDate === undefined
        ? undefined
        : { ...(d.fromDate !== undefined && { from: d.fromDate }), ...(d.toDate !== undefined && { to: d.toDate }) },
    ),
);

const delivery = lenient(z.object({ type: text, dates: deliveryDates }));

/** A list whose malformed entries are dropped instead of failing the order; absent or malformed → []. */
function lenientList<T>(item: z.ZodType<T>) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((entries) =>
      entries.flatMap((entry) => {
        const parsed = item.safeParse(entry);
        return parsed.success && parsed.data !== undefined ? [parsed.data] : [];
      }),
    );
}

const count = z.number().int().nonnegative();

/** Rounds to kopecks: a per-unit price derived from a line total may not divide evenly. */
const toKopecks = (value: number) => Math.round(value * 100) / 100;

/** The fields both DTOs share under the same names. */
const common = {
  status: z.string().min(1).catch('UNKNOWN'),
  substatus: text,
  paymentType: text,
  paymentMethod: text,
  fake: lenient(z.boolean()),
  delivery,
};

type Common = z.output<ReturnType<typeof z.object<typeof common>>>;

function summary(
  o: Common & { orderId: number; items: OrderItemSummary[]; total: number | undefined; currency: string | undefined },
): OrderSummary {
  const out: OrderSummary = { orderId: o.orderId, items: o.items, status: o.status };
  if (o.total !== undefined) out.total = o.total;
  if (o.currency !== undefined) out.currency = o.currency;
  if (o.substatus !== undefined) out.substatus = o.substatus;
  if (o.delivery?.type !== undefined) out.deliveryType = o.delivery.type;
  if (o.delivery?.dates !== undefined) out.deliveryDates = o.delivery.dates;
  if (o.paymentType !== undefined) out.paymentType = o.paymentType;
  if (o.paymentMethod !== undefined) out.paymentMethod = o.paymentMethod;
  if (o.fake !== undefined) out.fake = o.fake;
  return out;
}

// ---- getOrder: GET /v2/campaigns/{campaignId}/orders/{orderId} (deprecated) ------------------------

/** OrderItemDTO: `buyerPrice` is per unit, after discounts; `price` is the fallback. */
const orderItem = z
  .object({ offerName: text, offerId: text, count, buyerPrice: money, price: money })
  .transform((i): OrderItemSummary | undefined => {
    const name = i.offerName ?? i.offerId;
    if (name === undefined) return undefined;
    const price = i.buyerPrice ?? i.price;
    return price !== undefined ? { name, count: i.count, price } : { name, count: i.count };
  });

/** OrderDTO → OrderSummary. `itemsTotal` is the buyer's payment for the items, without delivery. */
const order = z
  .object({ id, ...common, currency: text, itemsTotal: money, items: lenientList(orderItem) })
  .transform((o) => summary({ ...o, orderId: o.id, total: o.itemsTotal }));

/** getOrder's GetOrderResponse: `{order: OrderDTO}`, without the `status`/`result` envelope. */
export const getOrderResponseSchema = z.object({ order }).transform((r) => r.order);

// ---- getBusinessOrders: POST /v1/businesses/{businessId}/orders --------------------------------------

/** CurrencyValueDTO. */
const currencyValue = lenient(z.object({ value: z.number(), currencyId: text }));

/** BusinessOrderItemDTO: `prices.payment` is the buyer's payment for all `count` units. */
const businessOrderItem = z
  .object({ offerName: text, offerId: text, count, prices: lenient(z.object({ payment: currencyValue })) })
  .transform((i): OrderItemSummary | undefined => {
    const name = i.offerName ?? i.offerId;
    if (name === undefined) return undefined;
    const payment = i.prices?.payment;
    return payment !== undefined && i.count > 0
      ? { name, count: i.count, price: toKopecks(payment.value / i.count) }
      : { name, count: i.count };
  });

/** BusinessOrderDTO → OrderSummary. `prices.payment` is the buyer's payment for the items, without delivery. */
const businessOrder = z
  .object({
    orderId: id,
    ...common,
    items: lenientList(businessOrderItem),
    prices: lenient(z.object({ payment: currencyValue })),
  })
  .transform((o) => summary({ ...o, total: o.prices?.payment?.value, currency: o.prices?.payment?.currencyId }));

/**
 * getBusinessOrders' GetBusinessOrdersResponse (no envelope), reduced to the one order asked for: undefined
 * when the page does not hold it. Other entries are not looked at, so a malformed neighbour cannot fail it.
 */
export function getBusinessOrderResponseSchema(orderId: number) {
  return z.object({ orders: z.array(z.unknown()) }).transform((r, ctx): OrderSummary | undefined => {
    const entry = r.orders.find(
      (o) => typeof o === 'object' && o !== null && (o as Record<string, unknown>)['orderId'] === orderId,
    );
    if (entry === undefined) return undefined;
    const parsed = businessOrder.safeParse(entry);
    if (parsed.success) return parsed.data;
    const at = r.orders.indexOf(entry);
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: ['orders', at, ...issue.path] });
    }
    return z.NEVER;
  });
}
