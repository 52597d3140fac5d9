/**
 * MarketClient against real `node:http` servers on 127.0.0.1:0 with small purpose-built handlers.
 * Time is injected (`now`, `sleep`), so backoff and quota windows cost nothing.
 */
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { marketChatId, marketMessageId } from '../../src/bridge/ids.ts';
import { FatalError } from '../../src/bridge/ports.ts';
import { MarketClient } from '../../src/market/client.ts';
import type { MarketClientOptions } from '../../src/market/client.ts';
import {
  MarketApiError,
  MarketCredentialsError,
  MarketAttachmentTooLargeError,
  MarketNetworkError,
  MarketRateLimitError,
  MarketSchemaError,
} from '../../src/market/errors.ts';
import { freePort } from '../fakes/loopback.ts';
import { json, startServer, useServers } from './http-server.ts';

const API_KEY = 'ACMA:I4c4CxCSYaI41RSC2uYWP2qj3Rhhm4knMiBEga5K:151c0664';
const INTEGRATION = 'marketgram/0.1.0';
/** The fake clock's start; also what the servers put in their Date header when a test needs it. */
const T0 = Date.parse('Thu, 10 Jul 2025 00:00:00 GMT');
const httpDate = (ms: number) => new Date(ms).toUTCString();

const { serve, keep } = useServers();

function makeClient(baseUrl: string, options: Partial<MarketClientOptions> = {}) {
  const clock = { now: T0 };
  const sleeps: number[] = [];
  const rawLogs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void rawLogs.push(line) });
  const client = new MarketClient({
    baseUrl,
    apiKey: API_KEY,
    businessId: 42,
    logger,
    integration: INTEGRATION,
    requestTimeoutMs: 2_000,
    // Every test server is on loopback; the refusal of private hosts is tested in attachment-limits.test.ts.
    allowPrivateAttachmentHosts: true,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
    now: () => clock.now,
    ...options,
  });
  keep(client);
  const logs = () => rawLogs.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { client, clock, sleeps, rawLogs, logs };
}

const chatDto = (chatId: number, extra: Record<string, unknown> = {}) => ({
  chatId,
  orderId: 456,
  context: {
    type: 'ORDER',
    customer: { name: 'Ivan', publicId: 'abc123' },
    campaignId: 789,
    orderId: 456,
  },
  type: 'CHAT',
  status: 'WAITING_FOR_PARTNER',
  createdAt: '2025-01-01T10:00:00+03:00',
  updatedAt: '2025-01-01T10:05:00+03:00',
  ...extra,
});

const messageDto = (messageId: number, extra: Record<string, unknown> = {}) => ({
  messageId,
  createdAt: '2025-01-01T10:00:00+03:00',
  sender: 'CUSTOMER',
  message: 'Hello',
  ...extra,
});

const ok = (result?: unknown) => (result === undefined ? { status: 'OK' } : { status: 'OK', result });
const marketError = (code: string, message: string) => ({ status: 'ERROR', errors: [{ code, message }] });

