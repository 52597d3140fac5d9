/**
 * Who may post Market notifications: an allow-list of IPs and CIDRs (the Market's documented ranges by
 * default), matched against the connection's peer, or against X-Forwarded-For only when the peer is a
 * configured trusted proxy. Built on node:net's BlockList.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { cidrList } from '../cidr.ts';

export class AddressList {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** `entries` are IPs or CIDRs (already validated by the config). */
  constructor(entries: readonly string[]) {
    const parsed = cidrList(entries.join(',')) ?? [];
    for (const { address, prefix, family } of parsed) this.list.addSubnet(address, prefix, family);
    this.empty = parsed.length === 0;
  }

  has(ip: string): boolean {
    const plain = unmapped(ip);
    const version = isIP(plain);
    if (version === 0) return false;
    return this.list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
  }
}

/** "::ffff:1.2.3.4" (an IPv4 peer on a dual-stack socket) → "1.2.3.4". */
function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

/**
 * The address of the client: the socket peer, or — when the peer is a trusted proxy — the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy.
 */
export function clientAddress(req: IncomingMessage, trusted: AddressList): string {
  const peer = unmapped(req.socket.remoteAddress ?? '');
  if (trusted.empty || !trusted.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => unmapped(h.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (isIP(hop) === 0) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}
