import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REACTION_DELIVERED } from '../../src/bridge/bridge.ts';
import { marketMessageId } from '../../src/bridge/ids.ts';
import type { SendOutcome } from '../../src/bridge/ports.ts';
import { STORE_FILE } from '../../src/store/layout.ts';
import { makeBridge, marketChatId, telegramMessageId, topicId } from './memory-ports.ts';

const operator = { id: 7 as never, name: 'Olga' };

/** A bridge with one Market chat (id 1) already mirrored into topic 1. */
async function linked(over: Parameters<typeof makeBridge>[0] = {}) {
  const ctx = await makeBridge(over);
  ctx.market.addChat(1);
  ctx.bridge.chatSeen(ctx.market.chats.get(1)!);
  await ctx.bridge.idle();
  return ctx;
}

describe('Bridge: Market → Telegram', () => {
  it('creates one topic with a context card and mirrors every message once, in order (waiting together, in one post)', async () => {
    const { market, telegram, bridge } = await makeBridge();
    const chat = market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'first');
    market.addMessage(1, 'MARKET', 'second');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.topics.size).toBe(1);
    const posts = telegram.inTopic(1);
    expect(posts[0]?.html).toContain('Yandex Market buyer chat');
    expect(posts).toHaveLength(2);
    expect(posts[1]?.html.split('\n\n').map((block) => block.split('\n')[1])).toEqual(['first', 'second']);
    // Seen again with nothing new: nothing is posted.
    bridge.chatSeen({ ...chat, updatedAt: 'changed' });
    await bridge.idle();
    expect(telegram.inTopic(1)).toHaveLength(2);
  });

  it('puts the quick replies and Take buttons on the context card, for the topic it opens', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.inTopic(1)[0]?.buttons).toEqual([
      { text: '📋 Templates', data: 't:1' },
      { text: '✋ Take', data: 'o:1' },
    ]);
    expect(bridge.chatInTopic(topicId(1))?.id).toBe(1);
    expect(bridge.chatInTopic(topicId(99))).toBeUndefined();
  });

  it('creates a topic exactly once when several events for a new chat arrive together', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'hi');
    for (let i = 0; i < 5; i++) {
      bridge.chatSeen({ ...market.chats.get(1)!, updatedAt: `u${i}` });
      bridge.requestSync(marketChatId(1));
    }
    await bridge.idle();
    expect(telegram.createCalls).toBe(1);
    expect(telegram.posts.filter((p) => p.html.includes('\nhi'))).toHaveLength(1);
  });

  it('creates the topics of many new chats one at a time, each stored before the next is created', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    const created: Array<number | undefined> = [];
    const createTopic = telegram.createTopic.bind(telegram);
    telegram.createTopic = async (title) => {
      // Every topic created before this one is already linked to its chat in the store.
      created.push(store.chats().filter((c) => c.topicId !== undefined).length);
      return createTopic(title);
    };
    for (let i = 1; i <= 5; i++) {
      market.addChat(i);
      market.addMessage(i, 'CUSTOMER', `hi ${i}`);
      bridge.chatSeen(market.chats.get(i)!);
    }
    await bridge.idle();
    expect(telegram.topics.size).toBe(5);
    expect(telegram.mostCreatingAtOnce).toBe(1);
    expect(created).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives a chat that waits for the seller the next topic creation, before chats seen earlier', async () => {
    const { market, telegram, bridge } = await makeBridge();
    const order: string[] = [];
    const createTopic = telegram.createTopic.bind(telegram);
    telegram.createTopic = async (title) => {
      order.push(title.includes('waits') ? 'waiting' : 'other');
      return createTopic(title);
    };
    for (let i = 1; i <= 5; i++) {
      const waits = i === 5;
      market.addChat(i, {
        status: waits ? 'WAITING_FOR_PARTNER' : 'WAITING_FOR_CUSTOMER',
        context: { type: 'ORDER', orderId: i, customer: { name: waits ? 'waits' : 'other' } },
      });
      market.addMessage(i, waits ? 'CUSTOMER' : 'PARTNER', `hi ${i}`);
      bridge.chatSeen(market.chats.get(i)!);
    }
    await bridge.idle();
    // The first chat had the turn already; the waiting one, seen last, goes next.
    expect(order).toEqual(['other', 'waiting', 'other', 'other', 'other']);
  });

  it('leaves finished chats it never saw out of Telegram', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1, { status: 'FINISHED' });
    market.addMessage(1, 'CUSTOMER', 'old');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.topics.size).toBe(0);
  });

  it('mirrors only the recent history of a chat older than the store, with a note', async () => {
    const { market, telegram, bridge } = await makeBridge({ historyOnFirstSight: 2 });
    market.addChat(1, { createdAt: '2020-01-01T00:00:00+03:00' });
    for (const t of ['m1', 'm2', 'm3', 'm4']) market.addMessage(1, 'CUSTOMER', t);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const texts = telegram.inTopic(1).map((p) => p.html);
    expect(texts[1]).toContain('last 2 messages');
    expect(texts.slice(2).map((h) => h.split('\n\n').map((block) => block.split('\n')[1]))).toEqual([['m3', 'm4']]);
    // Afterwards every new message is mirrored.
    market.addMessage(1, 'CUSTOMER', 'm5');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.inTopic(1).at(-1)?.html).toContain('m5');
  });

  it('recreates a deleted topic and carries on without losing the message', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'one');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    telegram.topics.get(1)!.deleted = true;
    market.addMessage(1, 'CUSTOMER', 'two');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    expect(rec.topicId).not.toBe(1);
    const posts = telegram.inTopic(rec.topicId!).map((p) => p.html);
    expect(posts[0]).toContain('Yandex Market buyer chat');
    expect(posts[1]).toContain('deleted and has been created again');
    expect(posts[2]).toContain('two');
  });

  it('ignores a notification naming a chat the Market does not know, without retrying', async () => {
    const { market, telegram, bridge } = await makeBridge();
    bridge.notified(marketChatId(999), 'message');
    await bridge.idle();
    await new Promise((r) => setTimeout(r, 30)); // past the retry delay of the test bridge
    await bridge.idle();
    expect(telegram.topics.size).toBe(0);
    expect(market.historyCalls).toBe(0);
    expect(bridge.pending).toBe(0);
  });

  it('shows the messages still to be posted as a backlog while a chat is being mirrored', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    // Too long to share a post: one post each.
    for (let i = 0; i < 5; i++) market.addMessage(1, 'CUSTOMER', `m${i} ${'x'.repeat(3000)}`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const send = telegram.sendText.bind(telegram);
    let calls = 0;
    telegram.sendText = async (...args) => {
      if (++calls === 3) await gate; // the card, m0, then wait at m1
      return send(...args);
    };
    bridge.chatSeen(market.chats.get(1)!);
    await expect.poll(() => bridge.backlog).toBe(4);
    release();
    await bridge.idle();
    expect(bridge.backlog).toBe(0);
  });

  it('posts a context card that a crash kept from being posted, at the next sync', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.addChat(1);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    telegram.posts.length = 0;
    rec.cardPending = true; // as left by a crash between creating the topic and posting the card
    store.saveChat(rec);
    market.addMessage(1, 'CUSTOMER', 'after the crash');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.posts[0]?.html).toContain('Yandex Market buyer chat');
    expect(telegram.posts[1]?.html).toContain('after the crash');
    expect(rec.cardPending).toBeUndefined();
  });

  it('recreates a topic that was deleted before a crash-skipped context card could be posted', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.addChat(1);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    rec.cardPending = true;
    store.saveChat(rec);
    telegram.topics.get(1)!.deleted = true;
    market.addMessage(1, 'CUSTOMER', 'still arrives');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(rec.topicId).not.toBe(1);
    const posts = telegram.inTopic(rec.topicId!).map((p) => p.html);
    expect(posts[0]).toContain('Yandex Market buyer chat');
    expect(posts.at(-1)).toContain('still arrives');
  });

  it('does not post an echo it matched before a crash kept the cursor from moving past it', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.addChat(1);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'mine',
    });
    await bridge.idle();
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    const echo = market.history.get(1)!.at(-1)!;
    expect(store.allReplies()[0]?.echoMessageId).toBe(echo.id);
    rec.cursor = marketMessageId(echo.id - 1); // the shard write was lost, the replies file was not
    store.saveChat(rec);
    const before = telegram.posts.length;
    bridge.requestSync(marketChatId(1));
    await bridge.idle();
    expect(telegram.posts.length).toBe(before);
  });

  it('posts the caption of an attachment with a very long name as a text before the file', async () => {
    const { market, telegram, bridge } = await linked();
    telegram.posts.length = 0;
    const name = `${'очень-длинное-имя-'.repeat(60)}.pdf`;
    market.addMessage(1, 'CUSTOMER').attachments.push({ name, url: 'u', size: 3 });
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.posts).toHaveLength(2);
    expect(telegram.posts[0]?.html).toContain(name);
    expect(telegram.posts[0]?.file).toBeUndefined();
    expect(telegram.posts[1]).toMatchObject({ html: '', file: { name } });
  });

  it('renames the topic when the chat status changes', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.topics.get(1)?.title).toMatch(/^🔴/);
    bridge.chatSeen({ ...market.chats.get(1)!, status: 'WAITING_FOR_CUSTOMER' });
    await bridge.idle();
    expect(telegram.topics.get(1)?.title).toMatch(/^🟢/);
  });

  it('renames a topic beside its chat: messages do not wait for the rename, which takes the latest title', async () => {
    const { market, telegram, bridge } = await makeBridge();
    market.addChat(1);
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    let open!: () => void;
    const cosmetic = new Promise<void>((r) => (open = r));
    telegram.turnGate = (lane) => (lane === 'cosmetic' ? cosmetic : Promise.resolve());
    const renames: string[] = [];
    const rename = telegram.renameTopic.bind(telegram);
    telegram.renameTopic = (id, title) => (renames.push(title), rename(id, title));
    bridge.chatSeen({ ...market.chats.get(1)!, status: 'WAITING_FOR_CUSTOMER' });
    await new Promise((r) => setTimeout(r, 10));
    // The rename waits for its turn; the chat's next message is posted meanwhile.
    market.addMessage(1, 'CUSTOMER', 'still there?');
    bridge.notified(marketChatId(1), 'message', Date.now());
    await new Promise((r) => setTimeout(r, 20));
    expect(telegram.inTopic(1).at(-1)?.html).toContain('still there?');
    expect(renames).toEqual([]);
    // The message made the chat wait for the seller again (🔴, as the topic is titled already): the rename
    // that waited is dropped without a call.
    open();
    await bridge.idle();
    expect(renames).toEqual([]);
    expect(telegram.topics.get(1)?.title).toMatch(/^🔴/);
    // A change that stays is renamed once, with the latest title.
    bridge.chatSeen({ ...market.chats.get(1)!, status: 'FINISHED' });
    await bridge.idle();
    expect(renames).toHaveLength(1);
    expect(telegram.topics.get(1)?.title).not.toMatch(/^🔴/);
  });
});

