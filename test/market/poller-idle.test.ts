import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketChatId } from '../../src/bridge/ids.ts';
import type { MarketChat } from '../../src/bridge/model.ts';
import { MarketClient } from '../../src/market/client.ts';
import { IDLE_AFTER_MS, MarketPoller, type PollerOptions } from '../../src/market/poller.ts';
import { startFakeMarket, type FakeMarket } from '../fakes/market-server.ts';

const KEY = 'ACMA:poller-idle-test-key:1';
const BUSINESS = 78;
const LONG_AGO = '2025-12-01T10:00:00.000+03:00';

let market: FakeMarket;
let client: MarketClient;
/** The chats the bridge mirrors, with the status it last saw. */
let watched: Map<MarketChatId, MarketChat['status']>;
/** The poller's clock. */
let now: number;
const pollers: MarketPoller[] = [];

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
  now = Date.parse('2026-01-01T00:00:00Z');
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  await client.close();
  await market.close();
});

function poller(options: Partial<PollerOptions> = {}): MarketPoller {
  const p = new MarketPoller(
    client,
    {
      chatSeen: () => undefined,
      watchedChats: () => [...watched].map(([id, status]) => ({ id, status })),
      roundStarted: () => undefined,
    },
    { intervalMs: 30_000, fullSyncIntervalMs: 0, logger: pino({ level: 'silent' }), now: () => now, ...options },
  );
  pollers.push(p);
  return p;
}

/** Open chats waiting for the seller, last written to long ago; returns their ids. */
function openChats(n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 10_000 + i, createdAt: LONG_AGO });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello', createdAt: LONG_AGO });
    return chatId;
  });
}

/**
 * Runs rounds at the pace the poller chooses, the last one at or after `ms` from now (the clock is left at
 * that round); returns the interval chosen after each round.
 */
async function roundsUntil(p: MarketPoller, ms: number): Promise<number[]> {
  const end = now + ms;
  const intervals: number[] = [];
  for (;;) {
    await p.pollOnce();
    intervals.push(p.roundIntervalMs);
    if (now >= end) return intervals;
    now += p.roundIntervalMs;
  }
}

// With 100 listings an hour, one page a round allows a round every 72 s at the busy share (half) and
// every 450 s at the idle share (8 %): small cabinets show both paces.
const TIGHT = { intervalMs: 1000, listQuotaPerHour: 100 };
const BUSY_1_PAGE = 72_000;
const IDLE_1_PAGE = 450_000;

