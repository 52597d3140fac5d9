/**
 * What the context card says, in Russian and English (texts.ts carries it as `Texts.card`): its labels, the
 * waiting line, and the words for the Market's order codes (status, the most common substatuses, delivery and
 * payment). A code a table does not know is shown as the Market sent it (order-lines.ts).
 */
import type { OrderDeliveryType, OrderPaymentType, OrderStatus } from './model.ts';
import { enPlural, ruPlural } from './plural.ts';

export interface CardTexts {
  title: string;
  chatType: string;
  orderLabel: string;
  returnLabel: string;
  buyer: string;
  created: string;
  chatId: string;
  /** "⏳ Waits for our reply since 01.03.2025 14:05": an absolute time, so the card needs no edit every minute. */
  waitingSince: (time: string) => string;
  orderStatusLabel: string;
  /** OrderStatusType, every value the spec lists. */
  orderStatus: Record<OrderStatus, string>;
  /** OrderSubstatusType: the processing stages and the most common reasons of a cancellation. */
  substatus: Readonly<Record<string, string>>;
  testOrder: string;
  itemsTotal: string;
  /** Under the first items of a long order. */
  moreItems: (n: number) => string;
  delivery: string;
  deliveryType: Record<Exclude<OrderDeliveryType, 'UNKNOWN'>, string>;
  payment: string;
  paymentType: Record<Exclude<OrderPaymentType, 'UNKNOWN'>, string>;
  /** OrderPaymentMethodType, the common ones. */
  paymentMethod: Readonly<Record<string, string>>;
}

export const ruCard: CardTexts = {
  title: 'Чат с покупателем Яндекс Маркета',
  chatType: 'Тип',
  orderLabel: 'Заказ',
  returnLabel: 'Возврат',
  buyer: 'Покупатель',
  created: 'Создан',
  chatId: 'Чат Маркета',
  waitingSince: (time) => `⏳ Ждёт нашего ответа с ${time}`,
  orderStatusLabel: 'Статус заказа',
  orderStatus: {
    PLACING: 'оформляется',
    RESERVED: 'зарезервирован',
    UNPAID: 'не оплачен',
    PROCESSING: 'в обработке',
    DELIVERY: 'передан в доставку',
    PICKUP: 'в пункте выдачи',
    DELIVERED: 'получен покупателем',
    CANCELLED: 'отменён',
    PENDING: 'ждёт подтверждения продавца',
    PARTIALLY_RETURNED: 'возвращён частично',
    RETURNED: 'возвращён',
    UNKNOWN: 'неизвестен',
  },
  substatus: {
    STARTED: 'подтверждён',
    PACKAGING: 'собирается',
    READY_TO_SHIP: 'готов к отгрузке',
    SHIPPED: 'отгружен',
    AWAIT_CONFIRMATION: 'ждёт подтверждения',
    PREORDER: 'предзаказ',
    DELIVERY_SERVICE_RECEIVED: 'принят службой доставки',
    LAST_MILE_STARTED: 'у курьера',
    USER_RECEIVED: 'получен',
    RESERVATION_EXPIRED: 'не оформлен вовремя',
    USER_NOT_PAID: 'покупатель не оплатил',
    USER_UNREACHABLE: 'не удалось связаться с покупателем',
    USER_CHANGED_MIND: 'покупатель передумал',
    USER_REFUSED_DELIVERY: 'покупателя не устроила доставка',
    USER_REFUSED_PRODUCT: 'товар не подошёл',
    USER_REFUSED_QUALITY: 'покупателя не устроило качество',
    SHOP_FAILED: 'магазин не может выполнить заказ',
    REPLACING_ORDER: 'покупатель заменил товар',
    PICKUP_EXPIRED: 'истёк срок хранения',
    DELIVERY_SERVICE_UNDELIVERED: 'служба доставки не доставила',
    DELIVERY_PROBLEMS: 'проблемы с доставкой',
    BROKEN_ITEM: 'товар повреждён',
    WRONG_ITEM: 'не тот товар',
    MISSING_ITEM: 'товара нет в наличии',
    USER_WANTS_TO_CHANGE_DELIVERY_DATE: 'покупатель хочет другую дату доставки',
    USER_WANTS_TO_CHANGE_ADDRESS: 'покупатель хочет другой адрес',
    LOST: 'потерян',
    TECHNICAL_ERROR: 'техническая ошибка Маркета',
  },
  testOrder: '🧪 тестовый',
  itemsTotal: 'Итого за товары',
  moreItems: (n) => `…и ещё ${ruPlural(n, 'товар', 'товара', 'товаров')}`,
  delivery: 'Доставка',
  deliveryType: { DELIVERY: 'курьером', PICKUP: 'в пункт выдачи', POST: 'почтой', DIGITAL: 'цифровой товар' },
  payment: 'Оплата',
  paymentType: { PREPAID: 'при оформлении', POSTPAID: 'при получении' },
  paymentMethod: {
    YANDEX: 'картой онлайн',
    SBP: 'через СБП',
    CARD_ON_DELIVERY: 'картой',
    BOUND_CARD_ON_DELIVERY: 'привязанной картой',
    CASH_ON_DELIVERY: 'наличными',
    CREDIT: 'в кредит',
    TINKOFF_CREDIT: 'в кредит',
    TINKOFF_INSTALLMENTS: 'в рассрочку',
    BNPL_ON_DELIVERY: 'Сплитом',
    BNPL_BANK_ON_DELIVERY: 'Сплитом',
    BNPL_TBYB: 'Сплитом',
    MICROCREDIT: 'Сплитом',
    EXTERNAL_CERTIFICATE: 'сертификатом',
    B2B_ACCOUNT_PREPAYMENT: 'организацией',
    B2B_ACCOUNT_POSTPAYMENT: 'организацией',
  },
};

