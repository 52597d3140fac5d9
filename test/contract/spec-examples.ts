/**
 * Notification bodies and response checks derived from the official notification-api spec, read from
 * the copy in ./notification-api/ (see its SOURCE.md). The spec has no literal examples, so every body
 * here is generated from the schemas: a change to the copied spec changes the examples, and the
 * contract tests follow it without edits. Reusable by HTTP-level tests.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The subset of OpenAPI 3.0 schema objects the notification spec uses. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
}

export interface Example {
  name: string;
  body: unknown;
}

/** An invalid body and the path of the field that makes it invalid (`items[0].count`). */
export interface InvalidExample extends Example {
  field: string;
}

const SPEC_ROOT = fileURLToPath(new URL('./notification-api/openapi/', import.meta.url));

// ---------------------------------------------------------------------------------------------------
// Loading and $ref resolution

const yamlCache = new Map<string, unknown>();

function loadYaml(file: string): unknown {
  let doc = yamlCache.get(file);
  if (doc === undefined) {
    doc = parse(readFileSync(file, 'utf8')) as unknown;
    yamlCache.set(file, doc);
  }
  return doc;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves a `$ref` (`other.yaml`, `other.yaml#/a/b`, `#/a/b`) relative to the file that holds it. */
function resolveRef(ref: string, baseFile: string): { file: string; key: string; node: unknown } {
  const [filePart = '', pointer = ''] = ref.split('#', 2);
  const file = filePart ? resolve(dirname(baseFile), filePart) : baseFile;
  let node = loadYaml(file);
  for (const token of pointer.split('/').filter(Boolean)) {
    const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isRecord(node) || !(key in node)) throw new Error(`unresolvable $ref ${ref} from ${baseFile}`);
    node = node[key];
  }
  return { file, key: `${file}#${pointer}`, node };
}

/** A deep copy with every `$ref` replaced by its target (OpenAPI 3.0: siblings of `$ref` are ignored). */
function deref(node: unknown, baseFile: string, stack: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => deref(n, baseFile, stack));
  if (!isRecord(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const target = resolveRef(ref, baseFile);
    if (stack.includes(target.key)) throw new Error(`circular $ref ${ref} from ${baseFile}`);
    return deref(target.node, target.file, [...stack, target.key]);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v, baseFile, stack)]));
}

function at(node: unknown, ...keys: string[]): unknown {
  let cur = node;
  for (const key of keys) {
    if (!isRecord(cur)) throw new Error(`spec: missing ${keys.join('.')}`);
    cur = cur[key];
  }
  return cur;
}

interface LoadedSpec {
  /** The values of the `NotificationType` enum. */
  types: string[];
  /** SendNotificationRequest, dereferenced. */
  request: Schema;
  /** The discriminator mapping: type → the variant's file and its schema merged with the envelope. */
  variants: Array<{ type: string; file: string; schema: Schema }>;
  /** The files the request's `oneOf` points to. */
  oneOfFiles: string[];
  response: Schema;
  errorResponse: Schema;
}

let loaded: LoadedSpec | undefined;

