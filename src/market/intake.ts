/**
 * Market notification intake: which push notifications concern our chats, and what each one asks the bridge
 * to do. Notifications are triggers, not truth: the bridge syncs the chat from the API.
 */
import type { Logger } from 'pino';
import type { ChatEvent } from '../bridge/bridge.ts';
import type { ThreadEvent } from '../bridge/threads.ts';
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

/** What the intake hands a review or question notification to (the bridge's threads); none: they are ignored. */
export interface ThreadNotificationSink {
  notified(event: ThreadEvent): Promise<void>;
}

export interface IntakeOptions {
  /** Our cabinet: a notification for another one is ignored (and logged). */
  businessId: number;
  sink: NotificationSink;
  /** Reviews and questions (MARKET_REVIEWS, MARKET_QUESTIONS). */
  threads?: { sink: ThreadNotificationSink; reviews: boolean; questions: boolean };
  logger: Logger;
}

/** The review or question a notification announces, if it is one of those and its kind is mirrored. */
function threadEvent(n: MarketNotification, o: IntakeOptions['threads']): ThreadEvent | undefined {
  if (!o || n.kind !== 'known') return undefined;
  switch (n.notificationType) {
    case 'GOODS_FEEDBACK_CREATED':
      return o.reviews ? { kind: 'review', reviewId: Number(n.feedbackId) } : undefined;
    case 'GOODS_FEEDBACK_COMMENT_CREATED':
      return o.reviews ? { kind: 'review-comment', commentId: Number(n.commentId) } : undefined;
    case 'QUESTION_CREATED':
      return o.questions ? { kind: 'question', questionId: Number(n.questionId) } : undefined;
    case 'QUESTION_ANSWER_CREATED':
    case 'QUESTION_COMMENT_CREATED':
      return o.questions ? { kind: 'answer', answerId: Number(n.answerId) } : undefined;
    default:
      return undefined;
  }
}

/**
 * Returns the handler for received notifications: chat notifications of our cabinet trigger a sync of that
 * chat, review and question ones a look-up and sync of their thread; everything else is left alone (the caller
 * counts it).
 */
export function notificationIntake(o: IntakeOptions): (n: MarketNotification, receivedAt: number) => void {
  return (n, receivedAt) => {
    if ('businessId' in n && n.businessId !== o.businessId) {
      o.logger.warn({ businessId: n.businessId }, 'notification for another cabinet ignored');
      return;
    }
    const thread = threadEvent(n, o.threads);
    if (thread) {
      o.threads?.sink.notified(thread).catch((err: unknown) => {
        o.logger.warn({ err, event: thread }, 'could not follow a review or question notification; polling will');
      });
      return;
    }
    const event = CHAT_EVENTS[n.notificationType];
    if (!event || !('chatId' in n)) return;
    const messageId = n.notificationType === 'CHAT_MESSAGE_SENT' ? n.messageId : undefined;
    o.sink.notified(marketChatId(Number(n.chatId)), event, receivedAt, messageId);
  };
}
