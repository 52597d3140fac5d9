/**
 * A stateful fake of the Yandex Market Partner API: the seven chat methods, `POST /v2/auth/token`, the
 * two order-details methods (getOrder, deprecated, and getBusinessOrders), the shop list (getCampaigns, in
 * market-campaigns.ts, with `addCampaign` for more shops and other businesses), the five product-review methods
 * (in market-reviews.ts, reached as `reviews`), the three product-question methods (in market-questions.ts,
 * reached as `questions`) and the product catalogue's getOfferMappings (in market-products.ts, reached as
 * `products`), served by `node:http` on
 * 127.0.0.1 and an ephemeral port. It follows the official OpenAPI spec and `shared/market-api/README.md`
 * §9 (and REVIEWS-QUESTIONS.md §5 for orders): Api-Key auth and scopes, query-string ids, aliased page
 * tokens, page limits, body validation, the ApiErrorResponse envelope, per-operation hourly quotas with the
 * three `X-RateLimit-Resource-*` headers, and the parallel-request limit.
 *
 * Tests build the world with `addChat`/`addMessage`/`addOrder`, point the real client at `url`, and
 * inspect what arrived through `requests`, `sent` and `messages`. `failNext` injects faults (420, 5xx, slow, hanging,
 * malformed and reset answers), `setQuotaRemaining` drives the quota towards 420.
 *
 * Where the real Market is undocumented the behaviour is configurable (history order, whether
 * `messageIdFrom` is inclusive, chat list order) so the client can be tested against every variant.
 * Other gaps are decided here:
 * - Request pipeline: route (404/405) → parallel limit (420) → injected fault → Api-Key (401) →
 *   businessId or campaignId (400/403) → quota (420) → scope (403) → validation (400/415) → existence
 *   (404) → effect.
 * - 401s and the 403 for a foreign business or campaign carry no rate-limit headers and cost nothing (the
 *   caller is not identified); every other answer of the operations carries them. 2xx and 4xx cost 1,
 *   5xx and 420 (quota or parallel) cost nothing. A quota window lasts one hour from its first request, one
 *   minute for getOfferMappings (its spec counts per minute).
 * - A key's scopes can change while the fake runs (`setScopes`), as an edit of the key in the cabinet does.
 * - Only the spec's paths are served (`/v2/...`, `/v1/businesses/{b}/orders`, `/v1/businesses/{b}/goods-questions…`;
 *   no `.json` suffix, no unversioned paths), to catch client typos.
 * - Parallel requests count per business, and per campaign for `/v2/campaigns/...` (README §4); the order
 *   methods' own `parallel-limit-value: 6` is not modelled apart from that.
 * - The business's campaigns are `campaignIds` plus every campaign of a chat or an order added (and those of
 *   `addCampaign` for it); getOrder answers 403 "Access denied" for any other campaign, and 404 for an order of
 *   another campaign of the business (an assumption, REVIEWS-QUESTIONS.md §5.4). getBusinessOrders sorts by
 *   creation, then id; `limit` above 50 is cut to 50 (`x-transform: truncateLimit`); without dates only orders
 *   created in the last 30 days match, and whether that window also limits an `orderIds` lookup is configurable.
 *   Substatus values are not checked against the 125-value enum; shipment dates are checked, not filtered.
 * - Page tokens are base64url JSON: an offset for getChats (so a chat updated between pages can move,
 *   as with any offset cursor), the last returned messageId for getChatHistory. Tokens of another
 *   chat or history order are rejected with 400. `nextPageToken` is present only if more items exist.
 * - Message lengths count UTF-16 code units (Java's `String.length()`); 5 MB means 5 MiB; an empty
 *   file is rejected with 400.
 * - createChat (spec: "creates a new chat or returns the one created before") returns a chat about the same
 *   order or return if there is one, and otherwise opens one only about an order or return of the cabinet
 *   (`addOrder`, `addReturn`): an unknown one gets 404 (the spec's "resource not found"), one added with
 *   `chatsClosed` (an order too old to write about, a return of a DBS shop) gets 400 — the Market's real answer
 *   to those is undocumented. The new chat is a CHAT in status NEW with the order's campaign and customer.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { listenOnLoopback } from './loopback.ts';
import { CAMPAIGNS_LIMIT, FakeCampaigns, type FakeCampaign, type FakeCampaignInput } from './market-campaigns.ts';
import {
  ORDER_SOURCE_PLATFORMS,
  ORDER_STATUSES,
  SELLING_PROGRAMS,
  businessOrderDto,
  createOrder,
  orderDto,
  type FakeOrder,
  type FakeOrderInput,
} from './market-orders.ts';
import {
  REVIEW_LIMITS,
  REVIEW_OPERATION_IDS,
  REVIEW_ROUTES,
  REVIEW_SCOPES,
  type FakeReviewsOptions,
  type ReviewOperationId,
} from './market-review-types.ts';
import { FakeReviews } from './market-reviews.ts';
import {
  QUESTION_LIMITS,
  QUESTION_OPERATION_IDS,
  QUESTION_ROUTES,
  QUESTION_SCOPES,
  type FakeQuestionsOptions,
  type QuestionOperationId,
} from './market-question-types.ts';
import { FakeQuestions } from './market-questions.ts';
import {
  PRODUCT_LIMITS,
  PRODUCT_LIMIT_WINDOWS_MS,
  PRODUCT_OPERATION_IDS,
  PRODUCT_ROUTES,
  PRODUCT_SCOPES,
  type ProductOperationId,
} from './market-product-types.ts';
import { FakeProducts } from './market-products.ts';

export type { FakeOrder, FakeOrderInput, FakeOrderItemInput } from './market-orders.ts';
export type { FakeCampaign, FakeCampaignInput } from './market-campaigns.ts';

/** The operationIds of the Partner API methods this fake serves (as named in the spec). */
export type OperationId =
  | 'getChats'
  | 'getChat'
  | 'getChatHistory'
  | 'getChatMessage'
  | 'sendMessageToChat'
  | 'sendFileToChat'
  | 'createChat'
  | 'getAuthTokenInfo'
  | 'getOrder'
  | 'getBusinessOrders'
  | 'getCampaigns'
  | ReviewOperationId
  | QuestionOperationId
  | ProductOperationId;

/** Every operationId, in the order of the README's limit table, then the order, shop, review, question and product methods. */
export const OPERATION_IDS: readonly OperationId[] = [
  'getChats',
  'getChat',
  'getChatHistory',
  'getChatMessage',
  'sendMessageToChat',
  'sendFileToChat',
  'createChat',
  'getAuthTokenInfo',
  'getOrder',
  'getBusinessOrders',
  'getCampaigns',
  ...REVIEW_OPERATION_IDS,
  ...QUESTION_OPERATION_IDS,
  ...PRODUCT_OPERATION_IDS,
];

/**
 * Quotas from the spec's `x-resource-limit-config` (spec commit 1318e9b): per hour, but getOfferMappings' per minute
 * (`QUOTA_WINDOWS_MS`).
 */
export const DEFAULT_LIMITS: Readonly<Record<OperationId, number>> = {
  getChats: 5000,
  getChat: 1000,
  getChatHistory: 10000,
  getChatMessage: 1000,
  sendMessageToChat: 1000,
  sendFileToChat: 1000,
  createChat: 1000,
  getAuthTokenInfo: 100,
  getOrder: 10000,
  getBusinessOrders: 10000,
  getCampaigns: CAMPAIGNS_LIMIT,
  ...REVIEW_LIMITS,
  ...QUESTION_LIMITS,
  ...PRODUCT_LIMITS,
};

/** The spec's ChatContextType: what a chat is about. */
export type ChatContextType = 'ORDER' | 'RETURN' | 'DIRECT';
/** The spec's ChatType: a chat with the customer or a dispute. */
export type ChatType = 'CHAT' | 'ARBITRAGE';
/** The spec's ChatMessageSenderType; PARTNER is the shop, i.e. the bridge. */
export type ChatMessageSender = 'CUSTOMER' | 'PARTNER' | 'MARKET' | 'SUPPORT';
/** The spec's ChatStatusType values. The fake also stores unknown strings, to test enum tolerance. */
export const CHAT_STATUSES = [
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_ARBITER',
  'WAITING_FOR_MARKET',
  'FINISHED',
] as const;

/** Maximum file size of sendFileToChat: 5 MB, read as 5 MiB. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Maximum request body of every other method (README §1). */
export const MAX_JSON_BODY_BYTES = 512 * 1024;
/** Maximum text of sendMessageToChat, counted in UTF-16 code units as Java's String.length() does. */
export const MAX_MESSAGE_LENGTH = 4096;

