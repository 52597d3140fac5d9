/**
 * The operations of the official partner-api spec copied in ./partner-api/ (see its SOURCE.md), order details,
 * product reviews, product questions, the product catalogue's getOfferMappings and the shop list: where each lives,
 * its scopes, limits and deprecation, and a checker of bodies against its request and response schemas. `$ref`s are
 * followed lazily, so recursive schemas (RegionDTO.parent) are fine. Used by the fake Market's conformance tests and
 * the client's contract tests.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const PATHS_DIR = fileURLToPath(new URL('./partner-api/openapi/paths/', import.meta.url));

/** The copied operations: the spec path, and the file the root `openapi.yaml` points it to. */
export const ORDER_OPERATIONS = {
  getOrder: {
    path: '/v2/campaigns/{campaignId}/orders/{orderId}',
    file: 'v2_campaigns_campaignId_orders_orderId.yaml',
  },
  getBusinessOrders: { path: '/v1/businesses/{businessId}/orders', file: 'v1_businesses_businessId_orders.yaml' },
} as const;
export type OrderOperationId = keyof typeof ORDER_OPERATIONS;

/** The product-question operations (REVIEWS-QUESTIONS.md §4). */
export const QUESTION_OPERATIONS = {
  getGoodsQuestions: {
    path: '/v1/businesses/{businessId}/goods-questions',
    file: 'v1_businesses_businessId_goods-questions.yaml',
  },
  getGoodsQuestionAnswers: {
    path: '/v1/businesses/{businessId}/goods-questions/answers',
    file: 'v1_businesses_businessId_goods-questions_answers.yaml',
  },
  updateGoodsQuestionTextEntity: {
    path: '/v1/businesses/{businessId}/goods-questions/update',
    file: 'v1_businesses_businessId_goods-questions_update.yaml',
  },
} as const;
export type QuestionOperationId = keyof typeof QUESTION_OPERATIONS;

/** The product-review (goods feedback) operations (REVIEWS-QUESTIONS.md §3). */
export const REVIEW_OPERATIONS = {
  getGoodsFeedbacks: {
    path: '/v2/businesses/{businessId}/goods-feedback',
    file: 'v2_businesses_businessId_goods-feedback.yaml',
  },
  getGoodsFeedbackComments: {
    path: '/v2/businesses/{businessId}/goods-feedback/comments',
    file: 'v2_businesses_businessId_goods-feedback_comments.yaml',
  },
  updateGoodsFeedbackComment: {
    path: '/v2/businesses/{businessId}/goods-feedback/comments/update',
    file: 'v2_businesses_businessId_goods-feedback_comments_update.yaml',
  },
  deleteGoodsFeedbackComment: {
    path: '/v2/businesses/{businessId}/goods-feedback/comments/delete',
    file: 'v2_businesses_businessId_goods-feedback_comments_delete.yaml',
  },
  skipGoodsFeedbacksReaction: {
    path: '/v2/businesses/{businessId}/goods-feedback/skip-reaction',
    file: 'v2_businesses_businessId_goods-feedback_skip-reaction.yaml',
  },
} as const;
export type ReviewOperationId = keyof typeof REVIEW_OPERATIONS;

/** The product catalogue's read, for product names and links. */
export const PRODUCT_OPERATIONS = {
  getOfferMappings: {
    path: '/v2/businesses/{businessId}/offer-mappings',
    file: 'v2_businesses_businessId_offer-mappings.yaml',
  },
} as const;
export type ProductOperationId = keyof typeof PRODUCT_OPERATIONS;

/** The shop list: the shops (campaigns) the key reaches, each with its cabinet (business). */
export const CAMPAIGN_OPERATIONS = {
  getCampaigns: { path: '/v2/campaigns', file: 'v2_campaigns.yaml' },
} as const;

const OPERATIONS = {
  ...ORDER_OPERATIONS,
  ...REVIEW_OPERATIONS,
  ...QUESTION_OPERATIONS,
  ...PRODUCT_OPERATIONS,
  ...CAMPAIGN_OPERATIONS,
};
/** Every copied operation. */
export type SpecOperationId = keyof typeof OPERATIONS;

type Node = Record<string, unknown>;
const isRecord = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

const yamlCache = new Map<string, unknown>();
function loadYaml(file: string): unknown {
  let doc = yamlCache.get(file);
  if (doc === undefined) {
    doc = parse(readFileSync(file, 'utf8')) as unknown;
    yamlCache.set(file, doc);
  }
  return doc;
}

/** A schema node together with the file its relative `$ref`s start from. */
interface Located {
  node: unknown;
  file: string;
}

