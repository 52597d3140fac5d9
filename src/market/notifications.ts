/**
 * Market API notifications (the notification-api spec, `POST /notification`): the request bodies the
 * Market pushes, parsed into a typed union, and the response bodies the receiver answers with.
 *
 * Strict where the spec is definite and the receiver depends on it (required fields, JSON types, int64
 * ids within the safe-integer range, date-times), tolerant where the Market is known to grow: extra
 * fields are ignored, enum values inside known types are kept as any string, and a well-formed body
 * with an unknown `notificationType` parses as an `UnknownNotification` so the receiver still answers 200.
 * Refusals carry a short reason naming the field, fit for a 400 `WRONG_EVENT_FORMAT` answer.
 * Long on purpose: one schema per notification type of the spec, kept together to check against it.
 */
import { z } from 'zod';
import { marketChatId, marketMessageId } from '../bridge/ids.ts';

/** `NotificationType`: every type the spec defines, in the spec's order. */
export const NOTIFICATION_TYPES = [
  'PING',
  'ORDER_CREATED',
  'ORDER_CANCELLED',
  'ORDER_STATUS_UPDATED',
  'ORDER_RETURN_CREATED',
  'ORDER_CANCELLATION_REQUEST',
  'ORDER_RETURN_STATUS_UPDATED',
  'ORDER_UPDATED',
  'GOODS_FEEDBACK_CREATED',
  'GOODS_FEEDBACK_COMMENT_CREATED',
  'CHAT_CREATED',
  'CHAT_MESSAGE_SENT',
  'CHAT_ARBITRAGE_STARTED',
  'CHAT_ARBITRAGE_FINISHED',
  'QUESTION_CREATED',
  'QUESTION_ANSWER_CREATED',
  'QUESTION_COMMENT_CREATED',
] as const;
/** A notification type this module knows; the Market may send others (see `UnknownNotification`). */
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** `OrderStatusType`. */
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
/** `OrderSubstatusType` (the spec itself says other values may arrive). */
export const ORDER_SUBSTATUSES = [
  'RESERVATION_EXPIRED',
  'USER_NOT_PAID',
  'USER_UNREACHABLE',
  'USER_CHANGED_MIND',
  'USER_REFUSED_DELIVERY',
  'USER_REFUSED_PRODUCT',
  'SHOP_FAILED',
  'USER_REFUSED_QUALITY',
  'REPLACING_ORDER',
  'PROCESSING_EXPIRED',
  'PENDING_EXPIRED',
  'SHOP_PENDING_CANCELLED',
  'PENDING_CANCELLED',
  'USER_FRAUD',
  'RESERVATION_FAILED',
  'USER_PLACED_OTHER_ORDER',
  'USER_BOUGHT_CHEAPER',
  'MISSING_ITEM',
  'BROKEN_ITEM',
  'WRONG_ITEM',
  'PICKUP_EXPIRED',
  'DELIVERY_PROBLEMS',
  'LATE_CONTACT',
  'CUSTOM',
  'DELIVERY_SERVICE_FAILED',
  'WAREHOUSE_FAILED_TO_SHIP',
  'DELIVERY_SERVICE_UNDELIVERED',
  'PREORDER',
  'AWAIT_CONFIRMATION',
  'STARTED',
  'PACKAGING',
  'READY_TO_SHIP',
  'SHIPPED',
  'ASYNC_PROCESSING',
  'WAITING_USER_INPUT',
  'WAITING_BANK_DECISION',
  'BANK_REJECT_CREDIT_OFFER',
  'CUSTOMER_REJECT_CREDIT_OFFER',
  'CREDIT_OFFER_FAILED',
  'AWAIT_DELIVERY_DATES_CONFIRMATION',
  'SERVICE_FAULT',
  'DELIVERY_SERVICE_RECEIVED',
  'USER_RECEIVED',
  'WAITING_FOR_STOCKS',
  'AS_PART_OF_MULTI_ORDER',
  'READY_FOR_LAST_MILE',
  'LAST_MILE_STARTED',
  'ANTIFRAUD',
  'DELIVERY_USER_NOT_RECEIVED',
  'DELIVERY_SERVICE_DELIVERED',
  'DELIVERED_USER_NOT_RECEIVED',
  'USER_WANTED_ANOTHER_PAYMENT_METHOD',
  'USER_RECEIVED_TECHNICAL_ERROR',
  'USER_FORGOT_TO_USE_BONUS',
  'DELIVERY_SERVICE_NOT_RECEIVED',
  'DELIVERY_SERVICE_LOST',
  'SHIPPED_TO_WRONG_DELIVERY_SERVICE',
  'DELIVERED_USER_RECEIVED',
  'WAITING_TINKOFF_DECISION',
  'COURIER_SEARCH',
  'COURIER_FOUND',
  'COURIER_IN_TRANSIT_TO_SENDER',
  'COURIER_ARRIVED_TO_SENDER',
  'COURIER_RECEIVED',
  'COURIER_NOT_FOUND',
  'COURIER_NOT_DELIVER_ORDER',
  'COURIER_RETURNS_ORDER',
  'COURIER_RETURNED_ORDER',
  'WAITING_USER_DELIVERY_INPUT',
  'PICKUP_SERVICE_RECEIVED',
  'PICKUP_USER_RECEIVED',
  'CANCELLED_COURIER_NOT_FOUND',
  'COURIER_NOT_COME_FOR_ORDER',
  'DELIVERY_NOT_MANAGED_REGION',
  'INCOMPLETE_CONTACT_INFORMATION',
  'INCOMPLETE_MULTI_ORDER',
  'INAPPROPRIATE_WEIGHT_SIZE',
  'TECHNICAL_ERROR',
  'SORTING_CENTER_LOST',
  'COURIER_SEARCH_NOT_STARTED',
  'LOST',
  'AWAIT_PAYMENT',
  'AWAIT_LAVKA_RESERVATION',
  'USER_WANTS_TO_CHANGE_ADDRESS',
  'FULL_NOT_RANSOM',
  'PRESCRIPTION_MISMATCH',
  'DROPOFF_LOST',
  'DROPOFF_CLOSED',
  'DELIVERY_TO_STORE_STARTED',
  'USER_WANTS_TO_CHANGE_DELIVERY_DATE',
  'WRONG_ITEM_DELIVERED',
  'DAMAGED_BOX',
  'AWAIT_DELIVERY_DATES',
  'LAST_MILE_COURIER_SEARCH',
  'PICKUP_POINT_CLOSED',
  'LEGAL_INFO_CHANGED',
  'USER_HAS_NO_TIME_TO_PICKUP_ORDER',
  'DELIVERY_CUSTOMS_ARRIVED',
  'DELIVERY_CUSTOMS_CLEARED',
  'FIRST_MILE_DELIVERY_SERVICE_RECEIVED',
  'AWAIT_AUTO_DELIVERY_DATES',
  'AWAIT_USER_PERSONAL_DATA',
  'NO_PERSONAL_DATA_EXPIRED',
  'CUSTOMS_PROBLEMS',
  'AWAIT_CASHIER',
  'WAITING_POSTPAID_BUDGET_RESERVATION',
  'AWAIT_SERVICEABLE_CONFIRMATION',
  'POSTPAID_BUDGET_RESERVATION_FAILED',
  'AWAIT_CUSTOM_PRICE_CONFIRMATION',
  'READY_FOR_PICKUP',
  'TOO_MANY_DELIVERY_DATE_CHANGES',
  'TOO_LONG_DELIVERY',
  'DEFERRED_PAYMENT',
  'POSTPAID_FAILED',
  'INCORRECT_PERSONAL_DATA',
  'CUSTOMS_FAILED_MARKET',
  'CUSTOMS_FAILED_USER_COMMERCIAL_ITEMS',
  'CUSTOMS_FAILED_USER_DUTY_NOT_PAID',
  'CUSTOMS_FAILED_USER_INVALID_PERSONAL_DATA',
  'CUSTOMS_FAILED_USER_ADDITIONAL_DATA_NOT_PROVIDED',
  'AWAIT_PAYMENT_AFTER_DELIVERY',
  'AWAIT_USER_STEAM_FAST_URL',
  'UNKNOWN',
] as const;
/** `OrderUpdateType`. */
export const ORDER_UPDATE_TYPES = ['SHIPMENT_DATE_UPDATED', 'DELIVERY_DATE_UPDATED', 'UNKNOWN'] as const;
/** `ReturnType` (typed here as `OrderReturnType`, not to shadow the TypeScript utility). */
export const RETURN_TYPES = ['UNREDEEMED', 'RETURN'] as const;
/** `RefundStatusType`. */
export const REFUND_STATUSES = [
  'STARTED_BY_USER',
  'REFUND_IN_PROGRESS',
  'REFUNDED',
  'FAILED',
  'WAITING_FOR_DECISION',
  'DECISION_MADE',
  'REFUNDED_WITH_BONUSES',
  'REFUNDED_BY_SHOP',
  'CANCELLED',
  'REJECTED',
  'COMPLETE_WITHOUT_REFUND',
  'PREMODERATION_DISPUTE',
  'PREMODERATION_DECISION_WAITING',
  'PREMODERATION_DECISION_MADE',
  'PREMODERATION_SELECT_DELIVERY',
  'UNKNOWN',
] as const;
/** `ReturnShipmentStatusType`. */
export const RETURN_SHIPMENT_STATUSES = [
  'CREATED',
  'RECEIVED',
  'IN_TRANSIT',
  'READY_FOR_PICKUP',
  'PICKED',
  'LOST',
  'EXPIRED',
  'CANCELLED',
  'FULFILMENT_RECEIVED',
  'PREPARED_FOR_UTILIZATION',
  'NOT_IN_DEMAND',
  'UTILIZED',
  'READY_FOR_EXPROPRIATION',
  'RECEIVED_FOR_EXPROPRIATION',
  'UNKNOWN',
] as const;

