import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MARKET_NOTIFICATION_RANGES } from '../../src/config.ts';
import { AddressList, clientAddress } from '../../src/server/access.ts';

function req(peer: string, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('AddressList', () => {
  const market = new AddressList(MARKET_NOTIFICATION_RANGES);

  it('accepts addresses inside the Market ranges and refuses others', () => {
    expect(market.has('5.45.207.0')).toBe(true);
    expect(market.has('5.45.207.127')).toBe(true);
    expect(market.has('5.45.207.128')).toBe(false);
    expect(market.has('141.8.142.64')).toBe(true);
    expect(market.has('5.255.253.1')).toBe(true);
    expect(market.has('8.8.8.8')).toBe(false);
  });

  it('understands IPv4-mapped IPv6 peers and IPv6 ranges', () => {
    expect(market.has('::ffff:5.45.207.10')).toBe(true);
    const v6 = new AddressList(['2a02:6b8::/32', '::1']);
    expect(v6.has('2a02:6b8:c0b::1')).toBe(true);
    expect(v6.has('::1')).toBe(true);
    expect(v6.has('2001:db8::1')).toBe(false);
  });

  it('refuses garbage', () => {
    expect(market.has('not-an-ip')).toBe(false);
    expect(market.has('')).toBe(false);
  });
});

describe('clientAddress', () => {
  const proxies = new AddressList(['127.0.0.1', '10.0.0.0/8']);

  it('uses the socket peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress(req('203.0.113.9', '5.45.207.1'), new AddressList([]))).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientAddress(req('203.0.113.9', '5.45.207.1'), proxies)).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop behind trusted proxies', () => {
    expect(clientAddress(req('127.0.0.1', '1.1.1.1, 5.45.207.5, 10.1.2.3'), proxies)).toBe('5.45.207.5');
    expect(clientAddress(req('::ffff:127.0.0.1', '5.45.207.5'), proxies)).toBe('5.45.207.5');
  });

  it('falls back to the peer when the header is malformed', () => {
    expect(clientAddress(req('127.0.0.1', 'garbage'), proxies)).toBe('127.0.0.1');
  });
});
