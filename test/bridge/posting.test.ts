import { describe, expect, it } from 'vitest';
import { TelegramRefusedError } from '../../src/bridge/ports.ts';
import { makeBridge, marketChatId, type MemoryTelegram } from './memory-ports.ts';

/** The message texts of each post in topic 1 after its card. */
const postedBodies = (telegram: MemoryTelegram) =>
  telegram
    .inTopic(1)
    .slice(1)
    .map((p) => bodiesOf(p.html));

/** The message texts a post carries (the line after each header), in order. */
const bodiesOf = (postHtml: string) => postHtml.split('\n\n').map((block) => block.split('\n')[1]);

describe('Posting: messages waiting together share posts', () => {
  it('posts a message alone at once when nothing else waits, and a backlog in as few posts as fit', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'alone');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(postedBodies(telegram)).toEqual([['alone']]);
    // 30 messages of ~300 characters: 9,000+ characters, so three posts, each within Telegram's 4096.
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) sent.push(market.addMessage(1, 'CUSTOMER', `b${i} ${'y'.repeat(300)}`).text!);
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    const posts = telegram.inTopic(1).slice(2);
    expect(posts.length).toBe(3);
    // Within Telegram's 4096 characters as it counts them (tags removed, entities decoded).
    for (const p of posts)
      expect(p.html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot);/g, ' ').length).toBeLessThanOrEqual(4096);
    expect(posts.flatMap((p) => bodiesOf(p.html))).toEqual(sent);
  });

  it('ends a post at a message with a file, whose files follow; the next messages start a new post', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'one');
    const withFile = market.addMessage(1, 'CUSTOMER', 'see the photo');
    withFile.attachments.push({ name: 'p.jpg', url: 'u', size: 3 });
    market.addMessage(1, 'CUSTOMER', 'three');
    market.addMessage(1, 'CUSTOMER', 'four');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const posts = telegram.inTopic(1).slice(1);
    expect(posts.map((p) => (p.file ? `file:${p.file.name}` : bodiesOf(p.html).join('|')))).toEqual([
      'one|see the photo',
      'file:p.jpg',
      'three|four',
    ]);
  });

  it('after a failed post carries on from the last post Telegram took: nothing lost, nothing doubled', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'start');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) sent.push(market.addMessage(1, 'CUSTOMER', `c${i} ${'z'.repeat(400)}`).text!);
    const send = telegram.sendText.bind(telegram);
    let calls = 0;
    telegram.sendText = (...args) => (++calls === 2 ? Promise.reject(new Error('socket hang up')) : send(...args));
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    await new Promise((r) => setTimeout(r, 50));
    await bridge.idle();
    const bodies = telegram
      .inTopic(1)
      .slice(2)
      .flatMap((p) => bodiesOf(p.html));
    expect(bodies).toEqual(sent);
    expect(store.findChat(marketChatId(1))?.cursor).toBe(market.history.get(1)!.at(-1)!.id);
  });

  it('posts the messages of a joint post Telegram refuses one by one, so only the bad one gets a placeholder', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'fine 1');
    market.addMessage(1, 'CUSTOMER', 'poison');
    market.addMessage(1, 'CUSTOMER', 'fine 2');
    const send = telegram.sendText.bind(telegram);
    telegram.sendText = (id, text, o) =>
      text.markup.includes('poison')
        ? Promise.reject(new TelegramRefusedError('sendMessage', 400, "Bad Request: can't parse entities"))
        : send(id, text, o);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const posts = telegram
      .inTopic(1)
      .slice(1)
      .map((p) => p.html);
    expect(posts).toHaveLength(3);
    expect(posts[0]).toContain('fine 1');
    expect(posts[1]).toMatch(/can't parse entities/);
    expect(posts[2]).toContain('fine 2');
  });

  it('posts every message on its own with coalescePosts off (the behaviour benchmarks compare against)', async () => {
    const { market, telegram, bridge } = await makeBridge({ coalescePosts: false });
    market.addChat(1);
    for (const t of ['a', 'b', 'c']) market.addMessage(1, 'CUSTOMER', t);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(postedBodies(telegram)).toEqual([['a'], ['b'], ['c']]);
  });

  it('reports no mirroring latency for history written before the store existed, and reports it for new messages', async () => {
    const seen: Array<number | undefined> = [];
    const observer = {
      mirrored: (_s: unknown, since: number | undefined) => void seen.push(since),
      answered() {},
      replyOutcome() {},
      refused() {},
      guard() {},
    };
    const { market, bridge } = await makeBridge({ observer, historyOnFirstSight: 5 });
    market.addChat(1, { createdAt: '2025-01-01T10:00:00+03:00' });
    market.addMessage(1, 'CUSTOMER', 'a year ago').createdAt = '2025-01-02T10:00:00+03:00';
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    market.addMessage(1, 'CUSTOMER', 'just now');
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toBeGreaterThanOrEqual(0);
    expect(seen[1]).toBeLessThan(10_000);
  });

  it('takes the turn of the first post before reading: messages written while it waited go in the same post', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'first');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    let open!: () => void;
    telegram.turnGate = () => new Promise<void>((r) => (open = r));
    market.addMessage(1, 'CUSTOMER', 'second');
    bridge.notified(marketChatId(1), 'message', Date.now());
    await new Promise((r) => setTimeout(r, 10));
    // Written while the chat waited for Telegram's limit.
    market.addMessage(1, 'CUSTOMER', 'third');
    market.addMessage(1, 'CUSTOMER', 'fourth');
    open();
    telegram.turnGate = undefined;
    await bridge.idle();
    expect(postedBodies(telegram)).toEqual([['first'], ['second', 'third', 'fourth']]);
    expect(telegram.reserved.at(-1)).toEqual({ topicId: 1, lane: 'waiting' });
  });
});