/** Configuration of a fake Market; everything but the credentials has a spec-based default. */
export interface FakeMarketOptions {
  /** The only Api-Key value accepted. */
  apiKey: string;
  /** The business (cabinet) the key belongs to; any other `{businessId}` in a path gets 403. */
  businessId: number;
  /** ApiKeyScopeType values of the key. Default `['COMMUNICATION']`. */
  scopes?: string[];
  /** Name of the key reported by getAuthTokenInfo. Default `'marketgram-test'`. */
  apiKeyName?: string;
  /** Order of messages within history pages (undocumented in reality). Default `'asc'`. */
  historyOrder?: 'asc' | 'desc';
  /** Whether history's `messageIdFrom` includes that message itself (undocumented). Default `true`. */
  messageIdFromInclusive?: boolean;
  /** Order of getChats (undocumented). Default `'updated-desc'`. */
  chatsOrder?: 'updated-desc' | 'created-asc' | 'id-asc';
  /** Parallel requests allowed per business before 420. Default 4. */
  maxParallel?: number;
  /** Quotas overriding `DEFAULT_LIMITS` (per hour; per minute for getOfferMappings). */
  limits?: Partial<Record<OperationId, number>>;
  /** Whether attachment URLs require the Api-Key header (undocumented). Default false. */
  attachmentsRequireApiKey?: boolean;
  /**
   * Clock in epoch ms for dates, quota windows and records. Default `Date.now`. Delays of `{ delayMs }`
   * faults use real `setTimeout`, so under fake timers they advance only with the fake clock.
   */
  now?: () => number;
  /** Called for every message stored, including the ones the client sends (e.g. to emit notifications). */
  onMessage?: (message: FakeChatMessage) => void;
  /**
   * Campaigns (shops) of the business besides those of chats and orders; the first is orders' default. Default
   * `[2001]`; `[]` is a cabinet without shops (until a chat or an order names one).
   */
  campaignIds?: number[];
  /** The business's name, as getCampaigns reports it. Default `'Test business'`. */
  businessName?: string;
  /** Whether getBusinessOrders' default 30-day window limits an `orderIds` lookup too (undocumented). Default false. */
  orderIdsInDateWindow?: boolean;
  /** How the review methods answer where the spec is silent (see market-reviews.ts). */
  reviews?: FakeReviewsOptions;
  /** How the question methods answer where the spec is silent (see market-questions.ts). */
  questions?: FakeQuestionsOptions;
}

/** A chat as the fake stores it. Dates are formatted like the API's (`+03:00`). */
export interface FakeChat {
  readonly chatId: number;
  readonly contextType: ChatContextType;
  readonly orderId?: number;
  readonly returnId?: number;
  readonly campaignId?: number;
  readonly customer?: { readonly name?: string; readonly publicId?: string };
  readonly type: string;
  readonly status: string;
  readonly createdAt: string;
  /** Time of the last message, or `createdAt` while the chat is empty. */
  readonly updatedAt: string;
}

/** A file attached to a message, downloadable from `url` on the fake itself. */
export interface FakeAttachment {
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly url: string;
  readonly data: Uint8Array;
}

/** A message in a chat's history. */
export interface FakeChatMessage {
  readonly messageId: number;
  readonly chatId: number;
  readonly sender: ChatMessageSender;
  readonly text?: string;
  readonly attachments: readonly FakeAttachment[];
  readonly createdAt: string;
}

/** What the client sent through sendMessageToChat or sendFileToChat (both also become PARTNER messages). */
export interface SentRecord {
  readonly chatId: number;
  readonly at: number;
  readonly text?: string;
  readonly file?: { readonly name: string; readonly contentType?: string; readonly data: Uint8Array };
}

/** One HTTP request the fake received. `status` is 0 while unanswered and stays 0 if never answered. */
export interface RequestRecord {
  readonly operationId: OperationId | 'attachment' | 'unknown';
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON body, the raw text when it was not JSON, or a summary of a multipart upload. */
  readonly body?: unknown;
  readonly status: number;
  /** Arrival time, from the `now` clock. */
  readonly at: number;
  /** Request headers, lower-cased, without `api-key` and `authorization` (secrets are never recorded). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Whether the request carried the right Api-Key. */
  readonly apiKeyOk: boolean;
}

/**
 * A fault for the next requests of an operation. It applies after routing and the parallel-limit check
 * and before auth, validation and the operation's effect — except `acceptThenReset`, which lets the
 * request take full effect and then destroys the socket without answering.
 */
export type Fault =
  /** 420 with `X-RateLimit-Resource-Until` = `untilMs` (epoch ms on the `now` clock; default now + 1 s). */
  | { status: 420; untilMs?: number; message?: string }
  /** That status with the spec's ApiErrorResponse body (403: the missing-scope message). */
  | { status: 500 | 503 | 423 | 400 | 403 | 404 }
  /** Wait, then answer normally. */
  | { delayMs: number }
  /** Never answer; the socket is destroyed by `close()`. */
  | { hang: true }
  /** 200 whose body is `body` (default: truncated JSON) — no effect. */
  | { malformed: true; body?: string }
  /** Take effect, then destroy the socket before any answer: an ambiguous failure. */
  | { acceptThenReset: true }
  /** Destroy the socket without any effect. */
  | { resetBeforeEffect: true };

/** Starts a fake Market on 127.0.0.1 and an ephemeral port. Close it with `close()`. */
export async function startFakeMarket(options: FakeMarketOptions): Promise<FakeMarket> {
  const market = new FakeMarket(options);
  await market.listen();
  return market;
}

// ---------------------------------------------------------------------------------------------------
// Internals

const HOUR_MS = 60 * 60 * 1000;
const MSK_OFFSET_MS = 3 * HOUR_MS;
const FIRST_CHAT_ID = 1001;
const FIRST_MESSAGE_ID = 500001;
const FIRST_ORDER_ID = 70000001;
const DEFAULT_CAMPAIGN_ID = 2001;
/** getBusinessOrders: the longest date range of one request, and the default window without dates. */
const ORDER_WINDOW_MS = 30 * 24 * HOUR_MS;
/** Multipart overhead allowed on top of MAX_FILE_BYTES before the body itself counts as too big. */
const MULTIPART_SLACK_BYTES = 64 * 1024;

const READ_SCOPES = ['COMMUNICATION', 'ALL_METHODS', 'ALL_METHODS_READ_ONLY'];
const WRITE_SCOPES = ['COMMUNICATION', 'ALL_METHODS'];
/** getBusinessOrders' `x-auth-scopes`; getOrder's add `communication`. */
const ORDER_SCOPES = [
  'ALL_METHODS',
  'ALL_METHODS_READ_ONLY',
  'INVENTORY_AND_ORDER_PROCESSING',
  'INVENTORY_AND_ORDER_PROCESSING_READ_ONLY',
  'FINANCE_AND_ACCOUNTING',
];
const ALL_SCOPES = [
  'ALL_METHODS',
  'ALL_METHODS_READ_ONLY',
  'INVENTORY_AND_ORDER_PROCESSING',
  'INVENTORY_AND_ORDER_PROCESSING_READ_ONLY',
  'PRICING',
  'PRICING_READ_ONLY',
  'OFFERS_AND_CARDS_MANAGEMENT',
  'OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY',
  'PROMOTION',
  'PROMOTION_READ_ONLY',
  'FINANCE_AND_ACCOUNTING',
  'COMMUNICATION',
  'SETTINGS_MANAGEMENT',
  'SUPPLIES_MANAGEMENT_READ_ONLY',
];
/** `x-auth-scopes` of each operation, in ApiKeyScopeType spelling. */
const OPERATION_SCOPES: Record<OperationId, readonly string[]> = {
  getChats: READ_SCOPES,
  getChat: READ_SCOPES,
  getChatHistory: READ_SCOPES,
  getChatMessage: READ_SCOPES,
  sendMessageToChat: WRITE_SCOPES,
  sendFileToChat: WRITE_SCOPES,
  createChat: WRITE_SCOPES,
  getAuthTokenInfo: ALL_SCOPES,
  getOrder: [...ORDER_SCOPES, 'COMMUNICATION'],
  getBusinessOrders: ORDER_SCOPES,
  // Every key scope may list the shops.
  getCampaigns: ALL_SCOPES,
  ...REVIEW_SCOPES,
  ...QUESTION_SCOPES,
  ...PRODUCT_SCOPES,
};
/** Quota windows other than an hour. */
const QUOTA_WINDOWS_MS: Readonly<Partial<Record<OperationId, number>>> = PRODUCT_LIMIT_WINDOWS_MS;

/** Paths below `/v2/businesses/{businessId}/`, with the operation of each method. */
const BUSINESS_ROUTES: Readonly<Record<string, Readonly<Partial<Record<string, OperationId>>>>> = {
  chats: { POST: 'getChats' },
  chat: { GET: 'getChat' },
  'chats/history': { POST: 'getChatHistory' },
  'chats/message': { GET: 'getChatMessage', POST: 'sendMessageToChat' },
  'chats/file/send': { POST: 'sendFileToChat' },
  'chats/new': { POST: 'createChat' },
  ...REVIEW_ROUTES,
  ...PRODUCT_ROUTES,
};

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  420: 'REQUEST_LIMIT_EXCEEDED',
  423: 'LOCKED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

const FAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  403: 'Token does not have any of the scopes to access the API method',
  404: 'Resource not found',
  423: 'Resource is locked',
  500: 'Internal server error',
  503: 'Service temporarily unavailable. Please, try again later',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  bmp: 'image/bmp',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
};

/** Guesses a Content-Type from a file name's extension. */
export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Formats epoch ms the way the Partner API does: `2025-01-01T10:00:00+03:00`. */
export function formatMarketDate(ms: number): string {
  return `${new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 19)}+03:00`;
}