/** A spec enum the Market extends without notice: the known values, or any other string as sent. */
export type OpenEnum<T extends string> = T | (string & Record<never, never>);
export type OrderStatus = OpenEnum<(typeof ORDER_STATUSES)[number]>;
export type OrderSubstatus = OpenEnum<(typeof ORDER_SUBSTATUSES)[number]>;
export type OrderUpdateType = OpenEnum<(typeof ORDER_UPDATE_TYPES)[number]>;
export type OrderReturnType = OpenEnum<(typeof RETURN_TYPES)[number]>;
export type RefundStatus = OpenEnum<(typeof REFUND_STATUSES)[number]>;
export type ReturnShipmentStatus = OpenEnum<(typeof RETURN_SHIPMENT_STATUSES)[number]>;

// ---------------------------------------------------------------------------------------------------
// Field schemas

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,18}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Reads a notification date-time: ISO 8601 with `Z` or an offset (`+03:00`, `+0300`, `+03`), seconds
 * optional, any number of fractional digits up to 18 (the Market sends nanoseconds; RFC 3339 sets no limit). Returns the instant, truncated to
 * milliseconds, or undefined when the text is not such a date-time or names an impossible date.
 * Notifications keep their date-times as the original strings; use this to compare them.
 */
export function parseNotificationTime(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', z, sign, oh = '00', om = '00'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(oh) > 23 || Number(om) > 59) return undefined;
  const ms = (frac + '000').slice(0, 3);
  const zone = z ? 'Z' : `${sign}${oh}:${om}`;
  const time = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone}`);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** int64 as a JSON integer; only the safe-integer range can be represented exactly after JSON.parse. */
const int64 = z.int();
/** `BusinessId`, `CampaignId`: int64 with `minimum: 1`. */
const positiveInt64 = z.int().min(1);
const dateTime = z.string().refine((s) => parseNotificationTime(s) !== undefined, {
  error: 'expected an ISO 8601 date-time with Z or an offset',
});
/** An enum value the Market may extend: any string, typed with the known values for completion. */
const openEnum = <const T extends string>(_values: readonly T[]) => z.string().transform((v): OpenEnum<T> => v);
/** The spec's `ShopSku` pattern: 1–255 characters, not all whitespace, no control characters but tab. */
// eslint-disable-next-line no-control-regex
const SHOP_SKU = /^(?=.*\S.*)[^\x00-\x08\x0A-\x1f\x7f]{1,255}$/;
const shopSku = z.string().regex(SHOP_SKU, { error: 'expected a shop SKU (1–255 characters, no control characters)' });
/** `messageId` in CHAT_MESSAGE_SENT: a string of digits naming an int64 (getChatMessage takes a number). */
const digitId = z.string().refine((s) => /^\d+$/.test(s) && Number.isSafeInteger(Number(s)), {
  error: 'expected a string of digits (an integer below 2^53)',
});
/** Optional in the spec; null is tolerated and read as absent. */
const optional = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? undefined);

const orderItem = z.object({ offerId: shopSku, count: z.int() });
const statuses = z.object({
  refundStatus: optional(openEnum(REFUND_STATUSES)),
  shipmentStatus: optional(openEnum(RETURN_SHIPMENT_STATUSES)),
});

/** Known types carry `kind: 'known'`, so one check on `kind` separates them from unknown ones. */
const known = <const T extends NotificationType, S extends z.core.$ZodLooseShape>(notificationType: T, shape: S) =>
  z.object(shape).transform((fields) => ({ kind: 'known' as const, notificationType, ...fields }) as const);

const chatId = int64.transform(marketChatId);

// ---------------------------------------------------------------------------------------------------
// One schema per notification type (the DTOs of SendNotificationRequest's oneOf)

const pingSchema = known('PING', { time: optional(dateTime) });
const chatCreatedSchema = known('CHAT_CREATED', { chatId, businessId: positiveInt64, createdAt: dateTime });
const chatMessageSentSchema = z
  .object({ chatId, messageId: digitId, businessId: positiveInt64, sentAt: dateTime })
  .transform(({ messageId, ...rest }) => ({
    kind: 'known' as const,
    notificationType: 'CHAT_MESSAGE_SENT' as const,
    ...rest,
    messageId: marketMessageId(Number(messageId)),
    rawMessageId: messageId,
  }));
const chatArbitrageStartedSchema = known('CHAT_ARBITRAGE_STARTED', {
  chatId,
  businessId: positiveInt64,
  startedAt: dateTime,
});
const chatArbitrageFinishedSchema = known('CHAT_ARBITRAGE_FINISHED', {
  chatId,
  businessId: positiveInt64,
  finishedAt: dateTime,
});
const orderCreatedSchema = known('ORDER_CREATED', {
  orderId: int64,
  campaignId: positiveInt64,
  items: z.array(orderItem),
  createdAt: dateTime,
});
const orderCancelledSchema = known('ORDER_CANCELLED', {
  orderId: int64,
  campaignId: positiveInt64,
  items: z.array(orderItem),
  cancelledAt: dateTime,
});
const orderStatusUpdatedSchema = known('ORDER_STATUS_UPDATED', {
  orderId: int64,
  campaignId: positiveInt64,
  status: openEnum(ORDER_STATUSES),
  substatus: openEnum(ORDER_SUBSTATUSES),
  updatedAt: dateTime,
});
const orderUpdatedSchema = known('ORDER_UPDATED', {
  orderId: int64,
  campaignId: positiveInt64,
  updateType: openEnum(ORDER_UPDATE_TYPES),
  updatedAt: dateTime,
});
const orderCancellationRequestSchema = known('ORDER_CANCELLATION_REQUEST', {
  orderId: int64,
  campaignId: positiveInt64,
  requestedAt: dateTime,
});
const orderReturnCreatedSchema = known('ORDER_RETURN_CREATED', {
  orderId: int64,
  returnId: int64,
  returnType: openEnum(RETURN_TYPES),
  campaignId: positiveInt64,
  items: z.array(orderItem),
  createdAt: dateTime,
});
const orderReturnStatusUpdatedSchema = known('ORDER_RETURN_STATUS_UPDATED', {
  orderId: int64,
  returnId: int64,
  campaignId: positiveInt64,
  statuses,
  updatedAt: dateTime,
});
const goodsFeedbackCreatedSchema = known('GOODS_FEEDBACK_CREATED', {
  feedbackId: int64,
  businessId: positiveInt64,
  createdAt: dateTime,
  publishedAt: dateTime,
});
const goodsFeedbackCommentCreatedSchema = known('GOODS_FEEDBACK_COMMENT_CREATED', {
  commentId: int64,
  businessId: positiveInt64,
  createdAt: dateTime,
});
const questionCreatedSchema = known('QUESTION_CREATED', {
  questionId: int64,
  businessId: positiveInt64,
  createdAt: dateTime,
});
const questionAnswerCreatedSchema = known('QUESTION_ANSWER_CREATED', {
  answerId: int64,
  businessId: positiveInt64,
  createdAt: dateTime,
});
const questionCommentCreatedSchema = known('QUESTION_COMMENT_CREATED', {
  answerId: int64,
  commentId: int64,
  businessId: positiveInt64,
  createdAt: dateTime,
});

/**
 * The body schema of each known notification type, without `notificationType` itself (the dispatch in
 * `parseNotification` has already read it). Output objects carry `kind: 'known'` and the type.
 */
export const notificationSchemas = {
  PING: pingSchema,
  ORDER_CREATED: orderCreatedSchema,
  ORDER_CANCELLED: orderCancelledSchema,
  ORDER_STATUS_UPDATED: orderStatusUpdatedSchema,
  ORDER_RETURN_CREATED: orderReturnCreatedSchema,
  ORDER_CANCELLATION_REQUEST: orderCancellationRequestSchema,
  ORDER_RETURN_STATUS_UPDATED: orderReturnStatusUpdatedSchema,
  ORDER_UPDATED: orderUpdatedSchema,
  GOODS_FEEDBACK_CREATED: goodsFeedbackCreatedSchema,
  GOODS_FEEDBACK_COMMENT_CREATED: goodsFeedbackCommentCreatedSchema,
  CHAT_CREATED: chatCreatedSchema,
  CHAT_MESSAGE_SENT: chatMessageSentSchema,
  CHAT_ARBITRAGE_STARTED: chatArbitrageStartedSchema,
  CHAT_ARBITRAGE_FINISHED: chatArbitrageFinishedSchema,
  QUESTION_CREATED: questionCreatedSchema,
  QUESTION_ANSWER_CREATED: questionAnswerCreatedSchema,
  QUESTION_COMMENT_CREATED: questionCommentCreatedSchema,
} satisfies Record<NotificationType, z.ZodType>;

// ---------------------------------------------------------------------------------------------------
// The parsed union

/** `PING`: sent before an integration is enabled; answer 200 with `notificationResponse` within 1 s. */
export type PingNotification = z.output<typeof pingSchema>;
/** `CHAT_CREATED`: a new buyer chat (any chat type). `chatId` is the Market's chat id. */
export type ChatCreatedNotification = z.output<typeof chatCreatedSchema>;
/**
 * `CHAT_MESSAGE_SENT`: a new message in a chat (not sent for stickers). `messageId` is the int64 the
 * Partner API takes (the wire carries it as a string); `rawMessageId` is that string exactly as sent.
 * The Market may deliver it more than once: key idempotency on `(chatId, messageId)`.
 */
export type ChatMessageSentNotification = z.output<typeof chatMessageSentSchema>;
/** `CHAT_ARBITRAGE_STARTED`: a dispute began in a chat (never for DIRECT chats). */
export type ChatArbitrageStartedNotification = z.output<typeof chatArbitrageStartedSchema>;
/** `CHAT_ARBITRAGE_FINISHED`: a dispute ended in a chat (never for DIRECT chats). */
export type ChatArbitrageFinishedNotification = z.output<typeof chatArbitrageFinishedSchema>;
export type OrderCreatedNotification = z.output<typeof orderCreatedSchema>;
export type OrderCancelledNotification = z.output<typeof orderCancelledSchema>;
export type OrderStatusUpdatedNotification = z.output<typeof orderStatusUpdatedSchema>;
export type OrderUpdatedNotification = z.output<typeof orderUpdatedSchema>;
/** `ORDER_CANCELLATION_REQUEST`: DBS only. */
export type OrderCancellationRequestNotification = z.output<typeof orderCancellationRequestSchema>;
export type OrderReturnCreatedNotification = z.output<typeof orderReturnCreatedSchema>;
/** `ORDER_RETURN_STATUS_UPDATED`: `statuses` holds only the status that changed. */
export type OrderReturnStatusUpdatedNotification = z.output<typeof orderReturnStatusUpdatedSchema>;
export type GoodsFeedbackCreatedNotification = z.output<typeof goodsFeedbackCreatedSchema>;
export type GoodsFeedbackCommentCreatedNotification = z.output<typeof goodsFeedbackCommentCreatedSchema>;
export type QuestionCreatedNotification = z.output<typeof questionCreatedSchema>;
export type QuestionAnswerCreatedNotification = z.output<typeof questionAnswerCreatedSchema>;
export type QuestionCommentCreatedNotification = z.output<typeof questionCommentCreatedSchema>;

/** A notification of a known type, discriminated by `notificationType`. */
export type KnownNotification = {
  [T in NotificationType]: z.output<(typeof notificationSchemas)[T]>;
}[NotificationType];

/**
 * A well-formed notification of a type this module does not know (the Market adds types). Answer it
 * with 200 like any other; nothing else is read from the body.
 */
export interface UnknownNotification {
  kind: 'unknown';
  notificationType: string;
}

/**
 * A parsed notification. Check `kind` first: `notificationType` of an unknown one is any string, so
 * only after `kind === 'known'` does a switch on `notificationType` narrow to one variant.
 */
export type MarketNotification = KnownNotification | UnknownNotification;

// ---------------------------------------------------------------------------------------------------
// Parsing

const MESSAGE_LIMIT = 300;

const isKnownType = (t: string): t is NotificationType => (NOTIFICATION_TYPES as readonly string[]).includes(t);

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a fractional number';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const EXPECTED: Record<string, string> = {
  int: 'an integer',
  number: 'an integer',
  string: 'a string',
  object: 'an object',
  array: 'an array',
};

/** Short, fixed texts for zod's issues; the input itself is never echoed. */
const issueText: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'too_small':
      return iss.origin === 'number' || iss.origin === 'int'
        ? `expected an integer ≥ ${String(iss.minimum)}`
        : undefined;
    case 'too_big':
      return iss.origin === 'number' || iss.origin === 'int'
        ? 'expected an integer within the safe range (|n| < 2^53)'
        : undefined;
    default:
      return undefined;
  }
};

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  ) || 'body';

function cap(text: string): string {
  return text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT - 1)}…`;
}

