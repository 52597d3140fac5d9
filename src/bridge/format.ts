/**
 * Mirroring rules that are pure functions: topic titles, the context card, how a Market message looks in
 * Telegram (HTML parse mode, every buyer character escaped), and how long operator texts are split.
 */
import { html, joinHtml, type Html } from './html.ts';
import type { ChatStatus, MarketChat, MarketMessage } from './model.ts';
import type { Texts } from './texts.ts';

/** Telegram's limit for a message text and for a Market message, in UTF-16 code units. */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const TOPIC_TITLE_LIMIT = 128;

/** The status emoji in front of a topic title: whose turn it is at a glance. */
export function statusEmoji(chat: Pick<MarketChat, 'status' | 'kind'>): string {
  if (chat.status === 'FINISHED') return '✅';
  if (chat.kind === 'ARBITRAGE' || chat.status === 'WAITING_FOR_ARBITER') return '⚖️';
  const byStatus: Record<ChatStatus, string> = {
    NEW: '🆕',
    WAITING_FOR_PARTNER: '🔴',
    WAITING_FOR_CUSTOMER: '🟢',
    WAITING_FOR_MARKET: '🟡',
    WAITING_FOR_ARBITER: '⚖️',
    FINISHED: '✅',
    UNKNOWN: '❔',
  };
  return byStatus[chat.status];
}

/** "🔴 Заказ 123 · Иван": what the chat is about and whose turn it is, at most 128 characters. */
export function topicTitle(chat: MarketChat, t: Texts): string {
  const c = chat.context;
  const parts: string[] = [];
  if (chat.kind === 'ARBITRAGE') parts.push(t.dispute);
  if (c.type === 'RETURN' && c.returnId !== undefined) parts.push(t.returnNo(c.returnId));
  if ((c.type === 'ORDER' || c.type === 'RETURN') && c.orderId !== undefined) parts.push(t.order(c.orderId));
  if (c.type === 'DIRECT') parts.push(t.question);
  if (parts.length === 0 || (chat.kind === 'ARBITRAGE' && parts.length === 1))
    parts.push(`${t.context[c.type]} #${chat.id}`);
  const name = c.customer?.name?.trim();
  if (name) parts.push(name);
  return truncate(`${statusEmoji(chat)} ${parts.join(' · ')}`.replace(/\s+/g, ' '), TOPIC_TITLE_LIMIT);
}

/** A buyer's name on the card is cut to this many characters. */
const NAME_LIMIT = 100;

/** What the card shows beyond the chat itself: the owner line, since when the buyer waits, the order's lines. */
export interface CardExtras {
  owner?: string;
  /** ISO time the buyer waits since (waits.ts `waitingSince`), shown as an absolute time. */
  waitingSince?: string;
  /** The order's lines (order-lines.ts), below the chat's. */
  order?: readonly Html[];
}

/**
 * The first message of a topic: what the chat is, its current status, whose it is, the order, and links to look
 * it up. Never longer than Telegram's 4096 characters: should the order's lines not fit, they are left out.
 */
export function contextCard(chat: MarketChat, t: Texts, businessId: number, extras: CardExtras = {}): Html {
  const card = cardWith(chat, t, businessId, extras);
  if (extras.order === undefined || visibleLength(card) <= TEXT_LIMIT) return card;
  return cardWith(chat, t, businessId, { ...extras, order: undefined });
}

