/**
 * Pure formatting of reviews and questions: their topics' titles (the state's icon first, then the product — its name
 * when the catalogue gave one, else its SKU — and the author), their cards, and the posts that mirror a review's
 * comments and a question's answers and comments.
 */
import type { Answer, AnswerComment, Question, Review, ReviewComment } from './feedback-model.ts';
import type { FeedbackTexts } from './feedback-texts.ts';
import { formatTime, splitText, TOPIC_TITLE_LIMIT, truncate } from './format.ts';
import { html, joinHtml, type Html } from './html.ts';
import type { Product } from './product-port.ts';
import type { ThreadState } from './thread-store.ts';

const STATE_ICON: Record<ThreadState, string> = { waiting: '🔴', answered: '✅', skipped: '⏭' };
/** A product SKU or an author's name in a title is cut to this many characters; a product's name takes the rest. */
const TITLE_PART = 48;
const SEPARATOR = ' · ';
/** A review's or question's own text on its card is cut to fit Telegram's 4096 with room for the rest. */
const CARD_TEXT = 1_200;
/** A post's text leaves room for its header within 4096. */
const POST_TEXT = 3_800;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const part = (s: string | undefined, fallback: string) => truncate(oneLine(s ?? '') || fallback, TITLE_PART);

/**
 * `<head><product> · <author>` within Telegram's 128 characters: the author keeps up to 48, a SKU is cut to 48, a
 * product's name to whatever room is left — the rating and the author are never what gives way.
 */
function title(
  head: string,
  offerId: string | undefined,
  product: Product | undefined,
  author: string | undefined,
  t: FeedbackTexts,
): string {
  const who = part(author, t.anonymous);
  const name = product === undefined ? '' : oneLine(product.name);
  const room = TOPIC_TITLE_LIMIT - head.length - SEPARATOR.length - who.length;
  const what = name === '' ? part(offerId, t.product) : truncate(name, Math.max(1, room));
  return truncate(`${head}${what}${SEPARATOR}${who}`, TOPIC_TITLE_LIMIT);
}

/** `🔴 ⭐️2 · Bosch kettle · Anna`, or `🔴 ⭐️2 · SKU-1 · Anna` when the product's name is not known. */
export function reviewTitle(review: Review, state: ThreadState, t: FeedbackTexts, product?: Product): string {
  return title(`${STATE_ICON[state]} ⭐️${review.rating}${SEPARATOR}`, review.offerId, product, review.author, t);
}

/** `🔴 ❓ Boots · Anna`, or `🔴 ❓ SKU-1 · Anna` when the product's name is not known. */
export function questionTitle(question: Question, state: ThreadState, t: FeedbackTexts, product?: Product): string {
  return title(`${STATE_ICON[state]} ❓ `, question.offerId, product, question.author.name, t);
}

/** The card's product line: its name, linked to its page on the Market when known, and its SKU; else the SKU alone. */
function productLine(offerId: string, product: Product | undefined, t: FeedbackTexts): Html {
  const sku = html`<code>${truncate(offerId, 255)}</code>`;
  const name = product === undefined ? '' : truncate(oneLine(product.name), 255);
  if (name === '') return html`${t.productLabel}: ${sku}`;
  const shown = product?.url === undefined ? html`${name}` : html`<a href="${product.url}">${name}</a>`;
  return html`${t.productName}: ${shown}${SEPARATOR}${t.sku} ${sku}`;
}

export function reviewCard(review: Review, t: FeedbackTexts, product?: Product): Html {
  const stars = '★'.repeat(review.rating) + '☆'.repeat(Math.max(0, 5 - review.rating));
  const recommends =
    review.recommended === undefined ? '' : ` · ${review.recommended ? t.recommended : t.notRecommended}`;
  const lines: Html[] = [html`<b>${t.reviewCard}</b>`, html``, html`${stars} ${t.rating(review.rating)}${recommends}`];
  const text = (label: string, value: string | undefined) => {
    if (value?.trim()) lines.push(html`<b>${label}:</b> ${truncate(value.trim(), CARD_TEXT)}`);
  };
  text(t.advantages, review.advantages);
  text(t.disadvantages, review.disadvantages);
  text(t.comment, review.comment);
  const media = [
    ...review.photos.slice(0, 10).map((url, i) => html`<a href="${url}">${t.photo(i + 1)}</a>`),
    ...review.videos.slice(0, 5).map((url, i) => html`<a href="${url}">${t.video(i + 1)}</a>`),
  ];
  if (media.length > 0) lines.push(html`📎 ${joinHtml(media, ', ')}`);
  lines.push(html``);
  if (review.offerId) lines.push(productLine(review.offerId, product, t));
  if (review.orderId !== undefined) lines.push(html`${t.order(review.orderId)}`);
  lines.push(html`${t.author}: ${truncate(review.author?.trim() || t.anonymous, 100)}`);
  lines.push(html`${t.written}: ${formatTime(review.createdAt)}`);
  return joinHtml(lines, '\n');
}

export function questionCard(question: Question, t: FeedbackTexts, product?: Product): Html {
  return joinHtml(
    [
      html`<b>${t.questionCard}</b>`,
      html``,
      html`${truncate(question.text.trim(), CARD_TEXT * 2)}`,
      html``,
      productLine(question.offerId, product, t),
      html`${t.author}: ${truncate(question.author.name?.trim() || t.anonymous, 100)}`,
      html`${t.written}: ${formatTime(question.createdAt)}`,
    ],
    '\n',
  );
}

/**
 * A review's comment, or an answer or a comment on one: its author's type and name, its state, its text — in
 * as many posts as Telegram's 4096 characters need (an answer may have 5000).
 */
export function feedbackPost(entry: ReviewComment | Answer | AnswerComment, t: FeedbackTexts, what?: 'answer'): Html[] {
  const name = entry.author.name?.trim();
  const state = entry.status === 'PUBLISHED' ? '' : ` · ${t.moderation[entry.status]}`;
  const when = 'createdAt' in entry ? ` · ${formatTime(entry.createdAt)}` : '';
  const kind = what === 'answer' ? ` · ${t.answer}` : '';
  const header = `${t.by[entry.author.type]}${name ? ` · ${truncate(name, 100)}` : ''}${kind}${state}${when}`;
  const [first = '', ...rest] = splitText(entry.text, POST_TEXT);
  return [html`<b>${header}</b>\n${first}`, ...rest.map((chunk) => html`${chunk}`)];
}
