/**
 * The order part of a chat's context card: what the buyer ordered (items with counts and prices, the total),
 * the order's status, delivery and payment, in a few lines that fit a phone screen. Pure. The Market's codes
 * are put in words where card-texts.ts knows them and shown as sent otherwise; everything the Market sends is
 * cut short, so that the card stays far below Telegram's 4096 characters however long an order is.
 */
import { truncate } from './format.ts';
import { html, type Html } from './html.ts';
import type { OrderSummary } from './model.ts';
import type { Texts } from './texts.ts';

/** At most this many lines of items: a longer order shows its first items and "and N more". */
export const MAX_ITEM_LINES = 10;
/** An item's name is cut to this many characters (names on the Market run to hundreds). */
export const ITEM_NAME_LIMIT = 60;
/** A code the texts do not know (status, delivery, payment, currency) is cut to this many characters. */
const CODE_LIMIT = 40;

/** The card's lines about the order. */
export function orderLines(order: OrderSummary, t: Texts): Html[] {
  const c = t.card;
  const lines: Html[] = [];
  const state = [word(c.orderStatus, order.status)];
  if (order.substatus !== undefined) state.push(word(c.substatus, order.substatus));
  if (order.fake === true) state.push(c.testOrder);
  lines.push(html`${c.orderStatusLabel}: ${state.join(' · ')}`);
  const money = moneyIn(t.locale, order.currency);
  const more = order.items.length > MAX_ITEM_LINES ? order.items.length - (MAX_ITEM_LINES - 1) : 0;
  for (const item of more > 0 ? order.items.slice(0, MAX_ITEM_LINES - 1) : order.items) {
    const name = truncate(item.name.replace(/\s+/g, ' ').trim(), ITEM_NAME_LIMIT);
    const amount = item.price === undefined ? `× ${item.count}` : `${item.count} × ${money(item.price)}`;
    lines.push(html`• ${name} — ${amount}`);
  }
  if (more > 0) lines.push(html`${c.moreItems(more)}`);
  if (order.total !== undefined) lines.push(html`${c.itemsTotal}: ${money(order.total)}`);
  const delivery = [
    ...(order.deliveryType !== undefined ? [word(c.deliveryType, order.deliveryType)] : []),
    ...(order.deliveryDates !== undefined ? [dateWindow(order.deliveryDates)] : []),
  ].filter((s) => s !== '');
  if (delivery.length > 0) lines.push(html`${c.delivery}: ${delivery.join(' · ')}`);
  const payment = [
    ...(order.paymentType !== undefined ? [word(c.paymentType, order.paymentType)] : []),
    ...(order.paymentMethod !== undefined ? [word(c.paymentMethod, order.paymentMethod)] : []),
  ];
  if (payment.length > 0) lines.push(html`${c.payment}: ${payment.join(' · ')}`);
  return lines;
}

/** The words for a Market code, or the code itself (cut short) when the table does not know it. */
function word(table: Readonly<Record<string, string>>, code: string): string {
  return Object.hasOwn(table, code) ? (table[code] ?? code) : truncate(code, CODE_LIMIT);
}

/** Formats amounts of the order's currency: "1 290 ₽" (ru), "1,290 ₽" (en); other currencies by their code. */
function moneyIn(locale: string, currency: string | undefined): (amount: number) => string {
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const unit = currency === undefined ? '' : currency === 'RUR' || currency === 'RUB' ? '₽' : currency;
  const sign = truncate(unit, CODE_LIMIT);
  return (amount) => (sign ? `${number.format(amount)} ${sign}` : number.format(amount));
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "03.01–05.01.2025", "28.12.2024–05.01.2025" or "03.01.2025" (YYYY-MM-DD in, as the summary keeps them). */
function dateWindow(dates: { from?: string; to?: string }): string {
  const from = dates.from === undefined ? undefined : ISO_DAY.exec(dates.from);
  const to = dates.to === undefined ? undefined : ISO_DAY.exec(dates.to);
  const day = (m: RegExpExecArray, year = true) => `${m[3]}.${m[2]}${year ? `.${m[1]}` : ''}`;
  if (from && to && dates.from !== dates.to) return `${day(from, from[1] !== to[1])}–${day(to)}`;
  if (from) return day(from);
  if (to) return day(to);
  return '';
}
