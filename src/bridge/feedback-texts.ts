/**
 * What the bot says about product reviews and questions (their topics' titles, cards and the headers of the
 * comments and answers mirrored into them), in Russian and English; texts.ts carries it as `Texts.feedback`.
 */
import type { FeedbackAuthorType, ModerationStatus } from './feedback-model.ts';

export interface FeedbackTexts {
  /** The title's word for a review or question whose product is unknown. */
  product: string;
  anonymous: string;
  reviewCard: string;
  questionCard: string;
  rating: (stars: number) => string;
  recommended: string;
  notRecommended: string;
  advantages: string;
  disadvantages: string;
  comment: string;
  photos: string;
  videos: string;
  /** "Photo 2". */
  photo: (n: number) => string;
  video: (n: number) => string;
  /** The card's line of a product known only by its SKU. */
  productLabel: string;
  /** The card's line of a product the catalogue names: "Product: <name> · SKU <sku>". */
  productName: string;
  sku: string;
  order: (orderId: number) => string;
  written: string;
  author: string;
  /** The header of a mirrored comment or answer, by its author's type. */
  by: Record<FeedbackAuthorType, string>;
  answer: string;
  /** Shown beside a comment or answer the Market has not published. */
  moderation: Record<Exclude<ModerationStatus, 'PUBLISHED'>, string>;
  /** The review card's button, and the answers to it. */
  skipButton: string;
  /** `closed`: the topic was closed too (not in a private chat, whose topics Telegram does not close). */
  skipped: (closed: boolean) => string;
  skipAlready: string;
  skipNotReview: string;
  skipFailed: (reason: string) => string;
  /** Under an operator's reply in a review's or question's topic, as it goes. */
  published: string;
  willPublish: (seconds: number) => string;
  cancelled: string;
  fileNotPublished: string;
  tooLong: (limit: number) => string;
  editPublished: string;
  editQueued: string;
  editNotPublished: (reason: string) => string;
}

export const ruFeedback: FeedbackTexts = {
  product: 'товар',
  anonymous: 'покупатель',
  reviewCard: 'Отзыв о товаре на Яндекс Маркете',
  questionCard: 'Вопрос о товаре на Яндекс Маркете',
  rating: (stars) => `Оценка: ${stars} из 5`,
  recommended: 'рекомендует',
  notRecommended: 'не рекомендует',
  advantages: 'Достоинства',
  disadvantages: 'Недостатки',
  comment: 'Комментарий',
  photos: 'Фото',
  videos: 'Видео',
  photo: (n) => `фото ${n}`,
  video: (n) => `видео ${n}`,
  productLabel: 'Товар (SKU)',
  productName: 'Товар',
  sku: 'SKU',
  order: (orderId) => `Заказ ${orderId}`,
  written: 'Написан',
  author: 'Автор',
  by: {
    USER: '👤 Покупатель',
    BUSINESS: '🏪 Магазин',
    BRAND: '🏷 Бренд',
    VENDOR: '🏭 Производитель',
    UNKNOWN: '❔ Автор неизвестен',
  },
  answer: 'ответ',
  moderation: {
    UNMODERATED: 'на модерации',
    BANNED: 'отклонён модерацией',
    DELETED: 'удалён',
    UNKNOWN: 'статус неизвестен',
  },
  skipButton: '⏭ Ответ не нужен',
  skipped: (closed) => `Отмечено: ответ не нужен.${closed ? ' Тема закрыта.' : ''}`,
  skipAlready: 'Уже отмечено.',
  skipNotReview: 'Так можно отметить только отзыв.',
  skipFailed: (reason) => `Маркет не принял отметку: ${reason}`,
  published: '✅ Опубликовано на Маркете.',
  willPublish: (s) => `⏳ Будет опубликовано на Маркете через ${s} с.`,
  cancelled: '✖️ Отменено: не опубликовано.',
  fileNotPublished: '⚠️ К отзывам и вопросам Маркет принимает только текст. Сообщение не опубликовано.',
  tooLong: (limit) => `⚠️ Маркет принимает не больше ${limit} символов. Сообщение не опубликовано: сократите его.`,
  editPublished: '✏️ Изменено и на Маркете.',
  editQueued: '✏️ Ответ ещё не ушёл — опубликуется исправленный текст.',
  editNotPublished: (reason) => `⚠️ Правка не опубликована: ${reason}`,
};

export const enFeedback: FeedbackTexts = {
  product: 'product',
  anonymous: 'buyer',
  reviewCard: 'Yandex Market product review',
  questionCard: 'Yandex Market product question',
  rating: (stars) => `Rating: ${stars} of 5`,
  recommended: 'recommends it',
  notRecommended: 'does not recommend it',
  advantages: 'Advantages',
  disadvantages: 'Disadvantages',
  comment: 'Comment',
  photos: 'Photos',
  videos: 'Videos',
  photo: (n) => `photo ${n}`,
  video: (n) => `video ${n}`,
  productLabel: 'Product (SKU)',
  productName: 'Product',
  sku: 'SKU',
  order: (orderId) => `Order ${orderId}`,
  written: 'Written',
  author: 'Author',
  by: {
    USER: '👤 Buyer',
    BUSINESS: '🏪 Shop',
    BRAND: '🏷 Brand',
    VENDOR: '🏭 Manufacturer',
    UNKNOWN: '❔ Unknown author',
  },
  answer: 'answer',
  moderation: {
    UNMODERATED: 'awaiting moderation',
    BANNED: 'rejected by moderation',
    DELETED: 'deleted',
    UNKNOWN: 'status unknown',
  },
  skipButton: '⏭ No reply needed',
  skipped: (closed) => `Marked: no reply needed.${closed ? ' The topic is closed.' : ''}`,
  skipAlready: 'Already marked.',
  skipNotReview: 'Only a review can be marked so.',
  skipFailed: (reason) => `The Market did not take it: ${reason}`,
  published: '✅ Published on the Market.',
  willPublish: (s) => `⏳ Will be published on the Market in ${s} s.`,
  cancelled: '✖️ Cancelled: not published.',
  fileNotPublished: '⚠️ The Market takes only text for reviews and questions. This message was not published.',
  tooLong: (limit) => `⚠️ The Market takes at most ${limit} characters. This message was not published: shorten it.`,
  editPublished: '✏️ Edited on the Market too.',
  editQueued: '✏️ The reply had not gone yet — the corrected text will be published.',
  editNotPublished: (reason) => `⚠️ The edit was not published: ${reason}`,
};
