/**
 * How the fake Market (market-reviews.ts) reads the requests of the review methods: JSON bodies (optional for
 * getGoodsFeedbacks only), the spec's filter arrays, ids, texts, `sourceType`, page limits, cursor page tokens, and
 * getGoodsFeedbacks' 6-month window of date-times. Every problem becomes a 400 (415 for a body that is not JSON)
 * through the `reject` the fake Market hands in, so it ends as the spec's ApiErrorResponse like any other refusal.
 */

/** Makes the error the fake Market turns into an ApiErrorResponse of that status. */
export type Reject = (status: number, message: string) => Error;

const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;
/** RFC 3339 date-time, the spec's `format: date-time`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** ShopSku's pattern: a visible character, no control characters but tab, 1–255 characters. */
// eslint-disable-next-line no-control-regex -- the spec's own pattern
const SHOP_SKU = /^(?=.*\S.*)[^\x00-\x08\x0A-\x1f\x7f]{1,255}$/;

export const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/**
 * The same instant six calendar months earlier on Moscow's calendar, the day clamped to that month's last one:
 * `2025-08-31T12:00+03:00` → `2025-02-28T12:00+03:00`.
 */
export function sixMonthsBefore(ms: number): number {
  const local = new Date(ms + MSK_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() - 6;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const shifted = Date.UTC(
    year,
    month,
    Math.min(local.getUTCDate(), lastDay),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    local.getUTCMilliseconds(),
  );
  return shifted - MSK_OFFSET_MS;
}

/** A ShopSku as the Market reads it: trimmed (`x-transform: trim`), then checked against the spec's pattern. */
export function shopSku(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const trimmed = v.trim();
  return SHOP_SKU.test(trimmed) ? trimmed : undefined;
}

/** A position in a list: the sort key of the last item a page returned. */
export interface Cursor {
  ms: number;
  id: number;
}

/** Reads one request's query and body; every method throws the fake's 400 on a value the spec does not allow. */
export class ReviewRequestReader {
  constructor(private readonly reject: Reject) {}

  bad(message: string): Error {
    return this.reject(400, message);
  }

  /** The JSON object body; an absent body is `{}` when the spec makes it optional, else 400. */
  body(contentType: string | undefined, raw: Buffer, required: boolean): Record<string, unknown> {
    if (raw.length === 0) {
      if (required) throw this.bad('Request body is required');
      return {};
    }
    if (!/^application\/json\b/i.test(contentType ?? '')) {
      throw this.reject(415, `Content type '${contentType ?? ''}' is not supported, use application/json`);
    }
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw this.bad('Request body is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.bad('Request body must be a JSON object');
    }
    return value as Record<string, unknown>;
  }

  /** `sourceType` (SourceType): absent or SELLER; the fake's cabinet is a seller's, so ADVERTISER is refused. */
  sourceType(query: URLSearchParams): void {
    const value = query.get('sourceType');
    if (value === null || value === 'SELLER') return;
    if (value === 'ADVERTISER') throw this.bad('The cabinet is not an advertiser cabinet');
    throw this.bad(`Parameter 'sourceType' must be SELLER or ADVERTISER, got '${value}'`);
  }

  /** `limit` of PageLimit50: 1–50, default 25; anything else is 400 "Limit exceeded". */
  limit(query: URLSearchParams): number {
    const raw = query.get('limit');
    if (raw === null || raw === '') return 25;
    if (!/^-?[0-9]+$/.test(raw)) throw this.bad(`Parameter 'limit' must be an integer, got '${raw}'`);
    const n = Number(raw);
    if (n < 1 || n > 50) throw this.bad('Limit exceeded');
    return n;
  }

  /**
   * The cursor a page token (`pageToken` or its alias `page_token`) carries, bound to a list (`kind`) and its
   * order; undefined without one.
   */
  cursor(query: URLSearchParams, kind: string, order: 'asc' | 'desc'): Cursor | undefined {
    const token = query.get('pageToken') ?? query.get('page_token');
    if (token === null || token === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw this.bad('Invalid page token');
    }
    const t = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const { ms, id } = t;
    if (t['k'] !== kind || t['d'] !== order || !Number.isSafeInteger(ms) || !isPositiveInt(id)) {
      throw this.bad('Invalid page token');
    }
    return { ms: ms as number, id };
  }

  /** The token of the page after `last`. */
  static token(kind: string, order: 'asc' | 'desc', last: Cursor): string {
    return Buffer.from(JSON.stringify({ k: kind, d: order, ms: last.ms, id: last.id }), 'utf8').toString('base64url');
  }

  /** An optional, nullable array of the spec: at least one item, unique items, at most `max`. */
  array<T>(
    body: Record<string, unknown>,
    key: string,
    item: (v: unknown) => T | undefined,
    max: number,
  ): T[] | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.length === 0) throw this.bad(`'${key}' must be a non-empty array`);
    const items = (value as unknown[]).map((v) => {
      const parsed = item(v);
      if (parsed === undefined) throw this.bad(`'${key}' contains an invalid value: ${JSON.stringify(v)}`);
      return parsed;
    });
    if (new Set(items).size !== items.length) throw this.bad(`'${key}' items must be unique`);
    if (items.length > max) throw this.bad(`'${key}' must have at most ${max} items`);
    return items;
  }

  /** An optional int64 id (≥ 1). */
  id(body: Record<string, unknown>, key: string): number | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (!isPositiveInt(value)) throw this.bad(`'${key}' must be an int64 ≥ 1`);
    return value;
  }

  optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.bad(`'${key}' must be a boolean`);
    return value;
  }

  /** An optional value of a string enum. */
  oneOf<T extends string>(body: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    const known = values.find((v) => v === value);
    if (known === undefined) throw this.bad(`'${key}' must be one of ${values.join(', ')}`);
    return known;
  }

  /** An optional date-time (RFC 3339 with an offset), in epoch ms. */
  dateTime(body: Record<string, unknown>, key: string): number | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    const ms = typeof value === 'string' && DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw this.bad(`'${key}' must be a date-time (ISO 8601 with an offset)`);
    return ms;
  }

  /** An object field, e.g. updateGoodsFeedbackComment's `comment`. */
  object(body: Record<string, unknown>, key: string): Record<string, unknown> {
    const value = body[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.bad(`'${key}' is required and must be an object`);
    }
    return value as Record<string, unknown>;
  }

  /** A comment's text: 1–`max` characters, counted in UTF-16 code units (Java's String.length()). */
  text(body: Record<string, unknown>, key: string, max: number): string {
    const value = body[key];
    if (typeof value !== 'string') throw this.bad(`'${key}' is required and must be a string`);
    if (value.length < 1 || value.length > max) {
      throw this.bad(`'${key}' length must be between 1 and ${max}, got ${value.length}`);
    }
    return value;
  }

  /**
   * getGoodsFeedbacks' window `(from, to)` in epoch ms, both ends excluded: without `dateTimeTo` it ends now (a
   * review of this very millisecond included), without `dateTimeFrom` it starts six months before its end. An
   * empty or reversed window, or one longer than six months, is 400. Undefined when neither is given and
   * `byDefault` is false.
   */
  window(
    body: Record<string, unknown>,
    nowMs: number,
    byDefault: boolean,
  ): { fromMs: number; toMs: number } | undefined {
    const from = this.dateTime(body, 'dateTimeFrom');
    const to = this.dateTime(body, 'dateTimeTo');
    if (from === undefined && to === undefined && !byDefault) return undefined;
    const toMs = to ?? nowMs + 1;
    const fromMs = from ?? sixMonthsBefore(to ?? nowMs);
    if (fromMs >= toMs) throw this.bad("'dateTimeFrom' must be before 'dateTimeTo'");
    if (fromMs < sixMonthsBefore(to ?? nowMs)) {
      throw this.bad('The period from dateTimeFrom to dateTimeTo must not exceed 6 months');
    }
    return { fromMs, toMs };
  }
}
