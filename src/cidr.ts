/**
 * IP and CIDR lists as written in settings (MARKET_NOTIFICATION_IPS, TRUSTED_PROXIES): read by the
 * configuration to validate them and by the HTTP side to build its allow-lists.
 */
import { isIP } from 'node:net';

/** An IP or CIDR list as [address, prefix, family] triples; undefined if any entry is malformed. */
export function cidrList(s: string): Array<{ address: string; prefix: number; family: 'ipv4' | 'ipv6' }> | undefined {
  const out: Array<{ address: string; prefix: number; family: 'ipv4' | 'ipv6' }> = [];
  for (const raw of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [address = '', prefixText] = raw.split('/');
    const version = isIP(address);
    if (version === 0) return undefined;
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max ||
      (prefixText !== undefined && !/^\d+$/.test(prefixText))
    ) {
      return undefined;
    }
    out.push({ address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' });
  }
  return out;
}
