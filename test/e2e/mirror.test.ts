import { describe, expect, it } from 'vitest';
import { TINY_PNG } from '../fakes/telegram-server.ts';
import {
  GROUP_ID,
  mirroredBodies,
  liveTopics,
  postBlocks,
  topicFor,
  topicTexts,
  waitFor,
  type World,
} from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('Market → Telegram, end to end', () => {
  it('creates one topic per chat, titled by what the chat is, with a context card first', async () => {
    const { market, telegram } = world;
    await world.start();
    const order = market.addChat({ contextType: 'ORDER', orderId: 5551, campaignId: 9, customer: { name: 'Ivan' } });
    const ret = market.addChat({ contextType: 'RETURN', orderId: 5552, returnId: 771, customer: { name: 'Anna' } });
    const direct = market.addChat({ contextType: 'DIRECT', customer: { name: 'Petr' } });
    for (const chatId of [order, ret, direct])
      market.addMessage(chatId, { sender: 'CUSTOMER', text: `hello ${chatId}` });
    await waitFor(
      () => liveTopics(telegram).length === 3 && topicTexts(telegram, liveTopics(telegram)[2]!.threadId).length >= 2,
      'three topics',
    );
    const names = liveTopics(telegram)
      .map((t) => t.name)
      .sort();
    expect(names).toEqual(['🔴 Order 5551 · Ivan', '🔴 Question · Petr', '🔴 Return 771 · Order 5552 · Anna']);
    const orderTopic = topicFor(telegram, '5551')!;
    const texts = topicTexts(telegram, orderTopic.threadId);
    expect(texts[0]).toContain('Yandex Market buyer chat');
    expect(texts[0]).toContain('5551');
    expect(texts[1]).toContain(`hello ${order}`);
    // Several more polls change nothing.
    await new Promise((r) => setTimeout(r, 2500));
    expect(telegram.topics(GROUP_ID)).toHaveLength(3);
  });

  it('mirrors every buyer message once and in order, across history pages, escaping any characters', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 1, customer: { name: 'Ivan' } });
    const sent: string[] = [];
    for (let i = 0; i < 130; i++) {
      const text = `#${i} <b>&amp; *x* 😀 "q"`;
      sent.push(text);
      market.addMessage(chatId, { sender: 'CUSTOMER', text });
    }
    const topic = await waitFor(() => topicFor(telegram, 'Order 1'), 'topic');
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length >= 130, 'all messages', 20_000);
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(sent);
    // Waiting together, they share posts: far fewer posts than messages.
    const posts = topicTexts(telegram, topic.threadId).length - 1;
    expect(posts).toBeLessThanOrEqual(5);
    // A message written later is mirrored once more, at the end, in a post of its own.
    market.addMessage(chatId, { sender: 'SUPPORT', text: 'support here' });
    await waitFor(() => topicTexts(telegram, topic.threadId).length === posts + 2, 'the later message');
    expect(topicTexts(telegram, topic.threadId).at(-1)).toMatch(/Market support[\s\S]*support here/);
  });

  it('posts attachments as a photo and a document with their bytes', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 2 });
    const png = TINY_PNG;
    const pdf = new TextEncoder().encode('%PDF-1.4 test');
    market.addMessage(chatId, {
      sender: 'CUSTOMER',
      text: 'see files',
      attachments: [
        { name: 'photo.png', data: png },
        { name: 'invoice.pdf', data: pdf },
      ],
    });
    const topic = await waitFor(() => topicFor(telegram, 'Order 2'), 'topic');
    await waitFor(
      () => telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true }).some((m) => m.document),
      'document',
    );
    const msgs = telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true });
    const photo = msgs.find((m) => m.photo);
    const doc = msgs.find((m) => m.document);
    expect(photo?.caption).toContain('photo.png');
    expect(Buffer.from(photo!.photo!.data)).toEqual(Buffer.from(png));
    expect(doc?.document?.fileName).toBe('invoice.pdf');
    expect(Buffer.from(doc!.document!.data)).toEqual(Buffer.from(pdf));
  });

  it('shows the name and size of an attachment that cannot be downloaded', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 3 });
    market.addMessage(chatId, { sender: 'CUSTOMER', attachments: [{ name: 'lost.pdf', data: new Uint8Array(2048) }] });
    // Every download attempt fails (the client retries reads), then the bridge shows what it was.
    market.failNext('attachment', { status: 404 }, 50);
    await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 3'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).some((t) => t.includes('lost.pdf')), 'file note');
    expect(topicTexts(telegram, topic.threadId).find((t) => t.includes('lost.pdf'))).toContain('2.0 KB');
  });

  it('refuses an attachment on a loopback host other than the Market API and shows it as not loaded', async () => {
    const { market, telegram } = world;
    market.serveAttachmentsAs('localhost'); // the fake itself, but not the configured MARKET_API_URL origin
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 31 });
    market.addMessage(chatId, { sender: 'CUSTOMER', attachments: [{ name: 'probe.pdf', data: new Uint8Array(1024) }] });
    await world.start({ ATTACHMENTS_ALLOW_PRIVATE_HOSTS: 'false' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 31'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).some((t) => t.includes('probe.pdf')), 'file note');
    expect(topicTexts(telegram, topic.threadId).find((t) => t.includes('probe.pdf'))).toContain(
      'could not be downloaded',
    );
    expect(telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true }).some((m) => m.document)).toBe(
      false,
    );
    expect(market.count('attachment')).toBe(0);
  });

  it('mirrors a reply written in the seller cabinet, labelled as the seller', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 4 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'question' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 4'), 'topic');
    market.addMessage(chatId, { sender: 'PARTNER', text: 'answer from cabinet' });
    await waitFor(
      () => topicTexts(telegram, topic.threadId).some((t) => t.includes('answer from cabinet')),
      'cabinet reply',
    );
    expect(topicTexts(telegram, topic.threadId).at(-1)).toMatch(/Seller \(cabinet\)/);
  });

  it('recreates a topic deleted in Telegram and carries on without losing a message', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 5 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'before' });
    const first = await waitFor(() => topicFor(telegram, 'Order 5'), 'topic');
    await waitFor(() => topicTexts(telegram, first.threadId).length === 2, 'first message');
    telegram.deleteTopic(GROUP_ID, first.threadId);
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'after' });
    const second = await waitFor(() => topicFor(telegram, 'Order 5'), 'new topic');
    expect(second.threadId).not.toBe(first.threadId);
    await waitFor(() => topicTexts(telegram, second.threadId).some((t) => t.includes('after')), 'message in new topic');
    const texts = topicTexts(telegram, second.threadId);
    expect(texts[0]).toContain('Yandex Market buyer chat');
    expect(texts[1]).toContain('deleted and has been created again');
    expect(texts.filter((t) => t.includes('after'))).toHaveLength(1);
  });

  it('on first start opens topics only for unfinished chats, with their recent history', async () => {
    const { market, telegram } = world;
    const old = '2024-03-01T10:00:00+03:00';
    const open = market.addChat({ contextType: 'ORDER', orderId: 6, createdAt: old });
    const done = market.addChat({ contextType: 'ORDER', orderId: 7, createdAt: old });
    for (let i = 0; i < 30; i++) market.addMessage(open, { sender: 'CUSTOMER', text: `old ${i}` });
    market.addMessage(done, { sender: 'CUSTOMER', text: 'long ago' });
    market.setStatus(done, 'FINISHED');
    await world.start({ HISTORY_ON_FIRST_SIGHT: '5' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 6'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length >= 3, 'recent history');
    const texts = topicTexts(telegram, topic.threadId);
    expect(texts[1]).toContain('last 5 messages');
    // The five go together, in one post.
    expect(
      texts
        .slice(2)
        .flatMap(postBlocks)
        .map((t) => t.split('\n')[1]),
    ).toEqual(['old 25', 'old 26', 'old 27', 'old 28', 'old 29']);
    expect(topicFor(telegram, 'Order 7')).toBeUndefined();
    // The finished chat comes alive again: now it gets a topic.
    market.addMessage(done, { sender: 'CUSTOMER', text: 'one more thing' });
    market.setStatus(done, 'WAITING_FOR_PARTNER');
    const revived = await waitFor(() => topicFor(telegram, 'Order 7'), 'revived topic');
    await waitFor(
      () => topicTexts(telegram, revived.threadId).some((t) => t.includes('one more thing')),
      'new message',
    );
  });

  it('shows the chat status in the topic title as it changes', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 8 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    await waitFor(() => topicFor(telegram, '🔴 Order 8'), 'red topic');
    market.setStatus(chatId, 'FINISHED');
    await waitFor(() => topicFor(telegram, '✅ Order 8'), 'finished topic');
  });
});