/** Follows `$ref`s (`other.yaml`, `other.yaml#/a/b`) until a node without one. */
function follow(at: Located): Located {
  let cur = at;
  for (let hops = 0; isRecord(cur.node) && typeof cur.node['$ref'] === 'string'; hops++) {
    if (hops > 20) throw new Error(`spec: $ref chain too long in ${cur.file}`);
    const [filePart = '', pointer = ''] = cur.node['$ref'].split('#', 2);
    const file = filePart ? resolve(dirname(cur.file), filePart) : cur.file;
    let node = loadYaml(file);
    for (const key of pointer.split('/').filter(Boolean)) node = isRecord(node) ? node[key] : undefined;
    cur = { node, file };
  }
  return cur;
}

function child(at: Located, ...keys: string[]): Located {
  let cur = follow(at);
  for (const key of keys) {
    if (!isRecord(cur.node)) throw new Error(`spec: no ${keys.join('.')} in ${cur.file}`);
    cur = follow({ node: cur.node[key], file: cur.file });
  }
  return cur;
}

/** What the spec says about one operation. */
export interface OperationSpec {
  method: 'GET' | 'POST';
  path: string;
  operationId: string;
  deprecated: boolean;
  /** `x-auth-scopes` in ApiKeyScopeType spelling (`all-methods:read-only` → `ALL_METHODS_READ_ONLY`). */
  scopes: string[];
  /** `x-resource-limit-config`: requests per period on the `none` and `medium` tiers, and the parallel limit. */
  limits: { none: { amount: number; period: string }; medium: { amount: number; period: string }; parallel?: number };
  /** `x-deprecation-config`, when deprecated. */
  deprecation?: { degradationStart: string; shutdown: string; replacement: string };
  /** Parameters by name: where each goes, and its schema. */
  parameters: Record<string, { in: string; required: boolean; schema: Node; aliases?: string[]; transform?: string }>;
  requestBodyRequired: boolean;
  /** The statuses the operation documents. */
  statuses: string[];
}

function operationRoot(id: SpecOperationId): { method: 'GET' | 'POST'; at: Located } {
  const file = resolve(PATHS_DIR, OPERATIONS[id].file);
  const doc = loadYaml(file);
  if (!isRecord(doc)) throw new Error(`spec: ${file} is not a path item`);
  const method = 'get' in doc ? 'GET' : 'POST';
  return { method, at: { node: doc[method.toLowerCase()], file } };
}

const scopeName = (s: string) => s.toUpperCase().replaceAll('-', '_').replaceAll(':', '_');

export function operationSpec(id: SpecOperationId): OperationSpec {
  const { method, at } = operationRoot(id);
  const op = at.node as Node;
  const limit = op['x-resource-limit-config'] as Node;
  const tier = (name: string) => {
    const t = limit[name] as Node;
    return { amount: Number(t['amount']), period: `${String(t['period-duration'])} ${String(t['period'])}` };
  };
  const deprecation = op['x-deprecation-config'] as Node | undefined;
  const parameters: OperationSpec['parameters'] = {};
  for (const raw of (op['parameters'] as unknown[] | undefined) ?? []) {
    const p = follow({ node: raw, file: at.file }).node as Node;
    parameters[String(p['name'])] = {
      in: String(p['in']),
      required: p['required'] === true,
      schema: p['schema'] as Node,
      ...(Array.isArray(p['x-aliases']) && { aliases: p['x-aliases'].map(String) }),
      ...(typeof p['x-transform'] === 'string' && { transform: p['x-transform'] }),
    };
  }
  return {
    method,
    path: OPERATIONS[id].path,
    operationId: String(op['operationId']),
    deprecated: op['deprecated'] === true,
    scopes: ((op['x-auth-scopes'] as string[] | undefined) ?? []).map(scopeName),
    limits: {
      none: tier('none'),
      medium: tier('medium'),
      ...(typeof limit['parallel-limit-value'] === 'number' && { parallel: limit['parallel-limit-value'] }),
    },
    ...(deprecation && {
      deprecation: {
        degradationStart: String(deprecation['degradation-start-date']),
        shutdown: String(deprecation['shutdown-date']),
        replacement: String(deprecation['replacement-operation-id']),
      },
    }),
    parameters,
    requestBodyRequired: isRecord(op['requestBody']) && op['requestBody']['required'] === true,
    statuses: Object.keys(op['responses'] as Node),
  };
}

// ---------------------------------------------------------------------------------------------------
// Checking bodies

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** The spec's `format`s and what a value of each looks like. */
const FORMATS: Record<string, RegExp> = {
  'date-time': RFC3339,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}$/,
  'date-dd-MM-yyyy': /^\d{2}-\d{2}-\d{4}$/,
  'date-dd-MM-yyyy-HH-mm-ss': /^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/,
};

function typeOk(type: unknown, v: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return isRecord(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return false;
  }
}

