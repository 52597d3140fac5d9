/**
 * Configuration: a zod schema over the environment (and `.env`, loaded by main), producing a typed Config.
 * No singleton: loadConfig(env) is pure, so tests pass their own environment.
 */
import { z } from 'zod';

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
};

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
const onOff = (name: string, fallback: boolean) =>
  trimmed
    .toLowerCase()
    .default(fallback ? 'on' : 'off')
    .refine((s) => ['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'].includes(s), {
      error: `${name} must be on or off`,
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
});

export interface Config {
  telegram: {
    token: string;
    chatId: number;
    apiRoot: string;
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
  };
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  language: 'ru' | 'en';
  /** IANA time zone for times the bot tells operators. */
  timeZone: string;
  /** Recent messages mirrored into a new topic for a chat that existed before the bridge first saw it. */
  historyOnFirstSight: number;
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
  return {
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      chatId: e.TELEGRAM_CHAT_ID,
      apiRoot: e.TELEGRAM_API_ROOT,
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
    },
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    language: e.BOT_LANGUAGE,
    timeZone: e.BOT_TIMEZONE,
    historyOnFirstSight: e.HISTORY_ON_FIRST_SIGHT,
  };
}
