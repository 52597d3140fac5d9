/**
 * Field schemas of the notification bodies: int64 ids, the spec's date-times, shop SKUs, open enums, and the
 * `known(...)` builder every per-type schema in notifications.ts is made with.
 */
import { z } from 'zod';
import { marketChatId } from '../bridge/ids.ts';
import {
  REFUND_STATUSES,
  RETURN_SHIPMENT_STATUSES,
  type NotificationType,
  type OpenEnum,
} from './notification-enums.ts';

export const DATE_TIME =
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
export const int64 = z.int();
/** `BusinessId`, `CampaignId`: int64 with `minimum: 1`. */
export const positiveInt64 = z.int().min(1);
export const dateTime = z.string().refine((s) => parseNotificationTime(s) !== undefined, {
  error: 'expected an ISO 8601 date-time with Z or an offset',
});
/** An enum value the Market may extend: any string, typed with the known values for completion. */
export const openEnum = <const T extends string>(_values: readonly T[]) => z.string().transform((v): OpenEnum<T> => v);
/** The spec's `ShopSku` pattern: 1–255 characters, not all whitespace, no control characters but tab. */
// eslint-disable-next-line no-control-regex
export const SHOP_SKU = /^(?=.*\S.*)[^\x00-\x08\x0A-\x1f\x7f]{1,255}$/;
export const shopSku = z
  .string()
  .regex(SHOP_SKU, { error: 'expected a shop SKU (1–255 characters, no control characters)' });
/** `messageId` in CHAT_MESSAGE_SENT: a string of digits naming an int64 (getChatMessage takes a number). */
export const digitId = z.string().refine((s) => /^\d+$/.test(s) && Number.isSafeInteger(Number(s)), {
  error: 'expected a string of digits (an integer below 2^53)',
});
/** Optional in the spec; null is tolerated and read as absent. */
export const optional = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? undefined);

export const orderItem = z.object({ offerId: shopSku, count: z.int() });
export const statuses = z.object({
  refundStatus: optional(openEnum(REFUND_STATUSES)),
  shipmentStatus: optional(openEnum(RETURN_SHIPMENT_STATUSES)),
});

/** Known types carry `kind: 'known'`, so one check on `kind` separates them from unknown ones. */
export const known = <const T extends NotificationType, S extends z.core.$ZodLooseShape>(
  notificationType: T,
  shape: S,
) => z.object(shape).transform((fields) => ({ kind: 'known' as const, notificationType, ...fields }) as const);

export const chatId = int64.transform(marketChatId);
