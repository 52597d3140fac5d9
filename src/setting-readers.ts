/**
 * What a row of the settings table (settings.ts) is, and the readers the table builds its schemas from: trimmed text, required values, URLs,
 * whole numbers in a range, on/off flags, one of a few words, and the small parsers some settings need.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** A domain name as REPLY_GUARD_ALLOW takes it: labels of letters (Latin or Cyrillic), digits and hyphens. */
export const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9\u0430-\u044f\u0451](?:[a-z0-9\u0430-\u044f\u0451-]{0,61}[a-z0-9\u0430-\u044f\u0451])?\.)+[a-z\u0430-\u044f\u0451]{2,63}$/;

/** One row of the settings table. */
export interface Setting {
  /** The value when unset, as written in the environment; none for a required setting or a mode left off. */
  default?: string;
  required?: true;
  /** What to write: ends every message about a missing or malformed value. */
  hint: string;
  /** How the setting's description in docs/configuration.md begins. */
  doc: string;
  /** Reads the trimmed-or-not text (or undefined when unset without a default) into its value. */
  schema: (name: string, hint: string) => z.ZodType<unknown, string | undefined>;
}

export const trimmed = z.string().trim();
export const required = (name: string, hint: string) => trimmed.min(1, { error: `${name} is required: ${hint}` });
export const httpUrl = (name: string, hint: string) =>
  trimmed
    .refine((s) => ['https:', 'http:'].includes(urlOf(s)?.protocol ?? ''), {
      error: `${name} must be an http(s) URL: ${hint}`,
    })
    .transform((s) => s.replace(/\/+$/, ''));
export const int = (min: number, max: number) => (name: string, hint: string) =>
  trimmed
    .refine((s) => /^-?\d+$/.test(s) && Number(s) >= min && Number(s) <= max, {
      error: `${name} must be a whole number from ${min} to ${max}: ${hint}`,
    })
    .transform(Number);
export const flag =
  (what = 'on or off', withHint = false) =>
  (name: string, hint: string) =>
    trimmed
      .toLowerCase()
      .refine((s) => ['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'].includes(s), {
        error: `${name} must be ${what}${withHint ? `: ${hint}` : ''}`,
      })
      .transform((s) => ['on', 'true', '1', 'yes'].includes(s));
export const oneOf =
  <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  (name: string) =>
    trimmed.toLowerCase().pipe(z.enum(values, { error: `${name} must be ${what}` }));

/** An optional public URL: `https://`, or `http://` on a loopback host (tests, a local Bot API server). */
export const publicUrlOrUnset = (name: string, hint: string) =>
  trimmed.optional().refine(
    (s) => {
      const u = s === undefined ? undefined : urlOf(s);
      return s === undefined || u?.protocol === 'https:' || (u?.protocol === 'http:' && isLoopback(u.hostname));
    },
    { error: `${name} must be an https URL: ${hint}` },
  );

/** `HH:MM` (or `H:MM`) in 24-hour time as minutes after midnight; undefined for anything else. */
export function parseTimeOfDay(s: string): number | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** A time of day `HH:MM` as minutes after midnight, or `off` (undefined). */
export const timeOfDayOrOff = (name: string, hint: string) =>
  trimmed
    .toLowerCase()
    .refine((s) => s === 'off' || parseTimeOfDay(s) !== undefined, { error: `${name} must be ${hint}` })
    .transform((s) => (s === 'off' ? undefined : parseTimeOfDay(s)));

/** Who may answer buyers: everyone in the group, its administrators, or the listed Telegram user ids. */
export type OperatorsSetting = { kind: 'all' } | { kind: 'admins' } | { kind: 'ids'; ids: number[] };

/** Reads the OPERATORS setting; undefined when it is none of all, admins or a list of positive user ids. */
export function parseOperators(s: string): OperatorsSetting | undefined {
  if (s === 'all') return { kind: 'all' };
  if (s === 'admins') return { kind: 'admins' };
  const items = s.split(',').map((x) => x.trim());
  const ids = items.filter(Boolean).map(Number);
  const valid =
    items.every((x) => x === '' || /^\d{1,16}$/.test(x)) && ids.every((n) => n > 0 && Number.isSafeInteger(n));
  return valid && ids.length > 0 ? { kind: 'ids', ids: [...new Set(ids)] } : undefined;
}

export function urlOf(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

export function isTimeZone(s: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: s });
    return true;
  } catch {
    return false;
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

export function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}