describe('Bridge: Telegram → Market', () => {
  it('sends an operator reply once, reacts, and does not echo it back into the topic', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'Hello <b>',
    });
    await bridge.idle();
    expect(market.sent).toEqual([{ chatId: 1, text: 'Hello <b>' }]);
    expect(telegram.reactions).toEqual([{ messageId: 500, emoji: REACTION_DELIVERED }]);
    const before = telegram.posts.length;
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.posts.length).toBe(before);
  });

  it('marks a reply as attempted, on disk, only when its request is about to go, not while it waits for a slot', async () => {
    const { market, bridge, store } = await linked();
    let go: (() => Promise<void>) | undefined;
    let answer: (outcome: SendOutcome) => void = () => undefined;
    market.sendMessage = (_id, _text, options) => {
      go = options?.beforeSend; // the request waits for a slot: beforeSend is not called yet
      return new Promise((resolve) => (answer = resolve));
    };
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'hi',
    });
    await vi.waitFor(() => expect(go).toBeDefined());
    // A crash now would find a plain queued reply.
    // Replies live in the main store file, written by every commit that changed one.
    const onDisk = async () =>
      Object.values(
        (JSON.parse(await readFile(path.join(store.dir, STORE_FILE), 'utf8')) as { replies: Record<string, unknown> })
          .replies,
      )[0];
    expect(await onDisk()).toMatchObject({ state: 'queued', attempts: 0 });
    await go?.();
    expect(await onDisk()).toMatchObject({ state: 'sending', attempts: 1 });
    answer({ kind: 'sent' });
    await bridge.idle();
    expect(await onDisk()).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('forgets finished replies three days old at start, and every hour while it runs', async () => {
    let now = Date.parse('2026-01-10T00:00:00Z');
    const { bridge, store } = await linked({ now: () => new Date(now) });
    const sent = (id: string, daysAgo: number) =>
      store.putReply({
        id,
        marketChatId: marketChatId(1),
        topicId: topicId(1),
        telegramMessageId: telegramMessageId(id.length),
        part: 0,
        parts: 1,
        text: id,
        state: 'sent',
        attempts: 1,
        createdAt: new Date(now - daysAgo * 24 * 3600_000).toISOString(),
      });
    sent('old', 4);
    sent('recent', 2);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await bridge.resume();
      expect(store.allReplies().map((r) => r.id)).toEqual(['recent']);
      now += 1.5 * 24 * 3600_000;
      vi.advanceTimersByTime(3600_000);
      expect(store.allReplies()).toEqual([]);
    } finally {
      bridge.stop();
      vi.useRealTimers();
    }
  });

  it('mirrors a reply written in the seller cabinet', async () => {
    const { market, telegram, bridge } = await linked();
    market.addMessage(1, 'PARTNER', 'from the cabinet');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    expect(telegram.inTopic(1).at(-1)?.html).toMatch(/Seller \(cabinet\).*\nfrom the cabinet/s);
  });

  it('ignores a redelivered Telegram update for the same message', async () => {
    const { market, bridge } = await linked();
    const msg = { topicId: topicId(1), messageId: telegramMessageId(500), from: operator, text: 'once' };
    await bridge.operatorMessage(msg);
    await bridge.operatorMessage(msg);
    await bridge.idle();
    expect(market.sent).toHaveLength(1);
  });

  it('splits a text over 4096 characters into ordered parts', async () => {
    const { market, bridge } = await linked();
    const text = `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`;
    await bridge.operatorMessage({ topicId: topicId(1), messageId: telegramMessageId(500), from: operator, text });
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['a'.repeat(3000), 'b'.repeat(3000)]);
  });

  it('tells the operator why the Market refused a reply', async () => {
    const { market, telegram, bridge } = await linked();
    market.outcomes.push({ kind: 'rejected', status: 400, reason: 'Chat is closed' });
    await bridge.operatorMessage({ topicId: topicId(1), messageId: telegramMessageId(500), from: operator, text: 'x' });
    await bridge.idle();
    const reply = telegram.posts.at(-1)!;
    expect(reply.replyTo).toBe(500);
    expect(reply.html).toContain('Chat is closed');
    expect(telegram.reactions).toHaveLength(0);
  });

  it('queues a rate-limited reply, tells the operator when, and delivers it later', async () => {
    const { market, telegram, bridge } = await linked();
    market.outcomes.push({ kind: 'rate-limited', retryAt: new Date(Date.now() + 50), reason: '420' });
    await bridge.operatorMessage({ topicId: topicId(1), messageId: telegramMessageId(500), from: operator, text: 'x' });
    await bridge.idle();
    expect(telegram.posts.at(-1)?.html).toContain('queued');
    await new Promise((r) => setTimeout(r, 80));
    await bridge.idle();
    expect(market.sent).toEqual([{ chatId: 1, text: 'x' }]);
    expect(telegram.reactions).toHaveLength(1);
  });

  it('after an ambiguous failure finds the reply in the history and does not send it again', async () => {
    const { market, telegram, bridge } = await linked();
    market.outcomes.push('ambiguous-delivered');
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'once only',
    });
    await bridge.idle();
    await new Promise((r) => setTimeout(r, 20));
    await bridge.idle();
    expect(market.sent).toHaveLength(1);
    expect(telegram.reactions).toEqual([{ messageId: 500, emoji: REACTION_DELIVERED }]);
    expect(telegram.posts.filter((p) => p.html.includes('once only'))).toHaveLength(0);
  });

  it('does not resend an ambiguous reply that reaches the history only after the first check', async () => {
    const { market, telegram, bridge } = await linked({ ambiguousSettleMs: 150 });
    market.outcomes.push('ambiguous-late');
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'late one',
    });
    await new Promise((r) => setTimeout(r, 300));
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['late one']);
    expect(telegram.posts.filter((p) => p.html.includes('late one'))).toHaveLength(0);
    expect(telegram.reactions).toEqual([{ messageId: 500, emoji: REACTION_DELIVERED }]);
  });

  it('after an ambiguous failure with nothing in the history sends the reply again', async () => {
    const { market, bridge } = await linked();
    market.outcomes.push({ kind: 'ambiguous', reason: 'timeout' });
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      text: 'retry me',
    });
    await bridge.idle();
    await new Promise((r) => setTimeout(r, 20));
    await bridge.idle();
    expect(market.sent).toEqual([{ chatId: 1, text: 'retry me' }]);
  });

  it('refuses a file over 5 MB with an explanation', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      file: { fileId: 'f', name: 'big.pdf', size: 6 * 1024 * 1024, kind: 'document' },
    });
    await bridge.idle();
    expect(market.sent).toHaveLength(0);
    expect(telegram.posts.at(-1)?.html).toContain('5 MB');
  });

  it('sends a photo through the file endpoint and its caption as a text', async () => {
    const { market, bridge } = await linked();
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      caption: 'here it is',
      file: { fileId: 'f', name: 'photo_500.jpg', size: 10, kind: 'photo' },
    });
    await bridge.idle();
    expect(market.sent).toEqual([
      { chatId: 1, file: 'photo_500.jpg' },
      { chatId: 1, text: 'here it is' },
    ]);
  });

  it('answers in a topic that is not linked to any Market chat', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage({ topicId: topicId(999), messageId: telegramMessageId(5), from: operator, text: 'x' });
    expect(market.sent).toHaveLength(0);
    expect(telegram.posts).toHaveLength(1); // only the context card of chat 1; topic 999 does not exist
  });
});

