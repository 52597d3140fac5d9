/**
 * The settings table: every environment variable marketgram reads, with its default, the hint that ends
 * every message about it, the line its description in docs/configuration.md begins with, and the zod schema
 * that reads it. config.ts turns the values into a Config; test/config-docs.test.ts checks the docs and
 * .env.example against this table.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { cidrList } from './cidr.ts';
import { parseWorkHours, WorkHoursError } from './desk/work-hours.ts';
import {
  DOMAIN,
  flag,
  httpUrl,
  int,
  isTimeZone,
  oneOf,
  parseOperators,
  publicUrlOrUnset,
  required,
  splitList,
  timeOfDayOrOff,
  trimmed,
} from './setting-readers.ts';

export { parseOperators, type OperatorsSetting } from './setting-readers.ts';

/** One row of the settings table. */
export interface Setting {
  /** The value when unset, as written in the environment; none for a required setting or a mode left off. */
  default?: string;
  required?: true;
  /** What to write: ends every message about a missing or malformed value. */
  hint: string;
  /** How the setting's description in docs/configuration.md begins. */
  doc: string;
  /** Reads the trimmed-or-not text (or undefined when unset without a default) into its value. */
  schema: (name: string, hint: string) => z.ZodType<unknown, string | undefined>;
}

/** The ranges the Market documents as the source of its notifications. */
export const MARKET_NOTIFICATION_RANGES = ['5.45.207.0/25', '141.8.142.0/25', '5.255.253.0/25'];

