/**
 * The one HTTP listener (notifications, Telegram webhook, health, metrics) on node:http: node already
 * provides header and request timeouts, so a route table and a bounded body reader are all that is added.
 * Every error is a JSON answer with the right status; a bad request never crashes the process or leaks a
 * stack trace. A body the server does not want is never drained: an answer sent before the body was read
 * (a refusal, or a handler that ignores it) closes the connection, and what is read meanwhile is capped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';

/** Reads the request body up to a limit. */
export type BodyReader = () => Promise<Buffer>;

export type Handler = (req: IncomingMessage, res: ServerResponse, body: BodyReader) => Promise<void> | void;

/** A request the handler can refuse with a status and a JSON body of its choice. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Of a body left unread after the answer, at most this much is read (and discarded) before the socket is destroyed. */
const MAX_DRAIN_BYTES = 64 * 1024;
/** ... and for at most this long. */
const MAX_DRAIN_MS = 1_000;

interface Route {
  method: 'GET' | 'POST';
  handler: Handler;
  maxBodyBytes: number;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
}

export class HttpServer {
  private readonly routes = new Map<string, Route[]>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: HttpServerOptions) {
    this.server = createServer(
      {
        headersTimeout: 10_000,
        requestTimeout: 15_000,
        keepAliveTimeout: 5_000,
        maxHeaderSize: 16 * 1024,
      },
      (req, res) => void this.dispatch(req, res),
    );
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (socket.writable && !socket.destroyed) {
        const [status, reason] =
          err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large']
            : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? [408, 'Request Timeout']
              : [400, 'Bad Request'];
        const body = JSON.stringify({ error: reason.toLowerCase() });
        socket.end(
          `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
      this.options.logger.debug({ err: err.message }, 'malformed HTTP request');
    });
  }

  /** Adds a route for an exact path. */
  route(method: Route['method'], path: string, handler: Handler, maxBodyBytes = 64 * 1024): void {
    const list = this.routes.get(path) ?? [];
    list.push({ method, handler, maxBodyBytes });
    this.routes.set(path, list);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  get port(): number | undefined {
    return (this.server.address() as AddressInfo | null)?.port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 2_000).unref();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The path as sent, without resolving it as a URL (which would read "//host/x" as a host name).
    const target = req.url ?? '';
    const path = target.split('?', 1)[0] ?? '';
    res.once('finish', () => capDrain(req));
    if (!path.startsWith('/')) {
      sendJson(res, 400, { error: 'bad request target' });
      return;
    }
    const candidates = this.routes.get(path);
    if (!candidates) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    const route = candidates.find((r) => r.method === req.method || (r.method === 'GET' && req.method === 'HEAD'));
    if (!route) {
      res.setHeader('Allow', [...new Set(candidates.map((r) => r.method))].join(', '));
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    try {
      await route.handler(req, res, () => readBody(req, route.maxBodyBytes));
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, err.body);
        return;
      }
      this.options.logger.error({ err, path }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    // Answered before the body was read (a refusal): the connection closes instead of draining it.
    ...(hasUnreadBody(res.req) && { Connection: 'close' }),
    ...headers,
  });
  res.end(text);
}

/** True for application/json with any parameters (charset). */
export function isJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/** Reads the body; a body over `max` bytes ends in HttpError 413 without reading the rest. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    return Promise.reject(new HttpError(413, { error: 'request body too large', limitBytes: max }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        reject(new HttpError(413, { error: 'request body too large', limitBytes: max }));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', (err) => reject(new HttpError(400, { error: `could not read the body: ${err.message}` })));
    req.once('aborted', () => reject(new HttpError(400, { error: 'request aborted' })));
  });
}

/** True while the request has a body that has not fully arrived (so answering now leaves it unread). */
function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * After the answer: node discards the rest of an unread body to reuse the connection (and closes it
 * soon when the answer said `Connection: close`). Past MAX_DRAIN_BYTES or MAX_DRAIN_MS the socket is
 * destroyed, so a sender cannot keep the server reading.
 */
function capDrain(req: IncomingMessage): void {
  if (req.complete || req.socket.destroyed) return;
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(stop, MAX_DRAIN_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > MAX_DRAIN_BYTES) stop();
  });
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
}