/** The properties a schema (with its `allOf` parts) defines, and the ones it requires. */
function shape(at: Located): { properties: Map<string, Located>; required: Set<string> } {
  const s = follow(at);
  const properties = new Map<string, Located>();
  const required = new Set<string>();
  if (!isRecord(s.node)) return { properties, required };
  for (const part of (s.node['allOf'] as unknown[] | undefined) ?? []) {
    const sub = shape({ node: part, file: s.file });
    sub.properties.forEach((v, k) => properties.set(k, v));
    sub.required.forEach((k) => required.add(k));
  }
  for (const [k, v] of Object.entries((s.node['properties'] as Node | undefined) ?? {})) {
    properties.set(k, { node: v, file: s.file });
  }
  for (const k of (s.node['required'] as string[] | undefined) ?? []) required.add(k);
  return { properties, required };
}

/**
 * Problems of `value` against a schema, as `path: reason`. `strict` also reports properties the spec does
 * not define (no schema here allows extra ones, and a fake should not invent fields).
 */
function check(at: Located, value: unknown, path: string, strict: boolean): string[] {
  const s = follow(at);
  if (!isRecord(s.node)) return [];
  const schema = s.node;
  const where = path || 'body';
  if (value === null) return schema['nullable'] === true ? [] : [`${where}: null is not allowed`];
  const allOf = (schema['allOf'] as unknown[] | undefined) ?? [];
  const type = schema['type'] ?? (allOf.length > 0 || schema['properties'] ? 'object' : undefined);
  if (!typeOk(type, value)) return [`${where}: expected ${JSON.stringify(type)}`];
  const out: string[] = [];
  const enumValues = schema['enum'] as unknown[] | undefined;
  if (enumValues && !enumValues.includes(value)) out.push(`${where}: ${JSON.stringify(value)} is not in the enum`);
  if (typeof value === 'string') {
    const format = typeof schema['format'] === 'string' ? FORMATS[schema['format']] : undefined;
    if (format && !format.test(value)) out.push(`${where}: not a ${String(schema['format'])}`);
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern']).test(value))
      out.push(`${where}: does not match ${schema['pattern']}`);
    if (typeof schema['minLength'] === 'number' && value.length < schema['minLength'])
      out.push(`${where}: shorter than ${schema['minLength']}`);
    if (typeof schema['maxLength'] === 'number' && value.length > schema['maxLength'])
      out.push(`${where}: longer than ${schema['maxLength']}`);
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) out.push(`${where}: below minimum`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) out.push(`${where}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems'])
      out.push(`${where}: too few items`);
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems'])
      out.push(`${where}: too many items`);
    if (schema['uniqueItems'] === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      out.push(`${where}: items are not unique`);
    value.forEach((item, i) =>
      out.push(...check({ node: schema['items'], file: s.file }, item, `${where}[${i}]`, strict)),
    );
  }
  if (isRecord(value)) {
    const { properties, required } = shape(s);
    for (const key of required) if (!(key in value)) out.push(`${path ? `${path}.` : ''}${key}: required`);
    for (const [key, v] of Object.entries(value)) {
      const prop = properties.get(key);
      const at = `${path ? `${path}.` : ''}${key}`;
      if (prop) out.push(...check(prop, v, at, strict));
      else if (strict && properties.size > 0) out.push(`${at}: not in the spec`);
    }
  }
  return out;
}

function bodySchema(id: SpecOperationId, ...keys: string[]): Located {
  const { at } = operationRoot(id);
  return child(at, ...keys, 'content', 'application/json', 'schema');
}

/** Problems of a 200 body of `id` against its response schema (strict: no undefined fields either). */
export function responseProblems(id: SpecOperationId, body: unknown): string[] {
  return check(bodySchema(id, 'responses', '200'), body, '', true);
}

/** Problems of an error body (`status` 400–500) of `id` against the spec's ApiErrorResponse. */
export function errorProblems(id: SpecOperationId, status: number, body: unknown): string[] {
  return check(bodySchema(id, 'responses', String(status)), body, '', true);
}

/** Problems of a request body of `id` against its requestBody schema (strict). */
export function requestProblems(id: SpecOperationId, body: unknown): string[] {
  return check(bodySchema(id, 'requestBody'), body, '', true);
}

/** The values of an enum schema, e.g. `schemaEnum('OrderStatusType')`. */
export function schemaEnum(name: string): string[] {
  const file = resolve(PATHS_DIR, '../components/schemas', `${name}.yaml`);
  const doc = loadYaml(file);
  if (!isRecord(doc) || !Array.isArray(doc['enum'])) throw new Error(`spec: ${name} is not an enum`);
  return doc['enum'].map(String);
}
