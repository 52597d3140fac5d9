/**
 * Market notification intake: which push notifications concern our chats, and what each one asks the bridge
 * to do. Notifications are triggers, not truth: the bridge syncs the chat from the API.
 */
import type { Logger } from 'pino';
import type { ChatEvent } from '../bridge/bridge.ts';
import { marketChatId, type MarketChatId, type MarketMessageId } from '../bridge/ids.ts';
import type { MarketNotification } from './notifications.ts';

/** What the intake hands a chat notification to (the bridge). */
export interface NotificationSink {
  /** `messageId`: the message a CHAT_MESSAGE_SENT announces. */
  notified(marketChatId: MarketChatId, event: ChatEvent, receivedAt: number, messageId?: MarketMessageId): void;
}

/** The notification types that concern a chat, and what each says happened. */
export const CHAT_EVENTS: Readonly<Record<string, ChatEvent>> = {
  CHAT_CREATED: 'created',
  CHAT_MESSAGE_SENT: 'message',
  CHAT_ARBITRAGE_STARTED: 'arbitrage',
  CHAT_ARBITRAGE_FINISHED: 'arbitrage',
};

export interface IntakeOptions {
  /** Our cabinet: a chat notification for another one is ignored (and logged). */
  businessId: number;
  sink: NotificationSink;
  logger: Logger;
}

/**
 * Returns the handler for received notifications: chat notifications of our cabinet trigger a sync of that
 * chat; everything else is left alone (the caller counts it).
 */
export function notificationIntake(o: IntakeOptions): (n: MarketNotification, receivedAt: number) => void {
  return (n, receivedAt) => {
    const event = CHAT_EVENTS[n.notificationType];
    if (!event || !('chatId' in n)) return;
    if ('businessId' in n && n.businessId !== o.businessId) {
      o.logger.warn({ businessId: n.businessId }, 'notification for another cabinet ignored');
      return;
    }
    const messageId = n.notificationType === 'CHAT_MESSAGE_SENT' ? n.messageId : undefined;
    o.sink.notified(marketChatId(Number(n.chatId)), event, receivedAt, messageId);
  };
}
