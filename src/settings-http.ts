/**
 * The settings table's last section: the HTTP listener and what it serves (Market notifications, the Telegram
 * webhook, health and metrics). settings.ts puts these rows at the end of SETTINGS.
 */
import { isIP } from 'node:net';
import { cidrList } from './cidr.ts';
import { int, flag, publicUrlOrUnset, splitList, trimmed, type Setting } from './setting-readers.ts';

/** The ranges the Market documents as the source of its notifications. */
export const MARKET_NOTIFICATION_RANGES = ['5.45.207.0/25', '141.8.142.0/25', '5.255.253.0/25'];

/** The HTTP listener's settings, in the order of docs/configuration.md. */
export const HTTP_SETTINGS = {
  HTTP_PORT: {
    default: '8080',
    hint: 'the port of the HTTP listener (notifications, webhook, health, metrics), 0 to 65535',
    doc: 'The port of the HTTP listener',
    schema: int(0, 65_535),
  },
  HTTP_HOST: {
    default: '0.0.0.0',
    hint: 'the address the HTTP listener binds to, e.g. 0.0.0.0 or 127.0.0.1',
    doc: 'The address the listener binds to',
    schema: (name, hint) =>
      trimmed.refine((s) => isIP(s) !== 0 || s === 'localhost', {
        error: `${name} must be an IP address or localhost: ${hint}`,
      }),
  },
  MARKET_NOTIFICATIONS: {
    default: 'off',
    hint: 'on when API notifications are enabled in the seller cabinet, else off',
    doc: '`on` once API notifications are enabled in the seller cabinet',
    schema: flag(),
  },
  MARKET_NOTIFICATION_PATH: {
    default: '/market/notification',
    hint: 'a URL path starting with /, ideally with a long random segment',
    doc: 'The URL path of the notification endpoint.',
    schema: (name, hint) =>
      trimmed
        .refine((s) => /^\/[A-Za-z0-9._~\-/]*$/.test(s) && !s.includes('//'), {
          error: `${name} must be a URL path: ${hint}`,
        })
        .transform((s) => (s.length > 1 ? s.replace(/\/+$/, '') : s)),
  },
  MARKET_NOTIFICATION_URL: {
    hint: 'the public https URL of the notification endpoint, as entered in the seller cabinet, or empty',
    doc: 'The public `https://` URL of the notification endpoint, as entered in the seller cabinet.',
    schema: publicUrlOrUnset,
  },
  MARKET_NOTIFICATION_IPS: {
    default: MARKET_NOTIFICATION_RANGES.join(','),
    hint: 'comma-separated IPs or CIDRs allowed to post notifications, or * for any',
    doc: 'Comma-separated IPv4 or IPv6 addresses and CIDR ranges that may post notifications',
    schema: (name, hint) =>
      trimmed
        .refine((s) => s === '*' || (cidrList(s)?.length ?? 0) > 0, { error: `${name} must be ${hint}` })
        .transform((s) => (s === '*' ? undefined : splitList(s))),
  },
  TRUSTED_PROXIES: {
    default: '',
    hint: 'comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed',
    doc: 'Comma-separated addresses and CIDR ranges of reverse proxies.',
    schema: (name, hint) =>
      trimmed
        .refine((s) => s === '' || cidrList(s) !== undefined, { error: `${name} must be ${hint}` })
        .transform(splitList),
  },
  MARKET_RECONCILE_INTERVAL: {
    default: '300',
    hint: 'seconds between safety-net polls while notifications are on, 1 to 86400',
    doc: 'With `MARKET_NOTIFICATIONS=on`: seconds between the safety-net polls',
    schema: int(1, 86_400),
  },
  TELEGRAM_WEBHOOK_URL: {
    hint: 'the public https URL Telegram should post updates to, or empty for long polling',
    doc: 'The public `https://` URL Telegram posts updates to.',
    schema: publicUrlOrUnset,
  },
  TELEGRAM_WEBHOOK_SECRET: {
    hint: '16 to 256 characters of A-Z, a-z, 0-9, _ and -',
    doc: '16–256 characters of `A-Z`, `a-z`, `0-9`, `_` and `-`.',
    schema: (name, hint) =>
      trimmed.optional().refine((s) => s === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(s), {
        error: `${name} must be ${hint}`,
      }),
  },
} as const satisfies Record<string, Setting>;