/** Follows openapi.yaml → paths → the request and response schemas, the way a code generator would. */
function spec(): LoadedSpec {
  if (loaded) return loaded;
  const rootFile = resolve(SPEC_ROOT, 'openapi.yaml');
  const pathRef = at(loadYaml(rootFile), 'paths', '/notification', '$ref');
  if (typeof pathRef !== 'string') throw new Error('spec: /notification is not a $ref');
  const path = resolveRef(pathRef, rootFile);
  const schemaAt = (...keys: string[]): { file: string; raw: Record<string, unknown>; schema: Schema } => {
    const ref = at(path.node, 'post', ...keys, 'content', 'application/json', 'schema', '$ref');
    if (typeof ref !== 'string') throw new Error(`spec: ${keys.join('.')} schema is not a $ref`);
    const target = resolveRef(ref, path.file);
    if (!isRecord(target.node)) throw new Error(`spec: ${ref} is not a schema`);
    return { file: target.file, raw: target.node, schema: deref(target.node, target.file) as Schema };
  };
  const request = schemaAt('requestBody');
  const response = schemaAt('responses', '200');
  const errorResponse = schemaAt('responses', '400');

  const envelope = request.schema;
  const discriminator = envelope.discriminator;
  if (!discriminator?.mapping) throw new Error('spec: SendNotificationRequest has no discriminator mapping');
  const variants = Object.entries(discriminator.mapping).map(([type, ref]) => {
    const target = resolveRef(ref, request.file);
    const own = deref(target.node, target.file) as Schema;
    const schema: Schema = {
      ...own,
      type: 'object',
      required: [...new Set([...(envelope.required ?? []), ...(own.required ?? [])])],
      properties: { ...envelope.properties, ...own.properties },
    };
    return { type, file: target.file, schema };
  });
  const oneOf = request.raw['oneOf'];
  const oneOfFiles = (Array.isArray(oneOf) ? oneOf : []).map((entry) => {
    const ref = isRecord(entry) ? entry['$ref'] : undefined;
    if (typeof ref !== 'string') throw new Error('spec: a oneOf entry is not a $ref');
    return resolveRef(ref, request.file).file;
  });
  const typeEnum = envelope.properties?.[discriminator.propertyName]?.enum ?? [];
  loaded = {
    types: typeEnum.map(String),
    request: envelope,
    variants,
    oneOfFiles,
    response: response.schema,
    errorResponse: errorResponse.schema,
  };
  return loaded;
}

/** The `NotificationType` enum values of the spec copy. */
export function specNotificationTypes(): string[] {
  return [...spec().types];
}

/** The notification types of the discriminator mapping and the files of `oneOf`, for coverage checks. */
export function specVariants(): { mapping: Array<{ type: string; file: string }>; oneOfFiles: string[] } {
  const s = spec();
  return { mapping: s.variants.map(({ type, file }) => ({ type, file })), oneOfFiles: [...s.oneOfFiles] };
}

/** One component schema by name (`OrderStatusType`), dereferenced. */
export function specSchema(name: string): Schema {
  const file = resolve(SPEC_ROOT, 'components/schemas', `${name}.yaml`);
  return deref(loadYaml(file), file) as Schema;
}

// ---------------------------------------------------------------------------------------------------
// Generating values

/** `format: date-time` as the Market sends it (nanoseconds, UTC). */
export const SAMPLE_DATE_TIME = '2025-01-16T10:09:49.759084017Z';

/** Hands out distinct ids within one body, so a swapped field would show. */
class Ids {
  private next = 1001;
  take(): number {
    return this.next++;
  }
}

const codePoints = (s: string): number => [...s].length;

/** A string satisfying `pattern`, `minLength` and `maxLength`; throws if none of the candidates fits. */
function sampleString(schema: Schema, name: string): string {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
  for (const base of [`${name}-1`, 'example', 'SKU-1', 'a', '1']) {
    let s = base;
    while (codePoints(s) < min) s += 'x';
    if (codePoints(s) > max) s = [...s].slice(0, max).join('');
    if (codePoints(s) >= min && (!pattern || pattern.test(s))) return s;
  }
  throw new Error(`spec-examples: cannot generate a string for ${name} (pattern ${String(schema.pattern)})`);
}

/**
 * A value of the right type and format. `full` fills optional properties too. Heuristic beyond the
 * spec: a plain string property named `…Id` gets digits, because the Market's ids are int64 numbers
 * (`messageId` in CHAT_MESSAGE_SENT is typed only as a string, but getChatMessage takes an int64).
 */
function sample(schema: Schema, name: string, full: boolean, ids: Ids): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'integer': {
      const min = schema.minimum ?? 1;
      const value = schema.format === 'int64' ? ids.take() : 1;
      return Math.min(Math.max(value, min), schema.maximum ?? Infinity);
    }
    case 'number':
      return Math.max(1.5, schema.minimum ?? 1.5);
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date-time') return SAMPLE_DATE_TIME;
      if (schema.format === 'date') return SAMPLE_DATE_TIME.slice(0, 10);
      if (schema.pattern === undefined && schema.minLength === undefined && /Id$/.test(name)) {
        return String(ids.take());
      }
      return sampleString(schema, name);
    case 'array':
      return [sample(schema.items ?? {}, name, full, ids)];
    case 'object':
    case undefined: {
      const required = new Set(schema.required ?? []);
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if (full || required.has(key)) out[key] = sample(prop, key, full, ids);
      }
      return out;
    }
  }
}

