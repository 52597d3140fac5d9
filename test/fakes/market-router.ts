/**
 * One Market address for several fake Markets (each serves one business): a loopback proxy that hands every
 * request to the fake whose key the request's Api-Key header carries, as the real Market serves every cabinet at
 * one address. A request with no known key goes to the first.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.ts';

export interface MarketRouter {
  url: string;
  close(): Promise<void>;
}

/** `targets`: the API key each fake answers to, and its base URL. */
export async function startMarketRouter(
  targets: ReadonlyArray<{ apiKey: string; url: string }>,
): Promise<MarketRouter> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const key = req.headers['api-key'];
    const target = targets.find((t) => t.apiKey === key) ?? targets[0]!;
    const upstream = request(
      new URL(req.url ?? '/', target.url),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    },
  };
}
