/**
 * What an attachment URL from a buyer's message can make the Market client do: how many downloads run
 * at once and how much they hold in memory, and which addresses they may connect to. Real `node:http`
 * servers on 127.0.0.1:0; the refusal of private addresses is on unless a test turns it off.
 */
import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { marketChatId } from '../../src/bridge/ids.ts';
import { FatalError } from '../../src/bridge/ports.ts';
import { isPrivateAddress } from '../../src/market/address-guard.ts';
import { MarketClient, type MarketClientOptions } from '../../src/market/client.ts';
import { MarketAttachmentHostRefusedError, MarketAttachmentTooLargeError } from '../../src/market/errors.ts';
import { json, useServers, type Handler } from './http-server.ts';

const { serve, keep } = useServers();

function makeClient(baseUrl: string, options: Partial<MarketClientOptions> = {}) {
  const rawLogs: string[] = [];
  const sleeps: number[] = [];
  const client = new MarketClient({
    baseUrl,
    apiKey: 'ACMA:I4c4CxCSYaI41RSC2uYWP2qj3Rhhm4knMiBEga5K:151c0664',
    businessId: 42,
    logger: pino({ level: 'debug' }, { write: (line: string) => void rawLogs.push(line) }),
    integration: 'marketgram/test',
    requestTimeoutMs: 5_000,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  keep(client);
  const logs = () => rawLogs.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { client, logs, sleeps };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

const ok = (result: unknown) => ({ status: 'OK', result });
const chatDto = {
  chatId: 7,
  orderId: 456,
  context: { type: 'ORDER', customer: { name: 'Ivan', publicId: 'abc' }, campaignId: 789, orderId: 456 },
  type: 'CHAT',
  status: 'WAITING_FOR_PARTNER',
  createdAt: '2025-01-01T10:00:00+03:00',
  updatedAt: '2025-01-01T10:00:00+03:00',
};

/** A full garbage collection, so `arrayBuffers` counts only what is still held. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('attachment downloads at once', () => {
  it('runs at most 2 downloads at once across hosts and keeps the buffered bytes near 2 × the cap', async () => {
    const CAP = 4 * 1024 * 1024;
    const COUNT = 8;
    const chunk = Buffer.alloc(64 * 1024, 1);
    let inFlight = 0;
    let maxInFlight = 0;
    let arrived = 0;
    let allArrived: () => void = () => undefined;
    const everyoneHere = new Promise<void>((resolve) => (allArrived = resolve));
    // Sends just under the cap, holds it there (until every download has started, or 300 ms), then
    // goes past it: a client that runs them all at once holds COUNT × CAP at the same moment.
    const oversized: Handler = async (_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once('close', () => inFlight--);
      if (++arrived === COUNT) allArrived();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const write = async (bytes: number) => {
        for (let sent = 0; sent < bytes && !res.destroyed; sent += chunk.length) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        }
      };
      await write(CAP - chunk.length);
      await Promise.race([everyoneHere, new Promise((r) => setTimeout(r, 300))]);
      await write(4 * chunk.length);
      res.end();
    };
    const hostA = await serve(oversized);
    const hostB = await serve(oversized);
    const market = await serve((_req, res) => json(res, 200, ok(chatDto)));
    const { client } = makeClient(market.url, { allowPrivateAttachmentHosts: true });

    const gc = collector();
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    }, 20);
    let results: PromiseSettledResult<unknown>[];
    try {
      const downloads = Promise.allSettled(
        Array.from({ length: COUNT }, (_, i) =>
          client.downloadAttachment(`${(i % 2 === 0 ? hostA : hostB).url}/files/${i}`, CAP),
        ),
      );
      // The Market's own request slots are not taken by downloads from other hosts.
      await expect(client.getChat(marketChatId(7))).resolves.toMatchObject({ id: 7 });
      results = await downloads;
    } finally {
      clearInterval(sampler);
    }

    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(MarketAttachmentTooLargeError);
    }
    expect(arrived).toBe(COUNT);
    expect(peak).toBeLessThan(3 * CAP);
    expect(maxInFlight).toBe(2);
  });
});

describe('attachment hosts', () => {
  it('refuses a loopback IP that is not the Market origin without requesting it or retrying', async () => {
    const market = await serve((_req, res) => json(res, 200, ok({})));
    const foreign = await serve((_req, res) => void res.end('secret page'));
    const { client, logs, sleeps } = makeClient(market.url);

    const err = await rejectionOf(client.downloadAttachment(`${foreign.url}/admin?sig=s3cr3t`, 1_000));

    expect(err).toBeInstanceOf(MarketAttachmentHostRefusedError);
    expect((err as MarketAttachmentHostRefusedError).code).toBe('MARKET_ATTACHMENT_HOST_REFUSED');
    expect((err as MarketAttachmentHostRefusedError).host).toBe(new URL(foreign.url).host);
    expect(err).not.toBeInstanceOf(FatalError);
    expect(foreign.requests).toHaveLength(0);
    expect(sleeps).toEqual([]);
    const warning = logs().find((l) => l.msg === 'attachment host refused');
    expect(warning).toMatchObject({ level: 40, host: new URL(foreign.url).host });
    expect(JSON.stringify(logs())).not.toContain('s3cr3t');
  });

  it('refuses a host name that resolves to a loopback address', async () => {
    const market = await serve((_req, res) => json(res, 200, ok({})));
    const foreign = await serve((_req, res) => void res.end('secret page'));
    const { client } = makeClient(market.url);

    const err = await rejectionOf(client.downloadAttachment(`http://localhost:${new URL(foreign.url).port}/x`, 1_000));

    expect(err).toBeInstanceOf(MarketAttachmentHostRefusedError);
    expect(['127.0.0.1', '::1']).toContain((err as MarketAttachmentHostRefusedError).address);
    expect(foreign.requests).toHaveLength(0);
  });

  it('refuses IPv4-mapped and IPv6 loopback literals', async () => {
    const market = await serve((_req, res) => json(res, 200, ok({})));
    const foreign = await serve((_req, res) => void res.end('secret page'));
    const port = new URL(foreign.url).port;
    const { client } = makeClient(market.url);

    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '0.0.0.0']) {
      const err = await rejectionOf(client.downloadAttachment(`http://${host}:${port}/x`, 1_000));
      expect(err, host).toBeInstanceOf(MarketAttachmentHostRefusedError);
    }
    expect(foreign.requests).toHaveLength(0);
  });

  it('follows the Market origin (configured by the operator) but refuses its redirect to a private host', async () => {
    const foreign = await serve((_req, res) => void res.end('secret page'));
    const foreignPort = new URL(foreign.url).port;
    const market = await serve((req, res: ServerResponse) => {
      if (req.url === '/files/1') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('from the Market');
      } else {
        res.writeHead(302, { location: `http://localhost:${foreignPort}/internal` });
        res.end();
      }
    });
    const { client } = makeClient(market.url);

    const file = await client.downloadAttachment(`${market.url}/files/1`, 1_000);
    expect(Buffer.from(file.data).toString()).toBe('from the Market');

    const err = await rejectionOf(client.downloadAttachment(`${market.url}/files/2`, 1_000));
    expect(err).toBeInstanceOf(MarketAttachmentHostRefusedError);
    expect(foreign.requests).toHaveLength(0);
  });

  it('downloads from a private host only when allowPrivateAttachmentHosts is set', async () => {
    const market = await serve((_req, res) => json(res, 200, ok({})));
    const foreign = await serve((_req, res) => void res.end('lan file'));
    const url = `http://localhost:${new URL(foreign.url).port}/x`;
    const guarded = makeClient(market.url).client;
    const open = makeClient(market.url, { allowPrivateAttachmentHosts: true }).client;

    await expect(guarded.downloadAttachment(url, 1_000)).rejects.toBeInstanceOf(MarketAttachmentHostRefusedError);
    const file = await open.downloadAttachment(url, 1_000);

    expect(Buffer.from(file.data).toString()).toBe('lan file');
    expect(foreign.requests).toHaveLength(1);
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.254',
    '0.0.0.0',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'febf::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '::ffff:192.168.0.1',
  ])('refuses %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2a02:6b8::1', '::ffff:8.8.8.8', 'example.com'])(
    'allows %s',
    (ip) => {
      expect(isPrivateAddress(ip)).toBe(false);
    },
  );
});
