import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startCabinets, type Deployment } from '../../src/app/cabinets.ts';
import { loadConfig } from '../../src/config.ts';
import { startMarketRouter, type MarketRouter } from '../fakes/market-router.ts';
import { startFakeMarket, type FakeMarket } from '../fakes/market-server.ts';
import {
  API_KEY,
  BUSINESS_ID,
  GROUP_ID,
  OPERATOR,
  liveTopics,
  notify,
  startWorld,
  topicTexts,
  waitFor,
  type World,
} from './harness.ts';

const OWN_GROUP = -1005555555555;
const KEY_B = 'ACMA:test-api-key-bbbbbbbbbb:bbbbbb';
const KEY_C = 'ACMA:test-api-key-cccccccccc:cccccc';

interface Cabinets {
  world: World;
  /** shop-a and shop-b share the harness's group; shop-c has a group of its own. */
  markets: { a: FakeMarket; b: FakeMarket; c: FakeMarket };
  deployment: Deployment;
}

let closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.reverse()) await close();
  closing = [];
});

async function startThree(extra: Record<string, string> = {}): Promise<Cabinets> {
  const world = await startWorld();
  const b = await startFakeMarket({ apiKey: KEY_B, businessId: 5353 });
  const c = await startFakeMarket({ apiKey: KEY_C, businessId: 6464 });
  const router: MarketRouter = await startMarketRouter([
    { apiKey: API_KEY, url: world.market.url },
    { apiKey: KEY_B, url: b.url },
    { apiKey: KEY_C, url: c.url },
  ]);
  closing.push(async () => {
    await world.close();
    await Promise.all([b.close(), c.close(), router.close()]);
  });
  world.telegram.addSupergroup({
    id: OWN_GROUP,
    title: 'Shop C',
    isForum: true,
    botIsAdmin: true,
    canManageTopics: true,
  });
  const file = path.join(world.dataDir, 'cabinets.yaml');
  await writeFile(
    file,
    [
      `- { name: shop-a, apiKey: "${API_KEY}", businessId: ${BUSINESS_ID}, chatId: ${GROUP_ID} }`,
      `- { name: shop-b, apiKeyEnv: SHOP_B_KEY, businessId: 5353, chatId: ${GROUP_ID} }`,
      `- { name: shop-c, apiKey: "${KEY_C}", businessId: 6464, chatId: ${OWN_GROUP} }`,
    ].join('\n'),
  );
  const { TELEGRAM_CHAT_ID: _chat, MARKET_API_KEY: _key, MARKET_BUSINESS_ID: _business, ...env } = world.env;
  const config = loadConfig({ ...env, MARKET_API_URL: router.url, CABINETS_FILE: file, SHOP_B_KEY: KEY_B, ...extra });
  const deployment = await startCabinets(config, pino({ level: process.env.E2E_LOG ?? 'silent' }), {
    ambiguousCheckDelayMs: 50,
    ambiguousSettleMs: 300,
    retryDelayMs: () => 200,
  });
  closing.push(() => deployment.stop(2000));
  return { world, markets: { a: world.market, b, c }, deployment };
}

const topicNamed = (w: World, chatId: number, part: string) =>
  liveTopics(w.telegram, chatId).find((t) => t.name.includes(part));

/** Bot posts in General of a chat. */
const general = (w: World, chatId: number) =>
  w.telegram
    .messages(chatId, { fromBot: true })
    .filter((m) => m.threadId === undefined)
    .map((m) => m.text ?? '');

function sendStatus(w: World, chatId: number) {
  w.telegram.userSends(chatId, {
    from: OPERATOR,
    text: '/status',
    entities: [{ type: 'bot_command', offset: 0, length: 7 }],
  });
}

