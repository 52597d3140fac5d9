/**
 * Proves the fake Market server follows the Partner API spec (shared/market-api) closely enough for the
 * client's tests to trust it: auth, routes, validation, paging, sends, quotas, the parallel limit and
 * every fault kind. Talks to it with plain `fetch` over loopback only.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { errorProblems, operationSpec, responseProblems, schemaEnum } from '../contract/partner-spec.ts';
import { type FakeMarket, type FakeMarketOptions, MAX_FILE_BYTES, startFakeMarket } from './market-server.ts';

const API_KEY = 'ACMA:fake-key-for-tests:12345678';
const BUSINESS_ID = 77;

interface ApiBody {
  status: string;
  result?: Record<string, unknown>;
  errors?: Array<{ code: string; message?: string }>;
}
interface ChatDto {
  chatId: number;
  orderId?: number;
  context: { type: string; orderId?: number; returnId?: number; campaignId?: number; customer?: unknown };
  type: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}
interface MessageDto {
  messageId: number;
  createdAt: string;
  sender: string;
  message?: string;
  payload?: Array<{ name: string; url: string; size: number }>;
}

let market: FakeMarket | undefined;

async function start(options: Partial<FakeMarketOptions> = {}): Promise<FakeMarket> {
  market = await startFakeMarket({ apiKey: API_KEY, businessId: BUSINESS_ID, ...options });
  return market;
}

afterEach(async () => {
  await market?.close();
  market = undefined;
});

function fm(): FakeMarket {
  if (!market) throw new Error('start() first');
  return market;
}

/** A request to the fake with the right Api-Key unless `headers` says otherwise. */
function call(
  path: string,
  init: {
    method?: string;
    json?: unknown;
    body?: RequestInit['body'];
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'Api-Key': API_KEY, ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['Content-Type'] = 'application/json';
  }
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  return fetch(`${fm().url}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body !== undefined && { body }),
    ...(init.signal && { signal: init.signal }),
  });
}

const biz = (rest: string): string => `/v2/businesses/${BUSINESS_ID}/${rest}`;

async function json(res: Response): Promise<ApiBody> {
  return (await res.json()) as ApiBody;
}

async function expectError(res: Response, status: number, message?: string | RegExp): Promise<ApiBody> {
  expect(res.status).toBe(status);
  const body = await json(res);
  expect(body.status).toBe('ERROR');
  expect(body.errors?.[0]?.code).toEqual(expect.any(String));
  if (message !== undefined) expect(body.errors?.[0]?.message).toMatch(message);
  return body;
}

async function listChats(query = '', filters: unknown = {}): Promise<{ chats: ChatDto[]; next?: string }> {
  const res = await call(biz(`chats${query}`), { json: filters });
  expect(res.status).toBe(200);
  const body = await json(res);
  const result = body.result as { chats: ChatDto[]; paging: { nextPageToken?: string } };
  return {
    chats: result.chats,
    ...(result.paging.nextPageToken !== undefined && { next: result.paging.nextPageToken }),
  };
}

async function history(chatId: number, query = '', messageIdFrom?: number): Promise<{ ids: number[]; next?: string }> {
  const res = await call(biz(`chats/history?chatId=${chatId}${query}`), {
    json: messageIdFrom === undefined ? {} : { messageIdFrom },
  });
  expect(res.status).toBe(200);
  const result = (await json(res)).result as { messages: MessageDto[]; paging: { nextPageToken?: string } };
  return {
    ids: result.messages.map((m) => m.messageId),
    ...(result.paging.nextPageToken !== undefined && { next: result.paging.nextPageToken }),
  };
}

async function allHistoryPages(chatId: number, limit: number, messageIdFrom?: number): Promise<number[][]> {
  const pages: number[][] = [];
  let token: string | undefined;
  do {
    const page = await history(
      chatId,
      `&limit=${limit}${token === undefined ? '' : `&pageToken=${token}`}`,
      messageIdFrom,
    );
    pages.push(page.ids);
    token = page.next;
  } while (token !== undefined);
  return pages;
}

function seedMessages(chatId: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => fm().addMessage(chatId, { sender: 'CUSTOMER', text: `m${i}` }));
}

function multipart(name: string, data: Uint8Array, type = 'image/png', field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([data], { type }), name);
  return form;
}

const sendText = (chatId: number, message: unknown): Promise<Response> =>
  call(biz(`chats/message?chatId=${chatId}`), { json: { message } });

describe('authentication and access', () => {
  it('rejects a request without Api-Key with 401 "Credentials are not specified"', async () => {
    await start();
    const res = await call(biz('chats'), { json: {}, headers: { 'Api-Key': '' } });
    const body = await expectError(res, 401, 'Credentials are not specified');
    expect(body.errors?.[0]?.code).toBe('UNAUTHORIZED');
  });

  it('rejects a wrong Api-Key with 401 "Api-Key token is invalid"', async () => {
    await start();
    await expectError(await call(biz('chats'), { json: {}, headers: { 'Api-Key': 'nope' } }), 401, /token is invalid/);
  });

  it('rejects an OAuth Bearer Authorization without Api-Key with 401', async () => {
    await start();
    const res = await call(biz('chats'), { json: {}, headers: { 'Api-Key': '', Authorization: `Bearer ${API_KEY}` } });
    await expectError(res, 401);
  });

  it('rejects a Bearer prefix inside Api-Key with 401 "prefix invalid"', async () => {
    await start();
    const res = await call(biz('chats'), { json: {}, headers: { 'Api-Key': `Bearer ${API_KEY}` } });
    await expectError(res, 401, 'Api-Key token prefix invalid');
  });

  it('answers 403 "Access denied" for another business', async () => {
    await start();
    await expectError(await call('/v2/businesses/78/chats', { json: {} }), 403, 'Access denied');
  });

  it('answers 403 for a key without a scope that allows the method', async () => {
    await start({ scopes: ['PRICING'] });
    await expectError(await call(biz('chats'), { json: {} }), 403, /does not have any of the scopes/);
  });

  it('lets an ALL_METHODS_READ_ONLY key read chats but not send', async () => {
    await start({ scopes: ['ALL_METHODS_READ_ONLY'] });
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    expect((await call(biz(`chat?chatId=${chatId}`))).status).toBe(200);
    await expectError(await sendText(chatId, 'hi'), 403, /scopes/);
    expect(fm().sent).toEqual([]);
  });

  it('reports the token name and scopes on POST /v2/auth/token', async () => {
    await start({ scopes: ['COMMUNICATION', 'PRICING'], apiKeyName: 'bridge' });
    const res = await call('/v2/auth/token', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      status: 'OK',
      result: { apiKey: { name: 'bridge', authScopes: ['COMMUNICATION', 'PRICING'] } },
    });
  });

  it('records X-Market-Integration and whether the key was right, but never the key itself', async () => {
    await start();
    await call('/v2/auth/token', { method: 'POST', headers: { 'X-Market-Integration': 'marketgram/0.1.0' } });
    await call('/v2/auth/token', { method: 'POST', headers: { 'Api-Key': 'wrong-key' } });
    const [good, wrong] = fm().requests;
    expect(good).toMatchObject({
      operationId: 'getAuthTokenInfo',
      status: 200,
      apiKeyOk: true,
      headers: { 'x-market-integration': 'marketgram/0.1.0' },
    });
    expect(wrong).toMatchObject({ status: 401, apiKeyOk: false });
    expect(JSON.stringify(fm().requests)).not.toContain(API_KEY);
    expect(JSON.stringify(fm().requests)).not.toContain('wrong-key');
  });
});

describe('routing and validation', () => {
  it('answers 405 for a wrong method and 404 for an unknown path, in the error envelope', async () => {
    await start();
    const res = await call(biz('chat?chatId=1'), { method: 'DELETE' });
    await expectError(res, 405);
    expect(res.headers.get('allow')).toBe('GET');
    await expectError(await call(biz('chats/unknown'), { json: {} }), 404);
  });

  it('requires a JSON body: missing → 400, wrong content type → 415, broken JSON → 400', async () => {
    await start();
    await expectError(await call(biz('chats'), { method: 'POST' }), 400, /body is required/);
    await expectError(await call(biz('chats'), { body: '{}', headers: { 'Content-Type': 'text/plain' } }), 415);
    await expectError(
      await call(biz('chats'), { body: '{"a":', headers: { 'Content-Type': 'application/json' } }),
      400,
    );
  });

  it('validates query ids: missing or non-numeric chatId → 400, unknown chat → 404', async () => {
    await start();
    await expectError(await call(biz('chat')), 400, /chatId/);
    await expectError(await call(biz('chat?chatId=abc')), 400, /chatId/);
    await expectError(await call(biz('chat?chatId=0')), 400);
    await expectError(await call(biz('chat?chatId=424242')), 404);
  });

  it('rejects a JSON body over 512 KB with 400 "The request is too big"', async () => {
    await start();
    const res = await call(biz('chats'), { json: { statuses: ['NEW'], pad: 'x'.repeat(600 * 1024) } });
    await expectError(res, 400, 'The request is too big');
  });

  it('survives garbage on the socket and keeps serving', async () => {
    await start();
    const { port } = new URL(fm().url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('\x00\x01 NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await call('/v2/auth/token', { method: 'POST' })).status).toBe(200);
  });
});

describe('getChats', () => {
  it('returns GetChatInfoDTO items with +03:00 dates, deprecated orderId only for order chats', async () => {
    await start();
    const order = fm().addChat({
      contextType: 'ORDER',
      orderId: 456,
      campaignId: 789,
      customer: { name: 'Ivan', publicId: 'abc123' },
      createdAt: '2025-01-01T07:00:00Z',
    });
    const direct = fm().addChat({ contextType: 'DIRECT', createdAt: '2025-01-01T06:00:00Z' });
    fm().addMessage(order, { sender: 'CUSTOMER', text: 'hi', createdAt: '2025-01-01T10:05:00+03:00' });
    const { chats, next } = await listChats();
    expect(next).toBeUndefined();
    expect(chats).toEqual([
      {
        chatId: order,
        orderId: 456,
        context: { type: 'ORDER', customer: { name: 'Ivan', publicId: 'abc123' }, campaignId: 789, orderId: 456 },
        type: 'CHAT',
        status: 'WAITING_FOR_PARTNER',
        createdAt: '2025-01-01T10:00:00+03:00',
        updatedAt: '2025-01-01T10:05:00+03:00',
      },
      {
        chatId: direct,
        context: { type: 'DIRECT' },
        type: 'CHAT',
        status: 'NEW',
        createdAt: '2025-01-01T09:00:00+03:00',
        updatedAt: '2025-01-01T09:00:00+03:00',
      },
    ]);
  });

  it('applies the statuses, types, contextTypes, contexts and orderIds filters', async () => {
    await start({ chatsOrder: 'id-asc' });
    const o1 = fm().addChat({ contextType: 'ORDER', orderId: 1 });
    const o2 = fm().addChat({ contextType: 'ORDER', orderId: 2, type: 'ARBITRAGE', status: 'WAITING_FOR_ARBITER' });
    const r1 = fm().addChat({ contextType: 'RETURN', returnId: 1, orderId: 3 });
    const d1 = fm().addChat({ contextType: 'DIRECT', status: 'FINISHED' });
    const ids = async (filters: unknown): Promise<number[]> =>
      (await listChats('', filters)).chats.map((c) => c.chatId);
    expect(await ids({})).toEqual([o1, o2, r1, d1]);
    expect(await ids({ statuses: ['NEW', 'FINISHED'] })).toEqual([o1, r1, d1]);
    expect(await ids({ types: ['ARBITRAGE'] })).toEqual([o2]);
    expect(await ids({ contextTypes: ['RETURN', 'DIRECT'] })).toEqual([r1, d1]);
    expect(await ids({ contexts: [{ type: 'RETURN', id: 1 }] })).toEqual([r1]);
    expect(await ids({ contexts: [{ type: 'ORDER', id: 1 }] })).toEqual([o1]);
    expect(await ids({ orderIds: [2, 3] })).toEqual([o2, r1]);
    expect(await ids({ contextTypes: ['ORDER'], statuses: ['NEW'] })).toEqual([o1]);
    expect(await ids({ statuses: null })).toEqual([o1, o2, r1, d1]);
  });

  it('rejects invalid filters with 400 (unknown enum value, empty array, duplicates)', async () => {
    await start();
    await expectError(await call(biz('chats'), { json: { statuses: ['OPEN'] } }), 400);
    await expectError(await call(biz('chats'), { json: { types: [] } }), 400);
    await expectError(await call(biz('chats'), { json: { orderIds: [1, 1] } }), 400);
    await expectError(await call(biz('chats'), { json: { contexts: [{ type: 'DIRECT', id: 1 }] } }), 400);
  });

  it('pages with limit (default 10) and accepts both pageToken and page_token', async () => {
    await start({ chatsOrder: 'id-asc' });
    const all = Array.from({ length: 25 }, (_, i) => fm().addChat({ contextType: 'ORDER', orderId: i + 1 }));
    const first = await listChats();
    expect(first.chats.map((c) => c.chatId)).toEqual(all.slice(0, 10));
    const token = first.next ?? '';
    expect(token).not.toBe('');
    const camel = await listChats(`?pageToken=${token}&limit=20`);
    const snake = await listChats(`?page_token=${token}&limit=20`);
    expect(camel.chats.map((c) => c.chatId)).toEqual(all.slice(10, 25));
    expect(snake).toEqual(camel);
    expect(camel.next).toBeUndefined();
  });

  it('rejects limit 21 and limit 0 with 400 "Limit exceeded", and a forged page token with 400', async () => {
    await start();
    await expectError(await call(biz('chats?limit=21'), { json: {} }), 400, 'Limit exceeded');
    await expectError(await call(biz('chats?limit=0'), { json: {} }), 400);
    await expectError(await call(biz('chats?pageToken=not-a-token'), { json: {} }), 400, /page token/);
    expect((await call(biz('chats?limit=20'), { json: {} })).status).toBe(200);
  });

  it('orders by last update (newest first) by default, or by creation or id when asked', async () => {
    await start();
    const a = fm().addChat({ contextType: 'DIRECT', createdAt: '2025-01-01T10:00:00+03:00' });
    const b = fm().addChat({ contextType: 'DIRECT', createdAt: '2025-01-01T11:00:00+03:00' });
    const c = fm().addChat({ contextType: 'DIRECT', createdAt: '2025-01-01T09:00:00+03:00' });
    fm().addMessage(a, { sender: 'CUSTOMER', text: 'bump', createdAt: '2025-01-01T12:00:00+03:00' });
    expect((await listChats()).chats.map((x) => x.chatId)).toEqual([a, b, c]);
    await fm().close();

    await start({ chatsOrder: 'created-asc' });
    const d = fm().addChat({ contextType: 'DIRECT', createdAt: '2025-01-01T10:00:00+03:00' });
    const e = fm().addChat({ contextType: 'DIRECT', createdAt: '2025-01-01T09:00:00+03:00' });
    expect((await listChats()).chats.map((x) => x.chatId)).toEqual([e, d]);
  });
});

describe('getChat, getChatMessage and createChat', () => {
  it('getChat returns the chat as one GetChatInfoDTO', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'RETURN', returnId: 9, orderId: 8, campaignId: 7 });
    const res = await call(biz(`chat?chatId=${chatId}`));
    expect(res.status).toBe(200);
    const chat = (await json(res)).result as unknown as ChatDto;
    expect(chat).toMatchObject({ chatId, context: { type: 'RETURN', returnId: 9, orderId: 8, campaignId: 7 } });
    expect(chat.orderId).toBeUndefined();
  });

  it('getChatMessage returns one message and 404s for a message of another chat', async () => {
    await start();
    const a = fm().addChat({ contextType: 'DIRECT' });
    const b = fm().addChat({ contextType: 'DIRECT' });
    const m = fm().addMessage(a, { sender: 'SUPPORT', text: 'hello', createdAt: '2025-02-03T04:05:06+03:00' });
    const res = await call(biz(`chats/message?chatId=${a}&messageId=${m}`));
    expect(await json(res)).toEqual({
      status: 'OK',
      result: { messageId: m, createdAt: '2025-02-03T04:05:06+03:00', sender: 'SUPPORT', message: 'hello' },
    });
    await expectError(await call(biz(`chats/message?chatId=${b}&messageId=${m}`)), 404);
    await expectError(await call(biz(`chats/message?chatId=${a}`)), 400, /messageId/);
  });

  const create = async (body: unknown): Promise<number> => {
    const res = await call(biz('chats/new'), { json: body });
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(Object.keys(answer.result ?? {})).toEqual(['chatId']);
    return (answer.result as { chatId: number }).chatId;
  };

  it('createChat returns the chat there is about an order or return, in either request form', async () => {
    await start();
    const existing = fm().addChat({ contextType: 'ORDER', orderId: 55 });
    const dispute = fm().addChat({ contextType: 'RETURN', returnId: 55, type: 'ARBITRAGE' });
    expect(await create({ context: { type: 'ORDER', id: 55 } })).toBe(existing);
    // The deprecated form names an order.
    expect(await create({ orderId: 55 })).toBe(existing);
    expect(await create({ context: { type: 'RETURN', id: 55 } })).toBe(dispute);
    expect(fm().chats()).toHaveLength(2);
  });

  it("createChat opens a NEW chat about an order or return of the cabinet, with the order's campaign and buyer", async () => {
    await start();
    fm().addOrder({ orderId: 123, campaignId: 9, customer: { name: 'Ivan' } });
    fm().addReturn({ returnId: 77, orderId: 123, campaignId: 9 });
    const order = await create({ context: { type: 'ORDER', id: 123 } });
    expect(fm().chat(order)).toMatchObject({
      contextType: 'ORDER',
      orderId: 123,
      campaignId: 9,
      customer: { name: 'Ivan' },
      type: 'CHAT',
      status: 'NEW',
    });
    expect(await create({ context: { type: 'ORDER', id: 123 } })).toBe(order);
    const ret = await create({ context: { type: 'RETURN', id: 77 } });
    expect(ret).not.toBe(order);
    const res = await call(biz(`chat?chatId=${ret}`));
    expect(((await json(res)).result as unknown as ChatDto).context).toEqual({
      type: 'RETURN',
      campaignId: 9,
      orderId: 123,
      returnId: 77,
    });
  });

  it('createChat answers 404 for an order or return the cabinet does not have, 400 when chats about it are closed', async () => {
    await start();
    fm().addOrder({ orderId: 1, chatsClosed: true });
    fm().addOrder({ orderId: 2 });
    await expectError(await call(biz('chats/new'), { json: { context: { type: 'ORDER', id: 404 } } }), 404, /404/);
    // An order id is not a return id.
    await expectError(await call(biz('chats/new'), { json: { context: { type: 'RETURN', id: 2 } } }), 404);
    await expectError(await call(biz('chats/new'), { json: { context: { type: 'ORDER', id: 1 } } }), 400);
    expect(fm().chats()).toEqual([]);
  });

  it('createChat validates the body: a DIRECT context, no subject, a bad id', async () => {
    await start();
    fm().addOrder({ orderId: 1 });
    await expectError(await call(biz('chats/new'), { json: { context: { type: 'DIRECT', id: 1 } } }), 400);
    await expectError(await call(biz('chats/new'), { json: {} }), 400);
    await expectError(await call(biz('chats/new'), { json: { context: { type: 'ORDER', id: 0 } } }), 400);
    await expectError(await call(biz('chats/new'), { json: { context: { type: 'ORDER' } } }), 400);
    await expectError(await call(biz('chats/new'), { json: { orderId: '1' } }), 400);
    expect(fm().chats()).toEqual([]);
  });
});

describe('getChatHistory', () => {
  it('pages oldest-first from messageIdFrom, inclusive by default', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const ids = seedMessages(chatId, 7);
    expect(await allHistoryPages(chatId, 3)).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    expect(await allHistoryPages(chatId, 2, ids[2])).toEqual([ids.slice(2, 4), ids.slice(4, 6), ids.slice(6)]);
  });

  it('excludes the messageIdFrom message itself in exclusive mode', async () => {
    await start({ messageIdFromInclusive: false });
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const ids = seedMessages(chatId, 5);
    expect((await allHistoryPages(chatId, 10, ids[2])).flat()).toEqual(ids.slice(3));
  });

  it('pages newest-first in desc mode, still bounded below by messageIdFrom', async () => {
    await start({ historyOrder: 'desc' });
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const ids = seedMessages(chatId, 6);
    const reversed = [...ids].reverse();
    expect(await allHistoryPages(chatId, 4)).toEqual([reversed.slice(0, 4), reversed.slice(4)]);
    expect(await allHistoryPages(chatId, 2, ids[3])).toEqual([reversed.slice(0, 2), reversed.slice(2, 3)]);
  });

  it('defaults the page to 50 and rejects limit 101, a token of another chat and a bad messageIdFrom', async () => {
    await start();
    const a = fm().addChat({ contextType: 'DIRECT' });
    const b = fm().addChat({ contextType: 'DIRECT' });
    const ids = seedMessages(a, 51);
    const first = await history(a);
    expect(first.ids).toEqual(ids.slice(0, 50));
    await expectError(await call(biz(`chats/history?chatId=${a}&limit=101`), { json: {} }), 400, 'Limit exceeded');
    const token = first.next ?? '';
    await expectError(await call(biz(`chats/history?chatId=${b}&page_token=${token}`), { json: {} }), 400);
    await expectError(await call(biz(`chats/history?chatId=${a}`), { json: { messageIdFrom: 'x' } }), 400);
    expect((await history(a, `&page_token=${token}`)).ids).toEqual(ids.slice(50));
  });

  it('returns the context, omits payload without attachments and serves attachments from payload urls', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'ORDER', orderId: 12, campaignId: 3 });
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    fm().addMessage(chatId, {
      sender: 'CUSTOMER',
      text: 'see photo',
      attachments: [{ name: 'photo 1.jpg', data: bytes }],
    });
    fm().addMessage(chatId, { sender: 'MARKET', text: 'auto' });
    const res = await call(biz(`chats/history?chatId=${chatId}`), { json: {} });
    const result = (await json(res)).result as { orderId: number; context: unknown; messages: MessageDto[] };
    expect(result.orderId).toBe(12);
    expect(result.context).toEqual({ type: 'ORDER', campaignId: 3, orderId: 12 });
    const [withFile, plain] = result.messages;
    expect(plain).not.toHaveProperty('payload');
    expect(withFile?.payload).toHaveLength(1);
    expect(withFile?.payload?.[0]).toMatchObject({ name: 'photo 1.jpg', size: 6 });
    const url = withFile?.payload?.[0]?.url ?? '';
    expect(url.startsWith(`${fm().url}/files/`)).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });

  it('requires the Api-Key for attachment downloads when configured to', async () => {
    await start({ attachmentsRequireApiKey: true });
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    fm().addMessage(chatId, { sender: 'CUSTOMER', attachments: [{ name: 'a.pdf', data: new Uint8Array([1]) }] });
    const url = fm().messages(chatId)[0]?.attachments[0]?.url ?? '';
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: { 'Api-Key': API_KEY } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
  });
});

describe('sending', () => {
  it('stores a sent text as a PARTNER message in history and in `sent`, and flips the status', async () => {
    const clock = Date.parse('2025-05-05T10:00:00Z');
    await start({ now: () => clock });
    const chatId = fm().addChat({ contextType: 'ORDER', orderId: 1 });
    fm().addMessage(chatId, { sender: 'CUSTOMER', text: 'where is my order?' });
    expect(fm().chat(chatId)?.status).toBe('WAITING_FOR_PARTNER');
    const res = await sendText(chatId, 'on its way');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'OK' });
    expect(fm().sent).toEqual([{ chatId, at: clock, text: 'on its way' }]);
    const last = fm().messages(chatId).at(-1);
    expect(last).toMatchObject({ sender: 'PARTNER', text: 'on its way' });
    const { ids } = await history(chatId);
    expect(ids.at(-1)).toBe(last?.messageId);
    expect(fm().chat(chatId)?.status).toBe('WAITING_FOR_CUSTOMER');
  });

  it('accepts 4096 characters and rejects 4097, empty and missing text with 400', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    expect((await sendText(chatId, 'я'.repeat(4096))).status).toBe(200);
    await expectError(await sendText(chatId, 'я'.repeat(4097)), 400, /4096/);
    await expectError(await sendText(chatId, ''), 400);
    await expectError(await call(biz(`chats/message?chatId=${chatId}`), { json: {} }), 400);
    expect(fm().sent).toHaveLength(1);
  });

  it('answers 404 for a send to an unknown chat and stores nothing', async () => {
    await start();
    await expectError(await sendText(999, 'hello'), 404);
    expect(fm().sent).toEqual([]);
  });

  it('round-trips a multipart file: `sent`, history payload and download all carry the same bytes', async () => {
    const clock = Date.parse('2025-05-05T10:00:00Z');
    await start({ now: () => clock });
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    const res = await call(biz(`chats/file/send?chatId=${chatId}`), { body: multipart('scan.png', bytes) });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'OK' });
    expect(fm().sent).toEqual([
      { chatId, at: clock, file: { name: 'scan.png', contentType: 'image/png', data: bytes } },
    ]);
    const message = fm().messages(chatId).at(-1);
    expect(message).toMatchObject({ sender: 'PARTNER', attachments: [{ name: 'scan.png', size: 70_000 }] });
    expect(message?.text).toBeUndefined();
    const download = await fetch(message?.attachments[0]?.url ?? '');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });

  it('rejects a file over 5 MB, a missing file part and a non-multipart body', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const path = biz(`chats/file/send?chatId=${chatId}`);
    await expectError(
      await call(path, { body: multipart('big.bin', new Uint8Array(MAX_FILE_BYTES + 1)) }),
      400,
      /too big/,
    );
    await expectError(
      await call(path, { body: multipart('a.png', new Uint8Array([1]), 'image/png', 'other') }),
      400,
      /'file'/,
    );
    await expectError(await call(path, { json: { file: 'x' } }), 415);
    expect((await call(path, { body: multipart('max.bin', new Uint8Array(MAX_FILE_BYTES)) })).status).toBe(200);
    expect(fm().sent).toHaveLength(1);
  });
});

describe('rate limits', () => {
  const remaining = (res: Response): number => Number(res.headers.get('x-ratelimit-resource-remaining'));

  it('sends the three X-RateLimit-Resource headers with the spec limit and an RFC 822 window end', async () => {
    let clock = Date.parse('2025-03-01T12:00:00Z');
    await start({ now: () => clock });
    const res = await call(biz('chats'), { json: {} });
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe('5000');
    expect(remaining(res)).toBe(4999);
    expect(res.headers.get('x-ratelimit-resource-until')).toBe('Sat, 01 Mar 2025 13:00:00 GMT');
    clock += 1000;
    const token = await call('/v2/auth/token', { method: 'POST' });
    expect(token.headers.get('x-ratelimit-resource-limit')).toBe('100');
  });

  it('charges the quota for 2xx and 4xx answers but not for 5xx', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const ok = await call(biz(`chat?chatId=${chatId}`));
    expect(remaining(ok)).toBe(999);
    const notFound = await call(biz('chat?chatId=31337'));
    expect(notFound.status).toBe(404);
    expect(remaining(notFound)).toBe(998);
    expect(fm().queuedFaults('getChat')).toBe(0);
    fm().failNext('getChat', { status: 500 });
    expect(fm().queuedFaults('getChat')).toBe(1);
    const failed = await call(biz(`chat?chatId=${chatId}`));
    expect(fm().queuedFaults('getChat')).toBe(0);
    expect(failed.status).toBe(500);
    expect(remaining(failed)).toBe(998);
    fm().failNext('getChat', { status: 503 });
    expect(remaining(await call(biz(`chat?chatId=${chatId}`)))).toBe(998);
    expect(remaining(await call(biz(`chat?chatId=${chatId}`)))).toBe(997);
  });

  it('answers 420 REQUEST_LIMIT_EXCEEDED once exhausted, until the window ends', async () => {
    let clock = Date.parse('2025-03-01T12:00:00Z');
    await start({ now: () => clock, limits: { getChatHistory: 2 } });
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    const get = (): Promise<Response> => call(biz(`chats/history?chatId=${chatId}`), { json: {} });
    expect((await get()).status).toBe(200);
    expect(remaining(await get())).toBe(0);
    const limited = await get();
    const body = await expectError(
      limited,
      420,
      /^Hit rate limit of 2 requests per 1 hour for resource \/v2\/businesses\/77/,
    );
    expect(body.errors?.[0]?.code).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(limited.headers.get('x-ratelimit-resource-until')).toBe('Sat, 01 Mar 2025 13:00:00 GMT');
    expect((await get()).status).toBe(420);
    clock += 60 * 60 * 1000;
    const fresh = await get();
    expect(fresh.status).toBe(200);
    expect(remaining(fresh)).toBe(1);
  });

  it('setQuotaRemaining drives one operation to 420 without touching the others', async () => {
    const clock = Date.parse('2025-03-01T12:00:00Z');
    await start({ now: () => clock });
    fm().setQuotaRemaining('getChats', 0, clock + 90_000);
    const limited = await call(biz('chats'), { json: {} });
    await expectError(limited, 420, /5000 requests per 1 hour/);
    expect(limited.headers.get('x-ratelimit-resource-until')).toBe('Sat, 01 Mar 2025 12:01:30 GMT');
    expect((await call('/v2/auth/token', { method: 'POST' })).status).toBe(200);
  });

  it('answers 420 with the parallel-limit message beyond maxParallel concurrent requests, free of quota', async () => {
    await start({ maxParallel: 2 });
    fm().failNext('*', { hang: true }, 2);
    const stuck = new AbortController();
    const hanging = [1, 2].map(() => call('/v2/auth/token', { method: 'POST', signal: stuck.signal }));
    await fm().waitForRequest('getAuthTokenInfo', 2);
    const third = await call(biz('chats'), { json: {} });
    await expectError(third, 420, `Hit rate limit of 2 parallel requests for businessId ${BUSINESS_ID}`);
    expect(third.headers.get('x-ratelimit-resource-remaining')).toBe('5000');
    expect(fm().maxObservedParallel).toBe(3);
    stuck.abort();
    await Promise.allSettled(hanging);
    await vi.waitFor(() => expect(fm().inFlight).toBe(0));
    expect((await call(biz('chats'), { json: {} })).status).toBe(200);
  });
});

describe('faults', () => {
  it('injects 420 with the given X-RateLimit-Resource-Until and message', async () => {
    await start();
    const until = Date.parse('2030-01-01T00:00:10Z');
    fm().failNext('getChats', { status: 420, untilMs: until, message: 'calm down' });
    const res = await call(biz('chats'), { json: {} });
    await expectError(res, 420, 'calm down');
    expect(res.headers.get('x-ratelimit-resource-until')).toBe('Tue, 01 Jan 2030 00:00:10 GMT');
    expect((await call(biz('chats'), { json: {} })).status).toBe(200);
  });

  it.each([500, 503, 423, 400, 404] as const)(
    'injects %i with an ApiErrorResponse body and no effect',
    async (status) => {
      await start();
      const chatId = fm().addChat({ contextType: 'DIRECT' });
      fm().failNext('sendMessageToChat', { status });
      await expectError(await sendText(chatId, 'hi'), status);
      expect(fm().sent).toEqual([]);
    },
  );

  it('applies a fault to the next `count` requests, then answers normally', async () => {
    await start();
    fm().failNext('getAuthTokenInfo', { status: 503 }, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('/v2/auth/token', { method: 'POST' })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(fm().count('getAuthTokenInfo')).toBe(3);
  });

  it('applies a wildcard fault to whichever operation comes next', async () => {
    await start();
    fm().failNext('*', { status: 500 });
    expect((await call(biz('chats'), { json: {} })).status).toBe(500);
    expect((await call('/v2/auth/token', { method: 'POST' })).status).toBe(200);
  });

  it('delays an answer by delayMs, then answers normally', async () => {
    await start();
    fm().failNext('getChats', { delayMs: 150 });
    const started = performance.now();
    const res = await call(biz('chats'), { json: {} });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('never answers a hanging request, and close() still returns promptly', async () => {
    await start();
    fm().failNext('getChats', { hang: true });
    const pending = call(biz('chats'), { json: {}, signal: AbortSignal.timeout(250) });
    await expect(pending).rejects.toThrow();
    expect(fm().requests[0]?.status).toBe(0);
    expect(fm().count('getChats')).toBe(0);

    fm().failNext('getChats', { hang: true });
    const orphan = call(biz('chats'), { json: {} });
    await fm().waitForRequest('getChats', 2);
    await fm().close();
    await expect(orphan).rejects.toThrow();
  });

  it('answers 200 with an unparseable body for malformed, without effect', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    fm().failNext('getChat', { malformed: true });
    const res = await call(biz(`chat?chatId=${chatId}`));
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
    fm().failNext('getChats', { malformed: true, body: '{"status":"OK","result":{"chats":"nope"}}' });
    expect(await (await call(biz('chats'), { json: {} })).json()).toEqual({ status: 'OK', result: { chats: 'nope' } });
  });

  it('acceptThenReset stores and records the message but drops the connection unanswered', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    fm().failNext('sendMessageToChat', { acceptThenReset: true });
    await expect(sendText(chatId, 'maybe sent')).rejects.toThrow();
    expect(fm().sent.map((s) => s.text)).toEqual(['maybe sent']);
    expect(
      fm()
        .messages(chatId)
        .map((m) => m.text),
    ).toEqual(['maybe sent']);
  });

  it('resetBeforeEffect drops the connection and stores nothing', async () => {
    await start();
    const chatId = fm().addChat({ contextType: 'DIRECT' });
    fm().failNext('sendFileToChat', { resetBeforeEffect: true });
    const path = biz(`chats/file/send?chatId=${chatId}`);
    await expect(call(path, { body: multipart('a.png', new Uint8Array([1, 2])) })).rejects.toThrow();
    expect(fm().sent).toEqual([]);
    expect(fm().messages(chatId)).toEqual([]);
    expect((await call(path, { body: multipart('a.png', new Uint8Array([1, 2])) })).status).toBe(200);
  });
});

describe('orders (getOrder, getBusinessOrders)', () => {
  const T = Date.parse('2025-03-01T09:00:00Z');
  const CAMPAIGN = 2001;
  const order = (campaignId: number, orderId: number | string) => `/v2/campaigns/${campaignId}/orders/${orderId}`;
  const businessOrders = (body: unknown = {}, query = ''): Promise<Response> =>
    call(`/v1/businesses/${BUSINESS_ID}/orders${query}`, { json: body });
  const ordersOf = async (res: Response): Promise<Array<Record<string, unknown>>> => {
    expect(res.status).toBe(200);
    return ((await res.json()) as { orders: Array<Record<string, unknown>> }).orders;
  };
  const idsOf = async (res: Response): Promise<unknown[]> => (await ordersOf(res)).map((o) => o['orderId']);

  it('serves getOrder as {order: OrderDTO} without the status envelope, every field as the spec says', async () => {
    await start({ now: () => T });
    const orderId = fm().addOrder({
      items: [
        { offerName: 'Kettle', offerId: 'KET-1', count: 2, price: 1490.5, priceBeforeDiscount: 1990 },
        { offerName: 'Filter' },
      ],
      deliveryTotal: 99,
      paymentType: 'POSTPAID',
      paymentMethod: 'CASH_ON_DELIVERY',
      delivery: { type: 'DELIVERY', fromDate: '2025-03-04', toDate: '2025-03-05', fromTime: '10:00', toTime: '18:00' },
      buyer: { firstName: 'Ivan' },
      notes: 'Call first',
    });
    const res = await call(order(CAMPAIGN, orderId));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe(String(operationSpec('getOrder').limits.none.amount));
    const body = (await res.json()) as { order: Record<string, unknown> };
    expect(responseProblems('getOrder', body)).toEqual([]);
    expect(body).not.toHaveProperty('status');
    expect(body.order).toMatchObject({
      id: orderId,
      status: 'PROCESSING',
      substatus: 'STARTED',
      creationDate: '01-03-2025 12:00:00',
      currency: 'RUR',
      itemsTotal: 3981,
      deliveryTotal: 99,
      buyerItemsTotalBeforeDiscount: 4980,
      paymentType: 'POSTPAID',
      paymentMethod: 'CASH_ON_DELIVERY',
      fake: false,
      items: [
        { offerName: 'Kettle', offerId: 'KET-1', count: 2, price: 1490.5, buyerPrice: 1490.5 },
        { offerName: 'Filter', offerId: 'SKU-2', count: 1, price: 1000 },
      ],
      delivery: {
        type: 'DELIVERY',
        dates: { fromDate: '04-03-2025', toDate: '05-03-2025', fromTime: '10:00', toTime: '18:00' },
      },
      // The buyer's names only for DBS.
      buyer: { type: 'PERSON' },
      notes: 'Call first',
    });
  });

  it('sends the buyer names of a DBS order, as the spec says only DBS gets them', async () => {
    await start();
    const orderId = fm().addOrder({ programType: 'DBS', buyer: { firstName: 'Ivan', lastName: 'Petrov' } });
    const body = (await (await call(order(CAMPAIGN, orderId))).json()) as { order: { buyer: unknown } };
    expect(body.order.buyer).toEqual({ type: 'PERSON', firstName: 'Ivan', lastName: 'Petrov' });
  });

  it('serves getBusinessOrders as {orders, paging} of BusinessOrderDTOs without the status envelope', async () => {
    await start({ now: () => T, scopes: ['INVENTORY_AND_ORDER_PROCESSING_READ_ONLY'] });
    const orderId = fm().addOrder({
      items: [{ offerName: 'Kettle', count: 3, price: 1000.01 }],
      deliveryTotal: 99,
      delivery: { fromDate: '2025-03-04', toDate: null },
    });
    const res = await businessOrders({ orderIds: [orderId] });
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe(
      String(operationSpec('getBusinessOrders').limits.none.amount),
    );
    const body = (await res.clone().json()) as Record<string, unknown>;
    expect(responseProblems('getBusinessOrders', body)).toEqual([]);
    expect(body).toEqual({ orders: [expect.any(Object)], paging: {} });
    expect((await ordersOf(res))[0]).toMatchObject({
      orderId,
      campaignId: CAMPAIGN,
      programType: 'FBS',
      creationDate: '2025-03-01T12:00:00+03:00',
      items: [{ offerName: 'Kettle', count: 3, prices: { payment: { value: 3000.03, currencyId: 'RUR' } } }],
      prices: { payment: { value: 3000.03, currencyId: 'RUR' }, delivery: { payment: { value: 99 } } },
      delivery: { type: 'PICKUP', dates: { fromDate: '2025-03-04' } },
      buyerType: 'PERSON',
    });
  });

  it('follows the spec in both shapes for orders of every kind of value', async () => {
    await start({ scopes: ['ALL_METHODS'] });
    const ids = [
      fm().addOrder(),
      fm().addOrder({ status: 'CANCELLED', substatus: 'USER_CHANGED_MIND', fake: true, externalOrderId: 'ext-1' }),
      fm().addOrder({ programType: 'DBS', buyer: { type: 'BUSINESS', firstName: 'A', middleName: 'B' } }),
      fm().addOrder({
        delivery: { type: 'POST', toDate: null },
        currency: 'BYN',
        items: [{ offerName: 'X', count: 5 }],
      }),
    ];
    for (const id of ids)
      expect(responseProblems('getOrder', await (await call(order(CAMPAIGN, id))).json())).toEqual([]);
    expect(responseProblems('getBusinessOrders', await (await businessOrders({ orderIds: ids })).json())).toEqual([]);
  });

  it('gives an order the campaign of the chat about it, and refuses a set-up that contradicts it', async () => {
    await start();
    fm().addChat({ contextType: 'ORDER', orderId: 555, campaignId: 3003 });
    expect(fm().addOrder({ orderId: 555 })).toBe(555);
    expect(fm().order(555)?.campaignId).toBe(3003);
    expect((await call(order(3003, 555))).status).toBe(200);
    fm().addChat({ contextType: 'ORDER', orderId: 556, campaignId: 3003 });
    expect(() => fm().addOrder({ orderId: 556, campaignId: 4004 })).toThrow(/campaign 3003/);
    expect(() => fm().addChat({ contextType: 'ORDER', orderId: 555, campaignId: 4004 })).toThrow(/campaign 3003/);
    expect(fm().order(fm().addOrder())?.campaignId).toBe(CAMPAIGN);
  });

  it('getOrder: 404 for an unknown order or another campaign’s, 403 for a foreign campaign, 400, 405', async () => {
    await start({ campaignIds: [CAMPAIGN, 2002] });
    const orderId = fm().addOrder({ campaignId: 2002 });
    const notFound = await expectError(await call(order(2002, orderId + 1)), 404, /not found/);
    expect(errorProblems('getOrder', 404, notFound)).toEqual([]);
    await expectError(await call(order(CAMPAIGN, orderId)), 404);
    const foreign = await call(order(9999, orderId));
    await expectError(foreign, 403, 'Access denied');
    expect(foreign.headers.get('x-ratelimit-resource-limit')).toBeNull();
    await expectError(await call(order(2002, 'abc')), 400, /orderId/);
    await expectError(await call(order(0, orderId)), 400, /campaignId/);
    await expectError(await call(order(2002, orderId), { method: 'POST', json: {} }), 405);
    await expectError(await call(`/v1/businesses/${BUSINESS_ID}/orders`), 405);
  });

  it('lets each key scope call exactly the order methods whose x-auth-scopes list it', async () => {
    const every = schemaEnum('ApiKeyScopeType');
    expect(operationSpec('getOrder').scopes).toContain('COMMUNICATION');
    expect(operationSpec('getBusinessOrders').scopes).not.toContain('COMMUNICATION');
    for (const scope of every) {
      await start({ scopes: [scope] });
      const orderId = fm().addOrder();
      const legacy = await call(order(CAMPAIGN, orderId));
      const business = await businessOrders({ orderIds: [orderId] });
      expect([scope, legacy.status]).toEqual([scope, operationSpec('getOrder').scopes.includes(scope) ? 200 : 403]);
      expect([scope, business.status]).toEqual([
        scope,
        operationSpec('getBusinessOrders').scopes.includes(scope) ? 200 : 403,
      ]);
      if (business.status === 403) {
        const body = await expectError(business, 403, 'Token does not have any of the scopes to access the API method');
        expect(errorProblems('getBusinessOrders', 403, body)).toEqual([]);
      }
      await fm().close();
    }
  });

  it('filters getBusinessOrders by orderIds, campaignIds, statuses, substatuses, fake and program', async () => {
    await start({ scopes: ['ALL_METHODS_READ_ONLY'] });
    const a = fm().addOrder({ campaignId: 2001 });
    const b = fm().addOrder({ campaignId: 2002, status: 'CANCELLED', substatus: 'SHOP_FAILED', fake: true });
    const c = fm().addOrder({ campaignId: 2002, programType: 'DBS' });
    expect(await idsOf(await businessOrders())).toEqual([a, b, c]);
    expect(await idsOf(await businessOrders({ orderIds: [c, a] }))).toEqual([a, c]);
    expect(await idsOf(await businessOrders({ campaignIds: [2002] }))).toEqual([b, c]);
    expect(await idsOf(await businessOrders({ statuses: ['CANCELLED'] }))).toEqual([b]);
    expect(await idsOf(await businessOrders({ substatuses: ['STARTED'] }))).toEqual([a, c]);
    expect(await idsOf(await businessOrders({ fake: true }))).toEqual([b]);
    expect(await idsOf(await businessOrders({ programTypes: ['DBS'] }))).toEqual([c]);
    expect(await idsOf(await businessOrders({ orderIds: null, statuses: null }))).toEqual([a, b, c]);
    expect(await idsOf(await businessOrders({ orderIds: [a + 100] }))).toEqual([]);
  });

  it('rejects invalid getBusinessOrders bodies with 400', async () => {
    await start({ scopes: ['ALL_METHODS'] });
    const many = Array.from({ length: 51 }, (_, i) => i + 1);
    for (const body of [
      { orderIds: many },
      { orderIds: [] },
      { orderIds: [1, 1] },
      { orderIds: ['1'] },
      { campaignIds: many },
      { statuses: ['SHIPPED'] },
      { fake: 'yes' },
      { dates: { creationDateFrom: '01-03-2025' } },
      { dates: { creationDateFrom: '2025-01-01', creationDateTo: '2025-03-01' } },
      { dates: { updateDateFrom: 'yesterday' } },
    ]) {
      expect([body, (await businessOrders(body)).status]).toEqual([body, 400]);
    }
    await expectError(await call(`/v1/businesses/${BUSINESS_ID}/orders`, { method: 'POST' }), 400, /body is required/);
    await expectError(await call(`/v1/businesses/78/orders`, { json: {} }), 403, 'Access denied');
  });

  it('returns only the last 30 days without dates, and an older order by id unless configured otherwise', async () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    await start({ now: () => now, scopes: ['ALL_METHODS'] });
    const old = fm().addOrder({ createdAt: '2025-04-01T10:00:00Z' });
    const recent = fm().addOrder({ createdAt: '2025-05-30T10:00:00Z' });
    expect(await idsOf(await businessOrders())).toEqual([recent]);
    expect(await idsOf(await businessOrders({ orderIds: [old, recent] }))).toEqual([old, recent]);
    const april = { dates: { creationDateFrom: '2025-03-20', creationDateTo: '2025-04-10' } };
    expect(await idsOf(await businessOrders(april))).toEqual([old]);
    const updated = { dates: { updateDateFrom: '2025-03-31T00:00:00Z', updateDateTo: '2025-04-02T00:00:00Z' } };
    expect(await idsOf(await businessOrders(updated))).toEqual([old]);
    await fm().close();

    await start({ now: () => now, scopes: ['ALL_METHODS'], orderIdsInDateWindow: true });
    const old2 = fm().addOrder({ createdAt: '2025-04-01T10:00:00Z' });
    expect(await idsOf(await businessOrders({ orderIds: [old2] }))).toEqual([]);
  });

  it('pages getBusinessOrders by limit (default 50, larger cut to 50) with pageToken or page_token', async () => {
    await start({ scopes: ['ALL_METHODS'] });
    const ids = Array.from({ length: 53 }, () => fm().addOrder());
    const first = await businessOrders({}, '?limit=500');
    const body = (await first.json()) as { orders: Array<{ orderId: number }>; paging: { nextPageToken?: string } };
    expect(body.orders.map((o) => o.orderId)).toEqual(ids.slice(0, 50));
    const token = body.paging.nextPageToken ?? '';
    expect(await idsOf(await businessOrders({}, `?pageToken=${token}`))).toEqual(ids.slice(50));
    expect(await idsOf(await businessOrders({}, `?page_token=${token}&limit=2`))).toEqual(ids.slice(50, 52));
    expect((await idsOf(await businessOrders({}))).length).toBe(50);
    await expectError(await businessOrders({}, '?limit=0'), 400);
    await expectError(await businessOrders({}, '?pageToken=forged'), 400, 'Invalid page token');
  });

  it('charges quota, injects faults and counts getOrder against its campaign for the parallel limit', async () => {
    await start({ maxParallel: 1, limits: { getOrder: 2 } });
    const orderId = fm().addOrder();
    fm().failNext('getOrder', { status: 503 });
    expect((await call(order(CAMPAIGN, orderId))).status).toBe(503);
    const ok = await call(order(CAMPAIGN, orderId));
    expect([ok.status, ok.headers.get('x-ratelimit-resource-remaining')]).toEqual([200, '1']);
    fm().failNext('getChats', { hang: true });
    const stuck = new AbortController();
    const hanging = call(biz('chats'), { json: {}, signal: stuck.signal });
    await fm().waitForRequest('getChats');
    expect((await call(order(CAMPAIGN, orderId + 1))).status).toBe(404);
    await expectError(await call(order(CAMPAIGN, orderId)), 420, /2 requests per 1 hour for resource \/v2\/campaigns/);
    stuck.abort();
    await Promise.allSettled([hanging]);
  });
});
