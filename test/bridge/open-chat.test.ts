import { describe, expect, it, vi } from 'vitest';
import { FatalError } from '../../src/bridge/ports.ts';
import { makeBridge, topicId } from './memory-ports.ts';

const ORDER = { type: 'ORDER', id: 55 } as const;

describe('Bridge.openChat: an operator opens the chat about an order or a return', () => {
  it('opens the chat at the Market and gives it a topic with its context card', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.subjects.add('ORDER:55');

    const outcome = await bridge.openChat(ORDER);

    expect(outcome).toMatchObject({ kind: 'opened', created: true });
    if (outcome.kind !== 'opened') return;
    expect(market.chats.get(outcome.marketChatId)?.context).toMatchObject({ type: 'ORDER', orderId: 55 });
    expect(telegram.createCalls).toBe(1);
    const [card] = telegram.inTopic(outcome.topicId);
    expect(card?.html).toContain('Yandex Market buyer chat');
    expect(card?.html).toContain('<code>55</code>');
    expect(store.findChat(outcome.marketChatId)?.topicId).toBe(outcome.topicId);
    expect(bridge.chatInTopic(outcome.topicId)?.id).toBe(outcome.marketChatId);
  });

  it('asked again, points at the same topic without a Telegram call', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.subjects.add('ORDER:55');
    const first = await bridge.openChat(ORDER);
    const posts = telegram.posts.length;

    const again = await bridge.openChat(ORDER);

    expect(again).toEqual({ ...first, created: false });
    expect(market.createChatCalls).toBe(2);
    expect(telegram.createCalls).toBe(1);
    expect(telegram.posts).toHaveLength(posts);
  });

  it('points at the topic of a chat mirrored before, creating nothing', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1, { context: { type: 'RETURN', returnId: 77, orderId: 10 } });
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const posts = telegram.posts.length;

    await expect(bridge.openChat({ type: 'RETURN', id: 77 })).resolves.toEqual({
      kind: 'opened',
      marketChatId: 1,
      topicId: topicId(1),
      created: false,
    });
    expect(telegram.createCalls).toBe(1);
    expect(telegram.posts).toHaveLength(posts);
  });

  it('gives a topic to a finished chat the mirror leaves out, with its recent history', async () => {
    const { market, telegram, bridge } = await makeBridge();
    const old = new Date(Date.now() - 86_400_000).toISOString();
    market.addChat(2, { status: 'FINISHED', createdAt: old, updatedAt: old });
    market.addMessage(2, 'CUSTOMER', 'thanks, all good');
    market.chats.set(2, { ...market.chats.get(2)!, updatedAt: old });
    bridge.chatSeen(market.chats.get(2)!);
    await bridge.idle();
    expect(telegram.createCalls).toBe(0);

    const outcome = await bridge.openChat({ type: 'ORDER', id: 20 });

    expect(outcome).toMatchObject({ kind: 'opened', marketChatId: 2, created: true });
    if (outcome.kind !== 'opened') return;
    expect(telegram.inTopic(outcome.topicId).map((p) => p.html)).toEqual([
      expect.stringContaining('Yandex Market buyer chat') as string,
      expect.stringContaining('thanks, all good') as string,
    ]);
  });

  it('makes one topic when the chat is being synced as it is opened', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(3);
    market.addMessage(3, 'CUSTOMER', 'hello?');
    bridge.chatSeen(market.chats.get(3)!);

    const outcome = await bridge.openChat({ type: 'ORDER', id: 30 });
    await bridge.idle();

    expect(outcome).toMatchObject({ kind: 'opened', marketChatId: 3, topicId: 1 });
    expect(telegram.createCalls).toBe(1);
    expect(telegram.posts.filter((p) => p.html.includes('hello?'))).toHaveLength(1);
  });

  it("returns the Market's refusals as outcomes, and touches nothing in Telegram", async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    const retryAt = new Date(Date.now() + 60_000);
    market.newChatAnswers.push(
      { kind: 'refused', status: 400, reason: 'BAD_REQUEST: too old' },
      { kind: 'rate-limited', retryAt, reason: 'Hit rate limit' },
      { kind: 'failed', reason: 'HTTP 503' },
    );

    await expect(bridge.openChat(ORDER)).resolves.toEqual({
      kind: 'refused',
      status: 400,
      reason: 'BAD_REQUEST: too old',
    });
    await expect(bridge.openChat(ORDER)).resolves.toEqual({ kind: 'rate-limited', retryAt, reason: 'Hit rate limit' });
    await expect(bridge.openChat(ORDER)).resolves.toEqual({ kind: 'failed', reason: 'HTTP 503' });
    await expect(bridge.openChat({ type: 'RETURN', id: 55 })).resolves.toMatchObject({ kind: 'not-found' });
    expect(telegram.createCalls).toBe(0);
    expect(telegram.posts).toEqual([]);
    expect(store.chats()).toEqual([]);
  });

  it('says the topic is pending when Telegram does not take it yet, and the retry creates it', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.subjects.add('ORDER:55');
    const createTopic = telegram.createTopic.bind(telegram);
    let refusals = 1;
    telegram.createTopic = (title) =>
      refusals-- > 0 ? Promise.reject(new Error('Telegram is down')) : createTopic(title);

    const outcome = await bridge.openChat(ORDER);

    expect(outcome).toMatchObject({ kind: 'pending' });
    await vi.waitFor(() => expect(telegram.topics.size).toBe(1));
    await bridge.idle();
    await expect(bridge.openChat(ORDER)).resolves.toMatchObject({ kind: 'opened', created: false });
  });

  it('stops the service when the Market refuses the credentials', async () => {
    const onFatal = vi.fn();
    const { market, bridge } = await makeBridge({ onFatal });
    const refused = new FatalError('the key was revoked');
    market.newChatAnswers.push(refused);

    await expect(bridge.openChat(ORDER)).resolves.toMatchObject({ kind: 'failed' });
    expect(onFatal).toHaveBeenCalledWith(refused);
  });
});
