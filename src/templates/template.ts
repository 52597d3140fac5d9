/**
 * Quick replies as pure rules: what a template's name may be, what its text may hold, and how its
 * placeholders are filled from the Market chat it is sent in. No I/O: the store keeps the templates
 * (port.ts), the Telegram side offers them (telegram/quick-replies.ts), the bridge delivers the filled text.
 */
import { formatTime } from '../bridge/format.ts';
import type { MarketChat } from '../bridge/model.ts';

/** Longest name: a button's data, `q:<topic>:<name>`, stays within Telegram's 64 bytes. */
export const NAME_MAX = 32;
/** Longest text: one Market message. */
export const TEXT_MAX = 4096;
/** Most templates: each gets an inline button, and Telegram takes at most 100 under one message. */
export const TEMPLATES_MAX = 100;

/** Letters of any alphabet (Cyrillic names are the usual ones), digits, _ and -; buttons carry a short key of it. */
const NAME = new RegExp(`^[\\p{L}\\p{N}_-]{1,${NAME_MAX}}$`, 'u');

/**
 * A template's name as it is stored and compared (names do not tell upper and lower case apart), or
 * undefined when it is not 1–32 letters, digits, `_` or `-`.
 */
export function templateName(raw: string): string | undefined {
  const name = raw.toLowerCase();
  return NAME.test(name) ? name : undefined;
}

type Value = (chat: MarketChat) => string | number | undefined;

/**
 * Every placeholder a text may use, and where its value comes from: what the context card shows about the
 * chat. A chat without that detail (an order chat has no return) has no value for it.
 */
export const PLACEHOLDERS = {
  /** The buyer's public name. */
  buyer: (chat) => chat.context.customer?.name,
  order: (chat) => chat.context.orderId,
  return: (chat) => chat.context.returnId,
  /** The Market chat id. */
  chat: (chat) => chat.id,
  /** The shop (campaign) the order belongs to. */
  campaign: (chat) => chat.context.campaignId,
  /** When the chat was created, as the card shows it: 01.01.2025 10:00. */
  created: (chat) => formatTime(chat.createdAt),
} as const satisfies Record<string, Value>;

export type Placeholder = keyof typeof PLACEHOLDERS;
export const PLACEHOLDER_NAMES = Object.keys(PLACEHOLDERS) as Placeholder[];

/** `{word}`: a placeholder, whatever the case of the word. Other braces are text. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return Object.hasOwn(PLACEHOLDERS, name);
}

/** The placeholders a text uses (lower case, each once, in order), known or not. */
export function placeholdersIn(text: string): string[] {
  const names = [...text.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').toLowerCase());
  return [...new Set(names)];
}

/** Why a text cannot be a template. */
export type TextProblem =
  | { kind: 'empty' }
  | { kind: 'too-long'; length: number }
  /** Misspelt placeholders are refused when the template is saved, not found out in front of a buyer. */
  | { kind: 'unknown-placeholders'; names: string[] };

/** The text as it is stored: without leading and trailing blank space. */
export function templateText(raw: string): string {
  return raw.trim();
}

/** What is wrong with a (trimmed) template text, or undefined when it can be saved. */
export function checkText(text: string): TextProblem | undefined {
  if (text.length === 0) return { kind: 'empty' };
  if (text.length > TEXT_MAX) return { kind: 'too-long', length: text.length };
  const unknown = placeholdersIn(text).filter((name) => !isPlaceholder(name));
  return unknown.length > 0 ? { kind: 'unknown-placeholders', names: unknown } : undefined;
}

/** A filled text, or the placeholders that kept it from being filled. */
export type Filled =
  | { ok: true; text: string }
  /** `missing`: no value in this chat; `unknown`: no such placeholder (a template saved before a rename). */
  | { ok: false; missing: Placeholder[]; unknown: string[] };

/**
 * Fills every placeholder of `text` from the chat. A template is sent whole or not at all: a placeholder
 * without a value (an order number in a chat without an order) refuses the whole text.
 */
export function fillTemplate(text: string, chat: MarketChat): Filled {
  const missing: Placeholder[] = [];
  const unknown: string[] = [];
  const values = new Map<string, string>();
  for (const name of placeholdersIn(text)) {
    if (!isPlaceholder(name)) {
      unknown.push(name);
      continue;
    }
    const value = PLACEHOLDERS[name](chat);
    const shown = value === undefined ? '' : String(value).trim();
    if (shown === '') missing.push(name);
    else values.set(name, shown);
  }
  if (missing.length > 0 || unknown.length > 0) return { ok: false, missing, unknown };
  return { ok: true, text: text.replace(PLACEHOLDER, (_, name: string) => values.get(name.toLowerCase()) ?? '') };
}

/** The first line of a text, cut to `max` characters (for lists). */
export function firstLine(text: string, max: number): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/**
 * A short key of a template's name for button data (FNV-1a, 32 bits, base 36: at most 7 characters), so a
 * name of 32 Cyrillic letters (64 bytes) still fits Telegram's 64-byte callback_data. Names whose keys
 * collide cannot both be templates (TemplateBook refuses the second).
 */
export function nameKey(name: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}
