/**
 * Configuration: a zod schema over the environment (and `.env`, loaded by main), producing a typed Config.
 * No singleton: loadConfig(env) is pure, so tests pass their own environment.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { cidrList } from './cidr.ts';

/** A setting that is missing or malformed; the message names the variable and how to fix it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const HINTS: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: 'set it to the token @BotFather gave you, like 123456789:AA...',
  TELEGRAM_CHAT_ID:
    'set it to the forum supergroup id, a negative number starting with -100 (see README, "Finding the chat id")',
  TELEGRAM_API_ROOT: 'leave it unset for https://api.telegram.org, or give a full http(s) URL',
  MARKET_API_KEY: 'create an API key with the "communication" scope in the seller cabinet (Settings → API and modules)',
  MARKET_BUSINESS_ID: 'set it to the cabinet (business) id, a positive integer shown in the seller cabinet URL',
  MARKET_API_URL: 'leave it unset for https://api.partner.market.yandex.ru, or give a full http(s) URL',
  MARKET_POLL_INTERVAL: 'seconds between polls, a whole number of at least 1',
  DATA_DIR: 'a directory the bridge may write its store into',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  BOT_LANGUAGE: 'ru or en',
  BOT_TIMEZONE: 'an IANA time zone such as Europe/Moscow or Asia/Yekaterinburg',
  HISTORY_ON_FIRST_SIGHT: 'how many recent messages to mirror into a new topic for an older chat, 0 to 100',
  TELEGRAM_GROUP_RATE: 'messages per minute the bot may post into the group, 1 to 60',
  TELEGRAM_GLOBAL_RATE: 'messages per second the bot may send overall, 1 to 30',
  TELEGRAM_PACING: 'on or off',
  MARKET_FULL_SYNC_INTERVAL: 'seconds between full sweeps of every chat including finished ones, 0 to disable',
  HTTP_PORT: 'the port of the HTTP listener (notifications, webhook, health, metrics), 0 to 65535',
  HTTP_HOST: 'the address the HTTP listener binds to, e.g. 0.0.0.0 or 127.0.0.1',
  MARKET_NOTIFICATIONS: 'on when API notifications are enabled in the seller cabinet, else off',
  MARKET_NOTIFICATION_PATH: 'a URL path starting with /, ideally with a long random segment',
  MARKET_NOTIFICATION_IPS: 'comma-separated IPs or CIDRs allowed to post notifications, or * for any',
  TRUSTED_PROXIES: 'comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed',
  MARKET_RECONCILE_INTERVAL: 'seconds between safety-net polls while notifications are on, 1 to 86400',
  TELEGRAM_WEBHOOK_URL: 'the public https URL Telegram should post updates to, or empty for long polling',
  TELEGRAM_WEBHOOK_SECRET: '16 to 256 characters of A-Z, a-z, 0-9, _ and -',
  REPLY_UNDO_SECONDS: 'seconds a reply waits with a Cancel button before it goes, 0 (off) to 300',
  OPERATORS:
    "all (anyone in the group), admins (the group's administrators) or comma-separated Telegram user ids like 123456789,987654321",
  ATTACHMENTS_ALLOW_PRIVATE_HOSTS:
    'leave it unset (false) in production; true only when attachments are served from loopback or a private network, as in tests',
};

/** The ranges the Market documents as the source of its notifications. */
export const MARKET_NOTIFICATION_RANGES = ['5.45.207.0/25', '141.8.142.0/25', '5.255.253.0/25'];

const trimmed = z.string().trim();
const required = (name: string) =>
  trimmed.min(1, { error: `${name} is required: ${HINTS[name] ?? ''}` }).transform((s) => s);
const url = (name: string, fallback: string) =>
  trimmed
    .default(fallback)
    .refine(
      (s) => {
        try {
          const u = new URL(s);
          return u.protocol === 'https:' || u.protocol === 'http:';
        } catch {
          return false;
        }
      },
      { error: `${name} must be an http(s) URL: ${HINTS[name] ?? ''}` },
    )
    .transform((s) => s.replace(/\/+$/, ''));