function cardWith(chat: MarketChat, t: Texts, businessId: number, extras: CardExtras): Html {
  const c = chat.context;
  const tc = t.card;
  const lines: Html[] = [html`<b>${tc.title}</b>`, html``];
  const row = (label: string, value: Html | string) => lines.push(html`${label}: ${value}`);
  row(tc.chatType, `${t.context[c.type]}${chat.kind === 'ARBITRAGE' ? ` · ${t.dispute}` : ''}`);
  if (c.orderId !== undefined) row(tc.orderLabel, html`<code>${c.orderId}</code>`);
  if (c.returnId !== undefined) row(tc.returnLabel, html`<code>${c.returnId}</code>`);
  if (c.customer?.name || c.customer?.publicId) {
    const name = truncate(c.customer.name ?? c.customer.publicId ?? '', NAME_LIMIT);
    row(
      tc.buyer,
      c.customer.publicId
        ? html`<a href="https://market.yandex.ru/user/${encodeURIComponent(c.customer.publicId)}/reviews">${name}</a>`
        : name,
    );
  }
  row(tc.created, formatTime(chat.createdAt));
  row(tc.chatId, html`<code>${chat.id}</code> · ${t.status[chat.status]}`);
  if (extras.waitingSince !== undefined) lines.push(html`${tc.waitingSince(formatTime(extras.waitingSince))}`);
  if (extras.owner !== undefined) row(t.owner.label, extras.owner);
  if (extras.order !== undefined && extras.order.length > 0) lines.push(html``, ...extras.order);
  const links: Html[] = [];
  if (c.campaignId !== undefined && c.orderId !== undefined) {
    const url = `https://partner.market.yandex.ru/shop/${c.campaignId}/orders/${c.orderId}`;
    links.push(html`<a href="${url}">${t.order(c.orderId)}</a>`);
  }
  if (c.campaignId !== undefined && c.returnId !== undefined) {
    const url = `https://partner.market.yandex.ru/shop/${c.campaignId}/returns/${c.returnId}`;
    links.push(html`<a href="${url}">${t.returnNo(c.returnId)}</a>`);
  }
  links.push(html`<a href="${cabinetChatUrl(businessId, chat.id)}">${t.openInCabinet}</a>`);
  lines.push(html``, joinHtml(links, ' · '));
  return joinHtml(lines, '\n');
}

/** The chat in the seller cabinet. */
export function cabinetChatUrl(businessId: number, chatId: number): string {
  return `https://partner.market.yandex.ru/business/${businessId}/chats?chatId=${chatId}`;
}

/** "2025-01-01T10:00:00+03:00" → "01.01.2025 10:00", in the offset the Market gave (Moscow time for real chats). */
export function formatTime(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]} ${m[4]}:${m[5]}` : iso;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The bold line above every mirrored message: who wrote it and when. */
export function messageHeader(message: MarketMessage, chat: MarketChat, t: Texts): Html {
  const who = t.sender[message.sender];
  const name = message.sender === 'CUSTOMER' ? chat.context.customer?.name?.trim() : undefined;
  return html`<b>${name ? `${who} · ${name}` : who}</b> <i>${formatTime(message.createdAt)}</i>`;
}

/** A Market message's text as Telegram posts: the header, then the text, split if it would exceed 4096. */
export function messageTexts(message: MarketMessage, chat: MarketChat, t: Texts): Html[] {
  const header = messageHeader(message, chat, t);
  const text = message.text ?? '';
  if (text.length === 0) return message.attachments.length ? [] : [header];
  const headerVisible = visibleLength(header) + 1;
  return splitText(text, TEXT_LIMIT - headerVisible).map((chunk, i) =>
    i === 0 ? html`${header}\n${chunk}` : html`${chunk}`,
  );
}

/** Length of Html as Telegram counts it (tags removed, entities decoded). */
export function visibleLength(text: Html): number {
  return text.markup.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot);/g, ' ').length;
}

/**
 * Splits text into parts of at most `max` UTF-16 units, preferring paragraph, then line, then sentence,
 * then word boundaries, and never cutting a surrogate pair. Joining the parts gives back the text except for
 * the whitespace at the cut points.
 */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = lastBoundary(window, /\n\s*\n/g, max);
    if (cut < max / 3) cut = Math.max(cut, lastBoundary(window, /\n/g, max));
    if (cut < max / 3) cut = Math.max(cut, lastBoundary(window, /[.!?…]["»)]*\s/g, max));
    if (cut < max / 3) cut = Math.max(cut, lastBoundary(window, /\s/g, max));
    if (cut <= 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    const head = rest.slice(0, cut).trimEnd();
    if (head.length) parts.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length) parts.push(rest);
  return parts;
}

/** Index just after the last match of `re` that ends within the first `max` characters. */
function lastBoundary(s: string, re: RegExp, max: number): number {
  let best = -1;
  for (const m of s.matchAll(re)) {
    const end = m.index + m[0].length;
    if (end <= max) best = end;
  }
  return best;
}

/** Cuts `s` to at most `max` UTF-16 units, ending in "…" when cut, never inside a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…`;
}