function expectCommonHeaders(headers: Record<string, unknown>) {
  expect(headers['api-key']).toBe(API_KEY);
  expect(headers['x-market-integration']).toBe(INTEGRATION);
  expect(headers['accept']).toBe('application/json');
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('request shape', () => {
  it('listChats POSTs the known statuses, limit and pageToken to /v2/businesses/{id}/chats', async () => {
    const server = await serve((_req, res) =>
      json(res, 200, ok({ chats: [chatDto(1), chatDto(2)], paging: { nextPageToken: 'next-1' } })),
    );
    const { client } = makeClient(server.url);

    const page = await client.listChats({
      statuses: ['NEW', 'UNKNOWN', 'WAITING_FOR_PARTNER', 'NEW'],
      pageToken: 'tok',
      limit: 50,
    });

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.pathname).toBe('/v2/businesses/42/chats');
    expect(req.query.get('pageToken')).toBe('tok');
    expect(req.query.get('limit')).toBe('20');
    expectCommonHeaders(req.headers);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body.toString())).toEqual({ statuses: ['NEW', 'WAITING_FOR_PARTNER'] });
    expect(page.nextPageToken).toBe('next-1');
    expect(page.items).toEqual([
      {
        id: 1,
        kind: 'CHAT',
        status: 'WAITING_FOR_PARTNER',
        context: { type: 'ORDER', customer: { name: 'Ivan', publicId: 'abc123' }, campaignId: 789, orderId: 456 },
        createdAt: '2025-01-01T10:00:00+03:00',
        updatedAt: '2025-01-01T10:05:00+03:00',
      },
      expect.objectContaining({ id: 2 }),
    ]);
  });

  it('listChats without filters sends {} and no paging parameters, and reports the last page', async () => {
    const server = await serve((_req, res) => json(res, 200, ok({ chats: [], paging: {} })));
    const { client } = makeClient(server.url);

    const page = await client.listChats({});

    const req = server.requests[0]!;
    expect(req.url).toBe('/v2/businesses/42/chats');
    expect(JSON.parse(req.body.toString())).toEqual({});
    expect(page).toEqual({ items: [] });
  });

  it('listChats with only UNKNOWN statuses matches nothing and sends no request', async () => {
    const server = await serve((_req, res) => json(res, 200, ok({ chats: [chatDto(1)] })));
    const { client } = makeClient(server.url);

    await expect(client.listChats({ statuses: ['UNKNOWN'] })).resolves.toEqual({ items: [] });
    expect(server.requests).toHaveLength(0);
  });

  it('getChat GETs /chat?chatId= without a body or Content-Type', async () => {
    const server = await serve((_req, res) => json(res, 200, ok(chatDto(7))));
    const { client } = makeClient(server.url);

    const chat = await client.getChat(marketChatId(7));

    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/v2/businesses/42/chat?chatId=7');
    expectCommonHeaders(req.headers);
    expect(req.headers['content-type']).toBeUndefined();
    expect(req.body).toHaveLength(0);
    expect(chat.id).toBe(7);
  });

  it('getHistory POSTs /chats/history with chatId, limit ≤ 100, pageToken and {messageIdFrom}', async () => {
    const server = await serve((_req, res) =>
      json(
        res,
        200,
        ok({
          orderId: 456,
          context: { type: 'ORDER', orderId: 456 },
          messages: [
            messageDto(1001, { payload: [{ name: 'photo.jpg', url: 'https://example.com/p.jpg', size: 12 }] }),
            messageDto(1002, { sender: 'PARTNER' }),
          ],
          paging: { nextPageToken: 'h2' },
        }),
      ),
    );
    const { client } = makeClient(server.url);

    const page = await client.getHistory(marketChatId(7), {
      messageIdFrom: marketMessageId(1000),
      pageToken: 'h1',
      limit: 500,
    });

    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.pathname).toBe('/v2/businesses/42/chats/history');
    expect(Object.fromEntries(req.query)).toEqual({ chatId: '7', pageToken: 'h1', limit: '100' });
    expectCommonHeaders(req.headers);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body.toString())).toEqual({ messageIdFrom: 1000 });
    expect(page.nextPageToken).toBe('h2');
    expect(page.items).toEqual([
      {
        id: 1001,
        createdAt: '2025-01-01T10:00:00+03:00',
        sender: 'CUSTOMER',
        text: 'Hello',
        attachments: [{ name: 'photo.jpg', url: 'https://example.com/p.jpg', size: 12 }],
      },
      { id: 1002, createdAt: '2025-01-01T10:00:00+03:00', sender: 'PARTNER', text: 'Hello', attachments: [] },
    ]);
  });

  it('getHistory without messageIdFrom sends an empty object body', async () => {
    const server = await serve((_req, res) => json(res, 200, ok({ context: { type: 'DIRECT' }, messages: [] })));
    const { client } = makeClient(server.url);

    await client.getHistory(marketChatId(7), {});

    expect(server.requests[0]!.url).toBe('/v2/businesses/42/chats/history?chatId=7');
    expect(JSON.parse(server.requests[0]!.body.toString())).toEqual({});
  });

  it('getMessage GETs /chats/message?chatId=&messageId=', async () => {
    const server = await serve((_req, res) => json(res, 200, ok(messageDto(9))));
    const { client } = makeClient(server.url);

    const message = await client.getMessage(marketChatId(7), marketMessageId(9));

    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/v2/businesses/42/chats/message?chatId=7&messageId=9');
    expectCommonHeaders(req.headers);
    expect(message).toMatchObject({ id: 9, sender: 'CUSTOMER', text: 'Hello' });
  });

  it('sendMessage POSTs {message} as JSON to /chats/message?chatId= and reports sent', async () => {
    const server = await serve((_req, res) => json(res, 200, ok()));
    const { client } = makeClient(server.url);

    await expect(client.sendMessage(marketChatId(7), 'Здравствуйте!')).resolves.toEqual({ kind: 'sent' });

    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v2/businesses/42/chats/message?chatId=7');
    expectCommonHeaders(req.headers);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body.toString())).toEqual({ message: 'Здравствуйте!' });
  });

  it('sendFile POSTs multipart/form-data with the part "file" carrying the filename and bytes', async () => {
    const server = await serve((_req, res) => json(res, 200, ok()));
    const { client } = makeClient(server.url);
    const data = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02]);

    const outcome = await client.sendFile(marketChatId(7), { name: 'фото 1.jpg', data, contentType: 'image/jpeg' });

    expect(outcome).toEqual({ kind: 'sent' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v2/businesses/42/chats/file/send?chatId=7');
    expectCommonHeaders(req.headers);
    const contentType = req.headers['content-type'] ?? '';
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(req.body, { headers: { 'content-type': contentType } }).formData();
    const file = form.get('file');
    expect(file).toBeInstanceOf(Blob);
    expect((file as File).name).toBe('фото 1.jpg');
    expect((file as File).type).toBe('image/jpeg');
    expect(new Uint8Array(await (file as File).arrayBuffer())).toEqual(data);
  });

  it('createChat POSTs {context:{type,id}} to /chats/new and returns the chat id', async () => {
    const server = await serve((_req, res) => json(res, 200, ok({ chatId: 321 })));
    const { client } = makeClient(server.url);

    await expect(client.createChat({ type: 'RETURN', id: 555 })).resolves.toEqual({ kind: 'opened', chatId: 321 });

    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v2/businesses/42/chats/new');
    expectCommonHeaders(req.headers);
    expect(JSON.parse(req.body.toString())).toEqual({ context: { type: 'RETURN', id: 555 } });
  });

  it('getTokenInfo POSTs /v2/auth/token without a body and returns the key name and scopes', async () => {
    const server = await serve((_req, res) =>
      json(res, 200, ok({ apiKey: { name: 'bridge', authScopes: ['COMMUNICATION', 'SOMETHING_NEW'] } })),
    );
    const { client } = makeClient(server.url);

    await expect(client.getTokenInfo()).resolves.toEqual({
      name: 'bridge',
      scopes: ['COMMUNICATION', 'SOMETHING_NEW'],
    });

    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v2/auth/token');
    expectCommonHeaders(req.headers);
    expect(req.body).toHaveLength(0);
  });
});

