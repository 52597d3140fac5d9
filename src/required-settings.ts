/**
 * Readers of the settings marketgram cannot start without that people most often get wrong: the bot token, the
 * chat id and the cabinet (business) id. Each names the mistake it sees (a space in the token, a basic group's id,
 * a cabinet address without the id) instead of only saying that the value is malformed.
 */
import { z } from 'zod';
import { required } from './setting-readers.ts';

/** A value read, or the full message (naming the setting) about what is wrong with it. */
export type Reading<T> = { value: T } | { problem: string };

/** Required text read by `read`; its problem, if any, is the setting's message. */
function requiredWith<T>(name: string, hint: string, read: (s: string) => Reading<T>) {
  return required(name, hint).transform((s, ctx) => {
    const reading = read(s);
    if ('value' in reading) return reading.value;
    ctx.issues.push({ code: 'custom', input: s, message: reading.problem });
    return z.NEVER;
  });
}

const TOKEN = /^\d+:[\w-]{20,}$/;

/** TELEGRAM_BOT_TOKEN. Its messages never repeat the value: it is a secret. */
export const botToken = (name: string, hint: string) =>
  requiredWith(name, hint, (s): Reading<string> => {
    if (/\s/.test(s)) return { problem: `${name} has a space in it, and a token has none: ${hint}` };
    if (/^bot\d+:/i.test(s))
      return {
        problem: `${name} starts with "bot": that belongs to the API address (…/bot<token>/…), not to the token; leave it out: ${hint}`,
      };
    if (!TOKEN.test(s)) return { problem: `${name} does not look like a bot token: ${hint}` };
    return { value: s };
  });

const isId = (s: string) => Number.isSafeInteger(Number(s));

/**
 * TELEGRAM_CHAT_ID: a supergroup's id (-100 followed by digits), or a positive id, a person's private chat with
 * the bot. A positive id that was meant as a group (the -100 left out) cannot be told from a person's id here:
 * the start-up check against Telegram says so (telegram/preflight.ts).
 */
export const chatId = (name: string, hint: string) =>
  requiredWith(name, hint, (s): Reading<number> => {
    if (/^-100\d{5,}$/.test(s) && isId(s)) return { value: Number(s) };
    if (/^[1-9]\d*$/.test(s) && isId(s)) return { value: Number(s) };
    if (/^-\d+$/.test(s) && !s.startsWith('-100') && isId(s))
      return {
        problem: `${name} ${s} is the id of a basic group, so Topics is still off in it. Turn on Topics in the group settings: Telegram then makes the group a supergroup with a new id, -100 followed by digits. Find that id (docs/setup.md, "Finding the chat id")`,
      };
    if (s.startsWith('@')) return { problem: `${name} is a username; write the group's numeric id instead: ${hint}` };
    return { problem: `${name} must be a supergroup id like -1001234567890: ${hint}` };
  });

/**
 * MARKET_BUSINESS_ID: the number, or the seller cabinet's address with the number in it
 * (`https://partner.market.yandex.ru/business/12345/…`, or `…?businessId=12345`).
 */
export const businessId = (name: string, hint: string) =>
  requiredWith(name, hint, (s): Reading<number> => {
    const digits = /^\d+$/.test(s) ? s : idInAddress(s);
    if (digits !== undefined && Number(digits) >= 1 && isId(digits)) return { value: Number(digits) };
    if (digits === undefined && looksLikeAddress(s))
      return {
        problem: `${name} is an address without the cabinet id in it: open the seller cabinet and copy its address, like https://partner.market.yandex.ru/business/12345/…, or just the number after /business/`,
      };
    return { problem: `${name} must be a positive whole number: ${hint}` };
  });

function idInAddress(s: string): string | undefined {
  return (/\/business\/(\d+)(?=[/?#]|$)/.exec(s) ?? /[?&]businessId=(\d+)(?=[&#]|$)/i.exec(s))?.[1];
}

function looksLikeAddress(s: string): boolean {
  return s.includes('://') || /(^|\.)market\.yandex\.ru/i.test(s) || s.includes('/');
}