interface FileState {
  readonly fileId: string;
  readonly name: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

interface MessageState {
  readonly messageId: number;
  readonly chatId: number;
  readonly sender: ChatMessageSender;
  readonly text?: string;
  readonly files: FileState[];
  readonly createdAtMs: number;
}

interface ChatState {
  readonly chatId: number;
  readonly contextType: ChatContextType;
  readonly orderId?: number;
  readonly returnId?: number;
  readonly campaignId?: number;
  readonly customer?: { readonly name?: string; readonly publicId?: string };
  type: string;
  status: string;
  readonly createdAtMs: number;
  updatedAtMs: number;
  readonly messages: MessageState[];
}

/** An order or a return of the cabinet, which createChat may open a chat about. */
interface SubjectState {
  readonly orderId: number;
  readonly returnId?: number;
  readonly campaignId?: number;
  readonly customer?: { readonly name?: string; readonly publicId?: string };
  readonly chatsClosed: boolean;
}

interface QuotaState {
  untilMs: number;
  remaining: number;
}

interface QueuedFault {
  readonly fault: Fault;
  left: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Reply {
  readonly status: number;
  /** A value serialised as JSON, or a raw string sent as is. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An expected failure of a request, turned into an ApiErrorResponse. */
class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = ERROR_CODES[status] ?? 'ERROR',
  ) {
    super(message);
  }
}

const bad = (message: string): Rejection => new Rejection(400, message);

function errorBody(code: string, message: string): unknown {
  return { status: 'ERROR', errors: [{ code, message }] };
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

function parseIdParam(query: URLSearchParams, name: string): number {
  const raw = query.get(name);
  if (raw === null || raw === '') throw bad(`Required parameter '${name}' is missing`);
  if (!/^[0-9]+$/.test(raw)) throw bad(`Parameter '${name}' must be an int64, got '${raw}'`);
  const n = Number(raw);
  if (!isPositiveInt(n)) throw bad(`Parameter '${name}' must be at least 1`);
  return n;
}

function parseLimit(query: URLSearchParams, def: number, max: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return def;
  if (!/^-?[0-9]+$/.test(raw)) throw bad(`Parameter 'limit' must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < 1 || n > max) throw bad('Limit exceeded');
  return n;
}

/** A `limit` with `x-transform: truncateLimit`: too large is cut to `max` rather than refused. */
function parseTruncatedLimit(query: URLSearchParams, def: number, max: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return def;
  if (!/^-?[0-9]+$/.test(raw)) throw bad(`Parameter 'limit' must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < 1) throw bad("Parameter 'limit' must be at least 1");
  return Math.min(n, max);
}

function pageTokenOf(query: URLSearchParams): string | undefined {
  const token = query.get('pageToken') ?? query.get('page_token');
  return token === null || token === '' ? undefined : token;
}

function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeToken(token: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the rejection below
  }
  throw bad('Invalid page token');
}

function parseJsonObject(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) throw bad('Request body is required');
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new Rejection(415, `Content type '${contentType ?? ''}' is not supported, use application/json`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw bad('Request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('Request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Reads an optional, nullable filter array of the spec: at least one item, unique items. */
function filterArray<T>(
  body: Record<string, unknown>,
  key: string,
  item: (v: unknown) => T | undefined,
): T[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw bad(`'${key}' must be a non-empty array`);
  const items = value.map((v: unknown) => {
    const parsed = item(v);
    if (parsed === undefined) throw bad(`'${key}' contains an invalid value: ${JSON.stringify(v)}`);
    return parsed;
  });
  if (new Set(items.map((i) => JSON.stringify(i))).size !== items.length) throw bad(`'${key}' items must be unique`);
  return items;
}

function atMost<T>(max: number, key: string, items: T[] | undefined): T[] | undefined {
  if (items && items.length > max) throw bad(`'${key}' must have at most ${max} items`);
  return items;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw bad(`'${key}' must be a boolean`);
  return value;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * HOUR_MS;

/**
 * getBusinessOrders' OrderDatesFilterDTO: days (`YYYY-MM-DD`, Moscow midnight) for creation and shipment,
 * date-times for updates. From is inclusive, a day's To exclusive; a range over 30 days is refused, and
 * a day range shorter than a day is widened to one. A one-sided creation range gets the default other end.
 */
function orderDates(
  value: unknown,
  nowMs: number,
): {
  created?: { fromMs: number; toMs: number };
  updated?: { fromMs: number; toMs: number };
  any: boolean;
} {
  if (value === undefined || value === null) return { any: false };
  if (typeof value !== 'object' || Array.isArray(value)) throw bad("'dates' must be an object");
  const d = value as Record<string, unknown>;
  const day = (key: string): number | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !ISO_DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00+03:00`))) {
      throw bad(`'dates.${key}' must be a date (YYYY-MM-DD)`);
    }
    return Date.parse(`${v}T00:00:00+03:00`);
  };
  const dateTime = (key: string): number | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(ms)) throw bad(`'dates.${key}' must be an ISO 8601 date-time`);
    return ms;
  };
  const dayRange = (from: number | undefined, to: number | undefined, name: string) => {
    if (from === undefined && to === undefined) return undefined;
    const fromMs = from ?? (to ?? nowMs) - ORDER_WINDOW_MS;
    let toMs = to ?? nowMs + 1;
    if (toMs - fromMs > ORDER_WINDOW_MS) throw bad(`The ${name} date range must not exceed 30 days`);
    if (toMs - fromMs < DAY_MS && to !== undefined) toMs = fromMs + DAY_MS;
    return { fromMs, toMs };
  };
  const created = dayRange(day('creationDateFrom'), day('creationDateTo'), 'creation');
  const shipped = dayRange(day('shipmentDateFrom'), day('shipmentDateTo'), 'shipment');
  const updateFrom = dateTime('updateDateFrom');
  const updateTo = dateTime('updateDateTo');
  const updated =
    updateFrom === undefined && updateTo === undefined
      ? undefined
      : { fromMs: updateFrom ?? Number.NEGATIVE_INFINITY, toMs: updateTo ?? Number.POSITIVE_INFINITY };
  if (updated && updateFrom !== undefined && updateTo !== undefined && updateTo - updateFrom > ORDER_WINDOW_MS) {
    throw bad('The update date range must not exceed 30 days');
  }
  return {
    ...(created && { created }),
    ...(updated && { updated }),
    any: created !== undefined || shipped !== undefined || updated !== undefined,
  };
}

const enumItem =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): T | undefined =>
    values.find((x) => x === v);

function contextItem(v: unknown): { type: 'ORDER' | 'RETURN'; id: number } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { type, id } = v as Record<string, unknown>;
  if ((type !== 'ORDER' && type !== 'RETURN') || !isPositiveInt(id)) return undefined;
  return { type, id };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

async function readBody(req: IncomingMessage, cap: number): Promise<{ data: Buffer; tooBig: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      tooBig = true;
      chunks.length = 0;
    } else if (!tooBig) {
      chunks.push(chunk);
    }
  }
  return { data: Buffer.concat(chunks), tooBig };
}

type Route =
  | {
      kind: 'operation';
      operationId: OperationId;
      businessIdRaw: string | undefined;
      /** getOrder's path parameters, as written. */
      campaignIdRaw?: string;
      orderIdRaw?: string;
    }
  | { kind: 'attachment'; fileId: string; name: string }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'unknown' };

function matchRoute(method: string, pathname: string): Route {
  if (pathname === '/v2/auth/token') {
    return method === 'POST'
      ? { kind: 'operation', operationId: 'getAuthTokenInfo', businessIdRaw: undefined }
      : { kind: 'method-not-allowed', allow: ['POST'] };
  }
  if (pathname === '/v2/campaigns') {
    return method === 'GET'
      ? { kind: 'operation', operationId: 'getCampaigns', businessIdRaw: undefined }
      : { kind: 'method-not-allowed', allow: ['GET'] };
  }
  const campaignOrder = /^\/v2\/campaigns\/([^/]+)\/orders\/([^/]+)$/.exec(pathname);
  if (campaignOrder) {
    return method === 'GET'
      ? {
          kind: 'operation',
          operationId: 'getOrder',
          businessIdRaw: undefined,
          campaignIdRaw: campaignOrder[1] ?? '',
          orderIdRaw: campaignOrder[2] ?? '',
        }
      : { kind: 'method-not-allowed', allow: ['GET'] };
  }
  const v1 = /^\/v1\/businesses\/([^/]+)\/(goods-questions(?:\/.+)?)$/.exec(pathname);
  const question = v1 && QUESTION_ROUTES[v1[2] ?? ''];
  if (v1 && question) {
    return method === 'POST'
      ? { kind: 'operation', operationId: question, businessIdRaw: v1[1] }
      : { kind: 'method-not-allowed', allow: ['POST'] };
  }
  const businessOrders = /^\/v1\/businesses\/([^/]+)\/orders$/.exec(pathname);
  if (businessOrders) {
    return method === 'POST'
      ? { kind: 'operation', operationId: 'getBusinessOrders', businessIdRaw: businessOrders[1] }
      : { kind: 'method-not-allowed', allow: ['POST'] };
  }
  const business = /^\/v2\/businesses\/([^/]+)\/(.+)$/.exec(pathname);
  if (business) {
    const methods = BUSINESS_ROUTES[business[2] ?? ''];
    if (methods) {
      const operationId = methods[method];
      return operationId
        ? { kind: 'operation', operationId, businessIdRaw: business[1] }
        : { kind: 'method-not-allowed', allow: Object.keys(methods) };
    }
  }
  const file = /^\/files\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (file) {
    if (method !== 'GET' && method !== 'HEAD') return { kind: 'method-not-allowed', allow: ['GET', 'HEAD'] };
    let name: string;
    try {
      name = decodeURIComponent(file[2] ?? '');
    } catch {
      return { kind: 'unknown' };
    }
    return { kind: 'attachment', fileId: file[1] ?? '', name };
  }
  return { kind: 'unknown' };
}

/**
 * The fake Market. Create it with `startFakeMarket`. State lives in memory for the server's lifetime; every
 * setter validates its input and throws on misuse, so a broken test set-up fails loudly.
 */
export class FakeMarket {
  /** Everything the client sent via sendMessageToChat/sendFileToChat, in order of arrival. */
  readonly sent: SentRecord[] = [];
  /** Every request received, in order of arrival; `status` is filled in when answered. */
  readonly requests: RequestRecord[] = [];
  /** The product reviews and their comments: helpers, inspection and the client's writes. */
  readonly reviews: FakeReviews;
  /** The product questions, their answers and comments: helpers, inspection and the client's writes. */
  readonly questions: FakeQuestions;
  /** The shop's product catalogue (getOfferMappings): products added by the test. */
  readonly products: FakeProducts;

  private apiKey: string;
  private readonly businessId: number;
  private scopes: readonly string[];
  private readonly apiKeyName: string;
  private readonly historyOrder: 'asc' | 'desc';
  private readonly messageIdFromInclusive: boolean;
  private readonly chatsOrder: 'updated-desc' | 'created-asc' | 'id-asc';
  private readonly maxParallel: number;
  private readonly limits: Record<OperationId, number>;
  private readonly attachmentsRequireApiKey: boolean;
  private attachmentHost: string | undefined;
  private readonly now: () => number;
  private readonly onMessage: ((message: FakeChatMessage) => void) | undefined;

  private readonly server: Server;
  private baseUrl: string | undefined;
  private closed = false;
  private readonly chatsById = new Map<number, ChatState>();
  private readonly ordersById = new Map<number, FakeOrder>();
  /** The shops the key reaches: the business's (configured, and of every chat and order added) and others. */
  private readonly campaigns: FakeCampaigns;
  private readonly defaultCampaignId: number;
  private readonly orderIdsInDateWindow: boolean;
  private nextOrderId = FIRST_ORDER_ID;
  /** Orders and returns createChat knows, by `ORDER:<id>` / `RETURN:<id>`. */
  private readonly subjects = new Map<string, SubjectState>();
  private readonly files = new Map<string, FileState>();
  private nextChatId = FIRST_CHAT_ID;
  private nextMessageId = FIRST_MESSAGE_ID;
  private nextFileId = 1;
  private readonly quotas = new Map<OperationId, QuotaState>();
  private readonly faults = new Map<OperationId | 'attachment' | '*', QueuedFault[]>();
  private readonly inFlightByEntity = new Map<string, number>();
  private inFlightTotal = 0;
  private maxParallelSeen = 0;
  private readonly pendingDelays = new Set<() => void>();
  private readonly waiters = new Set<{
    readonly operation: RequestRecord['operationId'] | '*';
    readonly nth: number;
    readonly resolve: (r: RequestRecord) => void;
    readonly reject: (e: Error) => void;
  }>();

  /** Prefer `startFakeMarket`, which also starts listening. */
  constructor(options: FakeMarketOptions) {
    if (options.apiKey === '') throw new Error('FakeMarket: apiKey must not be empty');
    if (!isPositiveInt(options.businessId)) throw new Error('FakeMarket: businessId must be a positive integer');
    const maxParallel = options.maxParallel ?? 4;
    if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new Error('FakeMarket: maxParallel must be ≥ 1');
    this.apiKey = options.apiKey;
    this.businessId = options.businessId;
    this.scopes = [...(options.scopes ?? ['COMMUNICATION'])];
    this.apiKeyName = options.apiKeyName ?? 'marketgram-test';
    this.historyOrder = options.historyOrder ?? 'asc';
    this.messageIdFromInclusive = options.messageIdFromInclusive ?? true;
    this.chatsOrder = options.chatsOrder ?? 'updated-desc';
    this.maxParallel = maxParallel;
    this.limits = { ...DEFAULT_LIMITS };
    for (const [operation, limit] of Object.entries(options.limits ?? {})) {
      if (!OPERATION_IDS.includes(operation as OperationId))
        throw new Error(`FakeMarket: unknown operation ${operation}`);
      if (limit === undefined || !Number.isInteger(limit) || limit < 0) {
        throw new Error(`FakeMarket: limit of ${operation} must be a non-negative integer`);
      }
      this.limits[operation as OperationId] = limit;
    }
    this.attachmentsRequireApiKey = options.attachmentsRequireApiKey ?? false;
    const campaignIds = options.campaignIds ?? [DEFAULT_CAMPAIGN_ID];
    if (!campaignIds.every(isPositiveInt)) throw new Error('FakeMarket: campaignIds must be positive integers');
    this.campaigns = new FakeCampaigns(
      {
        businessId: this.businessId,
        businessName: options.businessName ?? 'Test business',
        reject: (status, message) => new Rejection(status, message),
      },
      campaignIds,
    );
    this.defaultCampaignId = campaignIds[0] ?? DEFAULT_CAMPAIGN_ID;
    this.orderIdsInDateWindow = options.orderIdsInDateWindow ?? false;
    this.now = options.now ?? Date.now;
    this.onMessage = options.onMessage;
    this.reviews = new FakeReviews(
      { businessId: this.businessId, now: this.now, reject: (status, message) => new Rejection(status, message) },
      options.reviews,
    );
    this.questions = new FakeQuestions(
      { businessId: this.businessId, now: this.now, reject: (status, message) => new Rejection(status, message) },
      options.questions,
    );
    this.products = new FakeProducts({ reject: (status, message) => new Rejection(status, message) });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.crash(res, error));
    });
    this.server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Base URL, `http://127.0.0.1:<port>`, to use as MARKET_API_URL. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('FakeMarket: not listening yet, use startFakeMarket()');
    return this.baseUrl;
  }

  /** The highest number of concurrent requests of the operations seen so far. */
  get maxObservedParallel(): number {
    return this.maxParallelSeen;
  }

  /** Requests of the operations currently being processed (including hanging ones). */
  get inFlight(): number {
    return this.inFlightTotal;
  }

  /** Starts listening on 127.0.0.1 and an ephemeral port. Called by `startFakeMarket`. */
  async listen(): Promise<void> {
    this.baseUrl = await listenOnLoopback(this.server);
  }

  /** Stops the server, destroys every open socket (hanging and delayed requests included). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of this.pendingDelays) cancel();
    this.pendingDelays.clear();
    for (const waiter of this.waiters) waiter.reject(new Error('FakeMarket closed'));
    this.waiters.clear();
    if (!this.server.listening) return;
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  // --- world set-up ---------------------------------------------------------------------------------

  /** The seller revokes the key in the cabinet: from now on every request with it is answered 401. */
  revokeKey(): void {
    this.apiKey = `revoked:${randomUUID()}`;
  }

  /**
   * Adds a chat and returns its chatId (auto-incremented from 1001 unless given). ORDER chats need
   * `orderId`, RETURN chats `returnId`; DIRECT chats carry neither. Defaults: type CHAT, status NEW,
   * createdAt now.
   */
  addChat(c: {
    chatId?: number;
    contextType: ChatContextType;
    orderId?: number;
    returnId?: number;
    campaignId?: number;
    customer?: { name?: string; publicId?: string };
    type?: ChatType;
    status?: string;
    createdAt?: string;
  }): number {
    const chatId = c.chatId ?? this.nextChatId;
    if (!isPositiveInt(chatId)) throw new Error(`FakeMarket.addChat: bad chatId ${String(chatId)}`);
    if (this.chatsById.has(chatId)) throw new Error(`FakeMarket.addChat: chat ${chatId} already exists`);
    if (c.contextType === 'ORDER' && c.orderId === undefined)
      throw new Error('FakeMarket.addChat: ORDER needs orderId');
    if (c.contextType === 'RETURN' && c.returnId === undefined)
      throw new Error('FakeMarket.addChat: RETURN needs returnId');
    if (c.contextType === 'DIRECT' && (c.orderId ?? c.returnId ?? c.campaignId) !== undefined) {
      throw new Error('FakeMarket.addChat: a DIRECT chat has no order, return or campaign');
    }
    const order = c.orderId === undefined ? undefined : this.ordersById.get(c.orderId);
    if (order && c.campaignId !== undefined && c.campaignId !== order.campaignId) {
      throw new Error(`FakeMarket.addChat: order ${order.orderId} belongs to campaign ${order.campaignId}`);
    }
    if (c.campaignId !== undefined) this.campaigns.join(c.campaignId, 'FakeMarket.addChat');
    const createdAtMs = c.createdAt === undefined ? this.now() : parseDate(c.createdAt);
    this.chatsById.set(chatId, {
      chatId,
      contextType: c.contextType,
      ...(c.orderId !== undefined && { orderId: c.orderId }),
      ...(c.returnId !== undefined && { returnId: c.returnId }),
      ...(c.campaignId !== undefined && { campaignId: c.campaignId }),
      ...(c.customer !== undefined && { customer: { ...c.customer } }),
      type: c.type ?? 'CHAT',
      status: c.status ?? 'NEW',
      createdAtMs,
      updatedAtMs: createdAtMs,
      messages: [],
    });
    this.nextChatId = Math.max(this.nextChatId, chatId + 1);
    return chatId;
  }

  /**
   * Adds a return of one of the cabinet's orders, which createChat may then open a chat about. `chatsClosed`:
   * the Market refuses to open one (400), as for a return of a DBS shop.
   */
  addReturn(r: {
    returnId: number;
    orderId: number;
    campaignId?: number;
    customer?: { name?: string; publicId?: string };
    chatsClosed?: boolean;
  }): void {
    if (!isPositiveInt(r.returnId) || !isPositiveInt(r.orderId)) throw new Error('FakeMarket.addReturn: bad ids');
    this.subjects.set(`RETURN:${r.returnId}`, { ...r, chatsClosed: r.chatsClosed ?? false });
  }

  /**
   * Adds a message and returns its messageId (globally increasing, from 500001). Sets the chat's
   * updatedAt. In a CHAT-type chat that is not FINISHED, a CUSTOMER message sets WAITING_FOR_PARTNER and a
   * PARTNER message WAITING_FOR_CUSTOMER; arbitrage and finished chats change status only via `setStatus`.
   */
  addMessage(
    chatId: number,
    m: {
      sender: ChatMessageSender;
      text?: string;
      attachments?: Array<{ name: string; data: Uint8Array; contentType?: string }>;
      createdAt?: string;
    },
  ): number {
    const chat = this.requireChat(chatId, 'addMessage');
    if (m.text === undefined && (m.attachments === undefined || m.attachments.length === 0)) {
      throw new Error('FakeMarket.addMessage: a message needs text or attachments');
    }
    const createdAtMs = m.createdAt === undefined ? this.now() : parseDate(m.createdAt);
    const files = (m.attachments ?? []).map((a) => this.storeFile(a.name, a.data, a.contentType));
    return this.storeMessage(chat, m.sender, m.text, files, createdAtMs).messageId;
  }

  /**
   * The host name put into attachment URLs from now on (default: the API's own, 127.0.0.1). `'localhost'`
   * makes them another origin served by this same fake, as a CDN's would be.
   */
  serveAttachmentsAs(host: string): void {
    this.attachmentHost = host;
  }

  /**
   * Adds an order of the business and returns its orderId (auto-incremented from 70000001 unless given). Its
   * campaign is `campaignId`, else that of the chat about this order, else the first of `campaignIds`; a
   * campaign given here joins the business. See `FakeOrderInput` for the defaults.
   */
  addOrder(input: FakeOrderInput = {}): number {
    const orderId = input.orderId ?? this.nextOrderId;
    if (!isPositiveInt(orderId)) throw new Error(`FakeMarket.addOrder: bad orderId ${String(orderId)}`);
    if (this.ordersById.has(orderId)) throw new Error(`FakeMarket.addOrder: order ${orderId} already exists`);
    const chatCampaigns = new Set(
      [...this.chatsById.values()].flatMap((c) =>
        c.contextType !== 'DIRECT' && c.orderId === orderId && c.campaignId !== undefined ? [c.campaignId] : [],
      ),
    );
    const campaignId = input.campaignId ?? [...chatCampaigns][0] ?? this.defaultCampaignId;
    if ([...chatCampaigns].some((c) => c !== campaignId)) {
      throw new Error(`FakeMarket.addOrder: a chat puts order ${orderId} in campaign ${[...chatCampaigns].join(', ')}`);
    }
    this.campaigns.join(campaignId, 'FakeMarket.addOrder');
    this.ordersById.set(orderId, createOrder(input, { orderId, campaignId, nowMs: this.now() }));
    this.subjects.set(`ORDER:${orderId}`, {
      orderId,
      campaignId,
      ...(input.customer !== undefined && { customer: input.customer }),
      chatsClosed: input.chatsClosed ?? false,
    });
    this.nextOrderId = Math.max(this.nextOrderId, orderId + 1);
    return orderId;
  }

  /**
   * Adds a shop the key reaches, or describes one of the business's again (its name, placement, API availability):
   * by default a shop of the business; with another `businessId`, one of another cabinet, which getCampaigns lists
   * and nothing else serves. See market-campaigns.ts.
   */
  addCampaign(input: FakeCampaignInput): FakeCampaign {
    return this.campaigns.add(input);
  }

  /** An order as stored (every default applied), or undefined. */
  order(orderId: number): FakeOrder | undefined {
    return this.ordersById.get(orderId);
  }

  /** Replaces the key's scopes (ApiKeyScopeType values), as an edit of the key in the cabinet does. */
  setScopes(scopes: readonly string[]): void {
    this.scopes = [...scopes];
  }

  /** Sets a chat's status; any string is accepted, to test tolerance of unknown enum values. */
  setStatus(chatId: number, status: string): void {
    this.requireChat(chatId, 'setStatus').status = status;
  }

  /** Sets a chat's type (CHAT or ARBITRAGE, or an unknown string). */
  setType(chatId: number, type: ChatType | (string & {})): void {
    this.requireChat(chatId, 'setType').type = type;
  }

  /** A snapshot of one chat, or undefined. */
  chat(chatId: number): FakeChat | undefined {
    const chat = this.chatsById.get(chatId);
    return chat && this.chatSnapshot(chat);
  }

  /** Snapshots of all chats, by chatId. */
  chats(): FakeChat[] {
    return [...this.chatsById.values()].sort((a, b) => a.chatId - b.chatId).map((c) => this.chatSnapshot(c));
  }

  /** A chat's history in messageId order. Throws for an unknown chat. */
  messages(chatId: number): FakeChatMessage[] {
    return this.requireChat(chatId, 'messages').messages.map((m) => this.messageSnapshot(m));
  }

  /** Number of answered requests (any status) of an operation. */
  count(operationId: OperationId | 'attachment' | 'unknown'): number {
    return this.requests.filter((r) => r.operationId === operationId && r.status !== 0).length;
  }

  /**
   * Resolves with the `nth` request (1-based, counted since start, answered or not) of an operation or of
   * any kind (`'*'`) as soon as it has arrived — useful to know a hanging or delayed request is in.
   */
  waitForRequest(operation: RequestRecord['operationId'] | '*', nth = 1): Promise<RequestRecord> {
    const seen = this.requests.filter((r) => operation === '*' || r.operationId === operation);
    const hit = seen[nth - 1];
    if (hit) return Promise.resolve(hit);
    if (this.closed) return Promise.reject(new Error('FakeMarket closed'));
    return new Promise((resolve, reject) => this.waiters.add({ operation, nth, resolve, reject }));
  }

  // --- faults -----------------------------------------------------------------------------------------

  /**
   * Makes the next `count` requests of `operation` (or of any operation, `'*'`) fail with `fault`.
   * `'attachment'` targets attachment downloads; only status faults apply to them.
   */
  /** Faults queued by failNext for `operation` that no request has taken yet. */
  queuedFaults(operation: OperationId | 'attachment' | '*'): number {
    return (this.faults.get(operation) ?? []).reduce((n, f) => n + f.left, 0);
  }

  failNext(operation: OperationId | 'attachment' | '*', fault: Fault, count = 1): void {
    if (!Number.isInteger(count) || count < 1) throw new Error('FakeMarket.failNext: count must be ≥ 1');
    const queue = this.faults.get(operation) ?? [];
    queue.push({ fault, left: count });
    this.faults.set(operation, queue);
  }

  /**
   * Sets the quota of an operation: `remaining` requests until `untilMs` (epoch ms on the `now` clock;
   * default the end of a window starting now), after which a fresh window with the full limit starts.
   */
  setQuotaRemaining(operation: OperationId, remaining: number, untilMs?: number): void {
    if (!Number.isInteger(remaining) || remaining < 0) throw new Error('FakeMarket.setQuotaRemaining: bad remaining');
    this.quotas.set(operation, { remaining, untilMs: untilMs ?? this.now() + windowMs(operation) });
  }

  // --- state helpers ----------------------------------------------------------------------------------

  private requireChat(chatId: number, caller: string): ChatState {
    const chat = this.chatsById.get(chatId);
    if (!chat) throw new Error(`FakeMarket.${caller}: no chat ${chatId}`);
    return chat;
  }

  private storeFile(name: string, data: Uint8Array, contentType?: string): FileState {
    const file: FileState = {
      fileId: String(this.nextFileId++),
      name,
      contentType: contentType ?? contentTypeFor(name),
      data: new Uint8Array(data),
    };
    this.files.set(file.fileId, file);
    return file;
  }

  private storeMessage(
    chat: ChatState,
    sender: ChatMessageSender,
    text: string | undefined,
    files: FileState[],
    createdAtMs: number,
  ): MessageState {
    const message: MessageState = {
      messageId: this.nextMessageId++,
      chatId: chat.chatId,
      sender,
      ...(text !== undefined && { text }),
      files,
      createdAtMs,
    };
    chat.messages.push(message);
    chat.updatedAtMs = createdAtMs;
    if (chat.type === 'CHAT' && chat.status !== 'FINISHED') {
      if (sender === 'CUSTOMER') chat.status = 'WAITING_FOR_PARTNER';
      if (sender === 'PARTNER') chat.status = 'WAITING_FOR_CUSTOMER';
    }
    this.onMessage?.(this.messageSnapshot(message));
    return message;
  }

  private fileUrl(file: FileState): string {
    const base = new URL(this.url);
    if (this.attachmentHost !== undefined) base.hostname = this.attachmentHost;
    return `${base.origin}/files/${file.fileId}/${encodeURIComponent(file.name)}`;
  }

  private chatSnapshot(chat: ChatState): FakeChat {
    return {
      chatId: chat.chatId,
      contextType: chat.contextType,
      ...(chat.orderId !== undefined && { orderId: chat.orderId }),
      ...(chat.returnId !== undefined && { returnId: chat.returnId }),
      ...(chat.campaignId !== undefined && { campaignId: chat.campaignId }),
      ...(chat.customer !== undefined && { customer: { ...chat.customer } }),
      type: chat.type,
      status: chat.status,
      createdAt: formatMarketDate(chat.createdAtMs),
      updatedAt: formatMarketDate(chat.updatedAtMs),
    };
  }

  private messageSnapshot(m: MessageState): FakeChatMessage {
    return {
      messageId: m.messageId,
      chatId: m.chatId,
      sender: m.sender,
      ...(m.text !== undefined && { text: m.text }),
      attachments: m.files.map((f) => ({
        name: f.name,
        size: f.data.byteLength,
        contentType: f.contentType,
        url: this.fileUrl(f),
        data: new Uint8Array(f.data),
      })),
      createdAt: formatMarketDate(m.createdAtMs),
    };
  }

  // --- DTOs (the spec's shapes) --------------------------------------------------------------------

  private contextDto(chat: ChatState): Record<string, unknown> {
    return {
      type: chat.contextType,
      ...(chat.customer !== undefined && { customer: { ...chat.customer } }),
      ...(chat.campaignId !== undefined && { campaignId: chat.campaignId }),
      ...(chat.orderId !== undefined && { orderId: chat.orderId }),
      ...(chat.returnId !== undefined && { returnId: chat.returnId }),
    };
  }

  private chatDto(chat: ChatState): Record<string, unknown> {
    return {
      chatId: chat.chatId,
      ...(chat.contextType === 'ORDER' && chat.orderId !== undefined && { orderId: chat.orderId }),
      context: this.contextDto(chat),
      type: chat.type,
      status: chat.status,
      createdAt: formatMarketDate(chat.createdAtMs),
      updatedAt: formatMarketDate(chat.updatedAtMs),
    };
  }

  private messageDto(m: MessageState): Record<string, unknown> {
    return {
      messageId: m.messageId,
      createdAt: formatMarketDate(m.createdAtMs),
      sender: m.sender,
      ...(m.text !== undefined && { message: m.text }),
      ...(m.files.length > 0 && {
        payload: m.files.map((f) => ({ name: f.name, url: this.fileUrl(f), size: f.data.byteLength })),
      }),
    };
  }

  // --- quotas ---------------------------------------------------------------------------------------

  private quota(operation: OperationId): QuotaState {
    const now = this.now();
    let q = this.quotas.get(operation);
    if (!q || now >= q.untilMs) {
      q = { untilMs: now + windowMs(operation), remaining: this.limits[operation] };
      this.quotas.set(operation, q);
    }
    return q;
  }

  private rateHeaders(operation: OperationId, remaining: number, untilMs: number): Record<string, string> {
    return {
      'X-RateLimit-Resource-Limit': String(this.limits[operation]),
      'X-RateLimit-Resource-Remaining': String(Math.max(0, remaining)),
      'X-RateLimit-Resource-Until': new Date(untilMs).toUTCString(),
    };
  }

  private resourceName(operation: OperationId): string {
    if (operation === 'getAuthTokenInfo') return '/v2/auth/token';
    if (operation === 'getOrder') return '/v2/campaigns/{campaignId}/orders/{orderId}';
    if (operation === 'getCampaigns') return '/v2/campaigns';
    if (operation === 'getBusinessOrders') return `/v1/businesses/${this.businessId}/orders`;
    const question = Object.entries(QUESTION_ROUTES).find(([, id]) => id === operation);
    if (question) return `/v1/businesses/${this.businessId}/${question[0]}`;
    const suffix = Object.entries(BUSINESS_ROUTES).find(([, methods]) => Object.values(methods).includes(operation));
    return `/v2/businesses/${this.businessId}/${suffix?.[0] ?? ''}`;
  }

  private quotaExceededMessage(operation: OperationId): string {
    return (
      `Hit rate limit of ${this.limits[operation]} requests per 1 ${windowMs(operation) === HOUR_MS ? 'hour' : 'minute'} for resource ` +
      `${this.resourceName(operation)} for businessId ${this.businessId}`
    );
  }

  /** Adds the rate-limit headers to a reply of an identified request and charges the quota (2xx, 4xx but 420). */
  private charge(operation: OperationId, reply: Reply): Reply {
    const q = this.quota(operation);
    if (reply.status < 500 && reply.status !== 420) q.remaining = Math.max(0, q.remaining - 1);
    return { ...reply, headers: { ...this.rateHeaders(operation, q.remaining, q.untilMs), ...reply.headers } };
  }

  private takeFault(operation: OperationId | 'attachment'): Fault | undefined {
    for (const key of [operation, '*'] as const) {
      const queue = this.faults.get(key);
      const head = queue?.[0];
      if (queue && head) {
        head.left -= 1;
        if (head.left <= 0) queue.shift();
        return head.fault;
      }
    }
    return undefined;
  }

  // --- HTTP -----------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = matchRoute(method, url.pathname);
    const headers: Record<string, string | undefined> = {};
    for (const name of Object.keys(req.headers)) {
      if (name !== 'api-key' && name !== 'authorization') headers[name] = headerValue(req.headers, name);
    }
    const record: Mutable<RequestRecord> = {
      operationId:
        route.kind === 'operation' ? route.operationId : route.kind === 'attachment' ? 'attachment' : 'unknown',
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: this.now(),
      headers,
      apiKeyOk: headerValue(req.headers, 'api-key') === this.apiKey,
    };
    this.requests.push(record);
    this.notifyWaiters();

    if (route.kind !== 'operation') {
      await readBody(req, MAX_JSON_BODY_BYTES);
      const fault = route.kind === 'attachment' ? this.takeFault('attachment') : undefined;
      if (fault && 'status' in fault) {
        this.respond(res, record, { status: fault.status, body: errorBody('ERROR', `injected ${fault.status}`) });
        return;
      }
      this.respond(res, record, this.answerOther(route, req));
      return;
    }

    const operation = route.operationId;
    // README §4: /campaigns/... counts against the campaign, everything else against the business.
    const entity =
      route.campaignIdRaw !== undefined
        ? `campaignId ${route.campaignIdRaw}`
        : `businessId ${route.businessIdRaw ?? String(this.businessId)}`;
    const inFlight = (this.inFlightByEntity.get(entity) ?? 0) + 1;
    this.inFlightByEntity.set(entity, inFlight);
    this.inFlightTotal += 1;
    this.maxParallelSeen = Math.max(this.maxParallelSeen, this.inFlightTotal);
    res.once('close', () => {
      this.inFlightByEntity.set(entity, (this.inFlightByEntity.get(entity) ?? 1) - 1);
      this.inFlightTotal -= 1;
    });

    const cap = operation === 'sendFileToChat' ? MAX_FILE_BYTES + MULTIPART_SLACK_BYTES : MAX_JSON_BODY_BYTES;
    let body: { data: Buffer; tooBig: boolean };
    try {
      body = await readBody(req, cap);
    } catch {
      return; // the client went away mid-body
    }
    record.body = summariseBody(req.headers['content-type'], body.data);

    if (inFlight > this.maxParallel) {
      const q = this.quota(operation);
      this.respond(res, record, {
        status: 420,
        body: errorBody(
          'REQUEST_LIMIT_EXCEEDED',
          `Hit rate limit of ${this.maxParallel} parallel requests for ${entity}`,
        ),
        headers: this.rateHeaders(operation, q.remaining, q.untilMs),
      });
      return;
    }

    let acceptThenReset = false;
    const fault = this.takeFault(operation);
    if (fault) {
      if ('delayMs' in fault) {
        await this.sleep(fault.delayMs);
        if (this.closed) {
          req.socket.destroy();
          return;
        }
      } else if ('hang' in fault) {
        return;
      } else if ('resetBeforeEffect' in fault) {
        req.socket.destroy();
        return;
      } else if ('acceptThenReset' in fault) {
        acceptThenReset = true;
      } else if ('malformed' in fault) {
        this.respond(
          res,
          record,
          this.charge(operation, { status: 200, body: fault.body ?? '{"status":"OK","result":{' }),
        );
        return;
      } else if (fault.status === 420) {
        const untilMs = fault.untilMs ?? this.now() + 1000;
        this.respond(res, record, {
          status: 420,
          body: errorBody('REQUEST_LIMIT_EXCEEDED', fault.message ?? this.quotaExceededMessage(operation)),
          headers: this.rateHeaders(operation, 0, untilMs),
        });
        return;
      } else {
        const reply: Reply = {
          status: fault.status,
          body: errorBody(ERROR_CODES[fault.status] ?? 'ERROR', FAULT_MESSAGES[fault.status] ?? 'Error'),
        };
        this.respond(res, record, this.charge(operation, reply));
        return;
      }
    }

    const reply = await this.answerOperation(route, req, url.searchParams, body);
    if (acceptThenReset) {
      req.socket.destroy();
      return;
    }
    this.respond(res, record, reply);
  }

  /** Auth, business, scope and quota checks, then the operation itself. */
  private async answerOperation(
    route: Extract<Route, { kind: 'operation' }>,
    req: IncomingMessage,
    query: URLSearchParams,
    body: { data: Buffer; tooBig: boolean },
  ): Promise<Reply> {
    const operation = route.operationId;
    try {
      this.authenticate(req, route.businessIdRaw, route.campaignIdRaw);
    } catch (error) {
      if (error instanceof Rejection) return rejectionReply(error); // unidentified: no quota, no headers
      throw error;
    }
    let reply: Reply;
    const q = this.quota(operation);
    if (q.remaining <= 0) {
      return {
        status: 420,
        body: errorBody('REQUEST_LIMIT_EXCEEDED', this.quotaExceededMessage(operation)),
        headers: this.rateHeaders(operation, 0, q.untilMs),
      };
    }
    try {
      if (!this.scopes.some((s) => OPERATION_SCOPES[operation].includes(s))) {
        throw new Rejection(403, 'Token does not have any of the scopes to access the API method');
      }
      if (body.tooBig) throw bad('The request is too big');
      reply = { status: 200, body: await this.execute(route, req, query, body.data) };
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      reply = rejectionReply(error);
    }
    return this.charge(operation, reply);
  }

  private authenticate(req: IncomingMessage, businessIdRaw: string | undefined, campaignIdRaw?: string): void {
    const key = headerValue(req.headers, 'api-key');
    if (key === undefined || key === '') {
      const authorization = headerValue(req.headers, 'authorization') ?? '';
      if (/^(bearer|oauth)\s/i.test(authorization)) throw new Rejection(401, 'OAuth token is invalid', 'UNAUTHORIZED');
      throw new Rejection(401, 'Credentials are not specified', 'UNAUTHORIZED');
    }
    if (/^bearer\s/i.test(key)) throw new Rejection(401, 'Api-Key token prefix invalid', 'UNAUTHORIZED');
    if (key !== this.apiKey) throw new Rejection(401, 'Api-Key token is invalid', 'UNAUTHORIZED');
    if (businessIdRaw !== undefined) {
      if (!/^[0-9]+$/.test(businessIdRaw) || !isPositiveInt(Number(businessIdRaw))) {
        throw bad(`Path parameter 'businessId' must be a positive int64, got '${businessIdRaw}'`);
      }
      if (Number(businessIdRaw) !== this.businessId) throw new Rejection(403, 'Access denied', 'FORBIDDEN');
    }
    if (campaignIdRaw !== undefined) {
      if (!/^[0-9]+$/.test(campaignIdRaw) || !isPositiveInt(Number(campaignIdRaw))) {
        throw bad(`Path parameter 'campaignId' must be a positive int64, got '${campaignIdRaw}'`);
      }
      if (!this.campaigns.isOwn(Number(campaignIdRaw))) throw new Rejection(403, 'Access denied', 'FORBIDDEN');
    }
  }

  private async execute(
    route: Extract<Route, { kind: 'operation' }>,
    req: IncomingMessage,
    query: URLSearchParams,
    raw: Buffer,
  ): Promise<unknown> {
    const contentType = req.headers['content-type'];
    switch (route.operationId) {
      case 'getAuthTokenInfo':
        return { status: 'OK', result: { apiKey: { name: this.apiKeyName, authScopes: [...this.scopes] } } };
      case 'getChats':
        return this.getChats(query, parseJsonObject(contentType, raw));
      case 'getChat': {
        const chat = this.findChat(parseIdParam(query, 'chatId'));
        return { status: 'OK', result: this.chatDto(chat) };
      }
      case 'getChatHistory':
        return this.getChatHistory(query, contentType, raw);
      case 'getChatMessage': {
        const chatId = parseIdParam(query, 'chatId');
        const messageId = parseIdParam(query, 'messageId');
        const message = this.findChat(chatId).messages.find((m) => m.messageId === messageId);
        if (!message) throw new Rejection(404, `Message ${messageId} not found in chat ${chatId}`);
        return { status: 'OK', result: this.messageDto(message) };
      }
      case 'sendMessageToChat':
        return this.sendMessage(query, contentType, raw);
      case 'sendFileToChat':
        return this.sendFile(query, contentType, raw);
      case 'createChat':
        return this.createChat(parseJsonObject(contentType, raw));
      case 'getOrder':
        return this.getOrder(Number(route.campaignIdRaw), route.orderIdRaw ?? '');
      case 'getBusinessOrders':
        return this.getBusinessOrders(query, parseJsonObject(contentType, raw));
      case 'getCampaigns':
        return this.campaigns.execute(query);
      case 'getGoodsFeedbacks':
      case 'getGoodsFeedbackComments':
      case 'updateGoodsFeedbackComment':
      case 'deleteGoodsFeedbackComment':
      case 'skipGoodsFeedbacksReaction':
        return this.reviews.execute(route.operationId, query, contentType, raw);
      case 'getGoodsQuestions':
      case 'getGoodsQuestionAnswers':
      case 'updateGoodsQuestionTextEntity':
        return this.questions.execute(route.operationId, query, contentType, raw);
      case 'getOfferMappings':
        return this.products.execute(route.operationId, query, contentType, raw);
    }
  }

  private findChat(chatId: number): ChatState {
    const chat = this.chatsById.get(chatId);
    if (!chat) throw new Rejection(404, `Chat ${chatId} not found`);
    return chat;
  }

  private getChats(query: URLSearchParams, body: Record<string, unknown>): unknown {
    const limit = parseLimit(query, 10, 20);
    const token = pageTokenOf(query);
    let offset = 0;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (decoded.k !== 'chats' || typeof decoded.o !== 'number' || !Number.isSafeInteger(decoded.o) || decoded.o < 0) {
        throw bad('Invalid page token');
      }
      offset = decoded.o;
    }
    const statuses = filterArray(body, 'statuses', enumItem(CHAT_STATUSES));
    const types = filterArray(body, 'types', enumItem(['CHAT', 'ARBITRAGE'] as const));
    const contextTypes = filterArray(body, 'contextTypes', enumItem(['ORDER', 'RETURN', 'DIRECT'] as const));
    const contexts = filterArray(body, 'contexts', contextItem);
    const orderIds = filterArray(body, 'orderIds', (v) => (isPositiveInt(v) ? v : undefined));

    const matching = [...this.chatsById.values()].filter(
      (c) =>
        (!statuses || statuses.some((s) => s === c.status)) &&
        (!types || types.some((t) => t === c.type)) &&
        (!contextTypes || contextTypes.includes(c.contextType)) &&
        (!contexts ||
          contexts.some((x) => x.type === c.contextType && x.id === (x.type === 'ORDER' ? c.orderId : c.returnId))) &&
        (!orderIds || (c.orderId !== undefined && orderIds.includes(c.orderId))),
    );
    matching.sort((a, b) => {
      switch (this.chatsOrder) {
        case 'updated-desc':
          return b.updatedAtMs - a.updatedAtMs || b.chatId - a.chatId;
        case 'created-asc':
          return a.createdAtMs - b.createdAtMs || a.chatId - b.chatId;
        case 'id-asc':
          return a.chatId - b.chatId;
      }
    });
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? encodeToken({ k: 'chats', o: offset + limit }) : undefined;
    return {
      status: 'OK',
      result: { chats: page.map((c) => this.chatDto(c)), paging: next === undefined ? {} : { nextPageToken: next } },
    };
  }

  private getChatHistory(query: URLSearchParams, contentType: string | undefined, raw: Buffer): unknown {
    const chatId = parseIdParam(query, 'chatId');
    const limit = parseLimit(query, 50, 100);
    const token = pageTokenOf(query);
    let after: number | undefined;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (
        decoded.k !== 'history' ||
        decoded.c !== chatId ||
        decoded.d !== this.historyOrder ||
        typeof decoded.a !== 'number' ||
        !Number.isSafeInteger(decoded.a)
      ) {
        throw bad('Invalid page token');
      }
      after = decoded.a;
    }
    const body = parseJsonObject(contentType, raw);
    const from = body.messageIdFrom;
    if (from !== undefined && from !== null && !isPositiveInt(from)) throw bad("'messageIdFrom' must be an int64 ≥ 1");
    const chat = this.findChat(chatId);

    const desc = this.historyOrder === 'desc';
    let messages = chat.messages.filter(
      (m) => typeof from !== 'number' || (this.messageIdFromInclusive ? m.messageId >= from : m.messageId > from),
    );
    if (desc) messages = messages.reverse();
    if (after !== undefined) {
      const cursor = after;
      messages = messages.filter((m) => (desc ? m.messageId < cursor : m.messageId > cursor));
    }
    const page = messages.slice(0, limit);
    const last = page[page.length - 1];
    const next =
      messages.length > limit && last
        ? encodeToken({ k: 'history', c: chatId, d: this.historyOrder, a: last.messageId })
        : undefined;
    return {
      status: 'OK',
      result: {
        ...(chat.contextType === 'ORDER' && chat.orderId !== undefined && { orderId: chat.orderId }),
        context: this.contextDto(chat),
        messages: page.map((m) => this.messageDto(m)),
        paging: next === undefined ? {} : { nextPageToken: next },
      },
    };
  }