export const enCard: CardTexts = {
  title: 'Yandex Market buyer chat',
  chatType: 'Type',
  orderLabel: 'Order',
  returnLabel: 'Return',
  buyer: 'Buyer',
  created: 'Created',
  chatId: 'Market chat',
  waitingSince: (time) => `⏳ Waits for our reply since ${time}`,
  orderStatusLabel: 'Order status',
  orderStatus: {
    PLACING: 'being placed',
    RESERVED: 'reserved',
    UNPAID: 'not paid yet',
    PROCESSING: 'processing',
    DELIVERY: 'in delivery',
    PICKUP: 'at the pickup point',
    DELIVERED: 'delivered',
    CANCELLED: 'cancelled',
    PENDING: 'waiting for the seller to confirm',
    PARTIALLY_RETURNED: 'partly returned',
    RETURNED: 'returned',
    UNKNOWN: 'unknown',
  },
  substatus: {
    STARTED: 'confirmed',
    PACKAGING: 'being packed',
    READY_TO_SHIP: 'ready to ship',
    SHIPPED: 'shipped',
    AWAIT_CONFIRMATION: 'awaiting confirmation',
    PREORDER: 'pre-order',
    DELIVERY_SERVICE_RECEIVED: 'with the delivery service',
    LAST_MILE_STARTED: 'with the courier',
    USER_RECEIVED: 'received',
    RESERVATION_EXPIRED: 'not placed in time',
    USER_NOT_PAID: 'the buyer did not pay',
    USER_UNREACHABLE: 'the buyer could not be reached',
    USER_CHANGED_MIND: 'the buyer changed their mind',
    USER_REFUSED_DELIVERY: 'the buyer refused the delivery terms',
    USER_REFUSED_PRODUCT: 'the product did not suit the buyer',
    USER_REFUSED_QUALITY: 'the buyer refused the quality',
    SHOP_FAILED: 'the shop cannot fulfil it',
    REPLACING_ORDER: 'the buyer replaced the product',
    PICKUP_EXPIRED: 'not collected in time',
    DELIVERY_SERVICE_UNDELIVERED: 'not delivered by the delivery service',
    DELIVERY_PROBLEMS: 'delivery problems',
    BROKEN_ITEM: 'damaged item',
    WRONG_ITEM: 'wrong item',
    MISSING_ITEM: 'item out of stock',
    USER_WANTS_TO_CHANGE_DELIVERY_DATE: 'the buyer wants another delivery date',
    USER_WANTS_TO_CHANGE_ADDRESS: 'the buyer wants another address',
    LOST: 'lost',
    TECHNICAL_ERROR: 'a Market technical error',
  },
  testOrder: '🧪 test order',
  itemsTotal: 'Items total',
  moreItems: (n) => `…and ${enPlural(n, 'more item', 'more items')}`,
  delivery: 'Delivery',
  deliveryType: { DELIVERY: 'by courier', PICKUP: 'to a pickup point', POST: 'by post', DIGITAL: 'digital goods' },
  payment: 'Payment',
  paymentType: { PREPAID: 'when ordering', POSTPAID: 'on delivery' },
  paymentMethod: {
    YANDEX: 'card online',
    SBP: 'fast payment system (SBP)',
    CARD_ON_DELIVERY: 'card',
    BOUND_CARD_ON_DELIVERY: 'saved card',
    CASH_ON_DELIVERY: 'cash',
    CREDIT: 'credit',
    TINKOFF_CREDIT: 'credit',
    TINKOFF_INSTALLMENTS: 'instalments',
    BNPL_ON_DELIVERY: 'Split',
    BNPL_BANK_ON_DELIVERY: 'Split',
    BNPL_TBYB: 'Split',
    MICROCREDIT: 'Split',
    EXTERNAL_CERTIFICATE: 'gift certificate',
    B2B_ACCOUNT_PREPAYMENT: 'by a company',
    B2B_ACCOUNT_POSTPAYMENT: 'by a company',
  },
};
