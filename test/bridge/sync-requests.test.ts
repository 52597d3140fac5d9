import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge.ts';
import type { MarketChat } from '../../src/bridge/model.ts';
import type { Page } from '../../src/bridge/ports.ts';
import { PUSH_QUIET_ROUNDS } from '../../src/bridge/sync-requests.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { makeBridge, marketChatId, type MemoryMarket, type MemoryTelegram } from './memory-ports.ts';

/** The bridge's clock in these tests; the Market's times below are whole seconds, as the Market gives them. */
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
let clock = T0;
const now = () => new Date(clock);
const iso = (ms: number) => new Date(ms).toISOString();
const CHAT = marketChatId(1);

/** A buyer message written at `at` (epoch ms): its createdAt and the chat's updatedAt are that whole second. */
function write(market: MemoryMarket, text: string, at: number) {
  const m = market.addMessage(1, 'CUSTOMER', text);
  m.createdAt = iso(Math.floor(at / 1000) * 1000);
  market.chats.set(1, { ...market.chats.get(1)!, updatedAt: m.createdAt });
  return m;
}

/** The chat as a poll lists it now. */
const listed = (market: MemoryMarket): MarketChat => market.chats.get(1)!;

/** The texts of the buyer messages mirrored into the chat's topic, in order. */
const bodies = (telegram: MemoryTelegram) =>
  telegram
    .inTopic(1)
    .slice(1)
    // Messages waiting together share a post: one block (header line, then the text) each.
    .flatMap((p) => p.html.split('\n\n').map((block) => block.split('\n')[1]));

/** Chat 1 mirrored at T0, its last activity an hour older: nothing in it can be missed. */
async function mirrored() {
  clock = T0;
  const ctx = await makeBridge({ now });
  ctx.market.addChat(1, { updatedAt: iso(T0 - 3_600_000) });
  ctx.bridge.chatSeen(listed(ctx.market));
  await ctx.bridge.idle();
  expect(ctx.market.historyCalls).toBe(1);
  return ctx;
}

/** Holds every history read, after the Market answered it, until released. */
function holdReads(market: MemoryMarket) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const read = market.getHistory.bind(market);
  market.getHistory = async (...args: Parameters<MemoryMarket['getHistory']>): Promise<Page<never>> => {
    const page = await read(...args);
    await gate;
    return page as Page<never>;
  };
  return release;
}