const int = (name: string, fallback: number, min: number, max: number) =>
  trimmed
    .default(String(fallback))
    .refine((s) => /^-?\d+$/.test(s) && Number(s) >= min && Number(s) <= max, {
      error: `${name} must be a whole number from ${min} to ${max}: ${HINTS[name] ?? ''}`,
    })
    .transform(Number);
const onOff = (name: string, fallback: boolean, what = 'on or off', fix?: string) =>
  trimmed
    .toLowerCase()
    .default(fallback ? 'on' : 'off')
    .refine((s) => ['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'].includes(s), {
      error: `${name} must be ${what}${fix !== undefined ? `: ${fix}` : ''}`,
    })
    .transform((s) => ['on', 'true', '1', 'yes'].includes(s));

const schema = z.object({
  TELEGRAM_BOT_TOKEN: required('TELEGRAM_BOT_TOKEN').refine((s) => /^\d+:[\w-]{20,}$/.test(s), {
    error: `TELEGRAM_BOT_TOKEN does not look like a bot token: ${HINTS.TELEGRAM_BOT_TOKEN}`,
  }),
  TELEGRAM_CHAT_ID: required('TELEGRAM_CHAT_ID')
    .refine((s) => /^-100\d{5,}$/.test(s), {
      error: `TELEGRAM_CHAT_ID must be a supergroup id like -1001234567890: ${HINTS.TELEGRAM_CHAT_ID}`,
    })
    .transform(Number),
  TELEGRAM_API_ROOT: url('TELEGRAM_API_ROOT', 'https://api.telegram.org'),
  MARKET_API_KEY: required('MARKET_API_KEY'),
  MARKET_BUSINESS_ID: required('MARKET_BUSINESS_ID')
    .refine((s) => /^\d+$/.test(s) && Number(s) >= 1 && Number.isSafeInteger(Number(s)), {
      error: `MARKET_BUSINESS_ID must be a positive whole number: ${HINTS.MARKET_BUSINESS_ID}`,
    })
    .transform(Number),
  MARKET_API_URL: url('MARKET_API_URL', 'https://api.partner.market.yandex.ru'),
  ATTACHMENTS_ALLOW_PRIVATE_HOSTS: onOff(
    'ATTACHMENTS_ALLOW_PRIVATE_HOSTS',
    false,
    'true or false',
    HINTS.ATTACHMENTS_ALLOW_PRIVATE_HOSTS,
  ),
  MARKET_POLL_INTERVAL: int('MARKET_POLL_INTERVAL', 30, 1, 86_400),
  MARKET_FULL_SYNC_INTERVAL: int('MARKET_FULL_SYNC_INTERVAL', 21_600, 0, 604_800),
  DATA_DIR: trimmed.default('data').refine((s) => s.length > 0, { error: `DATA_DIR must not be empty` }),
  LOG_LEVEL: trimmed
    .toLowerCase()
    .default('info')
    .pipe(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`,
      }),
    ),
  BOT_LANGUAGE: trimmed
    .toLowerCase()
    .default('ru')
    .pipe(z.enum(['ru', 'en'], { error: `BOT_LANGUAGE must be ru or en` })),
  BOT_TIMEZONE: trimmed.default('Europe/Moscow').refine(
    (s) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: s });
        return true;
      } catch {
        return false;
      }
    },
    { error: `BOT_TIMEZONE must be an IANA time zone such as Europe/Moscow` },
  ),
  HISTORY_ON_FIRST_SIGHT: int('HISTORY_ON_FIRST_SIGHT', 20, 0, 100),
  TELEGRAM_PACING: onOff('TELEGRAM_PACING', true),
  TELEGRAM_GROUP_RATE: int('TELEGRAM_GROUP_RATE', 20, 1, 60),
  TELEGRAM_GLOBAL_RATE: int('TELEGRAM_GLOBAL_RATE', 30, 1, 30),
  HTTP_PORT: int('HTTP_PORT', 8080, 0, 65_535),
  HTTP_HOST: trimmed.default('0.0.0.0').refine((s) => isIP(s) !== 0 || s === 'localhost', {
    error: `HTTP_HOST must be an IP address or localhost: ${HINTS.HTTP_HOST}`,
  }),
  MARKET_NOTIFICATIONS: onOff('MARKET_NOTIFICATIONS', false),
  MARKET_NOTIFICATION_PATH: trimmed
    .default('/market/notification')
    .refine((s) => /^\/[A-Za-z0-9._~\-/]*$/.test(s) && !s.includes('//'), {
      error: `MARKET_NOTIFICATION_PATH must be a URL path: ${HINTS.MARKET_NOTIFICATION_PATH}`,
    })
    .transform((s) => (s.length > 1 ? s.replace(/\/+$/, '') : s)),
  MARKET_NOTIFICATION_IPS: trimmed
    .default(MARKET_NOTIFICATION_RANGES.join(','))
    .refine((s) => s === '*' || (cidrList(s)?.length ?? 0) > 0, {
      error: `MARKET_NOTIFICATION_IPS must be ${HINTS.MARKET_NOTIFICATION_IPS}`,
    }),
  TRUSTED_PROXIES: trimmed.default('').refine((s) => s === '' || cidrList(s) !== undefined, {
    error: `TRUSTED_PROXIES must be ${HINTS.TRUSTED_PROXIES}`,
  }),
  REPLY_UNDO_SECONDS: int('REPLY_UNDO_SECONDS', 0, 0, 300),
  OPERATORS: trimmed
    .toLowerCase()
    .default('all')
    .refine((s) => parseOperators(s) !== undefined, { error: `OPERATORS must be ${HINTS.OPERATORS}` })
    .transform((s) => parseOperators(s) ?? { kind: 'all' as const }),
  MARKET_RECONCILE_INTERVAL: int('MARKET_RECONCILE_INTERVAL', 300, 1, 86_400),
  TELEGRAM_WEBHOOK_URL: trimmed.optional().refine(
    (s) => {
      if (s === undefined) return true;
      try {
        const u = new URL(s);
        return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname));
      } catch {
        return false;
      }
    },
    { error: `TELEGRAM_WEBHOOK_URL must be an https URL: ${HINTS.TELEGRAM_WEBHOOK_URL}` },
  ),
  TELEGRAM_WEBHOOK_SECRET: trimmed.optional().refine((s) => s === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(s), {
    error: `TELEGRAM_WEBHOOK_SECRET must be ${HINTS.TELEGRAM_WEBHOOK_SECRET}`,
  }),
});

/** Who may answer buyers: everyone in the group, its administrators, or the listed Telegram user ids. */
export type OperatorsSetting = { kind: 'all' } | { kind: 'admins' } | { kind: 'ids'; ids: number[] };

/** Reads the OPERATORS setting; undefined when it is none of all, admins or a list of positive user ids. */
export function parseOperators(s: string): OperatorsSetting | undefined {
  if (s === 'all') return { kind: 'all' };
  if (s === 'admins') return { kind: 'admins' };
  const items = s.split(',').map((x) => x.trim());
  const ids = items.filter(Boolean).map(Number);
  const valid =
    items.every((x) => x === '' || /^\d{1,16}$/.test(x)) && ids.every((n) => n > 0 && Number.isSafeInteger(n));
  return valid && ids.length > 0 ? { kind: 'ids', ids: [...new Set(ids)] } : undefined;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

export interface Config {
  telegram: {
    token: string;
    chatId: number;
    apiRoot: string;
    /** Webhook mode when set; long polling otherwise. */
    webhook?: { url: string; secret: string };
    /** Pace sends to the limits below instead of running into 429s. */
    pacing: boolean;
    groupPerMinute: number;
    globalPerSecond: number;
  };
  market: {
    apiKey: string;
    businessId: number;
    apiUrl: string;
    pollIntervalMs: number;
    /** 0 disables the periodic sweep over every chat (finished ones too). */
    fullSyncIntervalMs: number;
    /** Push notifications are expected: polling becomes a slow safety net. */
    notifications: boolean;
    /** Poll interval while notifications are on. */
    reconcileIntervalMs: number;
    notificationPath: string;
    /** undefined: any source may post notifications. */
    notificationAllow?: string[];
    /**
     * Attachment URLs on hosts other than `apiUrl` may point at loopback, private and link-local
     * addresses. Off in production: such URLs come from buyers' messages.
     */
    attachmentsAllowPrivateHosts: boolean;
  };
  http: {
    port: number;
    host: string;
    trustedProxies: string[];
  };
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  language: 'ru' | 'en';
  /** IANA time zone for times the bot tells operators. */
  timeZone: string;
  /** Seconds a reply waits with a Cancel button; 0 sends at once. */
  undoSeconds: number;
  /** Who may answer buyers (OPERATORS). */
  operators: OperatorsSetting;
  /** Recent messages mirrored into a new topic for a chat that existed before the bridge first saw it. */
  historyOnFirstSight: number;
}

function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Validates the environment. Throws ConfigError listing every problem, each naming its variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  ) as Record<string, string | undefined>;
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      if (issue.code === 'invalid_type' && cleaned[key] === undefined) {
        return `${key} is required: ${HINTS[key] ?? ''}`;
      }
      return issue.message.startsWith(key) ? issue.message : `${key}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError([
      `TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set: ${HINTS.TELEGRAM_WEBHOOK_SECRET}`,
    ]);
  }
  if (e.TELEGRAM_WEBHOOK_URL) {
    const hook = new URL(e.TELEGRAM_WEBHOOK_URL).pathname.replace(/\/+$/, '') || '/';
    const n = e.MARKET_NOTIFICATION_PATH;
    const taken = [n, `${n === '/' ? '' : n}/notification`, '/healthz', '/readyz', '/metrics'];
    if (taken.includes(hook)) {
      throw new ConfigError([
        `TELEGRAM_WEBHOOK_URL: its path ${hook} is already used by the notification endpoint or health/metrics; give the webhook a path of its own (e.g. /telegram/<random>)`,
      ]);
    }
  }
  return {
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      chatId: e.TELEGRAM_CHAT_ID,
      apiRoot: e.TELEGRAM_API_ROOT,
      webhook: e.TELEGRAM_WEBHOOK_URL
        ? { url: e.TELEGRAM_WEBHOOK_URL, secret: e.TELEGRAM_WEBHOOK_SECRET ?? '' }
        : undefined,
      pacing: e.TELEGRAM_PACING,
      groupPerMinute: e.TELEGRAM_GROUP_RATE,
      globalPerSecond: e.TELEGRAM_GLOBAL_RATE,
    },
    market: {
      apiKey: e.MARKET_API_KEY,
      businessId: e.MARKET_BUSINESS_ID,
      apiUrl: e.MARKET_API_URL,
      pollIntervalMs: e.MARKET_POLL_INTERVAL * 1000,
      fullSyncIntervalMs: e.MARKET_FULL_SYNC_INTERVAL * 1000,
      notifications: e.MARKET_NOTIFICATIONS,
      reconcileIntervalMs: e.MARKET_RECONCILE_INTERVAL * 1000,
      notificationPath: e.MARKET_NOTIFICATION_PATH,
      notificationAllow: e.MARKET_NOTIFICATION_IPS === '*' ? undefined : splitList(e.MARKET_NOTIFICATION_IPS),
      attachmentsAllowPrivateHosts: e.ATTACHMENTS_ALLOW_PRIVATE_HOSTS,
    },
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST, trustedProxies: splitList(e.TRUSTED_PROXIES) },
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    language: e.BOT_LANGUAGE,
    timeZone: e.BOT_TIMEZONE,
    undoSeconds: e.REPLY_UNDO_SECONDS,
    operators: e.OPERATORS,
    historyOnFirstSight: e.HISTORY_ON_FIRST_SIGHT,
  };
}