describe('several cabinets in one process', () => {
  it('mirrors each cabinet into its chat, naming the cabinet in a shared group, and routes replies to their cabinet', async () => {
    const { world, markets, deployment } = await startThree();
    const { telegram } = world;
    const chatA = markets.a.addChat({ contextType: 'ORDER', orderId: 111, customer: { name: 'Ivan' } });
    const chatB = markets.b.addChat({ contextType: 'ORDER', orderId: 222, customer: { name: 'Anna' } });
    const chatC = markets.c.addChat({ contextType: 'ORDER', orderId: 333, customer: { name: 'Petr' } });
    markets.a.addMessage(chatA, { sender: 'CUSTOMER', text: 'hello from a' });
    markets.b.addMessage(chatB, { sender: 'CUSTOMER', text: 'hello from b' });
    markets.c.addMessage(chatC, { sender: 'CUSTOMER', text: 'hello from c' });

    const topicA = await waitFor(() => topicNamed(world, GROUP_ID, 'Order 111'), 'shop-a topic');
    const topicB = await waitFor(() => topicNamed(world, GROUP_ID, 'Order 222'), 'shop-b topic');
    const topicC = await waitFor(() => topicNamed(world, OWN_GROUP, 'Order 333'), 'shop-c topic');
    expect(topicA.name).toBe('[shop-a] 🔴 Order 111 · Ivan');
    expect(topicB.name).toBe('[shop-b] 🔴 Order 222 · Anna');
    expect(topicC.name).toBe('🔴 Order 333 · Petr');
    await waitFor(() => topicTexts(telegram, topicB.threadId).length >= 2, 'shop-b message');
    await waitFor(() => topicTexts(telegram, topicC.threadId, OWN_GROUP).length >= 2, 'shop-c message');
    expect(topicTexts(telegram, topicA.threadId)[0]).toContain('[shop-a] Yandex Market buyer chat');
    expect(topicTexts(telegram, topicB.threadId)[1]).toContain('hello from b');
    expect(topicTexts(telegram, topicC.threadId, OWN_GROUP)[0]).not.toContain('[shop-c]');
    // No cabinet's chats leak into another's chat.
    expect(liveTopics(telegram, GROUP_ID)).toHaveLength(2);
    expect(liveTopics(telegram, OWN_GROUP)).toHaveLength(1);

    // A reply in shop-b's topic of the shared group goes to shop-b's cabinet only: shop-a neither sends it nor
    // says a word about it under the reply.
    const postsInB = topicTexts(telegram, topicB.threadId).length;
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topicB.threadId, text: 'answer for b' });
    telegram.userSends(OWN_GROUP, { from: OPERATOR, threadId: topicC.threadId, text: 'answer for c' });
    await waitFor(() => markets.b.sent.length === 1 && markets.c.sent.length === 1, 'replies sent');
    expect(markets.b.sent.map((s) => [s.chatId, s.text])).toEqual([[chatB, 'answer for b']]);
    expect(markets.c.sent.map((s) => [s.chatId, s.text])).toEqual([[chatC, 'answer for c']]);
    expect(markets.a.sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(topicTexts(telegram, topicB.threadId)).toHaveLength(postsInB);

    // /status in General of the shared group: each of its cabinets answers for itself, and only those.
    sendStatus(world, GROUP_ID);
    await waitFor(() => general(world, GROUP_ID).filter((t) => t.startsWith('Cabinet ')).length === 2, '/status');
    const answers = general(world, GROUP_ID).filter((t) => t.startsWith('Cabinet '));
    expect(answers.map((t) => t.split('\n')[0]).sort()).toEqual(['Cabinet shop-a', 'Cabinet shop-b']);

    // One scrape, every metric labelled with its cabinet.
    const metrics = await (await fetch(`http://127.0.0.1:${deployment.httpPort}/metrics`)).text();
    for (const name of ['shop-a', 'shop-b', 'shop-c'])
      expect(metrics).toMatch(new RegExp(`marketgram_polls_total\\{result="ok",cabinet="${name}"\\} \\d+`));
    expect(metrics.match(/^# TYPE marketgram_process_resident_memory_bytes/gm)).toHaveLength(1);
  });

  it('stops only the cabinet whose key is revoked: it is reported in its group and on /status, the others go on', async () => {
    const { world, markets, deployment } = await startThree();
    const { telegram } = world;
    const chatA = markets.a.addChat({ contextType: 'ORDER', orderId: 111, customer: { name: 'Ivan' } });
    const chatB = markets.b.addChat({ contextType: 'ORDER', orderId: 222, customer: { name: 'Anna' } });
    const chatC = markets.c.addChat({ contextType: 'ORDER', orderId: 333, customer: { name: 'Petr' } });
    for (const [m, id] of [
      [markets.a, chatA],
      [markets.b, chatB],
      [markets.c, chatC],
    ] as const)
      m.addMessage(id, { sender: 'CUSTOMER', text: 'first' });
    const topicA = await waitFor(() => topicNamed(world, GROUP_ID, 'Order 111'), 'shop-a topic');
    await waitFor(() => topicNamed(world, GROUP_ID, 'Order 222'), 'shop-b topic');
    const topicC = await waitFor(() => topicNamed(world, OWN_GROUP, 'Order 333'), 'shop-c topic');

    markets.b.revokeKey();
    await waitFor(
      () => general(world, GROUP_ID).find((t) => t.includes('Cabinet shop-b stopped')),
      'shop-b reported in its group',
    );
    const shopB = deployment.cabinets.find((c) => c.name === 'shop-b')!;
    expect(shopB.failure).toBeDefined();
    expect(deployment.cabinets.filter((c) => c.failure !== undefined).map((c) => c.name)).toEqual(['shop-b']);
    // Said once, however many refusals follow.
    await new Promise((r) => setTimeout(r, 1500));
    expect(general(world, GROUP_ID).filter((t) => t.includes('Cabinet shop-b stopped'))).toHaveLength(1);
    expect(general(world, OWN_GROUP).filter((t) => t.includes('stopped'))).toEqual([]);

    // The others keep mirroring and replying.
    markets.a.addMessage(chatA, { sender: 'CUSTOMER', text: 'still here a' });
    markets.c.addMessage(chatC, { sender: 'CUSTOMER', text: 'still here c' });
    await waitFor(
      () => topicTexts(telegram, topicA.threadId).some((t) => t.includes('still here a')),
      'shop-a goes on',
    );
    await waitFor(
      () => topicTexts(telegram, topicC.threadId, OWN_GROUP).some((t) => t.includes('still here c')),
      'shop-c goes on',
    );
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topicA.threadId, text: 'answer for a' });
    await waitFor(() => markets.a.sent.length === 1, 'shop-a reply sent');

    // /status names the failure; readiness stays with the cabinets that work.
    sendStatus(world, GROUP_ID);
    const status = await waitFor(
      () => general(world, GROUP_ID).find((t) => t.startsWith('Cabinet shop-b') && t.includes('✗')),
      '/status of shop-b',
    );
    expect(status).toMatch(/✗ Market: /);
    const ready = await fetch(`http://127.0.0.1:${deployment.httpPort}/readyz`);
    const body = (await ready.json()) as { ready: boolean; cabinets: Record<string, { failed?: string }> };
    expect(body.cabinets['shop-b']?.failed).toBeDefined();
    expect(body.cabinets['shop-a']?.failed).toBeUndefined();
  });

  it('hands each notification of the one endpoint to the cabinet of its business id', async () => {
    const { world, markets, deployment } = await startThree({
      MARKET_NOTIFICATIONS: 'on',
      MARKET_RECONCILE_INTERVAL: '3600',
    });
    const cabinet = (name: string) => deployment.cabinets.find((c) => c.name === name)!;
    await waitFor(() => deployment.cabinets.every((c) => c.parts.poller.rounds >= 1), 'first polls');
    const chatB = markets.b.addChat({ contextType: 'ORDER', orderId: 222, customer: { name: 'Anna' } });
    const messageId = markets.b.addMessage(chatB, { sender: 'CUSTOMER', text: 'pushed to b' });
    const chatsReadBefore = markets.a.count('getChatHistory') + markets.c.count('getChatHistory');
    const res = await notify(deployment.httpPort, {
      notificationType: 'CHAT_MESSAGE_SENT',
      chatId: chatB,
      messageId: String(messageId),
      businessId: 5353,
      sentAt: new Date().toISOString(),
    });
    expect(res.status).toBe(200);
    const topic = await waitFor(() => topicNamed(world, GROUP_ID, '[shop-b] 🔴 Order 222'), 'shop-b topic', 5000);
    await waitFor(() => topicTexts(world.telegram, topic.threadId).some((t) => t.includes('pushed to b')), 'message');
    expect(markets.a.count('getChatHistory') + markets.c.count('getChatHistory')).toBe(chatsReadBefore);
    // A notification for a cabinet this process does not serve goes nowhere.
    const other = await notify(deployment.httpPort, {
      notificationType: 'CHAT_CREATED',
      chatId: 1,
      businessId: 7777,
      createdAt: new Date().toISOString(),
    });
    expect(other.status).toBe(200);
    // A refused request belongs to no cabinet: counted once, without the label.
    const refused = await fetch(`http://127.0.0.1:${deployment.httpPort}/market/notification`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(refused.status).toBe(400);
    const scrape = await (await fetch(`http://127.0.0.1:${deployment.httpPort}/metrics`)).text();
    expect(scrape).toMatch(/^marketgram_notifications_rejected_total\{reason="[^"]+"\} 1$/m);
    expect(scrape.match(/^# TYPE marketgram_notifications_rejected_total/gm)).toHaveLength(1);
    const counted = async (name: string) =>
      (await cabinet(name).parts.metrics.registry.getSingleMetricAsString('marketgram_notifications_total')).match(
        /type="CHAT_\w+"[^}]*\} (\d+)/g,
      ) ?? [];
    expect(await counted('shop-b')).toHaveLength(1);
    expect(await counted('shop-a')).toEqual([]);
    expect(await counted('shop-c')).toEqual([]);
  });

  it('starts with a cabinet whose key is refused already, and serves the others', async () => {
    const world = await startWorld();
    closing.push(() => world.close());
    const file = path.join(world.dataDir, 'cabinets.json');
    await writeFile(
      file,
      JSON.stringify([
        { name: 'good', apiKey: API_KEY, businessId: BUSINESS_ID, chatId: GROUP_ID },
        { name: 'bad', apiKey: 'ACMA:wrong-key-0000000000:000000', businessId: 9999, chatId: GROUP_ID },
      ]),
    );
    const config = loadConfig({ ...world.env, CABINETS_FILE: file });
    const deployment = await startCabinets(config, pino({ level: 'silent' }));
    closing.push(() => deployment.stop(2000));
    expect(deployment.cabinets.map((c) => [c.name, c.failure !== undefined])).toEqual([
      ['good', false],
      ['bad', true],
    ]);
    await waitFor(() => general(world, GROUP_ID).find((t) => t.includes('Cabinet bad stopped')), 'bad reported');
    const chat = world.market.addChat({ contextType: 'ORDER', orderId: 7, customer: { name: 'Ivan' } });
    world.market.addMessage(chat, { sender: 'CUSTOMER', text: 'hi' });
    await waitFor(() => topicNamed(world, GROUP_ID, '[good] 🔴 Order 7'), 'good mirrors');
  });

  it('/chat in a shared group goes to the cabinet it names first, alone; without a name it asks which', async () => {
    const { world, markets } = await startThree();
    const { telegram } = world;
    markets.b.addOrder({ orderId: 456, campaignId: 9, customer: { name: 'Anna' } });
    const ask = (text: string) =>
      telegram.userSends(GROUP_ID, {
        from: OPERATOR,
        text,
        entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/, 1)[0]?.length ?? 0 }],
      });
    const answers = (m: { message_id: number }) =>
      telegram
        .messages(GROUP_ID, { fromBot: true })
        .filter((a) => a.replyToMessageId === m.message_id)
        .map((a) => a.text ?? '');
    const created = (market: FakeMarket) => market.requests.filter((r) => r.operationId === 'createChat').length;

    const bare = ask('/chat 456');
    await waitFor(() => answers(bare).length > 0, 'the answer to /chat without a cabinet');
    expect(answers(bare)).toEqual([
      'This group serves several cabinets (shop-a, shop-b): name the cabinet first, e.g. /chat shop-a ORDER.',
    ]);

    const named = ask('/chat shop-b 456');
    await waitFor(() => answers(named).length > 0, 'the answer to /chat shop-b');
    await new Promise((r) => setTimeout(r, 500));
    expect(answers(named)).toHaveLength(1);
    expect(answers(named)[0]).toContain('order 456');
    expect(created(markets.b)).toBe(1);
    expect(created(markets.a)).toBe(0);
    await waitFor(() => topicNamed(world, GROUP_ID, '456'), 'the topic of order 456');
    expect(topicNamed(world, GROUP_ID, '456')?.name).toMatch(/^\S* ?\[shop-b\]/);
  });
});
