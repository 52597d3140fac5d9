/**
 * An in-process notification listener for HTTP-level tests: the real HttpServer with the real notification
 * routes and a `GET /healthz`, bound to 127.0.0.1:0, plus the clients the tests need to talk to it — a
 * keep-alive `node:http` client, a raw `node:net` exchange for bytes that are not HTTP, a bounded pool
 * and a seeded PRNG so generated inputs reproduce.
 */
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { MarketNotification } from '../../src/market/notifications.ts';
import { AddressList } from '../../src/server/access.ts';
import { HttpServer, sendJson } from '../../src/server/http.ts';
import { addNotificationRoutes } from '../../src/server/notifications.ts';

export const NOTIFICATION_PATH = '/market/notification';
/** Both URLs the Market may post to (README §8.2: as configured, or with `/notification` appended). */
export const NOTIFICATION_PATHS = [NOTIFICATION_PATH, `${NOTIFICATION_PATH}/notification`] as const;
export const INTEGRATION_NAME = 'marketgram';
export const INTEGRATION_VERSION = '0.1.0';

export interface LogEntry {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface NotificationServer {
  port: number;
  server: HttpServer;
  /** Every notification handed to `onNotification`, in order. */
  received: MarketNotification[];
  /** Every `onRejected` reason, in order. */
  rejected: string[];
  /** Log entries at `warn` and above (empty unless `captureLogs`). */
  logs: LogEntry[];
  /** Replaces what `onNotification` does after recording (default: nothing). */
  onNotification: (n: MarketNotification) => void;
  close(): Promise<void>;
}

/** Starts the listener. `captureLogs` records warn+ log entries instead of a silent logger. */
export async function startNotificationServer(options: { captureLogs?: boolean } = {}): Promise<NotificationServer> {
  const logs: LogEntry[] = [];
  const logger: Logger = options.captureLogs
    ? pino(
        { level: 'warn' },
        new Writable({
          write(chunk: Buffer, _enc, done) {
            for (const line of chunk.toString('utf8').split('\n'))
              if (line.trim()) logs.push(JSON.parse(line) as LogEntry);
            done();
          },
        }),
      )
    : pino({ level: 'silent' });
  const server = new HttpServer({ host: '127.0.0.1', port: 0, logger });
  server.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  const state: NotificationServer = {
    port: 0,
    server,
    received: [],
    rejected: [],
    logs,
    onNotification: () => undefined,
    close: () => server.close(),
  };
  addNotificationRoutes(server, {
    path: NOTIFICATION_PATH,
    allow: undefined,
    trustedProxies: new AddressList([]),
    name: INTEGRATION_NAME,
    version: INTEGRATION_VERSION,
    logger,
    onNotification: (n) => {
      state.received.push(n);
      state.onNotification(n);
    },
    onRejected: (reason) => state.rejected.push(reason),
  });
  state.port = await server.listen();
  return state;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON (see `jsonError`). */
  json: unknown;
  jsonError?: string;
}

export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send the body with chunked transfer encoding, in pieces of this many bytes. */
  chunkBytes?: number;
}

/** How long `send` waits for an answer before failing, so a hanging server shows as a failed request. */
const ANSWER_TIMEOUT_MS = 5_000;

