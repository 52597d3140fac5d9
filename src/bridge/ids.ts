/**
 * Branded ids. Each id says which side it belongs to, so a Market chat id can never be passed where a
 * Telegram topic id is expected. Build them only at the boundaries (clients, store), with these helpers.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A Yandex Market chat (`chatId` in the Partner API, int64). */
export type MarketChatId = Brand<number, 'MarketChatId'>;
/** A message inside a Market chat (`messageId`, int64; a string in CHAT_MESSAGE_SENT notifications). */
export type MarketMessageId = Brand<number, 'MarketMessageId'>;
/** A forum topic in the Telegram supergroup (`message_thread_id`). */
export type TopicId = Brand<number, 'TopicId'>;
/** A message in the Telegram supergroup (`message_id`). */
export type TelegramMessageId = Brand<number, 'TelegramMessageId'>;
/** A Telegram user (`from.id`). */
export type TelegramUserId = Brand<number, 'TelegramUserId'>;

export const marketChatId = (n: number): MarketChatId => n as MarketChatId;
export const marketMessageId = (n: number): MarketMessageId => n as MarketMessageId;
export const topicId = (n: number): TopicId => n as TopicId;
export const telegramMessageId = (n: number): TelegramMessageId => n as TelegramMessageId;
export const telegramUserId = (n: number): TelegramUserId => n as TelegramUserId;