describe('tolerant parsing', () => {
  it('maps unknown enum values to UNKNOWN and ignores extra and null fields', async () => {
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/v2/businesses/42/chat?')) {
        json(
          res,
          200,
          ok(
            chatDto(7, {
              type: 'GROUP_CHAT',
              status: 'WAITING_FOR_ROBOT',
              context: { type: 'MARKETPLACE_QUESTION', customer: { name: null, publicId: 'p1' }, returnId: null },
              brandNewField: { nested: true },
            }),
          ),
        );
      } else {
        json(res, 200, { ...ok(messageDto(9, { sender: 'BOT', message: null, payload: null, extra: 1 })), v: 3 });
      }
    });
    const { client } = makeClient(server.url);

    await expect(client.getChat(marketChatId(7))).resolves.toEqual({
      id: 7,
      kind: 'UNKNOWN',
      status: 'UNKNOWN',
      context: { type: 'UNKNOWN', customer: { publicId: 'p1' } },
      createdAt: '2025-01-01T10:00:00+03:00',
      updatedAt: '2025-01-01T10:05:00+03:00',
    });
    await expect(client.getMessage(marketChatId(7), marketMessageId(9))).resolves.toEqual({
      id: 9,
      createdAt: '2025-01-01T10:00:00+03:00',
      sender: 'UNKNOWN',
      attachments: [],
    });
  });

  it('throws MarketSchemaError with the failing path when a 2xx body is malformed, after one retry', async () => {
    const server = await serve((_req, res) => json(res, 200, ok({ ...chatDto(7), chatId: 'seven' })));
    const { client } = makeClient(server.url);

    const err = await rejectionOf(client.getChat(marketChatId(7)));

    expect(err).toBeInstanceOf(MarketSchemaError);
    expect((err as MarketSchemaError).code).toBe('MARKET_SCHEMA_ERROR');
    expect((err as MarketSchemaError).operation).toBe('getChat');
    expect((err as MarketSchemaError).issues[0]?.path).toEqual(['result', 'chatId']);
    expect((err as Error).message).toContain('result.chatId');
    expect(server.requests).toHaveLength(2);
  });

  it('throws MarketSchemaError when a 2xx body is not JSON at all', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    const { client } = makeClient(server.url, { retry: { attempts: 1 } });

    await expect(client.listChats({})).rejects.toBeInstanceOf(MarketSchemaError);
  });
});