function body(variant: { type: string; schema: Schema }, full: boolean): Record<string, unknown> {
  const out = sample(variant.schema, variant.type, full, new Ids()) as Record<string, unknown>;
  // The discriminator names the variant; the enum's first value would be PING for every type.
  return { ...out, notificationType: variant.type };
}

/**
 * For every type of the discriminator mapping: a minimal body (required fields only, the envelope's
 * `notificationType` included) and a full one (every property). Named `<TYPE> minimal` / `<TYPE> full`.
 */
export function validExamples(): Example[] {
  return spec().variants.flatMap((v) => [
    { name: `${v.type} minimal`, body: body(v, false) },
    { name: `${v.type} full`, body: body(v, true) },
  ]);
}

// ---------------------------------------------------------------------------------------------------
// Invalid and tolerated variants

type Segment = string | number;

const formatPath = (path: readonly Segment[]): string =>
  path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out ? `${out}.${k}` : k), '');

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Returns a copy of `root` with the value at `path` replaced (or removed when `value` is `REMOVE`). */
const REMOVE = Symbol('remove');
function withValue(root: unknown, path: readonly Segment[], value: unknown): unknown {
  const copy = clone(root);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<Segment, unknown>)[key];
  const last = path[path.length - 1];
  if (last === undefined) throw new Error('withValue: empty path');
  const container = parent as Record<Segment, unknown>;
  if (value === REMOVE) delete container[last];
  else container[last] = value;
  return copy;
}

/** Values of the wrong JSON type (or breaking a constraint) for a schema, with a label each. */
function wrongValues(schema: Schema): Array<[label: string, value: unknown]> {
  const out: Array<[string, unknown]> = [];
  switch (schema.type) {
    case 'integer':
    case 'number':
      out.push(['as a string of digits', '12345'], ['as an object', {}], ['as an array', [1]]);
      if (schema.type === 'integer') out.push(['as a fractional number', 1.5]);
      if (schema.minimum !== undefined) out.push(['below its minimum', schema.minimum - 1]);
      break;
    case 'string':
      out.push(['as a number', 12345], ['as an object', {}], ['as a boolean', true]);
      if (schema.format === 'date-time')
        out.push(['as a non-date string', 'yesterday'], ['as an impossible date', '2025-02-30T10:00:00Z']);
      if (schema.pattern !== undefined) out.push(['as a blank string', '   ']);
      if (schema.maxLength !== undefined) out.push(['too long', 'x'.repeat(schema.maxLength + 1)]);
      if ((schema.minLength ?? 0) > 0) out.push(['as an empty string', '']);
      break;
    case 'array':
      out.push(['as a string', 'x'], ['as an object', {}]);
      break;
    case 'object':
      out.push(['as a string', 'x'], ['as an array', []], ['as a number', 1]);
      break;
    case 'boolean':
      out.push(['as a string', 'true']);
      break;
  }
  return out;
}

interface Field {
  path: Segment[];
  schema: Schema;
  required: boolean;
}

/** Every property present in a full body, nested objects and array items included. */
function fields(schema: Schema, path: Segment[] = []): Field[] {
  const out: Field[] = [];
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const here = [...path, key];
    out.push({ path: here, schema: prop, required: required.has(key) });
    if (prop.type === 'object') out.push(...fields(prop, here));
    if (prop.type === 'array' && prop.items?.type === 'object') out.push(...fields(prop.items, [...here, 0]));
  }
  return out;
}

/**
 * Bodies the receiver must refuse, built from each type's full body: every required field removed; every
 * field (required or optional, nested ones included) given a wrong JSON type (string ↔ number, object,
 * array, boolean); required fields given null; and constraint breaks the spec states (below `minimum`,
 * an impossible or non-ISO date-time, a blank or over-long patterned string). `field` is the path.
 * Not included, because the receiver tolerates them by design: unknown enum values and null in optional
 * fields (see `toleratedExamples`).
 */
