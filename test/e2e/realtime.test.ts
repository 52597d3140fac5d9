import { describe, expect, it } from 'vitest';
import {
  BUSINESS_ID,
  GROUP_ID,
  OPERATOR,
  freePort,
  mirroredBodies,
  notify,
  topicFor,
  topicTexts,
  waitFor,
  type World,
} from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

/** Notifications on, with a reconciling poll far away so only notifications can explain a quick mirror. */
const PUSH = { MARKET_NOTIFICATIONS: 'on', MARKET_RECONCILE_INTERVAL: '3600' };

const messageSent = (chatId: number, messageId: number) => ({
  notificationType: 'CHAT_MESSAGE_SENT',
  chatId,
  messageId: String(messageId),
  businessId: BUSINESS_ID,
  sentAt: new Date().toISOString(),
});

describe('Market push notifications, end to end', () => {
  it('acknowledges a notification with the spec response and puts the message in its topic', async () => {
    const { market, telegram } = world;
    const app = await world.start(PUSH);
    await waitFor(() => app.poller.rounds >= 1, 'first poll');
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 31, customer: { name: 'Ivan' } });
    const created = await notify(app.httpPort, {
      notificationType: 'CHAT_CREATED',
      chatId,
      businessId: BUSINESS_ID,
      createdAt: new Date().toISOString(),
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      version: expect.any(String) as string,
      name: 'marketgram',
      time: expect.any(String) as string,
    });
    const messageId = market.addMessage(chatId, { sender: 'CUSTOMER', text: 'pushed' });
    const res = await notify(app.httpPort, messageSent(chatId, messageId), '/market/notification/notification');
    expect(res.status).toBe(200);
    const topic = await waitFor(() => topicFor(telegram, 'Order 31'), 'topic', 5000);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).includes('pushed'), 'message', 5000);
    expect(market.count('getChats')).toBe(1 + 1); // the first round, and the start-up check
  });

  it('turns duplicate and out-of-order notifications into one copy of each message, in order', async () => {
    const { market, telegram } = world;
    const app = await world.start(PUSH);
    await waitFor(() => app.poller.rounds >= 1, 'first poll');
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 32 });
    const ids = ['one', 'two', 'three', 'four'].map((text) => market.addMessage(chatId, { sender: 'CUSTOMER', text }));
    const bodies = [ids[3], ids[1], ids[1], ids[0], ids[2], ids[3], ids[0]].map((id) => messageSent(chatId, id!));
    const answers = await Promise.all(bodies.map((b) => notify(app.httpPort, b)));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
    const topic = await waitFor(() => topicFor(telegram, 'Order 32'), 'topic', 5000);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length === 4, 'four messages', 5000);
    await new Promise((r) => setTimeout(r, 500));
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(['one', 'two', 'three', 'four']);
    // A burst for one chat costs about one history read per sync, not one per notification.
    expect(market.count('getChatHistory')).toBeLessThanOrEqual(3);
  });

  it('spends one history read on notifications that trail behind messages it already mirrored', async () => {
    const { market, telegram } = world;
    const app = await world.start(PUSH);
    await waitFor(() => app.poller.rounds >= 1, 'first poll');
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 34 });
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    const ids = lines.map((text) => market.addMessage(chatId, { sender: 'CUSTOMER', text }));
    const readsBefore = market.count('getChatHistory');
    for (const id of ids) {
      expect((await notify(app.httpPort, messageSent(chatId, id))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 30));
    }
    const topic = await waitFor(() => topicFor(telegram, 'Order 34'), 'topic', 5000);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length === 10, 'ten messages', 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(lines);
    expect(market.count('getChatHistory') - readsBefore).toBe(1);
  });

  it('picks up a message whose notification was lost at the next reconciling poll', async () => {
    const { market, telegram } = world;
    await world.start({ MARKET_NOTIFICATIONS: 'on', MARKET_RECONCILE_INTERVAL: '1' });
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 33 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'never announced' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 33'), 'topic', 10_000);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).includes('never announced'), 'message', 10_000);
  });

  it('refuses a body that is not a notification with 400 WRONG_EVENT_FORMAT and keeps serving', async () => {
    const app = await world.start(PUSH);
    for (const bad of [
      '{"notificationType":',
      '[]',
      '{"chatId":1}',
      { notificationType: 'CHAT_CREATED', chatId: 'x' },
    ]) {
      const res = await notify(app.httpPort, bad);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { type: 'WRONG_EVENT_FORMAT', message: expect.any(String) as string } });
    }
    const ping = await notify(app.httpPort, { notificationType: 'PING', time: new Date().toISOString() });
    expect(ping.status).toBe(200);
  });

  it('answers a PING within its one-second deadline while a burst of notifications is being handled', async () => {
    const { market, telegram } = world;
    const port = await freePort();
    // The bridge in a process of its own, as in production; the fakes stay in this one.
    world.spawn({ ...PUSH, HTTP_PORT: String(port) });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok,
      'start',
      20_000,
    );
    const chats = Array.from({ length: 20 }, (_, i) => market.addChat({ contextType: 'ORDER', orderId: 3400 + i }));
    const burst = chats.flatMap((chatId) =>
      Array.from({ length: 10 }, (_, j) => {
        const id = market.addMessage(chatId, { sender: 'CUSTOMER', text: `b${j}` });
        return notify(port, messageSent(chatId, id));
      }),
    );
    const ping = await notify(port, { notificationType: 'PING', time: '2025-01-16T10:09:49.759084017Z' });
    const results = await Promise.all(burst);
    expect(ping.status).toBe(200);
    expect(ping.ms).toBeLessThan(1000);
    expect(results.every((r) => r.status === 200)).toBe(true);
    await waitFor(() => telegram.topics(GROUP_ID).length === 20, 'all topics', 20_000);
  });

  it('refuses notifications from addresses outside the allow-list', async () => {
    const app = await world.start({ ...PUSH, MARKET_NOTIFICATION_IPS: '5.45.207.0/25' });
    const res = await notify(app.httpPort, { notificationType: 'PING', time: new Date().toISOString() });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { type: 'UNKNOWN' } });
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const app = await world.start({ ...PUSH, MARKET_NOTIFICATION_IPS: '5.45.207.0/25', TRUSTED_PROXIES: '127.0.0.1' });
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/market/notification`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '5.45.207.17' },
      body: JSON.stringify({ notificationType: 'PING', time: new Date().toISOString() }),
    });
    expect(res.status).toBe(200);
  });
});

describe('health, metrics and /status, end to end', () => {
  it('serves liveness, readiness and Prometheus metrics', async () => {
    const { market, telegram } = world;
    const app = await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 35 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'count me' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 35'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'message');
    const base = `http://127.0.0.1:${app.httpPort}`;
    expect(await fetch(`${base}/healthz`).then((r) => r.json())).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { store: { ok: true }, telegram: { ok: true }, market: { ok: true }, intake: { ok: true } },
      chats: 1,
    });
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/marketgram_messages_mirrored_total\{sender="CUSTOMER"\} 1/);
    expect(metrics).toMatch(/marketgram_market_quota_remaining\{operation="getChatHistory"\} \d+/);
    expect(metrics).toMatch(/marketgram_queue_tasks \d+/);
    expect(metrics).toMatch(/marketgram_messages_backlog \d+/);
    expect(metrics).toMatch(/marketgram_telegram_queue\{lane="operator"\} \d+/);
    expect(metrics).toMatch(/marketgram_mirror_latency_seconds_bucket/);
  });

  it('answers 404, 405 and 413 with a JSON reason', async () => {
    const app = await world.start();
    const base = `http://127.0.0.1:${app.httpPort}`;
    const notFound = await fetch(`${base}/nope`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: 'not found' });
    const wrongMethod = await fetch(`${base}/market/notification`);
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toEqual({ error: 'method not allowed' });
    const huge = await notify(app.httpPort, JSON.stringify({ notificationType: 'PING', pad: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    const wrongType = await fetch(`${base}/market/notification`, { method: 'POST', body: 'hi' });
    expect(wrongType.status).toBe(415);
  });

  it('shows the health summary to operators with /status', async () => {
    const { telegram } = world;
    await world.start();
    const cmd = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      text: '/status',
      entities: [{ type: 'bot_command', offset: 0, length: 7 }],
    });
    const answer = await waitFor(
      // The desk's board is posted into General at start too.
      () =>
        telegram
          .messages(GROUP_ID, { fromBot: true })
          .find((m) => m.message_id > cmd.message_id && !m.text?.startsWith('📋')),
      'status answer',
    );
    expect(answer.text).toMatch(/marketgram is healthy|marketgram has problems/);
    expect(answer.text).toMatch(/Telegram/);
    expect(answer.threadId).toBeUndefined();
  });
});

