/**
 * A sender that streams an endless body must not keep the listener reading it: every answer given before
 * the body was read (unknown path, wrong method, a refused source, a missing webhook secret, a body over
 * the limit, a route that ignores the body) closes the connection within a short time, after a bounded
 * number of bytes. Raw `node:net` clients against the real HttpServer on 127.0.0.1:0.
 */
import { connect } from 'node:net';
import { Bot } from 'grammy';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressList } from '../../src/server/access.ts';
import { HttpServer, sendJson } from '../../src/server/http.ts';
import { addNotificationRoutes } from '../../src/server/notifications.ts';
import { addWebhookRoute } from '../../src/app/http.ts';

const SECRET = 'webhook-secret-0123456789';
const logger = pino({ level: 'silent' });
let server: HttpServer;
let port: number;

beforeAll(async () => {
  server = new HttpServer({ host: '127.0.0.1', port: 0, logger });
  server.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  server.route('POST', '/ignores-body', (_req, res) => sendJson(res, 200, { ok: true }));
  const common = { trustedProxies: new AddressList([]), name: 'marketgram', version: '0', logger };
  const onNotification = () => undefined;
  addNotificationRoutes(server, { ...common, path: '/open', onNotification });
  addNotificationRoutes(server, {
    ...common,
    path: '/guarded',
    allow: new AddressList(['10.0.0.0/8']),
    onNotification,
  });
  const bot = new Bot('123456:TEST-token-abcdefghijklmnopqrstuvwxyz', {
    botInfo: {
      id: 123456,
      is_bot: true,
      first_name: 'marketgram',
      username: 'marketgram_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    },
  });
  addWebhookRoute(server, bot, '/telegram/hook', SECRET, logger);
  port = await server.listen();
});

afterAll(async () => {
  await server.close();
});

interface Outcome {
  status: number;
  connectionHeader: string | undefined;
  /** Milliseconds from the first byte sent until the server closed the connection. */
  closedAfterMs: number;
  /** Body bytes the client managed to hand to the kernel before the close. */
  bytesSent: number;
  /** Everything the server sent. */
  answer: string;
}

/**
 * Sends a request head, then chunked body data as fast as the connection takes it, until the server
 * closes the connection or `giveUpMs` passes (then rejects).
 */
function streamEndlessBody(head: string, giveUpMs = 4_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x61), Buffer.from('\r\n')]);
    let answer = '';
    let closed = false;
    const startedAt = Date.now();
    const pump = () => {
      while (!closed && !socket.destroyed && socket.write(chunk));
    };
    const giveUp = setTimeout(() => {
      closed = true;
      socket.destroy();
      reject(
        new Error(`the server still had the connection open after ${giveUpMs} ms (${socket.bytesWritten} bytes sent)`),
      );
    }, giveUpMs);
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('drain', pump);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server has closed
    socket.on('close', () => {
      if (closed) return;
      closed = true;
      clearTimeout(giveUp);
      const closedAfterMs = Date.now() - startedAt;
      const [statusLine = '', ...lines] = answer.split('\r\n\r\n', 1)[0]?.split('\r\n') ?? [];
      const connectionHeader = lines
        .find((l) => l.toLowerCase().startsWith('connection:'))
        ?.slice('connection:'.length)
        .trim()
        .toLowerCase();
      resolve({
        status: Number(statusLine.split(' ')[1]),
        connectionHeader,
        closedAfterMs,
        bytesSent: socket.bytesWritten,
        answer,
      });
    });
  });
}

const chunkedHead = (method: string, path: string, extra: string[] = []) =>
  [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Transfer-Encoding: chunked', ...extra, '', ''].join('\r\n');

describe('an endless body on a request the server does not read', () => {
  it.each([
    ['an unknown path', chunkedHead('POST', '/nowhere'), 404],
    ['a wrong method', chunkedHead('PUT', '/healthz'), 405],
    ['a request target that is not a path', chunkedHead('POST', '*'), 400],
    [
      'a source outside the notification allow-list',
      chunkedHead('POST', '/guarded', ['Content-Type: application/json']),
      403,
    ],
    ['a notification that is not JSON', chunkedHead('POST', '/open', ['Content-Type: text/plain']), 415],
    ['a notification body over the limit', chunkedHead('POST', '/open', ['Content-Type: application/json']), 413],
    [
      'a webhook without the secret token',
      chunkedHead('POST', '/telegram/hook', ['Content-Type: application/json']),
      401,
    ],
    ['a route that answers without reading the body', chunkedHead('POST', '/ignores-body'), 200],
  ])('%s: answers, then closes the connection after a bounded read', async (_label, head, status) => {
    const outcome = await streamEndlessBody(head);

    expect(outcome.status).toBe(status);
    if (status !== 200) expect(outcome.connectionHeader).toBe('close');
    expect(outcome.closedAfterMs).toBeLessThan(2_500);
    // What the kernel buffers on loopback plus what the server may read before closing; draining would be far more.
    expect(outcome.bytesSent).toBeLessThan(32 * 1024 * 1024);
  });

  it('keeps the connection after a refusal of a request without a body, and closes it for the next one with a body', async () => {
    const bodiless = 'GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

    const outcome = await streamEndlessBody(bodiless + chunkedHead('POST', '/nowhere'));

    expect(outcome.answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 404', 'HTTP/1.1 404']);
    expect(outcome.answer.match(/^Connection: .*$/gim)).toEqual(['Connection: keep-alive', 'Connection: close']);
    expect(outcome.closedAfterMs).toBeLessThan(2_500);
  });
});
