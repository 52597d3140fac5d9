/**
 * The settings table: every environment variable marketgram reads, with its default, the hint that ends
 * every message about it, the line its description in docs/configuration.md begins with, and the zod schema
 * that reads it. config.ts turns the values into a Config; test/config-docs.test.ts checks the docs and
 * .env.example against this table. The HTTP listener's rows are in settings-http.ts.
 */
import { z } from 'zod';
import { parseWorkHours, WorkHoursError } from './desk/work-hours.ts';
import { botToken, businessId, chatId } from './required-settings.ts';
import { HTTP_SETTINGS } from './settings-http.ts';
import {
  DOMAIN,
  flag,
  httpUrl,
  int,
  isTimeZone,
  oneOf,
  parseOperators,
  required,
  splitList,
  timeOfDayOrOff,
  trimmed,
  type Setting,
} from './setting-readers.ts';

export { parseOperators, type OperatorsSetting, type Setting } from './setting-readers.ts';
export { MARKET_NOTIFICATION_RANGES } from './settings-http.ts';

/** Every setting, in the order of docs/configuration.md. */
export const SETTINGS = {
  TELEGRAM_BOT_TOKEN: {
    required: true,
    hint: 'set it to the token @BotFather gave you, like 123456789:AA...',
    doc: 'The bot token from @BotFather',
    schema: botToken,
  },
  TELEGRAM_CHAT_ID: {
    required: true,
    hint: 'set it to the forum supergroup id, a negative number starting with -100 (see docs/setup.md, "Finding the chat id")',
    doc: "The forum supergroup's id",
    schema: chatId,
  },
  MARKET_API_KEY: {
    required: true,
    hint: 'create an API key with the "communication" scope in the seller cabinet (Settings → API and modules)',
    doc: 'The Market Api-Key with the communication access',
    schema: required,
  },
  MARKET_BUSINESS_ID: {
    required: true,
    hint: 'set it to the cabinet (business) id, the number after /business/ in the seller cabinet address (the whole address works too)',
    doc: 'The cabinet (business) id',
    schema: businessId,
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
  LOG_FORMAT: {
    default: 'auto',
    hint: 'auto (readable lines on a terminal, JSON lines anywhere else), pretty or json',
    doc: 'How the log is written',
    schema: oneOf(['auto', 'pretty', 'json'], 'auto, pretty or json'),
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
  CABINETS_FILE: {
    hint: 'the path of a YAML or JSON file listing the cabinets (name, apiKey or apiKeyEnv, businessId, chatId), or empty for one cabinet',
    doc: 'A YAML or JSON file of the cabinets one process serves',
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
  ...HTTP_SETTINGS,
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
