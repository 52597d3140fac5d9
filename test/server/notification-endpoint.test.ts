import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'node:http';
import {
  keepAliveAgent,
  rawExchange,
  send,
  startNotificationServer,
  type NotificationServer,
} from './notification-harness.ts';

let srv: NotificationServer;
let agent: Agent;
beforeAll(async () => {
  srv = await startNotificationServer();
  agent = keepAliveAgent();
});
afterAll(async () => {
  agent.destroy();
  await srv.close();
});

describe('notification endpoint edge cases', () => {
  it('refuses a body that is not valid UTF-8 instead of replacing the bad bytes', async () => {
    const body = Buffer.concat([Buffer.from('{"notificationType":"PI'), Buffer.from([0xff]), Buffer.from('NG"}')]);
    const res = await send(srv.port, agent, {
      method: 'POST',
      path: '/market/notification',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { type: 'WRONG_EVENT_FORMAT' } });
    expect(srv.received).toHaveLength(0);
  });

  it('routes on the path as sent, so "//host/path" is not the notification endpoint', async () => {
    const answer = await rawExchange(srv.port, {
      chunks: [
        'POST //evil.example/market/notification HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"notificationType":"PING"}',
      ],
    });
    expect(answer.responses[0]?.status).toBe(404);
    expect(srv.received).toHaveLength(0);
  });

  it('accepts date-times with more than nine fractional digits', async () => {
    const res = await send(srv.port, agent, {
      method: 'POST',
      path: '/market/notification',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notificationType: 'PING', time: '2025-01-16T10:09:49.7590840170123Z' }),
    });
    expect(res.status).toBe(200);
  });

  it('answers an oversized header section with 431', async () => {
    const answer = await rawExchange(srv.port, {
      chunks: [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    });
    expect(answer.responses[0]?.status).toBe(431);
  });
});
