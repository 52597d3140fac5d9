/**
 * Market API notifications (the notification-api spec, `POST /notification`): the request bodies the
 * Market pushes, parsed into a typed union, and the response bodies the receiver answers with.
 *
 * Strict where the spec is definite and the receiver depends on it (required fields, JSON types, int64
 * ids within the safe-integer range, date-times), tolerant where the Market is known to grow: extra
 * fields are ignored, enum values inside known types are kept as any string, and a well-formed body
 * with an unknown `notificationType` parses as an `UnknownNotification` so the receiver still answers 200.
 * Refusals carry a short reason naming the field, fit for a 400 `WRONG_EVENT_FORMAT` answer. The spec's enums
 * are in notification-enums.ts, the field schemas in notification-fields.ts.
 */
import { z } from 'zod';
import { marketMessageId } from '../bridge/ids.ts';
import {
  int64,
  positiveInt64,
  dateTime,
  openEnum,
  digitId,
  optional,
  orderItem,
  statuses,
  known,
  chatId,
} from './notification-fields.ts';
import {
  NOTIFICATION_TYPES,
  type NotificationType,
  ORDER_STATUSES,
  ORDER_SUBSTATUSES,
  ORDER_UPDATE_TYPES,
  RETURN_TYPES,
} from './notification-enums.ts';

export * from './notification-enums.ts';
export { parseNotificationTime } from './notification-fields.ts';

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