/** A keep-alive agent; pass one per test file and destroy it afterwards. */
export function keepAliveAgent(maxSockets = 16): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** One HTTP/1.1 exchange through `node:http`. Rejects on a network error (the caller decides if it is fine). */
export function send(port: number, agent: Agent, r: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    const body = r.body === undefined ? undefined : Buffer.from(r.body);
    if (body && r.chunkBytes === undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['Content-Length'] = body.length;
    const req = request(
      { host: '127.0.0.1', port, method: r.method ?? 'POST', path: r.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const answer: HttpAnswer = { status: res.statusCode ?? 0, headers: res.headers, text, json: undefined };
          try {
            answer.json = JSON.parse(text) as unknown;
          } catch (err) {
            answer.jsonError = (err as Error).message;
          }
          resolve(answer);
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(ANSWER_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    if (body && r.chunkBytes !== undefined) {
      for (let i = 0; i < body.length; i += r.chunkBytes) req.write(body.subarray(i, i + r.chunkBytes));
      req.end();
    } else req.end(body);
  });
}

/** POSTs a JSON body (serialised unless already text) with `contentType`. */
export function postJson(
  port: number,
  agent: Agent,
  path: string,
  body: unknown,
  contentType = 'application/json',
): Promise<HttpAnswer> {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return send(port, agent, { path, body: text, headers: { 'Content-Type': contentType } });
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(headers: IncomingHttpHeaders): string | undefined {
  return headers['content-type']?.split(';')[0]?.trim().toLowerCase();
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the order of `items`. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawAnswer {
  /** The complete responses read, in order. */
  responses: RawResponse[];
  /** Bytes after the last complete response (a partial or non-HTTP answer). */
  rest: Buffer;
  /** The server closed (or reset) the connection. */
  closed: boolean;
  /** Neither `expect` responses nor a close arrived within the time limit. */
  timedOut: boolean;
  error?: string;
}

/** Splits HTTP/1.1 responses with a Content-Length (the only kind the listener sends) off a byte stream. */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine = '', ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const chunked = readChunked(data, end + 4);
      if (!chunked) break;
      responses.push({ status: Number(m[1]), headers, body: chunked.body.toString('utf8') });
      at = chunked.next;
      continue;
    }
    const length = Number(headers['content-length'] ?? 0);
    if (data.length < end + 4 + length) break;
    responses.push({
      status: Number(m[1]),
      headers,
      body: data.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
    at = end + 4 + length;
  }
  return { responses, rest: data.subarray(at) };
}

/** A chunked body starting at `from`: its bytes and where the next message starts; undefined if incomplete. */
function readChunked(data: Buffer, from: number): { body: Buffer; next: number } | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n', lineEnd + 2);
      return trailerEnd < 0 ? undefined : { body: Buffer.concat(parts), next: trailerEnd + 2 };
    }
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export interface RawExchange {
  /** Written one after another, with `pauseMs` between them. */
  chunks: Array<string | Buffer>;
  pauseMs?: number;
  /** Resolve once this many complete responses were read (default 1), or on close. */
  expect?: number;
  /** After writing: 'wait' reads (default); 'end' half-closes, then reads; 'destroy' drops the connection (nothing is read). */
  after?: 'wait' | 'destroy' | 'end';
  timeoutMs?: number;
}

/** Writes raw bytes on a fresh TCP connection to 127.0.0.1 and reads what comes back. */
export function rawExchange(port: number, x: RawExchange): Promise<RawAnswer> {
  const expected = x.expect ?? 1;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    let closed = false;
    let error: string | undefined;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const { responses, rest } = parseResponses(Buffer.concat(chunks));
      resolve({ responses, rest, closed, timedOut, ...(error === undefined ? {} : { error }) });
    };
    const timer = setTimeout(() => finish(true), x.timeoutMs ?? 3_000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (parseResponses(Buffer.concat(chunks)).responses.length >= expected) finish(false);
    });
    socket.on('error', (err) => {
      error = err.message;
    });
    socket.on('close', () => {
      closed = true;
      finish(false);
    });
    socket.on('connect', () => {
      void (async () => {
        for (const [i, chunk] of x.chunks.entries()) {
          if (socket.destroyed) return;
          if (i > 0 && x.pauseMs) await new Promise((r) => setTimeout(r, x.pauseMs));
          socket.write(chunk);
        }
        if (x.after === 'end') socket.end();
        if (x.after === 'destroy') {
          // Let the bytes leave before the connection is dropped.
          await new Promise((r) => setTimeout(r, 20));
          closed = true;
          finish(false);
        }
      })();
    });
  });
}

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same inputs. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  /** [0, 1) */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('Rng.pick: empty list');
    return item;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
  /** A string of `n` characters from `alphabet`. */
  string(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)] ?? '';
    return s;
  }
}

/** The seed from `env[name]` (decimal), or a fresh one; print it so a failure can be replayed. */
export function seedFrom(name: string): number {
  const given = process.env[name];
  if (given !== undefined && /^\d+$/.test(given)) return Number(given) >>> 0;
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