describe('Telegram webhook mode, end to end', () => {
  it('receives updates through the webhook and refuses requests without the secret', async () => {
    const { market, telegram } = world;
    const port = await freePort();
    const secret = 'S3cret_token-for-tests';
    const app = await world.start({
      HTTP_PORT: String(port),
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
      TELEGRAM_WEBHOOK_SECRET: secret,
    });
    expect(app.httpPort).toBe(port);
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 36 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 36'), 'topic');
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'via webhook' });
    await waitFor(() => market.sent.some((s) => s.text === 'via webhook'), 'reply through the webhook');
    await waitFor(() => (telegram.message(GROUP_ID, msg.message_id)?.reactions ?? []).length > 0, 'reaction');
    const forged = await fetch(`http://127.0.0.1:${port}/telegram/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong-secret-xxxxxxx' },
      body: JSON.stringify({ update_id: 1, message: { text: 'forged' } }),
    });
    expect(forged.status).toBe(401);
    expect(market.sent.map((s) => s.text)).toEqual(['via webhook']);
  });

  it('loses no update when switching from long polling to the webhook and back', async () => {
    const { market, telegram } = world;
    const polling = await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 37 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hi' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 37'), 'topic');
    await polling.stop();
    // Written while nothing runs: waits at Telegram.
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'while down 1' });
    const port = await freePort();
    const webhook = await world.start({
      HTTP_PORT: String(port),
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
      TELEGRAM_WEBHOOK_SECRET: 'another_secret_value_1234',
    });
    await waitFor(() => market.sent.some((s) => s.text === 'while down 1'), 'first reply via webhook');
    await webhook.stop();
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'while down 2' });
    await world.start();
    await waitFor(() => market.sent.some((s) => s.text === 'while down 2'), 'second reply via polling');
    expect(market.sent.map((s) => s.text)).toEqual(['while down 1', 'while down 2']);
  });
});
