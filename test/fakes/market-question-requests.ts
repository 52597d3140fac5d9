/**
 * How the fake Market (market-questions.ts) reads the requests of the question methods: JSON bodies, the spec's
 * filter arrays, page limits and offset tokens, typed entity ids, texts, and getGoodsQuestions' creation window in
 * Moscow days. Every problem becomes a 400 (415 for a body that is not JSON) through the `reject` the fake Market
 * hands in, so it ends as the spec's ApiErrorResponse like any other refusal of the fake.
 */

/** Makes the error the fake Market turns into an ApiErrorResponse of that status. */
export type Reject = (status: number, message: string) => Error;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MSK_OFFSET_MS = 3 * HOUR_MS;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day (`YYYY-MM-DD`) of an instant in Moscow, the Partner API's time zone. */
export const moscowDay = (ms: number): string => new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 10);

/** Midnight of a Moscow day, in epoch ms. */
export const moscowMidnight = (day: string): number => Date.parse(`${day}T00:00:00+03:00`);

/** The same day of the month before (clamped to that month's last day): `2025-03-31` → `2025-02-28`. */
export function monthBefore(day: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  const lastOfPrevious = new Date(Date.UTC(year, month - 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month - 2, Math.min(date, lastOfPrevious))).toISOString().slice(0, 10);
}

export const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** A TypedQuestionsTextEntityIdDTO. */
export interface TypedEntityId {
  id: number;
  type: 'QUESTION' | 'ANSWER' | 'COMMENT';
}

/** Reads one request's query and body; every method throws the fake's 400 on a value the spec does not allow. */
export class QuestionRequestReader {
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

  /** `limit` of PageLimit50: 1–50, default 25; anything else is 400 "Limit exceeded". */
  limit(query: URLSearchParams): number {
    const raw = query.get('limit');
    if (raw === null || raw === '') return 25;
    if (!/^-?[0-9]+$/.test(raw)) throw this.bad(`Parameter 'limit' must be an integer, got '${raw}'`);
    const n = Number(raw);
    if (n < 1 || n > 50) throw this.bad('Limit exceeded');
    return n;
  }

  /** The offset a page token (`pageToken` or its alias `page_token`) carries; 0 without one. */
  offset(query: URLSearchParams, kind: string, bound: Record<string, unknown> = {}): number {
    const token = query.get('pageToken') ?? query.get('page_token');
    if (token === null || token === '') return 0;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw this.bad('Invalid page token');
    }
    const t = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const offset = t['o'];
    if (t['k'] !== kind || !Number.isSafeInteger(offset) || (offset as number) < 0)
      throw this.bad('Invalid page token');
    for (const [key, v] of Object.entries(bound)) if (t[key] !== v) throw this.bad('Invalid page token');
    return offset as number;
  }

  /** The token of the page at `offset`, bound to `kind` and the values in `bound`. */
  static token(kind: string, offset: number, bound: Record<string, unknown> = {}): string {
    return Buffer.from(JSON.stringify({ k: kind, o: offset, ...bound }), 'utf8').toString('base64url');
  }

  /** An optional, nullable array of the spec: at least one item, unique items, at most `max`. */
  array<T>(body: Record<string, unknown>, key: string, item: (v: unknown) => v is T, max?: number): T[] | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.length === 0) throw this.bad(`'${key}' must be a non-empty array`);
    for (const v of value as unknown[]) {
      if (!item(v)) throw this.bad(`'${key}' contains an invalid value: ${JSON.stringify(v)}`);
    }
    const items = value as T[];
    if (new Set(items).size !== items.length) throw this.bad(`'${key}' items must be unique`);
    if (max !== undefined && items.length > max) throw this.bad(`'${key}' must have at most ${max} items`);
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

  /** An optional TypedQuestionsTextEntityIdDTO. */
  entityId(body: Record<string, unknown>, key: string): TypedEntityId | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    const { id, type } = (typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
    if (!isPositiveInt(id) || (type !== 'QUESTION' && type !== 'ANSWER' && type !== 'COMMENT')) {
      throw this.bad(`'${key}' must be {id: int64 ≥ 1, type: QUESTION|ANSWER|COMMENT}`);
    }
    return { id, type };
  }

  /** QuestionsTextContent: 1–`max` characters, counted in UTF-16 code units (Java's String.length()). */
  text(body: Record<string, unknown>, key: string, max: number): string {
    const value = body[key];
    if (typeof value !== 'string') throw this.bad(`'${key}' is required and must be a string`);
    if (value.length < 1 || value.length > max) {
      throw this.bad(`'${key}' length must be between 1 and ${max}, got ${value.length}`);
    }
    return value;
  }

  /**
   * getGoodsQuestions' creation window `[from, to)` in epoch ms: `dateFrom` and `dateTo` are Moscow days, both
   * included; without `dateTo` it is today, without `dateFrom` the same day a month before `dateTo`, and a longer
   * period is 400. Undefined when neither date is given and `byDefault` is false.
   */
  window(
    body: Record<string, unknown>,
    nowMs: number,
    byDefault: boolean,
  ): { fromMs: number; toMs: number } | undefined {
    const from = this.day(body, 'dateFrom');
    const to = this.day(body, 'dateTo');
    if (from === undefined && to === undefined && !byDefault) return undefined;
    const toDay = to ?? moscowDay(nowMs);
    const fromDay = from ?? monthBefore(toDay);
    if (fromDay > toDay) throw this.bad("'dateFrom' must not be after 'dateTo'");
    if (fromDay < monthBefore(toDay)) throw this.bad('The period from dateFrom to dateTo must not exceed 1 month');
    return { fromMs: moscowMidnight(fromDay), toMs: moscowMidnight(toDay) + DAY_MS };
  }

  private day(body: Record<string, unknown>, key: string): string | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (
      typeof value !== 'string' ||
      !ISO_DAY.test(value) ||
      Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
      new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
    ) {
      throw this.bad(`'${key}' must be a date (YYYY-MM-DD)`);
    }
    return value;
  }
}
