import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { marketChatId, marketMessageId, type MarketChatId, type MarketMessageId } from '../../src/bridge/ids.ts';
import { notificationIntake } from '../../src/market/intake.ts';
import { parseNotification, type MarketNotification } from '../../src/market/notifications.ts';

function notification(body: Record<string, unknown>): MarketNotification {
  const parsed = parseNotification(body);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.notification;
}

function intake() {
  const calls: Array<[MarketChatId, string, number, MarketMessageId | undefined]> = [];
  const handle = notificationIntake({
    businessId: 7,
    sink: { notified: (id, event, at, messageId) => void calls.push([id, event, at, messageId]) },
    logger: pino({ level: 'silent' }),
  });
  return { calls, handle };
}

const at = '2026-01-01T00:00:00Z';

describe('notificationIntake', () => {
  it('hands chat notifications of our cabinet to the bridge with what happened and the message announced', () => {
    const { calls, handle } = intake();
    handle(notification({ notificationType: 'CHAT_CREATED', chatId: 11, businessId: 7, createdAt: at }), 1);
    handle(
      notification({ notificationType: 'CHAT_MESSAGE_SENT', chatId: 12, messageId: '5', businessId: 7, sentAt: at }),
      2,
    );
    expect(calls).toEqual([
      [marketChatId(11), 'created', 1, undefined],
      [marketChatId(12), 'message', 2, marketMessageId(5)],
    ]);
  });

  it('ignores a chat notification for another cabinet and anything that is not about a chat', () => {
    const { calls, handle } = intake();
    handle(notification({ notificationType: 'CHAT_CREATED', chatId: 11, businessId: 8, createdAt: at }), 1);
    handle(notification({ notificationType: 'PING', time: at }), 2);
    expect(calls).toEqual([]);
  });

  it('hands review and question notifications of the mirrored kinds to the threads, as what to look up', async () => {
    const events: unknown[] = [];
    const make = (reviews: boolean, questions: boolean) =>
      notificationIntake({
        businessId: 7,
        sink: { notified: () => undefined },
        threads: { sink: { notified: (e) => Promise.resolve(void events.push(e)) }, reviews, questions },
        logger: pino({ level: 'silent' }),
      });
    const all = [
      { notificationType: 'GOODS_FEEDBACK_CREATED', feedbackId: 1, businessId: 7, createdAt: at, publishedAt: at },
      { notificationType: 'GOODS_FEEDBACK_COMMENT_CREATED', commentId: 2, businessId: 7, createdAt: at },
      { notificationType: 'QUESTION_CREATED', questionId: 3, businessId: 7, createdAt: at },
      { notificationType: 'QUESTION_ANSWER_CREATED', answerId: 4, businessId: 7, createdAt: at },
      { notificationType: 'QUESTION_COMMENT_CREATED', answerId: 5, commentId: 6, businessId: 7, createdAt: at },
      { notificationType: 'QUESTION_CREATED', questionId: 9, businessId: 8, createdAt: at },
    ].map(notification);
    const both = make(true, true);
    for (const n of all) both(n, 1);
    await Promise.resolve();
    expect(events).toEqual([
      { kind: 'review', reviewId: 1 },
      { kind: 'review-comment', commentId: 2 },
      { kind: 'question', questionId: 3 },
      { kind: 'answer', answerId: 4 },
      { kind: 'answer', answerId: 5 },
    ]);
    events.length = 0;
    const reviewsOnly = make(true, false);
    for (const n of all) reviewsOnly(n, 1);
    await Promise.resolve();
    expect(events).toHaveLength(2);
  });
});
