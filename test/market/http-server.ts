/**
 * A tiny `node:http` server on 127.0.0.1:0 for the Market client tests, undici style: each test gives
 * a purpose-built handler; the server records every request and how many were in flight at once.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import { listenOnLoopback } from '../fakes/loopback.ts';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  recorded: RecordedRequest,
  index: number,
) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** The most requests whose handler had started and whose response had not finished. */
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  let inFlight = 0;
  const state: TestServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'http://x');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        pathname: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const index = state.requests.push(recorded) - 1;
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          inFlight--;
        }
      };
      res.on('finish', finish);
      res.on('close', finish);
      Promise.resolve(handler(req, res, recorded, index)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  state.url = await listenOnLoopback(server);
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** Sends a JSON answer with optional extra headers. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * For a test file: `serve` starts a server and `keep` registers a client; both are closed after each test
 * (clients first, so no request is left on a closed server).
 */
export function useServers(): {
  serve: (handler: Handler) => Promise<TestServer>;
  keep: <C extends Closable>(client: C) => C;
} {
  const servers: TestServer[] = [];
  const clients: Closable[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    serve: async (handler) => {
      const server = await startServer(handler);
      servers.push(server);
      return server;
    },
    keep: (client) => {
      clients.push(client);
      return client;
    },
  };
}

interface Closable {
  close(): Promise<void>;
}