/** Every setting, in the order of docs/configuration.md. */
export const SETTINGS = {
  TELEGRAM_BOT_TOKEN: {
    required: true,
    hint: 'set it to the token @BotFather gave you, like 123456789:AA...',
    doc: 'The bot token from @BotFather',
    schema: (name, hint) =>
      required(name, hint).refine((s) => /^\d+:[\w-]{20,}$/.test(s), {
        error: `${name} does not look like a bot token: ${hint}`,
      }),
  },
  TELEGRAM_CHAT_ID: {
    required: true,
    hint: 'set it to the forum supergroup id, a negative number starting with -100 (see docs/setup.md, "Finding the chat id")',
    doc: "The forum supergroup's id",
    schema: (name, hint) =>
      required(name, hint)
        .refine((s) => /^-100\d{5,}$/.test(s), {
          error: `${name} must be a supergroup id like -1001234567890: ${hint}`,
        })
        .transform(Number),
  },
  MARKET_API_KEY: {
    required: true,
    hint: 'create an API key with the "communication" scope in the seller cabinet (Settings → API and modules)',
    doc: 'The Market Api-Key with the communication access',
    schema: required,
  },
  MARKET_BUSINESS_ID: {
    required: true,
    hint: 'set it to the cabinet (business) id, a positive integer shown in the seller cabinet URL',
    doc: 'The cabinet (business) id',
    schema: (name, hint) =>
      required(name, hint)
        .refine((s) => /^\d+$/.test(s) && Number(s) >= 1 && Number.isSafeInteger(Number(s)), {
          error: `${name} must be a positive whole number: ${hint}`,
        })
        .transform(Number),
  },
  TELEGRAM_API_ROOT: {
    default: 'https://api.telegram.org',
    hint: 'leave it unset for https://api.telegram.org, or give a full http(s) URL',
    doc: 'The Telegram Bot API base URL',
    schema: httpUrl,
  },
  MARKET_API_URL: {
    default: 'https://api.partner.market.yandex.ru',
    hint: 'leave it unset for https://api.partner.market.yandex.ru, or give a full http(s) URL',
    doc: 'The Market Partner API base URL',
    schema: httpUrl,
  },
  MARKET_POLL_INTERVAL: {
    default: '30',
    hint: 'seconds between polls, a whole number of at least 1',
    doc: 'Seconds between polls of the Market for new and changed chats',
    schema: int(1, 86_400),
  },
  MARKET_FULL_SYNC_INTERVAL: {
    default: '21600',
    hint: 'seconds between full sweeps of every chat including finished ones, 0 to disable',
    doc: 'Seconds between full sweeps over every chat, finished ones included',
    schema: int(0, 604_800),
  },
  DATA_DIR: {
    default: 'data',
    hint: 'a directory the bridge may write its store into',
    doc: 'The directory for the store.',
    schema: (name) => trimmed.refine((s) => s.length > 0, { error: `${name} must not be empty` }),
  },
  LOG_LEVEL: {
    default: 'info',
    hint: 'one of fatal, error, warn, info, debug, trace, silent',
    doc: 'One of `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`.',
    schema: oneOf(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'one of fatal, error, warn, info, debug, trace, silent',
    ),
  },
  BOT_LANGUAGE: {
    default: 'ru',
    hint: 'ru or en',
    doc: 'The language of everything the bot writes itself',
    schema: oneOf(['ru', 'en'], 'ru or en'),
  },
  BOT_TIMEZONE: {
    default: 'Europe/Moscow',
    hint: 'an IANA time zone such as Europe/Moscow or Asia/Yekaterinburg',
    doc: 'The IANA time zone of times the bot tells operators',
    schema: (name) => trimmed.refine(isTimeZone, { error: `${name} must be an IANA time zone such as Europe/Moscow` }),
  },
  OPERATORS: {
    default: 'all',
    hint: "all (anyone in the group), admins (the group's administrators) or comma-separated Telegram user ids like 123456789,987654321",
    doc: 'Who may answer buyers from the group',
    schema: (name, hint) =>
      trimmed
        .toLowerCase()
        .refine((s) => parseOperators(s) !== undefined, { error: `${name} must be ${hint}` })
        .transform((s) => parseOperators(s) ?? { kind: 'all' as const }),
  },
  REPLY_UNDO_SECONDS: {
    default: '0',
    hint: 'seconds a reply waits with a Cancel button before it goes, 0 (off) to 300',
    doc: 'Seconds every reply waits with a Cancel button before it goes to the buyer',
    schema: int(0, 300),
  },
  REPLY_GUARD: {
    default: 'warn',
    hint: 'warn (hold a reply that breaks the Market chat rules, with Send anyway), block (hold it, Cancel only) or off',
    doc: 'What happens to a reply that looks against the Market’s chat rules (contacts, links to other sites)',
    schema: oneOf(['warn', 'block', 'off'] as const, 'warn, block or off'),
  },
  REPLY_GUARD_ALLOW: {
    default: '',
    hint: 'comma-separated domains replies may link to besides the Market, like brand.example.ru,care.example.com',
    doc: 'Comma-separated domains (with their subdomains) that replies may link to besides the Market’s own',
    schema: (name, hint) =>
      trimmed
        .toLowerCase()
        .refine((s) => splitList(s).every((d) => DOMAIN.test(d)), { error: `${name} must be ${hint}` })
        .transform(splitList),
  },
  HISTORY_ON_FIRST_SIGHT: {
    default: '20',
    hint: 'how many recent messages to mirror into a new topic for an older chat, 0 to 100',
    doc: 'How many recent messages are copied into a new topic',
    schema: int(0, 100),
  },
  TEMPLATES_FILE: {
    hint: 'the path of a YAML or JSON file of quick replies (name: text), or empty for none',
    doc: 'A YAML or JSON file of quick replies',
    schema: (name) =>
      trimmed.optional().refine((s) => s === undefined || s.length > 0, { error: `${name} must be a file path` }),
  },
  REMIND_AFTER: {
    default: '900',
    hint: 'seconds of waiting for the seller before a chat gets a reminder in its topic, 0 (off) to 604800',
    doc: 'Seconds a chat waits for the seller before it gets one reminder in its topic',
    schema: int(0, 604_800),
  },
  ESCALATE_AFTER: {
    default: '3600',
    hint: 'seconds of waiting for the seller before a chat is named in General, 0 (off) to 604800',
    doc: 'Seconds a chat waits for the seller before one message about it in General',
    schema: int(0, 604_800),
  },
  WORK_HOURS: {
    default: 'always',
    hint: 'days and hours in BOT_TIMEZONE like mon-fri 09:00-18:00; sat 10:00-14:00, or always',
    doc: 'Working hours in `BOT_TIMEZONE`',
    // Read in UTC here; config.ts puts it on BOT_TIMEZONE's clock.
    schema: (name, hint) =>
      trimmed.transform((s, ctx) => {
        try {
          return parseWorkHours(s, 'UTC');
        } catch (err) {
          if (!(err instanceof WorkHoursError)) throw err;
          ctx.issues.push({ code: 'custom', input: s, message: `${name}: ${err.problem}. Write ${hint}` });
          return z.NEVER;
        }
      }),
  },
  CLOSE_FINISHED_TOPICS: {
    default: 'on',
    hint: 'on or off',
    doc: 'Close the topic of a chat the Market has finished',
    schema: flag(),
  },
  DIGEST_AT: {
    default: 'off',
    hint: 'a time of day HH:MM in BOT_TIMEZONE like 09:30, or off',
    doc: 'When the daily digest is posted in General',
    schema: timeOfDayOrOff,
  },
  MARKET_REVIEWS: {
    default: 'on',
    hint: 'on or off',
    doc: 'Mirror product reviews that need the seller into topics',
    schema: flag(),
  },
  MARKET_QUESTIONS: {
    default: 'on',
    hint: 'on or off',
    doc: 'Mirror product questions that need an answer into topics',
    schema: flag(),
  },
  REVIEWS_SINCE_DAYS: {
    default: '14',
    hint: 'how many days back reviews and questions may be to get a topic, 1 to 180',
    doc: 'How old a review or question may be to get a topic',
    schema: int(1, 180),
  },
  TELEGRAM_PACING: {
    default: 'on',
    hint: 'on or off',
    doc: "Pace posts to stay under Telegram's flood limits",
    schema: flag(),
  },
  TELEGRAM_GROUP_RATE: {
    default: '20',
    hint: 'messages per minute the bot may post into the group, 1 to 60',
    doc: 'With pacing on: the most messages a minute the bot posts into the group',
    schema: int(1, 60),
  },
  TELEGRAM_GLOBAL_RATE: {
    default: '30',
    hint: 'messages per second the bot may send overall, 1 to 30',
    doc: 'With pacing on: the most messages a second the bot sends in total',
    schema: int(1, 30),
  },
  ATTACHMENTS_ALLOW_PRIVATE_HOSTS: {
    default: 'false',
    hint: 'leave it unset (false) in production; true only when attachments are served from loopback or a private network, as in tests',
    doc: 'Let attachments be downloaded from loopback, private, link-local',
    schema: flag('true or false', true),
  },
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

export type SettingName = keyof typeof SETTINGS;
