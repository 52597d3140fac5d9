/**
 * Which addresses attachment downloads may connect to. Attachment URLs come from buyers' messages, so
 * a URL pointing at this host or its network (loopback, private, link-local, CGNAT, unspecified, and
 * the IPv4-mapped IPv6 forms of those) is refused. The check sits on the connection itself — a
 * `lookup` that vets every address DNS returns, and a connector that vets literal IPs — so it holds
 * after DNS resolution, on every redirect, and when a name is re-pointed between requests.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { buildConnector } from 'undici';

const IPV4_RANGES: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
];

const IPV6_RANGES: ReadonlyArray<readonly [string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
];

const blocked = new BlockList();
for (const [address, prefix] of IPV4_RANGES) {
  blocked.addSubnet(address, prefix, 'ipv4');
  // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d.
  blocked.addSubnet(`::ffff:${address}`, 96 + prefix, 'ipv6');
}
for (const [address, prefix] of IPV6_RANGES) blocked.addSubnet(address, prefix, 'ipv6');

/** True for an IP literal in a refused range; false for public addresses and for anything that is not an IP. */
export function isPrivateAddress(ip: string): boolean {
  const version = isIP(ip);
  if (version === 0) return false;
  try {
    return blocked.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return true; // an IP literal BlockList cannot read (e.g. with a zone id) is not trusted
  }
}

/** A connection to a refused address was not opened. `code` is stable; the host is the URL's, without path or query. */
export class PrivateAddressError extends Error {
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, a loopback, private or link-local address`);
    this.name = 'PrivateAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `dns.lookup` that fails with `PrivateAddressError` when any resolved address is in a refused range. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, options.all ? [] : '');
      return;
    }
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused !== undefined) {
      callback(new PrivateAddressError(hostname, refused.address), options.all ? [] : '');
      return;
    }
    if (options.all) {
      callback(null, addresses);
      return;
    }
    const first = addresses[0];
    if (first === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      return;
    }
    callback(null, first.address, first.family);
  });
}

/**
 * An undici connector that refuses private addresses: literal IPs before connecting, names through
 * `guardedLookup`. `options` are undici's usual connect options (timeout, ...).
 */
export function guardedConnector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup });
  return (opts, callback) => {
    if (isPrivateAddress(opts.hostname)) {
      callback(new PrivateAddressError(opts.hostname, opts.hostname), null);
      return;
    }
    connect(opts, callback);
  };
}