describe('Bridge: reply receipts and operator controls', () => {
  const msg = (id: number, text: string) => ({
    topicId: topicId(1),
    messageId: telegramMessageId(id),
    from: operator,
    text,
  });

  it('puts a Retry button under a failure, and Retry sends the reply', async () => {
    const { market, telegram, bridge } = await linked();
    market.outcomes.push({ kind: 'rejected', status: 400, reason: 'Temporary glitch' });
    await bridge.operatorMessage(msg(500, 'try me'));
    await bridge.idle();
    const notice = telegram.posts.at(-1)!;
    expect(notice.buttons).toEqual([{ text: '🔁 Send again', data: 'r:1:500' }]);
    const answer = await bridge.operatorAction(
      { kind: 'retry', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(notice.messageId) },
    );
    expect(answer).toMatch(/Sending again/);
    await bridge.idle();
    await new Promise((r) => setTimeout(r, 10));
    expect(market.sent.map((s) => s.text)).toEqual(['try me']);
    expect(telegram.reactions).toEqual([{ messageId: 500, emoji: REACTION_DELIVERED }]);
    expect(notice.html).toMatch(/Delivered/);
    expect(notice.buttons).toBeUndefined();
  });

  it('turns the "queued" notice into "delivered" once the reply goes', async () => {
    const { market, telegram, bridge } = await linked();
    market.outcomes.push({ kind: 'rate-limited', retryAt: new Date(Date.now() + 30), reason: '420' });
    await bridge.operatorMessage(msg(500, 'later'));
    await bridge.idle();
    const notice = telegram.posts.at(-1)!;
    expect(notice.html).toMatch(/queued/);
    await new Promise((r) => setTimeout(r, 60));
    await bridge.idle();
    expect(market.sent).toHaveLength(1);
    expect(notice.html).toMatch(/Delivered/);
  });

  it('holds a reply for the undo window and Cancel keeps it from the buyer', async () => {
    const { market, telegram, bridge } = await linked({ undoSeconds: 1 });
    await bridge.operatorMessage(msg(500, 'oops'));
    const notice = telegram.posts.at(-1)!;
    expect(notice.html).toMatch(/in 1 s/);
    expect(notice.buttons?.[0]?.data).toBe('u:1:500');
    const answer = await bridge.operatorAction(
      { kind: 'cancel', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(notice.messageId) },
    );
    expect(answer).toMatch(/Cancelled/);
    await new Promise((r) => setTimeout(r, 1200));
    await bridge.idle();
    expect(market.sent).toHaveLength(0);
    expect(notice.html).toMatch(/Cancelled/);
  });

  it('sends a reply after the undo window when nobody cancels, and refuses a late Cancel', async () => {
    const { market, telegram, bridge } = await linked({ undoSeconds: 1 });
    await bridge.operatorMessage(msg(500, 'fine'));
    const notice = telegram.posts.at(-1)!;
    await bridge.idle();
    expect(market.sent).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1200));
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['fine']);
    const late = await bridge.operatorAction(
      { kind: 'cancel', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(notice.messageId) },
    );
    expect(late).toMatch(/Already sent/);
  });

  it('sends the edited text instead when a reply was edited before it went', async () => {
    const { market, bridge } = await linked({ undoSeconds: 1 });
    await bridge.operatorMessage(msg(500, 'tpyo'));
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'typo fixed');
    await new Promise((r) => setTimeout(r, 1200));
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['typo fixed']);
  });

  it('offers to send the correction of a reply that already went, and sends it on request', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage(msg(500, 'price is 100'));
    await bridge.idle();
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'price is 120');
    const notice = telegram.posts.at(-1)!;
    expect(notice.html).toMatch(/cannot change a sent message/);
    expect(notice.buttons).toEqual([{ text: '📤 Send the corrected text', data: 'c:1:500' }]);
    await bridge.operatorAction(
      { kind: 'correct', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(notice.messageId) },
    );
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['price is 100', 'price is 120']);
    // Pressing again does nothing more.
    await bridge.operatorAction(
      { kind: 'correct', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(notice.messageId) },
    );
    await bridge.idle();
    expect(market.sent).toHaveLength(2);
  });

  it('ignores a button whose data names another message than the notice it sits under', async () => {
    const { market, telegram, bridge } = await linked();
    market.outcomes.push({ kind: 'rejected', status: 400, reason: 'no' });
    market.outcomes.push({ kind: 'rejected', status: 400, reason: 'no' });
    await bridge.operatorMessage(msg(500, 'first'));
    await bridge.idle();
    await bridge.operatorMessage(msg(501, 'second'));
    await bridge.idle();
    const second = telegram.posts.at(-1)!;
    expect(second.buttons?.[0]?.data).toBe('r:1:501');
    const answer = await bridge.operatorAction(
      { kind: 'retry', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(second.messageId), botReplyTo: telegramMessageId(501) },
    );
    expect(answer).toBe('Nothing to do here.');
    await bridge.idle();
    await new Promise((r) => setTimeout(r, 20));
    expect(market.sent).toHaveLength(0);
  });

  it("accepts a button under the bot's own reply to that operator message even when its id was not recorded", async () => {
    const { market, bridge } = await linked();
    market.outcomes.push({ kind: 'rejected', status: 400, reason: 'no' });
    await bridge.operatorMessage(msg(500, 'again'));
    await bridge.idle();
    const answer = await bridge.operatorAction(
      { kind: 'retry', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(9999), botReplyTo: telegramMessageId(500) },
    );
    expect(answer).toMatch(/Sending again/);
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['again']);
  });

  it('ignores a correction button pressed under any message but the correction offer', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage(msg(500, 'price is 100'));
    await bridge.idle();
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'price is 120');
    const offer = telegram.posts.at(-1)!;
    await bridge.operatorAction(
      { kind: 'correct', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(offer.messageId - 1) },
    );
    await bridge.idle();
    expect(market.sent.map((s) => s.text)).toEqual(['price is 100']);
  });
});