export function invalidExamples(): InvalidExample[] {
  const out: InvalidExample[] = [];
  for (const v of spec().variants) {
    const full = body(v, true);
    for (const f of fields(v.schema)) {
      const field = formatPath(f.path);
      const add = (label: string, value: unknown): void => {
        out.push({ name: `${v.type}: ${field} ${label}`, field, body: withValue(full, f.path, value) });
      };
      if (f.required) {
        add('removed', REMOVE);
        add('as null', null);
      }
      for (const [label, value] of wrongValues(f.schema)) add(label, value);
    }
  }
  return out;
}

/**
 * Bodies outside the letter of the spec that the receiver accepts on purpose, because the Market grows
 * without notice: unknown values in enum fields, unknown extra fields (top level and nested), null in
 * optional fields, and a type the spec does not list.
 */
export function toleratedExamples(): Example[] {
  const discriminator = spec().request.discriminator?.propertyName;
  const out: Example[] = [{ name: 'a type the spec does not list', body: { notificationType: 'SOMETHING_NEW', x: 1 } }];
  for (const v of spec().variants) {
    const full = body(v, true);
    out.push({ name: `${v.type} with an unknown extra field`, body: { ...full, someNewField: { a: [1] } } });
    for (const f of fields(v.schema)) {
      const field = formatPath(f.path);
      if (field === discriminator) continue;
      if (f.schema.enum)
        out.push({
          name: `${v.type}: ${field} with a value the spec lacks`,
          body: withValue(full, f.path, 'SOMETHING_NEW'),
        });
      if (!f.required) out.push({ name: `${v.type}: optional ${field} as null`, body: withValue(full, f.path, null) });
      if (f.schema.type === 'object') {
        const nested = [...f.path, 'someNewField'];
        out.push({ name: `${v.type}: ${field} with an unknown extra field`, body: withValue(full, nested, 'x') });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Checking bodies against the spec

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 `date-time` (what OpenAPI's `format: date-time` means), with a real calendar date. */
function isDateTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [, y, mo, d] = m.map(Number);
  if (y === undefined || mo === undefined || d === undefined) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && !Number.isNaN(Date.parse(s.slice(0, 19) + 'Z'));
}

function typeOk(type: Schema['type'], v: unknown): boolean {
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
  }
}

/** Validates `value` against a dereferenced schema; returns problems as `path: reason`, [] when valid. */
function check(schema: Schema, value: unknown, path: Segment[] = []): string[] {
  const where = formatPath(path) || 'body';
  if (!typeOk(schema.type, value)) return [`${where}: expected ${String(schema.type)}`];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(`${where}: not one of the enum values`);
  if (typeof value === 'string') {
    const n = codePoints(value);
    if (schema.minLength !== undefined && n < schema.minLength) out.push(`${where}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && n > schema.maxLength) out.push(`${where}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      out.push(`${where}: does not match pattern`);
    if (schema.format === 'date-time' && !isDateTime(value)) out.push(`${where}: not an RFC 3339 date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${where}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${where}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((item, i) => out.push(...check(schema.items ?? {}, item, [...path, i])));
  if (isRecord(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) out.push(`${formatPath([...path, key])}: required`);
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      if (key in value) out.push(...check(prop, value[key], [...path, key]));
    }
  }
  return out;
}

/** Problems of a notification body against SendNotificationRequest (discriminator → its DTO). */
export function requestSchemaCheck(value: unknown): string[] {
  const s = spec();
  const envelope = check(s.request, value);
  if (envelope.length > 0 || !isRecord(value)) return envelope;
  const variant = s.variants.find((v) => v.type === value['notificationType']);
  return variant ? check(variant.schema, value) : ['notificationType: not in the discriminator mapping'];
}

/** Problems of a 200 body against SendNotificationResponse (required fields, lengths, date-time). */
export function responseSchemaCheck(body: unknown): string[] {
  return check(spec().response, body);
}

/** Problems of a 400/500 body against SendNotificationErrorResponse. */
export function errorResponseSchemaCheck(body: unknown): string[] {
  return check(spec().errorResponse, body);
}
