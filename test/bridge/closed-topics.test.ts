import { describe, expect, it } from 'vitest';
import { makeBridge, marketChatId } from './memory-ports.ts';

const chat1 = marketChatId(1);
const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** A bridge that closes finished chats' topics, with Market chat 1 mirrored into topic 1 and its first message. */
async function mirrored(closeFinishedTopics = true) {
  const ctx = await makeBridge({ closeFinishedTopics });
  ctx.market.addChat(1);
  ctx.market.addMessage(1, 'CUSTOMER', 'hello');
  ctx.bridge.chatSeen(ctx.market.chats.get(1)!);
  await ctx.bridge.idle();
  return ctx;
}

/** The Market says chat 1 is in `status` now; the bridge's next poll sees it. */
function restate(
  ctx: Awaited<ReturnType<typeof mirrored>>,
  status: 'FINISHED' | 'WAITING_FOR_PARTNER' | 'WAITING_FOR_ARBITER',
) {
  const chat = { ...ctx.market.chats.get(1)!, status };
  ctx.market.chats.set(1, chat);
  ctx.bridge.chatSeen(chat);
}

describe('Bridge: the topics of finished chats', () => {
  it('closes the topic once when the Market finishes its chat, and not again while it stays finished', async () => {
    const ctx = await mirrored();
    const { telegram, bridge, store } = ctx;
    restate(ctx, 'FINISHED');
    await bridge.idle();
    expect(telegram.toggles).toEqual([{ topicId: 1, closed: true, lane: undefined }]);
    expect(telegram.topics.get(1)?.closed).toBe(true);
    expect(store.findChat(chat1)?.closed).toBe(true);
    // Further syncs of the finished chat (a poll, a sweep) make no call.
    bridge.requestSync(chat1);
    await bridge.idle();
    restate(ctx, 'FINISHED');
    await bridge.idle();
    expect(telegram.toggles).toHaveLength(1);
    // The close took a cosmetic turn, like a rename.
    expect(telegram.reserved.filter((r) => r.lane === 'cosmetic')).toHaveLength(2);
  });

  it('never closes a topic with CLOSE_FINISHED_TOPICS off, and renames it as before', async () => {
    const ctx = await mirrored(false);
    restate(ctx, 'FINISHED');
    await ctx.bridge.idle();
    expect(ctx.telegram.toggles).toEqual([]);
    expect(ctx.telegram.topics.get(1)?.title).toMatch(/^✅/);
    expect(ctx.store.findChat(chat1)?.closed).toBeUndefined();
  });

  it('never closes a topic in a private chat (solo mode), whose topics Telegram does not close, and renames it', async () => {
    const ctx = await mirrored();
    ctx.telegram.canCloseTopics = false;
    restate(ctx, 'FINISHED');
    await ctx.bridge.idle();
    expect(ctx.telegram.topics.get(1)?.title).toMatch(/^✅/);
    expect(ctx.store.findChat(chat1)?.closed).toBeUndefined();
    ctx.market.addMessage(1, 'CUSTOMER', 'one more thing');
    restate(ctx, 'WAITING_FOR_PARTNER');
    await ctx.bridge.idle();
    expect(ctx.telegram.posts.at(-1)?.html).toContain('one more thing');
    expect(ctx.telegram.toggles).toEqual([]);
    expect(ctx.telegram.calls.filter((c) => /close|reopen/.test(c))).toEqual([]);
  });

  it('drops a close that waited for its turn when the chat came alive meanwhile, without a call', async () => {
    const ctx = await mirrored();
    const { market, telegram, bridge } = ctx;
    let open!: () => void;
    const cosmetic = new Promise<void>((r) => (open = r));
    // The rename (✅) has its turn; the close, after it, waits for its own.
    let cosmeticTurns = 0;
    telegram.turnGate = (lane) => (lane === 'cosmetic' && ++cosmeticTurns > 1 ? cosmetic : Promise.resolve());
    restate(ctx, 'FINISHED');
    await settle();
    expect(telegram.topics.get(1)?.title).toMatch(/^✅/);
    expect(cosmeticTurns).toBe(2);
    // The buyer writes again before the close's turn: the Market revives the chat.
    market.addMessage(1, 'CUSTOMER', 'one more thing');
    restate(ctx, 'WAITING_FOR_PARTNER');
    await settle();
    expect(telegram.inTopic(1).at(-1)?.html).toContain('one more thing');
    open();
    await bridge.idle();
    expect(telegram.toggles).toEqual([]);
    expect(telegram.topics.get(1)?.closed).toBeUndefined();
  });

  it('reopens the closed topic before posting a new message into it, in the lane of that message', async () => {
    const ctx = await mirrored();
    const { market, telegram, bridge, store } = ctx;
    restate(ctx, 'FINISHED');
    await bridge.idle();
    market.addMessage(1, 'CUSTOMER', 'I am back');
    restate(ctx, 'WAITING_FOR_PARTNER');
    await bridge.idle();
    const last = telegram.posts.at(-1)!;
    expect(last.html).toContain('I am back');
    expect(last.closed).toBe(false);
    expect(telegram.calls.slice(-3)).toEqual(['close 1', 'reopen 1', 'post 1']);
    // The buyer waits for the seller: the reopening goes with the buyer's message, not after the renames.
    expect(telegram.toggles.at(-1)).toEqual({ topicId: 1, closed: false, lane: 'waiting' });
    expect(store.findChat(chat1)?.closed).toBeUndefined();
    expect(telegram.inTopic(1).filter((p) => p.html.includes('I am back'))).toHaveLength(1);
  });

  it('reopens the topic for a message in a chat the Market keeps finished, and closes it again after', async () => {
    const ctx = await mirrored();
    const { market, telegram, bridge } = ctx;
    restate(ctx, 'FINISHED');
    await bridge.idle();
    market.addMessage(1, 'CUSTOMER', 'thanks!');
    bridge.notified(chat1, 'message', Date.now());
    await bridge.idle();
    expect(telegram.calls.slice(-4)).toEqual(['close 1', 'reopen 1', 'post 1', 'close 1']);
    expect(telegram.toggles.at(-2)).toEqual({ topicId: 1, closed: false, lane: 'live' });
    expect(telegram.topics.get(1)?.closed).toBe(true);
  });

  it('reopens the topic of a chat that comes alive with a change of status alone', async () => {
    const ctx = await mirrored();
    restate(ctx, 'FINISHED');
    await ctx.bridge.idle();
    restate(ctx, 'WAITING_FOR_ARBITER');
    await ctx.bridge.idle();
    expect(ctx.telegram.toggles.map((t) => t.closed)).toEqual([true, false]);
    expect(ctx.telegram.topics.get(1)?.closed).toBe(false);
    expect(ctx.store.findChat(chat1)?.closed).toBeUndefined();
  });

  it('reopens a topic whose close was on its way as the chat came alive', async () => {
    const ctx = await mirrored();
    const { telegram, bridge } = ctx;
    let answer!: () => void;
    telegram.closeGate = () => new Promise<void>((r) => (answer = r));
    restate(ctx, 'FINISHED');
    await settle();
    expect(answer).toBeDefined();
    // Telegram has the close but has not answered yet: the chat's sync sees the topic still open.
    restate(ctx, 'WAITING_FOR_ARBITER');
    await settle();
    answer();
    await bridge.idle();
    expect(telegram.toggles.map((t) => t.closed)).toEqual([true, false]);
    expect(telegram.topics.get(1)?.closed).toBe(false);
  });

  it('recreates a closed topic deleted in Telegram with the next message, open', async () => {
    const ctx = await mirrored();
    const { market, telegram, bridge, store } = ctx;
    restate(ctx, 'FINISHED');
    await bridge.idle();
    telegram.topics.get(1)!.deleted = true;
    market.addMessage(1, 'CUSTOMER', 'anyone?');
    restate(ctx, 'WAITING_FOR_PARTNER');
    await bridge.idle();
    const rec = store.findChat(chat1)!;
    expect(rec.topicId).not.toBe(1);
    const posts = telegram.inTopic(rec.topicId!);
    expect(posts.map((p) => p.closed)).toEqual([false, false, false]);
    expect(posts[1]?.html).toContain('deleted and has been created again');
    expect(posts[2]?.html).toContain('anyone?');
    expect(rec.closed).toBeUndefined();
    expect(telegram.topics.get(rec.topicId!)?.closed).toBeUndefined();
  });

  it('reopens a topic it closed earlier even after CLOSE_FINISHED_TOPICS was turned off', async () => {
    const ctx = await mirrored(false);
    const { market, telegram, bridge, store } = ctx;
    // Closed while the setting was on.
    restate(ctx, 'FINISHED');
    await bridge.idle();
    const rec = store.findChat(chat1)!;
    rec.closed = true;
    store.saveChat(rec);
    telegram.topics.get(1)!.closed = true;
    market.addMessage(1, 'CUSTOMER', 'hello again');
    bridge.notified(chat1, 'message', Date.now());
    await bridge.idle();
    expect(telegram.calls.slice(-2)).toEqual(['reopen 1', 'post 1']);
    // Still finished, but the setting is off now: it stays open.
    expect(telegram.topics.get(1)?.closed).toBe(false);
    expect(store.findChat(chat1)?.closed).toBeUndefined();
  });
});
