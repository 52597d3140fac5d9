/**
 * The bridge's view of Market chats and messages. The Market client maps API payloads onto these types;
 * unknown enum values arrive as 'UNKNOWN' rather than failing, as the Market's best practices ask.
 */
import type { MarketChatId, MarketMessageId } from './ids.ts';

export const CHAT_STATUSES = [
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_ARBITER',
  'WAITING_FOR_MARKET',
  'FINISHED',
] as const;
export type ChatStatus = (typeof CHAT_STATUSES)[number] | 'UNKNOWN';

/** Every status except FINISHED: the chats that may still get new messages. */
export const OPEN_CHAT_STATUSES = CHAT_STATUSES.filter((s) => s !== 'FINISHED');

export type ChatKind = 'CHAT' | 'ARBITRAGE' | 'UNKNOWN';
export type ChatContextType = 'ORDER' | 'RETURN' | 'DIRECT' | 'UNKNOWN';
export type MessageSender = 'PARTNER' | 'CUSTOMER' | 'MARKET' | 'SUPPORT' | 'UNKNOWN';

export interface ChatCustomer {
  /** Public Yandex ID display name. */
  name?: string;
  /** Public Yandex ID; profile at https://market.yandex.ru/user/{publicId}/reviews */
  publicId?: string;
}

export interface ChatContext {
  type: ChatContextType;
  customer?: ChatCustomer;
  campaignId?: number;
  orderId?: number;
  returnId?: number;
}

/**
 * The order or return a seller starts a chat about (the spec's ChatContextDTO, as createChat takes it):
 * `id` is the Market's order id or return id. A seller cannot start a DIRECT chat.
 */
export interface ChatSubject {
  type: 'ORDER' | 'RETURN';
  id: number;
}

/** A Market chat (GetChatInfoDTO). */
export interface MarketChat {
  id: MarketChatId;
  kind: ChatKind;
  status: ChatStatus;
  context: ChatContext;
  /** ISO 8601 with offset, as the Market sent it. */
  createdAt: string;
  /** ISO 8601; the time of the chat's last message. */
  updatedAt: string;
}

/** An attachment of a Market message (ChatMessagePayloadDTO). */
export interface MarketAttachment {
  name: string;
  url: string;
  /** Bytes. */
  size: number;
}

/** A message in a Market chat (ChatMessageDTO). */
export interface MarketMessage {
  id: MarketMessageId;
  /** ISO 8601 with offset. */
  createdAt: string;
  sender: MessageSender;
  text?: string;
  attachments: MarketAttachment[];
}

/** OrderStatusType values the spec lists; the Market says others may come, and they are kept as sent. */
export type OrderStatus =
  | 'PLACING'
  | 'RESERVED'
  | 'UNPAID'
  | 'PROCESSING'
  | 'DELIVERY'
  | 'PICKUP'
  | 'DELIVERED'
  | 'CANCELLED'
  | 'PENDING'
  | 'PARTIALLY_RETURNED'
  | 'RETURNED'
  | 'UNKNOWN';
/** OrderDeliveryType: DELIVERY is courier delivery. */
export type OrderDeliveryType = 'DELIVERY' | 'PICKUP' | 'POST' | 'DIGITAL' | 'UNKNOWN';
export type OrderPaymentType = 'PREPAID' | 'POSTPAID' | 'UNKNOWN';

/** One line of an order. */
export interface OrderItemSummary {
  /** The offer's name as the buyer saw it (`offerName`). */
  name: string;
  count: number;
  /** What the buyer pays for one unit, after discounts, in the order's currency; absent when not given. */
  price?: number;
}

/**
 * An order as a chat's context card shows it: a small reduction of the Market's OrderDTO (getOrder) or
 * BusinessOrderDTO (getBusinessOrders), the same whichever endpoint it came from. Enum values arrive as
 * the Market sent them, known or not; an optional field the Market sent malformed is simply absent.
 * It carries no personal data (no names, phones or addresses).
 */
export interface OrderSummary {
  orderId: number;
  items: OrderItemSummary[];
  /** What the buyer pays for the items, without delivery, in `currency`. */
  total?: number;
  /** CurrencyType code, e.g. 'RUR'. */
  currency?: string;
  status: OrderStatus | (string & {});
  /** OrderSubstatusType (125 values): the processing stage, or the reason of a cancellation. */
  substatus?: string;
  deliveryType?: OrderDeliveryType | (string & {});
  /** The delivery window as ISO dates (YYYY-MM-DD); without `to` it is the single day `from`. */
  deliveryDates?: { from?: string; to?: string };
  paymentType?: OrderPaymentType | (string & {});
  /** OrderPaymentMethodType, e.g. 'YANDEX' (card, prepaid) or 'CASH_ON_DELIVERY'. */
  paymentMethod?: string;
  /** True for a Market test order. */
  fake?: boolean;
}