  private sendMessage(query: URLSearchParams, contentType: string | undefined, raw: Buffer): unknown {
    const chatId = parseIdParam(query, 'chatId');
    const body = parseJsonObject(contentType, raw);
    const text = body.message;
    if (typeof text !== 'string') throw bad("'message' is required and must be a string");
    if (text.length < 1 || text.length > MAX_MESSAGE_LENGTH) {
      throw bad(`'message' length must be between 1 and ${MAX_MESSAGE_LENGTH}, got ${text.length}`);
    }
    const chat = this.findChat(chatId);
    const at = this.now();
    this.storeMessage(chat, 'PARTNER', text, [], at);
    this.sent.push({ chatId, at, text });
    return { status: 'OK' };
  }

  private async sendFile(query: URLSearchParams, contentType: string | undefined, raw: Buffer): Promise<unknown> {
    const chatId = parseIdParam(query, 'chatId');
    if (!/^multipart\/form-data\b/i.test(contentType ?? '')) {
      throw new Rejection(415, `Content type '${contentType ?? ''}' is not supported, use multipart/form-data`);
    }
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': contentType ?? '' } }).formData();
    } catch {
      throw bad('Request body is not valid multipart/form-data');
    }
    const part = form.get('file');
    if (part === null) throw bad("Required part 'file' is missing");
    if (typeof part === 'string') throw bad("Part 'file' must be a file");
    if (part.size === 0) throw bad('File is empty');
    if (part.size > MAX_FILE_BYTES) throw bad(`File is too big: ${part.size} bytes, the maximum is ${MAX_FILE_BYTES}`);
    const chat = this.findChat(chatId);
    const data = new Uint8Array(await part.arrayBuffer());
    const name = part.name;
    const partType = part.type === '' ? undefined : part.type;
    const at = this.now();
    this.storeMessage(chat, 'PARTNER', undefined, [this.storeFile(name, data, partType)], at);
    this.sent.push({
      chatId,
      at,
      file: { name, ...(partType !== undefined && { contentType: partType }), data: new Uint8Array(data) },
    });
    return { status: 'OK' };
  }

  private createChat(body: Record<string, unknown>): unknown {
    let type: 'ORDER' | 'RETURN';
    let id: number;
    if (body.context !== undefined && body.context !== null) {
      const context = contextItem(body.context);
      if (!context) throw bad("'context' must be {type: ORDER|RETURN, id: int64 ≥ 1}");
      ({ type, id } = context);
    } else if (body.orderId !== undefined && body.orderId !== null) {
      if (!isPositiveInt(body.orderId)) throw bad("'orderId' must be an int64 ≥ 1");
      type = 'ORDER';
      id = body.orderId;
    } else {
      throw bad("Either 'context' or 'orderId' is required");
    }
    const about = (c: ChatState) => c.contextType === type && (type === 'ORDER' ? c.orderId : c.returnId) === id;
    const chats = [...this.chatsById.values()].filter(about);
    const existing = chats.find((c) => c.type === 'CHAT') ?? chats[0];
    if (existing) return { status: 'OK', result: { chatId: existing.chatId } };
    const what = type === 'ORDER' ? 'Order' : 'Return';
    const subject = this.subjects.get(`${type}:${id}`);
    if (!subject) throw new Rejection(404, `${what} ${id} not found`);
    if (subject.chatsClosed) throw bad(`Chat cannot be created for ${what.toLowerCase()} ${id}`);
    const chatId = this.addChat({
      contextType: type,
      orderId: subject.orderId,
      ...(subject.returnId !== undefined && { returnId: subject.returnId }),
      ...(subject.campaignId !== undefined && { campaignId: subject.campaignId }),
      ...(subject.customer !== undefined && { customer: subject.customer }),
    });
    return { status: 'OK', result: { chatId } };
  }

  private getOrder(campaignId: number, orderIdRaw: string): unknown {
    if (!/^[0-9]+$/.test(orderIdRaw) || !Number.isSafeInteger(Number(orderIdRaw))) {
      throw bad(`Path parameter 'orderId' must be an int64, got '${orderIdRaw}'`);
    }
    const order = this.ordersById.get(Number(orderIdRaw));
    if (!order || order.campaignId !== campaignId) throw new Rejection(404, `Order ${orderIdRaw} not found`);
    // GetOrderResponse has no status/result envelope.
    return { order: orderDto(order) };
  }

  private getBusinessOrders(query: URLSearchParams, body: Record<string, unknown>): unknown {
    const limit = parseTruncatedLimit(query, 50, 50);
    const token = pageTokenOf(query);
    let offset = 0;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (
        decoded.k !== 'orders' ||
        typeof decoded.o !== 'number' ||
        !Number.isSafeInteger(decoded.o) ||
        decoded.o < 0
      ) {
        throw bad('Invalid page token');
      }
      offset = decoded.o;
    }
    const ids = (v: unknown) => (isPositiveInt(v) ? v : undefined);
    const orderIds = atMost(50, 'orderIds', filterArray(body, 'orderIds', ids));
    const campaignIds = atMost(50, 'campaignIds', filterArray(body, 'campaignIds', ids));
    const externalOrderIds = atMost(
      50,
      'externalOrderIds',
      filterArray(body, 'externalOrderIds', (v) => (typeof v === 'string' && v.length > 0 ? v : undefined)),
    );
    const statuses = filterArray(body, 'statuses', enumItem(ORDER_STATUSES));
    const substatuses = filterArray(body, 'substatuses', (v) => (typeof v === 'string' && v !== '' ? v : undefined));
    const programTypes = filterArray(body, 'programTypes', enumItem(SELLING_PROGRAMS));
    const sourcePlatforms = filterArray(body, 'sourcePlatforms', enumItem(ORDER_SOURCE_PLATFORMS));
    const fake = optionalBoolean(body, 'fake');
    const waitingForCancellation = optionalBoolean(body, 'waitingForCancellationApprove');
    const dates = orderDates(body.dates, this.now());
    const window =
      dates.created ??
      (dates.any || (orderIds !== undefined && !this.orderIdsInDateWindow)
        ? undefined
        : { fromMs: this.now() - ORDER_WINDOW_MS, toMs: this.now() + 1 });

    const matching = [...this.ordersById.values()].filter(
      (o) =>
        (!orderIds || orderIds.includes(o.orderId)) &&
        (!campaignIds || campaignIds.includes(o.campaignId)) &&
        (!externalOrderIds || (o.externalOrderId !== undefined && externalOrderIds.includes(o.externalOrderId))) &&
        (!statuses || statuses.some((s) => s === o.status)) &&
        (!substatuses || substatuses.includes(o.substatus)) &&
        (!programTypes || programTypes.some((p) => p === o.programType)) &&
        (!sourcePlatforms || sourcePlatforms.includes('MARKET')) &&
        (fake === undefined || o.fake === fake) &&
        // The fake has no cancellation requests.
        waitingForCancellation !== true &&
        (!window || (o.createdAtMs >= window.fromMs && o.createdAtMs < window.toMs)) &&
        (!dates.updated || (o.updatedAtMs >= dates.updated.fromMs && o.updatedAtMs <= dates.updated.toMs)),
    );
    matching.sort((a, b) => a.createdAtMs - b.createdAtMs || a.orderId - b.orderId);
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? encodeToken({ k: 'orders', o: offset + limit }) : undefined;
    // GetBusinessOrdersResponse has no status/result envelope.
    return { orders: page.map(businessOrderDto), paging: next === undefined ? {} : { nextPageToken: next } };
  }

  /** Attachment downloads, unknown paths and wrong methods: no quota, no faults. */
  private answerOther(route: Exclude<Route, { kind: 'operation' }>, req: IncomingMessage): Reply {
    switch (route.kind) {
      case 'unknown':
        return { status: 404, body: errorBody('NOT_FOUND', 'Resource not found') };
      case 'method-not-allowed':
        return {
          status: 405,
          body: errorBody('METHOD_NOT_ALLOWED', `Method ${req.method ?? ''} is not allowed`),
          headers: { Allow: route.allow.join(', ') },
        };
      case 'attachment': {
        if (this.attachmentsRequireApiKey && headerValue(req.headers, 'api-key') !== this.apiKey) {
          return { status: 401, body: errorBody('UNAUTHORIZED', 'Credentials are not specified') };
        }
        const file = this.files.get(route.fileId);
        if (!file || file.name !== route.name) return { status: 404, body: errorBody('NOT_FOUND', 'File not found') };
        return { status: 200, body: file.data, headers: { 'Content-Type': file.contentType } };
      }
    }
  }

  private respond(res: ServerResponse, record: Mutable<RequestRecord>, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    let payload: string | Uint8Array;
    let contentType = 'application/json;charset=UTF-8';
    if (reply.body instanceof Uint8Array) {
      payload = reply.body;
      contentType = 'application/octet-stream';
    } else if (typeof reply.body === 'string') {
      payload = reply.body;
    } else {
      payload = JSON.stringify(reply.body);
    }
    record.status = reply.status;
    res.writeHead(reply.status, {
      'Content-Type': contentType,
      'Content-Length': String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength),
      ...reply.headers,
    });
    res.end(payload);
  }

  private crash(res: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (res.destroyed || res.headersSent) {
      res.destroy();
      return;
    }
    const payload = JSON.stringify(errorBody('INTERNAL_ERROR', `Fake Market bug: ${message}`));
    res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(payload);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        this.pendingDelays.delete(cancel);
        resolve();
      };
      const timer = setTimeout(cancel, ms);
      this.pendingDelays.add(cancel);
    });
  }

  private notifyWaiters(): void {
    for (const waiter of this.waiters) {
      const seen = this.requests.filter((r) => waiter.operation === '*' || r.operationId === waiter.operation);
      const hit = seen[waiter.nth - 1];
      if (hit) {
        this.waiters.delete(waiter);
        waiter.resolve(hit);
      }
    }
  }
}

/** The length of an operation's quota window. */
function windowMs(operation: OperationId): number {
  return QUOTA_WINDOWS_MS[operation] ?? HOUR_MS;
}

function rejectionReply(error: Rejection): Reply {
  return { status: error.status, body: errorBody(error.code, error.message) };
}

function parseDate(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`FakeMarket: bad date ${value}`);
  return ms;
}

function summariseBody(contentType: string | undefined, data: Buffer): unknown {
  if (data.length === 0) return undefined;
  if (/^multipart\/form-data\b/i.test(contentType ?? '')) return { multipart: true, bytes: data.length };
  const text = data.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