describe('Bridge: what a notification costs', () => {
  it('spends no history read on a notification for a message already mirrored', async () => {
    const { market, telegram, bridge } = await mirrored();
    clock = T0 + 60_000;
    const m = write(market, 'hello', clock);
    bridge.notified(CHAT, 'message', clock, m.id);
    await bridge.idle();
    expect(market.historyCalls).toBe(2);
    for (let i = 0; i < 3; i++) bridge.notified(CHAT, 'message', clock, m.id);
    await bridge.idle();
    expect(market.historyCalls).toBe(2);
    expect(bodies(telegram)).toEqual(['hello']);
  });

  it('reads no more for notifications that arrive while the read that has their messages runs', async () => {
    const { market, telegram, bridge } = await mirrored();
    clock = T0 + 60_000;
    const ms = ['a', 'b', 'c', 'd', 'e'].map((t) => write(market, t, clock));
    const release = holdReads(market);
    bridge.notified(CHAT, 'message', clock, ms[0]!.id);
    await expect.poll(() => market.historyCalls).toBe(2);
    for (const m of [...ms, ...ms].slice(1)) bridge.notified(CHAT, 'message', clock, m.id);
    release();
    await bridge.idle();
    expect(market.historyCalls).toBe(2);
    expect(bodies(telegram)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reads once more for a burst of notifications of messages written after the running read began', async () => {
    const { market, telegram, bridge } = await mirrored();
    clock = T0 + 60_000;
    const first = write(market, 'first', clock);
    const release = holdReads(market);
    bridge.notified(CHAT, 'message', clock, first.id);
    await expect.poll(() => market.historyCalls).toBe(2);
    for (const text of ['second', 'third', 'fourth']) {
      bridge.notified(CHAT, 'message', clock, write(market, text, clock).id);
    }
    release();
    await bridge.idle();
    expect(market.historyCalls).toBe(3);
    expect(bodies(telegram)).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('opens the topic of a chat on CHAT_CREATED without reading its history, and reads it with its first message', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    bridge.notified(CHAT, 'created');
    await bridge.idle();
    expect(telegram.topics.size).toBe(1);
    expect(market.historyCalls).toBe(0);
    const m = market.addMessage(1, 'CUSTOMER', 'first');
    bridge.notified(CHAT, 'message', Date.now(), m.id);
    await bridge.idle();
    expect(market.historyCalls).toBe(1);
    expect(bodies(telegram)).toEqual(['first']);
  });

  it('spends nothing on CHAT_CREATED for a chat it already mirrors', async () => {
    const { market, bridge } = await mirrored();
    const chatCalls = market.chatCalls;
    bridge.notified(CHAT, 'created');
    await bridge.idle();
    expect(market.chatCalls).toBe(chatCalls);
    expect(market.historyCalls).toBe(1);
  });
});

describe('Bridge: what a poll reads', () => {
  it('renames the topic for a status change alone without reading the history', async () => {
    const { market, telegram, bridge } = await mirrored();
    clock = T0 + 600_000;
    bridge.chatSeen({ ...listed(market), status: 'WAITING_FOR_CUSTOMER' });
    await bridge.idle();
    expect(telegram.topics.get(1)?.title).toMatch(/^🟢/);
    expect(market.historyCalls).toBe(1);
  });

  it('re-reads a chat whose last read began within the slack of its last message, and finds a message of that second', async () => {
    const { market, telegram, bridge } = await mirrored();
    clock = T0 + 30_000;
    write(market, 'text', clock);
    clock += 200; // the poll reads it 200 ms later, within the same second
    bridge.chatSeen(listed(market));
    await bridge.idle();
    write(market, 'sticker', T0 + 30_600); // after the read, same second: updatedAt stays as it was
    clock = T0 + 330_000;
    bridge.chatSeen(listed(market));
    await bridge.idle();
    expect(market.historyCalls).toBe(3);
    expect(bodies(telegram)).toEqual(['text', 'sticker']);
    // That read began long after the second: the chat is not read again.
    clock += 300_000;
    bridge.chatSeen(listed(market));
    await bridge.idle();
    expect(market.historyCalls).toBe(3);
  });

  it('does not re-read a chat whose last read began more than the slack after its last message', async () => {
    const { market, bridge } = await mirrored();
    write(market, 'text', T0 + 30_000);
    clock = T0 + 36_000;
    bridge.chatSeen(listed(market));
    await bridge.idle();
    clock += 300_000;
    bridge.chatSeen(listed(market));
    await bridge.idle();
    expect(market.historyCalls).toBe(2);
  });

  it('reads a chat whose status changed when its last read may have missed a message of the same second', async () => {
    const { market, telegram, bridge } = await mirrored();
    clock = T0 + 30_000;
    const m = write(market, 'text', clock);
    clock += 100;
    bridge.notified(CHAT, 'message', clock, m.id);
    await bridge.idle();
    write(market, 'sticker', T0 + 30_500);
    clock = T0 + 330_000;
    bridge.roundStarted();
    bridge.chatSeen({ ...listed(market), status: 'FINISHED' });
    await bridge.idle();
    expect(bodies(telegram)).toEqual(['text', 'sticker']);
    expect(telegram.topics.get(1)?.title).toMatch(/^✅/);
  });
});

describe('Bridge: polls with push notifications', () => {
  /** A message read at once through its notification, then one of the same second that push never announces. */
  async function pushedThenSticker() {
    const ctx = await mirrored();
    clock = T0 + 30_000;
    const m = write(ctx.market, 'text', clock);
    clock += 100;
    ctx.bridge.notified(CHAT, 'message', clock, m.id);
    await ctx.bridge.idle();
    write(ctx.market, 'sticker', T0 + 30_500);
    expect(ctx.market.historyCalls).toBe(2);
    return ctx;
  }

  it(`waits ${PUSH_QUIET_ROUNDS} rounds without a notification before re-reading a chat push just read, then finds what push never announced`, async () => {
    const { market, telegram, bridge } = await pushedThenSticker();
    for (let round = 1; round <= PUSH_QUIET_ROUNDS; round++) {
      clock += 300_000;
      bridge.roundStarted();
      bridge.chatSeen(listed(market));
      await bridge.idle();
      expect(market.historyCalls).toBe(2);
    }
    clock += 300_000;
    bridge.roundStarted();
    bridge.chatSeen(listed(market));
    await bridge.idle();
    expect(market.historyCalls).toBe(3);
    expect(bodies(telegram)).toEqual(['text', 'sticker']);
  });

  it('re-reads such a chat at the first round after a restart', async () => {
    const { market, telegram, store } = await pushedThenSticker();
    const restarted = new Bridge(market, telegram, store, {
      businessId: 1,
      historyOnFirstSight: 3,
      texts: textsFor('en'),
      logger: pino({ level: 'silent' }),
      now,
    });
    clock += 300_000;
    restarted.roundStarted();
    restarted.chatSeen(listed(market));
    await restarted.idle();
    expect(bodies(telegram)).toEqual(['text', 'sticker']);
  });

  it(`reads a chat CHAT_CREATED opened once push has been quiet about it for ${PUSH_QUIET_ROUNDS} rounds`, async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    bridge.notified(CHAT, 'created');
    await bridge.idle();
    market.addMessage(1, 'CUSTOMER', 'never announced');
    for (let round = 1; round <= PUSH_QUIET_ROUNDS; round++) {
      bridge.roundStarted();
      bridge.chatSeen(listed(market));
      await bridge.idle();
      expect(market.historyCalls).toBe(0);
    }
    bridge.roundStarted();
    bridge.chatSeen(listed(market));
    await bridge.idle();
    expect(bodies(telegram)).toEqual(['never announced']);
  });
});
