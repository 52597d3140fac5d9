import { describe, expect, it } from 'vitest';
import { telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import { waitingSince } from '../../src/bridge/waits.ts';
import { makeBridge, marketChatId } from './memory-ports.ts';

const operator = { id: 7 as never, name: 'Olga' };

/** A bridge whose observer records the response times it is told. */
async function withTimes(over: Parameters<typeof makeBridge>[0] = {}) {
  const times: number[] = [];
  const observer = {
    mirrored() {},
    answered: (ms: number) => void times.push(ms),
    replyOutcome() {},
    refused() {},
    guard() {},
  };
  return { ...(await makeBridge({ observer, ...over })), times };
}

describe('Waiting episodes: who waits for the seller, since when, and how long the answer took', () => {
  it('starts a wait at the first unanswered buyer message and ends it when an operator reply is delivered', async () => {
    const { market, bridge, store, times } = await withTimes();
    market.addChat(1, { status: 'WAITING_FOR_CUSTOMER' });
    const first = market.addMessage(1, 'CUSTOMER', 'hello?');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    market.addMessage(1, 'CUSTOMER', 'anyone?');
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    expect(rec.waitingSince).toBe(first.createdAt);
    expect(waitingSince(rec)).toBe(first.createdAt);
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'Hi',
    });
    await bridge.idle();
    expect(waitingSince(store.findChat(marketChatId(1))!)).toBeUndefined();
    expect(times).toHaveLength(1);
    expect(times[0]).toBeGreaterThanOrEqual(0);
    expect(store.findChat(marketChatId(1))!.answers).toHaveLength(1);
    // The reply's echo in the history changes nothing more.
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    expect(times).toHaveLength(1);
  });

  it('ends a wait on a seller message written in the cabinet, and starts the next one at the next buyer message', async () => {
    const { market, bridge, store, times } = await withTimes();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'question');
    market.addMessage(1, 'PARTNER', 'answer from the cabinet');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(store.findChat(marketChatId(1))!.waitingSince).toBeUndefined();
    expect(times).toHaveLength(1);
    const again = market.addMessage(1, 'CUSTOMER', 'one more thing');
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    expect(store.findChat(marketChatId(1))!.waitingSince).toBe(again.createdAt);
  });

  it('keeps no response time for history from before the store, and lets a finished chat wait for nobody', async () => {
    const { market, bridge, store, times } = await withTimes();
    market.addChat(1, { createdAt: '2025-01-01T10:00:00+03:00' });
    market.addMessage(1, 'CUSTOMER', 'old question').createdAt = '2025-01-02T10:00:00+03:00';
    market.addMessage(1, 'PARTNER', 'old answer').createdAt = '2025-01-02T11:00:00+03:00';
    market.addMessage(1, 'CUSTOMER', 'old follow-up').createdAt = '2025-01-03T10:00:00+03:00';
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    expect(times).toEqual([]);
    expect(rec.waitingSince).toBe('2025-01-03T10:00:00+03:00');
    expect(waitingSince({ ...rec, chat: { ...rec.chat, status: 'FINISHED' } })).toBeUndefined();
    // The Market's word alone also makes a chat wait: since its last activity.
    expect(
      waitingSince({ ...rec, waitingSince: undefined, chat: { ...rec.chat, status: 'WAITING_FOR_PARTNER' } }),
    ).toBe(rec.chat.updatedAt);
  });
});