describe('errors', () => {
  it('surfaces the Market error code and message and does not retry a 404', async () => {
    const server = await serve((_req, res) => json(res, 404, marketError('NOT_FOUND', 'Chat not found')));
    const { client } = makeClient(server.url);

    const err = await rejectionOf(client.getChat(marketChatId(7)));

    expect(err).toBeInstanceOf(MarketApiError);
    const apiErr = err as MarketApiError;
    expect(apiErr.code).toBe('MARKET_API_ERROR');
    expect(apiErr.status).toBe(404);
    expect(apiErr.operation).toBe('getChat');
    expect(apiErr.errors).toEqual([{ code: 'NOT_FOUND', message: 'Chat not found' }]);
    expect(apiErr.message).toContain('NOT_FOUND: Chat not found');
    expect(err).not.toBeInstanceOf(FatalError);
    expect(server.requests).toHaveLength(1);
  });

  it('findChat answers undefined for a 404 and throws every other failure', async () => {
    const server = await serve((req, res) =>
      req.url?.includes('chatId=7')
        ? json(res, 404, marketError('NOT_FOUND', 'Chat not found'))
        : json(res, 401, marketError('UNAUTHORIZED', 'bad key')),
    );
    const { client } = makeClient(server.url);

    await expect(client.findChat(marketChatId(7))).resolves.toBeUndefined();
    await expect(client.findChat(marketChatId(8))).rejects.toBeInstanceOf(MarketCredentialsError);
  });

  it('throws a fatal error on 401 that says how to fix the key and never contains it', async () => {
    // The body echoes the key, as a careless server might: it must not leak through the error.
    const server = await serve((_req, res) =>
      json(res, 401, marketError('UNAUTHORIZED', `Api-Key token is invalid: ${API_KEY}`)),
    );
    const { client, rawLogs } = makeClient(server.url);

    const err = await rejectionOf(client.listChats({}));

    expect(err).toBeInstanceOf(MarketCredentialsError);
    expect(err).toBeInstanceOf(FatalError);
    const message = (err as Error).message;
    expect(message).toContain('Api-Key token is invalid');
    expect(message).toContain('MARKET_API_KEY');
    expect(message).toContain('communication');
    expect(message).toContain('Общение с покупателями');
    expect(message).toContain('MARKET_BUSINESS_ID');
    expect(message).not.toContain(API_KEY);
    expect(JSON.stringify(err)).not.toContain(API_KEY);
    expect(JSON.stringify({ ...(err as object) })).not.toContain(API_KEY);
    expect(rawLogs.join('\n')).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('throws the fatal error from sendMessage on 403 instead of returning an outcome', async () => {
    const server = await serve((_req, res) =>
      json(res, 403, marketError('FORBIDDEN', 'Token does not have any of the scopes to access the API method')),
    );
    const { client } = makeClient(server.url);

    const err = await rejectionOf(client.sendMessage(marketChatId(7), 'hi'));

    expect(err).toBeInstanceOf(FatalError);
    expect((err as MarketCredentialsError).status).toBe(403);
    expect((err as Error).message).toContain('Token does not have any of the scopes');
    expect(server.requests).toHaveLength(1);
  });
});

describe('read retries', () => {
  it('retries 500 and 503 with backoff, logging each retry at warn, and then succeeds', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) json(res, 500, marketError('INTERNAL_ERROR', 'Internal error'));
      else if (i === 1) json(res, 503, marketError('UNAVAILABLE', 'Service temporarily unavailable'));
      else json(res, 200, ok(chatDto(7)));
    });
    const { client, sleeps, logs, rawLogs } = makeClient(server.url, { retry: { baseDelayMs: 100 } });

    await expect(client.getChat(marketChatId(7))).resolves.toMatchObject({ id: 7 });

    expect(server.requests).toHaveLength(3);
    // full jitter with random() = 0.5: half of 100·2^(n-1)
    expect(sleeps).toEqual([50, 100]);
    const warns = logs().filter((l) => l.level === 40);
    expect(warns).toEqual([
      expect.objectContaining({ operation: 'getChat', status: 500, attempt: 1, delayMs: 50 }),
      expect.objectContaining({ operation: 'getChat', status: 503, attempt: 2, delayMs: 100 }),
    ]);
    expect(rawLogs.join('\n')).not.toContain(API_KEY);
  });

  it('retries a connection reset and then succeeds', async () => {
    const server = await serve((req, res, _rec, i) => {
      if (i === 0) req.socket.destroy();
      else json(res, 200, ok(messageDto(9)));
    });
    const { client, sleeps } = makeClient(server.url);

    await expect(client.getMessage(marketChatId(7), marketMessageId(9))).resolves.toMatchObject({ id: 9 });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('retries 423 Locked', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) json(res, 423, marketError('LOCKED', 'Business is in migration'));
      else json(res, 200, ok({ chats: [] }));
    });
    const { client } = makeClient(server.url);

    await expect(client.listChats({})).resolves.toEqual({ items: [] });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after the attempt limit with the last typed error', async () => {
    const server = await serve((_req, res) => json(res, 500, marketError('INTERNAL_ERROR', 'Internal error')));
    const { client, sleeps } = makeClient(server.url, { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 15 } });

    const err = await rejectionOf(client.getChat(marketChatId(7)));

    expect(err).toBeInstanceOf(MarketApiError);
    expect((err as MarketApiError).status).toBe(500);
    expect((err as Error).message).toContain('INTERNAL_ERROR: Internal error');
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([5, 8]); // 0.5 · min(15, 10·2^(n-1)), rounded
  });

  it('gives up on an unreachable server with a MarketNetworkError saying nothing reached it', async () => {
    const port = await freePort();
    const { client, sleeps } = makeClient(`http://127.0.0.1:${port}`, { retry: { attempts: 2 } });

    const err = await rejectionOf(client.listChats({}));

    expect(err).toBeInstanceOf(MarketNetworkError);
    expect((err as MarketNetworkError).code).toBe('MARKET_NETWORK_ERROR');
    expect((err as MarketNetworkError).mayHaveReachedServer).toBe(false);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(sleeps).toHaveLength(1);
  });

  it('stops waiting for a backoff when the shutdown signal aborts', async () => {
    const server = await serve((_req, res) => json(res, 500, marketError('INTERNAL_ERROR', 'boom')));
    const shutdown = new AbortController();
    const { client } = makeClient(server.url, {
      sleep: undefined, // the real, abortable sleep
      signal: shutdown.signal,
      random: () => 1,
      retry: { baseDelayMs: 60_000 },
    });

    const started = Date.now();
    const pending = rejectionOf(client.getChat(marketChatId(7)));
    setTimeout(() => shutdown.abort(), 50);
    const err = await pending;

    expect((err as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('rate limits (420)', () => {
  const limited = (res: ServerResponse, untilMs: number, extra: Record<string, string> = {}) =>
    json(res, 420, marketError('REQUEST_LIMIT_EXCEEDED', 'Hit rate limit of 1000 requests per 1 hour'), {
      date: httpDate(T0),
      'x-ratelimit-resource-limit': '1000',
      'x-ratelimit-resource-remaining': '0',
      'x-ratelimit-resource-until': httpDate(untilMs),
      ...extra,
    });

  it('waits until X-RateLimit-Resource-Until before retrying a read', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) limited(res, T0 + 3_000);
      else json(res, 200, ok(chatDto(7)));
    });
    const { client, sleeps, logs } = makeClient(server.url);

    await expect(client.getChat(marketChatId(7))).resolves.toMatchObject({ id: 7 });

    expect(sleeps).toEqual([3_000]);
    expect(server.requests).toHaveLength(2);
    expect(logs().filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ operation: 'getChat', status: 420, attempt: 1, delayMs: 3_000 }),
    ]);
  });

  it('corrects for clock skew using the Date header of the 420 answer', async () => {
    const server = await serve((_req, res, _rec, i) => {
      // The server's clock is an hour ahead of ours; the window still ends 4 s after its "now".
      if (i === 0) limited(res, T0 + 3_600_000 + 4_000, { date: httpDate(T0 + 3_600_000) });
      else json(res, 200, ok(chatDto(7)));
    });
    const { client, sleeps } = makeClient(server.url);

    await client.getChat(marketChatId(7));

    expect(sleeps).toEqual([4_000]);
  });

  it('honours Retry-After and falls back to a short wait when no window is given', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0)
        json(res, 420, marketError('LIMIT', 'Hit rate limit of 2 parallel requests'), { 'retry-after': '7' });
      else if (i === 1) json(res, 420, marketError('LIMIT', 'Hit rate limit of 2 parallel requests'));
      else json(res, 200, ok({ chats: [] }));
    });
    const { client, sleeps } = makeClient(server.url);

    await client.listChats({});

    expect(sleeps).toEqual([7_000, 2_000]);
  });

  it('fails a read fast when the window is longer than maxRateLimitWaitMs, and later calls do not hammer', async () => {
    const server = await serve((req, res) => {
      if (req.url?.includes('/chat?')) limited(res, T0 + 30 * 60_000);
      else json(res, 200, ok(messageDto(9)));
    });
    const { client, sleeps } = makeClient(server.url, { maxRateLimitWaitMs: 10_000 });

    const first = await rejectionOf(client.getChat(marketChatId(7)));
    expect(first).toBeInstanceOf(MarketRateLimitError);
    expect((first as MarketRateLimitError).code).toBe('MARKET_RATE_LIMITED');
    expect((first as MarketRateLimitError).until.getTime()).toBe(T0 + 30 * 60_000);
    expect((first as MarketRateLimitError).resource).toBe('getChat');
    expect((first as Error).message).toContain('Hit rate limit of 1000 requests per 1 hour');

    const second = await rejectionOf(client.getChat(marketChatId(8)));
    expect(second).toBeInstanceOf(MarketRateLimitError);
    expect(server.requests).toHaveLength(1);
    expect(client.blockedUntil('getChat')?.getTime()).toBe(T0 + 30 * 60_000);

    // Other operations have their own quota.
    await expect(client.getMessage(marketChatId(7), marketMessageId(9))).resolves.toMatchObject({ id: 9 });
    expect(client.blockedUntil('getChatMessage')).toBeUndefined();
    expect(sleeps).toEqual([]);
  });

  it('makes a later call of the same operation wait out the window before sending', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) limited(res, T0 + 5_000);
      else json(res, 200, ok({ chats: [] }));
    });
    const { client, sleeps } = makeClient(server.url, { retry: { attempts: 1 } });

    await expect(client.listChats({})).rejects.toBeInstanceOf(MarketRateLimitError);
    expect(server.requests).toHaveLength(1);

    await client.listChats({});
    expect(sleeps).toEqual([5_000]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('writes', () => {
  it('sends exactly once on 500 and reports ambiguous', async () => {
    const server = await serve((_req, res) => json(res, 500, marketError('INTERNAL_ERROR', 'Internal error')));
    const { client } = makeClient(server.url);

    const outcome = await client.sendMessage(marketChatId(7), 'hi');

    expect(outcome).toEqual({ kind: 'ambiguous', reason: expect.stringContaining('Internal error') as string });
    expect(server.requests).toHaveLength(1);
  });

  it('sends exactly once when the connection is reset after the request and reports ambiguous', async () => {
    const server = await serve((req) => void req.socket.destroy());
    const { client } = makeClient(server.url);

    const outcome = await client.sendMessage(marketChatId(7), 'hi');

    expect(outcome.kind).toBe('ambiguous');
    expect(server.requests).toHaveLength(1);
  });

  it('sends a file exactly once when the answer times out and reports ambiguous', async () => {
    const server = await serve(() => undefined); // never answers
    const { client } = makeClient(server.url, { requestTimeoutMs: 200 });

    const outcome = await client.sendFile(marketChatId(7), { name: 'a.txt', data: new Uint8Array([1]) });

    expect(outcome.kind).toBe('ambiguous');
    expect(server.requests).toHaveLength(1);
  });

  it('reports not-sent when the connection is refused', async () => {
    const port = await freePort();
    const { client } = makeClient(`http://127.0.0.1:${port}`);

    const outcome = await client.sendMessage(marketChatId(7), 'hi');

    expect(outcome.kind).toBe('not-sent');
    expect(outcome.kind === 'not-sent' && outcome.reason).toContain('ECONNREFUSED');
  });

  it('reports rejected with the Market message on 400 and 404', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) json(res, 400, marketError('BAD_REQUEST', 'message: size must be between 1 and 4096'));
      else json(res, 404, marketError('NOT_FOUND', 'Chat not found'));
    });
    const { client } = makeClient(server.url);

    await expect(client.sendMessage(marketChatId(7), 'x'.repeat(5000))).resolves.toEqual({
      kind: 'rejected',
      status: 400,
      reason: 'BAD_REQUEST: message: size must be between 1 and 4096',
    });
    await expect(client.sendFile(marketChatId(7), { name: 'a.txt', data: new Uint8Array([1]) })).resolves.toEqual({
      kind: 'rejected',
      status: 404,
      reason: 'NOT_FOUND: Chat not found',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('reports not-sent on 423 Locked without retrying', async () => {
    const server = await serve((_req, res) => json(res, 423, marketError('LOCKED', 'Business is in migration')));
    const { client } = makeClient(server.url);

    await expect(client.sendMessage(marketChatId(7), 'hi')).resolves.toMatchObject({ kind: 'not-sent' });
    expect(server.requests).toHaveLength(1);
  });

  it('reports rate-limited with retryAt on 420, and returns it for a long window without sending again', async () => {
    const server = await serve((_req, res) =>
      json(res, 420, marketError('REQUEST_LIMIT_EXCEEDED', 'Hit rate limit of 1000 requests per 1 hour'), {
        date: httpDate(T0),
        'x-ratelimit-resource-until': httpDate(T0 + 600_000),
      }),
    );
    const { client, sleeps } = makeClient(server.url);

    const first = await client.sendMessage(marketChatId(7), 'hi');
    expect(first).toEqual({
      kind: 'rate-limited',
      retryAt: new Date(T0 + 600_000),
      reason: 'Hit rate limit of 1000 requests per 1 hour',
    });
    const second = await client.sendMessage(marketChatId(7), 'again');
    expect(second).toMatchObject({ kind: 'rate-limited', retryAt: new Date(T0 + 600_000) });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('waits out a short known 420 window before starting a write', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) {
        json(res, 420, marketError('REQUEST_LIMIT_EXCEEDED', 'Hit rate limit'), {
          date: httpDate(T0),
          'x-ratelimit-resource-until': httpDate(T0 + 2_000),
        });
      } else {
        json(res, 200, ok());
      }
    });
    const { client, sleeps } = makeClient(server.url);

    await expect(client.sendMessage(marketChatId(7), 'hi')).resolves.toMatchObject({ kind: 'rate-limited' });
    await expect(client.sendMessage(marketChatId(7), 'hi')).resolves.toEqual({ kind: 'sent' });
    expect(sleeps).toEqual([2_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('createChat is not retried, and says what the Market answered as an outcome', async () => {
    const answers: Array<[number, unknown]> = [
      [503, marketError('UNAVAILABLE', 'try again later')],
      [404, marketError('NOT_FOUND', 'Order 1 not found')],
      [400, marketError('BAD_REQUEST', 'Chat cannot be created for order 1')],
      [403, marketError('FORBIDDEN', 'Access denied')],
    ];
    const server = await serve((_req, res, _rec, i) => {
      const [status, body] = answers[i] ?? [500, {}];
      json(res, status, body);
    });
    const { client } = makeClient(server.url);
    const open = () => client.createChat({ type: 'ORDER', id: 1 });

    await expect(open()).resolves.toMatchObject({ kind: 'failed', reason: expect.stringContaining('503') as string });
    await expect(open()).resolves.toEqual({ kind: 'not-found', reason: 'NOT_FOUND: Order 1 not found' });
    await expect(open()).resolves.toEqual({
      kind: 'refused',
      status: 400,
      reason: 'BAD_REQUEST: Chat cannot be created for order 1',
    });
    // A 403 here is about this order, not the key: it does not stop the service.
    await expect(open()).resolves.toEqual({ kind: 'refused', status: 403, reason: 'FORBIDDEN: Access denied' });
    expect(server.requests).toHaveLength(4);
  });

  it('createChat throws the FatalError for a refused key (401)', async () => {
    const server = await serve((_req, res) => json(res, 401, marketError('UNAUTHORIZED', 'Api-Key token is invalid')));
    const { client } = makeClient(server.url);

    expect(await rejectionOf(client.createChat({ type: 'ORDER', id: 1 }))).toBeInstanceOf(FatalError);
    expect(server.requests).toHaveLength(1);
  });

  it('returns not-sent for a write still queued for the limiter when shutdown aborts', async () => {
    const release: (() => void)[] = [];
    const server = await serve((_req, res) => {
      release.push(() => json(res, 200, ok()));
    });
    const shutdown = new AbortController();
    const { client } = makeClient(server.url, { maxConcurrent: 1, signal: shutdown.signal });

    const first = client.sendMessage(marketChatId(7), 'first');
    await waitFor(() => server.requests.length === 1);
    const queued = client.sendMessage(marketChatId(7), 'second');
    shutdown.abort();

    await expect(queued).resolves.toMatchObject({ kind: 'not-sent' });
    release.forEach((r) => r());
    await expect(first).resolves.toEqual({ kind: 'sent' });
    expect(server.requests).toHaveLength(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('concurrency and quota', () => {
  it('never has more than 2 requests in flight, downloads from the Market host included', async () => {
    const server = await serve((req, res) => {
      setTimeout(() => {
        if (req.url?.startsWith('/files/')) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('file');
        } else {
          json(res, 200, ok(chatDto(7)));
        }
      }, 30);
    });
    const { client } = makeClient(server.url);

    await Promise.all([
      ...Array.from({ length: 6 }, () => client.getChat(marketChatId(7))),
      ...Array.from({ length: 3 }, (_, i) => client.downloadAttachment(`${server.url}/files/${i}`, 100)),
    ]);

    expect(server.requests).toHaveLength(9);
    expect(server.maxInFlight).toBe(2);
  });

  it("runs a write's beforeSend only once the write has a slot, and writes nothing when it throws", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await serve((req, res) => {
      if (req.url?.includes('/chat?')) void held.then(() => json(res, 200, ok(chatDto(7))));
      else json(res, 200, ok({}));
    });
    const { client } = makeClient(server.url);

    const reads = [client.getChat(marketChatId(7)), client.getChat(marketChatId(7))];
    await waitFor(() => server.requests.length === 2);
    const events: string[] = [];
    const sending = client.sendMessage(marketChatId(7), 'hi', {
      beforeSend: () => {
        events.push('beforeSend');
        return Promise.resolve();
      },
    });
    await new Promise((r) => setTimeout(r, 50));
    // Both slots are taken by the reads: the reply has not been attempted yet.
    expect(events).toEqual([]);
    release();
    await expect(sending).resolves.toEqual({ kind: 'sent' });
    await Promise.all(reads);
    expect(events).toEqual(['beforeSend']);
    expect(server.requests).toHaveLength(3);

    const refused = await client.sendMessage(marketChatId(7), 'hi', {
      beforeSend: () => Promise.reject(new Error('disk full')),
    });
    expect(refused).toMatchObject({ kind: 'not-sent', reason: expect.stringMatching(/disk full/) as unknown });
    expect(server.requests).toHaveLength(3);
  });

  it('keeps a snapshot of the X-RateLimit-Resource-* headers per operation', async () => {
    const server = await serve((req, res) => {
      const headers = req.url?.includes('/chat?')
        ? {
            'x-ratelimit-resource-limit': '1000',
            'x-ratelimit-resource-remaining': '998',
            'x-ratelimit-resource-until': 'Thu, 10 Jul 2025 01:00:00 GMT',
          }
        : {
            'x-ratelimit-resource-limit': '5000',
            'x-ratelimit-resource-remaining': '4999',
            'x-ratelimit-resource-until': 'Thu, 10 Jul 2025 00:30:00 GMT',
          };
      if (req.url?.includes('/chat?')) json(res, 404, marketError('NOT_FOUND', 'no chat'), headers);
      else json(res, 200, ok({ chats: [] }), headers);
    });
    const { client } = makeClient(server.url);

    await client.listChats({});
    await expect(client.getChat(marketChatId(1))).rejects.toBeInstanceOf(MarketApiError);

    expect(client.quotaSnapshot()).toEqual({
      getChats: { limit: 5000, remaining: 4999, until: new Date('2025-07-10T00:30:00Z') },
      getChat: { limit: 1000, remaining: 998, until: new Date('2025-07-10T01:00:00Z') },
    });
  });
});

describe('attachments', () => {
  it('downloads without credentials first and retries with the Api-Key on the Market host', async () => {
    const server = await serve((req, res) => {
      if (req.headers['api-key'] !== API_KEY) {
        json(res, 401, marketError('UNAUTHORIZED', 'Credentials are not specified'));
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from([1, 2, 3]));
    });
    const { client } = makeClient(server.url);

    const file = await client.downloadAttachment(`${server.url}/files/a.png?sig=1`, 1_000);

    expect(file).toEqual({ data: new Uint8Array([1, 2, 3]), contentType: 'image/png' });
    expect(server.requests.map((r) => r.headers['api-key'])).toEqual([undefined, API_KEY]);
    expect(server.requests.map((r) => r.url)).toEqual(['/files/a.png?sig=1', '/files/a.png?sig=1']);
  });

  it('downloads from another host without the key, even when it answers 403', async () => {
    const market = await serve((_req, res) => json(res, 200, ok()));
    const foreign = await serve((_req, res) => json(res, 403, { error: 'expired link' }));
    const { client } = makeClient(market.url);

    const err = await rejectionOf(client.downloadAttachment(`${foreign.url}/x.jpg`, 1_000));

    expect(err).toBeInstanceOf(MarketApiError);
    expect((err as MarketCredentialsError).status).toBe(403);
    expect(err).not.toBeInstanceOf(FatalError);
    expect(foreign.requests).toHaveLength(1);
    expect(foreign.requests[0]!.headers['api-key']).toBeUndefined();
    expect(market.requests).toHaveLength(0);
  });

  it('never forwards the key when the Market host redirects to another host', async () => {
    const foreign = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('payload');
    });
    const market = await serve((req, res) => {
      if (req.headers['api-key'] === undefined) {
        json(res, 403, marketError('FORBIDDEN', 'Access denied'));
      } else {
        res.writeHead(302, { location: `${foreign.url}/signed/1` });
        res.end();
      }
    });
    const { client } = makeClient(market.url);

    const file = await client.downloadAttachment(`${market.url}/files/1`, 1_000);

    expect(Buffer.from(file.data).toString()).toBe('payload');
    expect(market.requests.map((r) => r.headers['api-key'])).toEqual([undefined, API_KEY]);
    expect(foreign.requests).toHaveLength(1);
    expect(foreign.requests[0]!.headers['api-key']).toBeUndefined();
    expect(foreign.requests[0]!.headers['x-market-integration']).toBeUndefined();
  });

  it('refuses an attachment whose Content-Length exceeds maxBytes', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 2_000 });
      res.end(Buffer.alloc(2_000));
    });
    const { client } = makeClient(server.url);

    const err = await rejectionOf(client.downloadAttachment(`${server.url}/big`, 1_000));

    expect(err).toBeInstanceOf(MarketAttachmentTooLargeError);
    expect((err as MarketAttachmentTooLargeError).code).toBe('MARKET_ATTACHMENT_TOO_LARGE');
    expect((err as MarketAttachmentTooLargeError).announcedBytes).toBe(2_000);
    expect(server.requests).toHaveLength(1);
  });

  it('stops reading a chunked attachment once it passes maxBytes', async () => {
    let written = 0;
    let stopped = false;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024);
      const pump = () => {
        if (stopped || res.destroyed) return;
        written += chunk.length;
        if (written > 64 * 1024 * 1024) {
          res.end();
          return;
        }
        if (res.write(chunk)) setImmediate(pump);
        else res.once('drain', pump);
      };
      res.on('close', () => {
        stopped = true;
      });
      pump();
    });
    const { client } = makeClient(server.url);

    const err = await rejectionOf(client.downloadAttachment(`${server.url}/stream`, 100_000));

    expect(err).toBeInstanceOf(MarketAttachmentTooLargeError);
    await waitFor(() => stopped);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('accepts an attachment of exactly maxBytes', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.alloc(1_000, 7));
    });
    const { client } = makeClient(server.url);

    const file = await client.downloadAttachment(`${server.url}/exact`, 1_000);

    expect(file.data).toHaveLength(1_000);
    expect(file.contentType).toBeUndefined();
  });

  it('retries a 5xx attachment download as a read', async () => {
    const server = await serve((_req, res, _rec, i) => {
      if (i === 0) json(res, 502, { error: 'bad gateway' });
      else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }
    });
    const { client } = makeClient(server.url);

    const file = await client.downloadAttachment(`${server.url}/files/1`, 100);

    expect(Buffer.from(file.data).toString()).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });
});

describe('MarketClient quota pacing', () => {
  it('holds back a send once the headers say the quota is used up, without spending a request', async () => {
    let requests = 0;
    const server = await startServer((_req, res) => {
      requests++;
      json(
        res,
        200,
        { status: 'OK' },
        {
          'x-ratelimit-resource-limit': '1000',
          'x-ratelimit-resource-remaining': '0',
          'x-ratelimit-resource-until': new Date(Date.now() + 30 * 60_000).toUTCString(),
        },
      );
    });
    const client = new MarketClient({
      baseUrl: server.url,
      apiKey: 'ACMA:k:1',
      businessId: 1,
      logger: pino({ level: 'silent' }),
      integration: 'marketgram/test',
    });
    try {
      expect(await client.sendMessage(marketChatId(1), 'last one')).toEqual({ kind: 'sent' });
      const next = await client.sendMessage(marketChatId(1), 'over quota');
      expect(next.kind).toBe('rate-limited');
      expect(requests).toBe(1);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
