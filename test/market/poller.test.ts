import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { marketChatId, type MarketChatId } from '../../src/bridge/ids.ts';
import type { MarketChat } from '../../src/bridge/model.ts';
import { MarketClient } from '../../src/market/client.ts';
import { MarketPoller, type ChatSink } from '../../src/market/poller.ts';
import { startFakeMarket, type FakeMarket } from '../fakes/market-server.ts';

const KEY = 'ACMA:poller-test-key:1';
const BUSINESS = 77;

let market: FakeMarket;
let client: MarketClient;
/** The chats the bridge mirrors, with the status it last saw: what the poller asks about. */
let watched: Map<MarketChatId, MarketChat['status']>;
let seen: MarketChat[];
/** What the sink was told, in order: a round beginning, or a chat seen. */
let told: string[];
let poller: MarketPoller;

beforeEach(async () => {
  market = await startFakeMarket({ apiKey: KEY, businessId: BUSINESS });
  client = new MarketClient({
    baseUrl: market.url,
    apiKey: KEY,
    businessId: BUSINESS,
    logger: pino({ level: 'silent' }),
    integration: 'marketgram/test',
  });
  watched = new Map();
  seen = [];
  told = [];
  poller = new MarketPoller(
    client,
    sink((c) => seen.push(c)),
    {
      intervalMs: 1000,
      fullSyncIntervalMs: 0,
      logger: pino({ level: 'silent' }),
    },
  );
});

function sink(chatSeen: (chat: MarketChat) => unknown): ChatSink {
  return {
    chatSeen: (chat) => {
      told.push(`seen ${chat.id}`);
      void chatSeen(chat);
    },
    watchedChats: () => [...watched].map(([id, status]) => ({ id, status })),
    roundStarted: () => void told.push('round'),
  };
}

afterEach(async () => {
  await poller.stop();
  await client.close();
  await market.close();
});

describe('MarketPoller', () => {
  it('stretches its round interval when listing would spend too much of the getChats quota, and says so', async () => {
    market.addChat({ contextType: 'DIRECT' });
    const stretched = new MarketPoller(
      client,
      sink(() => undefined),
      // 10 listings an hour, half of them for regular rounds: one page a round allows one round every 12 minutes.
      { intervalMs: 1000, fullSyncIntervalMs: 0, listQuotaPerHour: 10, logger: pino({ level: 'silent' }) },
    );
    expect(stretched.roundIntervalMs).toBe(1000);
    stretched.start();
    await expect.poll(() => stretched.lastSuccessAt, { timeout: 5000 }).toBeDefined();
    await stretched.stop();
    expect(stretched.roundIntervalMs).toBe(720_000);
  });

  it('lists only unfinished chats, so a cabinet with thousands of old chats costs one page a round', async () => {
    for (let i = 0; i < 2000; i++)
      market.setStatus(market.addChat({ contextType: 'ORDER', orderId: i + 1 }), 'FINISHED');
    const open = [
      market.addChat({ contextType: 'ORDER', orderId: 90001 }),
      market.addChat({ contextType: 'DIRECT' }),
      market.addChat({ contextType: 'RETURN', orderId: 90002, returnId: 5 }),
    ];
    for (const chatId of open) market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    const pages = await poller.pollOnce();
    expect(pages).toBe(1);
    expect(market.count('getChats')).toBe(1);
    expect(seen.map((c) => c.id).sort()).toEqual([...open].sort());
    expect(market.count('getChatHistory')).toBe(0);
  });

  it('looks at a chat in a status it does not know every ten minutes, not every round', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clocked = new MarketPoller(
      client,
      sink((c) => seen.push(c)),
      { intervalMs: 1000, fullSyncIntervalMs: 0, logger: pino({ level: 'silent' }), now: () => now },
    );
    const chatId = market.addChat({ contextType: 'DIRECT' });
    market.setStatus(chatId, 'SOMETHING_NEW');
    const chat = await client.getChat(marketChatId(chatId));
    expect(chat.status).toBe('UNKNOWN');
    watched.set(chat.id, chat.status);
    const asked = () => market.count('getChat') - 1;
    for (let round = 0; round < 5; round++) {
      await clocked.pollOnce();
      now += 30_000;
    }
    expect(asked()).toBe(1);
    expect(seen).toEqual([expect.objectContaining({ id: marketChatId(chatId), status: 'UNKNOWN' })]);
    now += 10 * 60_000;
    await clocked.pollOnce();
    expect(asked()).toBe(2);
  });

  it('asks once about a mirrored chat that left the open list, to catch its last messages', async () => {
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 1 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    await poller.pollOnce();
    const chat = seen[0]!;
    watched.set(chat.id, chat.status);
    market.setStatus(chatId, 'FINISHED');
    seen = [];
    await poller.pollOnce();
    expect(market.count('getChat')).toBe(1);
    expect(seen).toEqual([expect.objectContaining({ id: marketChatId(chatId), status: 'FINISHED' })]);
    // Once the bridge knows it is finished, it is not asked about again.
    watched.set(marketChatId(chatId), seen[0]!.status);
    await poller.pollOnce();
    expect(market.count('getChat')).toBe(1);
  });

  it('tells the bridge that a round begins before it shows any chat of that round', async () => {
    const chats = [market.addChat({ contextType: 'DIRECT' }), market.addChat({ contextType: 'DIRECT' })];
    await poller.pollOnce();
    await poller.pollOnce();
    expect(told[0]).toBe('round');
    expect(told.indexOf('round', 1)).toBe(3);
    expect(told.length).toBe(6);
    const shown = chats.map((id) => `seen ${id}`);
    expect([told.slice(1, 3).sort(), told.slice(4).sort()]).toEqual([shown.sort(), shown.sort()]);
  });

  it('follows page tokens through many open chats', async () => {
    for (let i = 0; i < 45; i++)
      market.addChat({ contextType: 'ORDER', orderId: i + 1, status: 'WAITING_FOR_PARTNER' });
    const pages = await poller.pollOnce();
    expect(pages).toBe(3);
    expect(new Set(seen.map((c) => c.id)).size).toBe(45);
  });

  it('sweeps every chat, finished ones too, when the full-sync interval has passed', async () => {
    let now = 1_000_000;
    const sweeping = new MarketPoller(
      client,
      sink((c) => seen.push(c)),
      {
        intervalMs: 1000,
        fullSyncIntervalMs: 60_000,
        logger: pino({ level: 'silent' }),
        now: () => now,
      },
    );
    market.setStatus(market.addChat({ contextType: 'ORDER', orderId: 1 }), 'FINISHED');
    await sweeping.pollOnce();
    expect(seen).toHaveLength(0);
    now += 61_000;
    await sweeping.pollOnce();
    expect(seen).toHaveLength(1);
  });

  it('keeps polling after a failed round and stops on credentials the Market refuses', async () => {
    const errors: Error[] = [];
    const fatalPoller = new MarketPoller(
      new MarketClient({
        baseUrl: market.url,
        apiKey: 'ACMA:wrong:0',
        businessId: BUSINESS,
        logger: pino({ level: 'silent' }),
        integration: 'marketgram/test',
      }),
      sink(() => undefined),
      { intervalMs: 1000, fullSyncIntervalMs: 0, logger: pino({ level: 'silent' }), onFatal: (e) => errors.push(e) },
    );
    fatalPoller.start();
    await expect.poll(() => errors.length, { timeout: 5000 }).toBe(1);
    expect(errors[0]?.message).toMatch(/MARKET_API_KEY/);
    await fatalPoller.stop();
  });
});