describe('MarketPoller idle pace', () => {
  it('slows to the idle pace five minutes after the last change, 13 pages a round staying within 8 % of the quota', async () => {
    openChats(250);
    const p = poller();
    const intervals = await roundsUntil(p, IDLE_AFTER_MS);
    // 13 pages a round at half the quota would allow a round every 18.7 s: the configured 30 s holds until
    // the round 5 minutes after the first one (which counts as a change), when none has been seen since.
    expect(intervals).toEqual([...Array.from({ length: 10 }, () => 30_000), 117_000]);
    expect(market.count('getChats')).toBe(11 * 13);
    const pagesPerHour = (13 * 3_600_000) / p.roundIntervalMs;
    expect(pagesPerHour).toBeLessThanOrEqual(0.08 * 5000);
  });

  it('returns to the busy pace at the first round that sees a new chat, and stays there for five minutes', async () => {
    openChats(3);
    const p = poller(TIGHT);
    await roundsUntil(p, IDLE_AFTER_MS);
    expect(p.roundIntervalMs).toBe(IDLE_1_PAGE);
    openChats(1);
    now += IDLE_1_PAGE;
    await p.pollOnce();
    expect(p.roundIntervalMs).toBe(BUSY_1_PAGE);
    now += BUSY_1_PAGE;
    const after = await roundsUntil(p, IDLE_AFTER_MS - BUSY_1_PAGE);
    expect(after).toEqual([BUSY_1_PAGE, BUSY_1_PAGE, BUSY_1_PAGE, BUSY_1_PAGE, IDLE_1_PAGE]);
  });

  it('counts a chat whose updatedAt changed as a change, though its status stayed the same', async () => {
    const [chatId = 0] = openChats(2);
    const p = poller(TIGHT);
    await roundsUntil(p, IDLE_AFTER_MS);
    expect(p.roundIntervalMs).toBe(IDLE_1_PAGE);
    const before = market.chat(chatId);
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'still there?', createdAt: '2025-12-02T10:00:00.000+03:00' });
    const after = market.chat(chatId);
    expect(after?.status).toBe(before?.status);
    expect(after?.updatedAt).not.toBe(before?.updatedAt);
    now += IDLE_1_PAGE;
    await p.pollOnce();
    expect(p.roundIntervalMs).toBe(BUSY_1_PAGE);
  });

  it('counts the first round after start as a change, even in an empty cabinet', async () => {
    const p = poller(TIGHT);
    await p.pollOnce();
    expect(p.roundIntervalMs).toBe(BUSY_1_PAGE);
    now += IDLE_AFTER_MS - 1;
    await p.pollOnce();
    expect(p.roundIntervalMs).toBe(BUSY_1_PAGE);
    now += 1;
    await p.pollOnce();
    expect(p.roundIntervalMs).toBe(IDLE_1_PAGE);
  });

  it('keeps the configured interval in a cabinet of one page, idle or not', async () => {
    openChats(15);
    const p = poller({ intervalMs: 30_000 });
    const intervals = await roundsUntil(p, 3 * IDLE_AFTER_MS);
    expect(market.count('getChats')).toBe(intervals.length);
    expect(new Set(intervals)).toEqual(new Set([30_000]));
  });

  it('does not wake up for the finished chats a sweep lists, and forgets them after the next round', async () => {
    const open = openChats(3);
    for (let i = 0; i < 100; i++) {
      market.setStatus(market.addChat({ contextType: 'DIRECT', createdAt: LONG_AGO }), 'FINISHED');
    }
    for (const chatId of open) watched.set(chatId as MarketChatId, 'WAITING_FOR_PARTNER');
    const p = poller({ ...TIGHT, fullSyncIntervalMs: 3600_000 });
    await roundsUntil(p, IDLE_AFTER_MS);
    expect(p.roundIntervalMs).toBe(IDLE_1_PAGE);
    expect(p.rememberedChats).toBe(3);
    now += 3600_000;
    const sweepPages = await p.pollOnce();
    expect(sweepPages).toBe(6);
    expect(p.rememberedChats).toBe(103);
    // Still idle, at the pace of a regular round's one page, not of the sweep's six.
    expect(p.roundIntervalMs).toBe(IDLE_1_PAGE);
    now += IDLE_1_PAGE;
    await p.pollOnce();
    expect(p.rememberedChats).toBe(3);
    expect(p.roundIntervalMs).toBe(IDLE_1_PAGE);
  });

  it('remembers a mirrored chat that is not listed, so looking at it again is no change', async () => {
    const [listed] = openChats(1);
    const unknown = market.addChat({ contextType: 'DIRECT', createdAt: LONG_AGO });
    market.setStatus(unknown, 'SOMETHING_NEW');
    watched.set(listed as MarketChatId, 'WAITING_FOR_PARTNER');
    watched.set(unknown as MarketChatId, 'UNKNOWN');
    const p = poller(TIGHT);
    // Long enough for several 10-minute looks at the chat in a status this version does not know.
    const intervals = await roundsUntil(p, 6 * IDLE_AFTER_MS);
    expect(market.count('getChat')).toBe(3);
    expect(p.rememberedChats).toBe(2);
    expect(intervals.at(-1)).toBe(IDLE_1_PAGE);
    expect(intervals.filter((ms) => ms === IDLE_1_PAGE).length).toBe(intervals.length - 5);
  });
});