/** Joins whole reasons while they fit in the limit, then says how many were left out. */
function joinReasons(reasons: readonly string[]): string {
  let out = '';
  for (const [i, reason] of reasons.entries()) {
    const next = out ? `${out}; ${reason}` : reason;
    const rest = reasons.length - i - 1;
    const tail = rest > 0 ? `; and ${String(rest)} more` : '';
    if (out && next.length + tail.length > MESSAGE_LIMIT) return `${out}; and ${String(reasons.length - i)} more`;
    out = next;
  }
  return cap(out);
}

/**
 * Parses a notification body (already JSON-decoded). A body is well-formed when it is a JSON object with
 * a non-empty string `notificationType`; a known type must also match its DTO. Unknown types are
 * accepted as `UnknownNotification`. On refusal, `message` names the offending fields (e.g.
 * `chatId: expected an integer, got a string`), is at most ~300 characters and never contains the input.
 */
export function parseNotification(
  body: unknown,
): { ok: true; notification: MarketNotification } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: `body: expected a JSON object, got ${describeValue(body)}` };
  }
  const type = (body as Record<string, unknown>)['notificationType'];
  if (type === undefined) return { ok: false, message: 'notificationType: required' };
  if (typeof type !== 'string') {
    return { ok: false, message: `notificationType: expected a string, got ${describeValue(type)}` };
  }
  if (type.trim() === '') return { ok: false, message: 'notificationType: expected a non-empty string' };
  if (!isKnownType(type)) return { ok: true, notification: { kind: 'unknown', notificationType: cap(type) } };

  const result = notificationSchemas[type].safeParse(body, { error: issueText });
  if (result.success) return { ok: true, notification: result.data };
  const reasons = [...new Set(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`))];
  return { ok: false, message: joinReasons(reasons) };
}

// ---------------------------------------------------------------------------------------------------
// Responses

const codePoints = (s: string): number => [...s].length;

/**
 * The 200 body for every notification, PING included (`SendNotificationResponse`). `name` and `version`
 * identify the integration in the cabinet's notification log and must be 1–100 characters; they come
 * from our own code or config, so a bad one throws (check it once at start-up). `startedAt` is when
 * processing began; `time` is it in UTC.
 */
export function notificationResponse(
  name: string,
  version: string,
  startedAt: Date,
): { version: string; name: string; time: string } {
  for (const [field, value] of [
    ['name', name],
    ['version', version],
  ] as const) {
    const n = codePoints(value);
    if (n < 1 || n > 100) {
      throw new RangeError(`notification response ${field} must be 1–100 characters, got ${String(n)}`);
    }
  }
  return { version, name, time: startedAt.toISOString() };
}

/** `NotificationApiErrorType`. */
export type NotificationErrorType = 'UNKNOWN' | 'WRONG_EVENT_FORMAT' | 'DUPLICATED_EVENT';

/**
 * The error body (`SendNotificationErrorResponse`). Send it with 400 for a malformed notification (the
 * Market does not retry) or 500 for our own failure (the Market retries). Prefer 200 over
 * `DUPLICATED_EVENT`: duplicates are normal and handled by idempotency.
 */
export function notificationError(
  type: NotificationErrorType,
  message: string,
): { error: { type: NotificationErrorType; message: string } } {
  return { error: { type, message } };
}
