/**
 * Configuration: the settings table (settings.ts) read from the environment (and `.env`, loaded by main)
 * into a typed Config whose modes are discriminated unions. No singleton: loadConfig(env) is pure, so tests
 * pass their own environment.
 */
import type { z } from 'zod';
import { CabinetsFileError, readCabinetsFile, type CabinetSetting } from './cabinets/file.ts';
import type { WorkHours } from './desk/work-hours.ts';
import { SETTINGS, type OperatorsSetting, type Setting, type SettingName } from './settings.ts';

export { MARKET_NOTIFICATION_RANGES, SETTINGS, type OperatorsSetting } from './settings.ts';

/** A setting that is missing or malformed; the message names the variable and how to fix it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Values = { [K in SettingName]: z.output<ReturnType<(typeof SETTINGS)[K]['schema']>> };

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
  /** How updates reach the bot: long polling, or a webhook (TELEGRAM_WEBHOOK_URL) with its secret. */
  updates: { kind: 'polling' } | { kind: 'webhook'; url: string; secret: string };
  market: {
    apiKey: string;
    businessId: number;
    apiUrl: string;
    /** 0 disables the periodic sweep over every chat (finished ones too). */
    fullSyncIntervalMs: number;
    /**
     * Attachment URLs on hosts other than `apiUrl` may point at loopback, private and link-local
     * addresses. Off in production: such URLs come from buyers' messages.
     */
    attachmentsAllowPrivateHosts: boolean;
    /** The notification endpoint, served whatever `intake` says (so the cabinet can be set up first). */
    notificationEndpoint: {
      path: string;
      /** undefined: any source may post notifications. */
      allow?: string[];
      /** MARKET_NOTIFICATION_URL: the public URL the cabinet posts to; only the doctor uses it. */
      publicUrl?: string;
    };
  };
  /**
   * How the bridge learns of changes: polling every `intervalMs`, or push notifications with a slow
   * safety-net poll every `reconcileIntervalMs`.
   */
  intake: { kind: 'poll'; intervalMs: number } | { kind: 'notifications'; reconcileIntervalMs: number };
  http: { port: number; host: string; trustedProxies: string[] };
  dataDir: string;
  logLevel: Values['LOG_LEVEL'];
  /** LOG_FORMAT: `auto` is readable lines on a terminal and JSON lines anywhere else (logger.ts decides). */
  logFormat: Values['LOG_FORMAT'];
  language: Values['BOT_LANGUAGE'];
  /** IANA time zone for times the bot tells operators. */
  timeZone: string;
  /** Seconds a reply waits with a Cancel button; 0 sends at once. */
  undoSeconds: number;
  /** Who may answer buyers (OPERATORS). */
  operators: OperatorsSetting;
  /** The reply guard (REPLY_GUARD): off, or its mode and the extra domains replies may link to. */
  guard: { kind: 'off' } | { kind: 'warn' | 'block'; allow: string[] };
  /** Recent messages mirrored into a new topic for a chat that existed before the bridge first saw it. */
  historyOnFirstSight: number;
  /**
   * The cabinets one process serves (CABINETS_FILE); none: the one cabinet of MARKET_API_KEY, MARKET_BUSINESS_ID
   * and TELEGRAM_CHAT_ID (then `telegram.chatId`, `market.apiKey` and `market.businessId` are those; with a file
   * they are 0 and empty, and each cabinet carries its own).
   */
  cabinets?: CabinetSetting[];
  /** Quick replies put in the store at every start (TEMPLATES_FILE); none when unset. */
  templatesFile?: string;
  /** Product reviews and questions as topics (MARKET_REVIEWS, MARKET_QUESTIONS, REVIEWS_SINCE_DAYS). */
  threads: { reviews: boolean; questions: boolean; sinceDays: number };
  /** The triage desk: when it nudges about waiting chats, and what it does with finished ones. */
  desk: {
    /** Waiting time after which a chat gets one reminder in its topic (REMIND_AFTER); 0 = never. */
    remindAfterMs: number;
    /** Waiting time after which a chat is named in General (ESCALATE_AFTER); 0 = never. */
    escalateAfterMs: number;
    /** WORK_HOURS on the clock of `timeZone` (BOT_TIMEZONE); WorkHours.always by default. */
    workHours: WorkHours;
    /** Close a chat's topic when the Market finishes the chat, reopen it when the chat revives. */
    closeFinishedTopics: boolean;
    /** DIGEST_AT: minutes after midnight on the clock of `timeZone` when the daily digest goes; none when off. */
    digestAt?: number;
  };
}

/** Validates the environment. Throws ConfigError listing every problem, each naming its variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  return loadStartConfig(env, []).config;
}

/** What the start finds out itself when it is not set: the chat (setup mode) and the cabinet (from the key). */
export type Findable = 'TELEGRAM_CHAT_ID' | 'MARKET_BUSINESS_ID';

/**
 * Like loadConfig, but each of `findable` that is not set is left to the start to find (its value in the Config
 * is 0 until then) and named in `find`; every other setting is read and checked as loadConfig does.
 */
export function loadStartConfig(
  env: Record<string, string | undefined>,
  findable: readonly Findable[] = ['TELEGRAM_CHAT_ID', 'MARKET_BUSINESS_ID'],
): { config: Config; find: Findable[] } {
  const cabinetsFile = given(env, 'CABINETS_FILE');
  // With CABINETS_FILE each cabinet has its own key, business and chat: the single-cabinet settings are not read.
  const perCabinet =
    cabinetsFile === undefined ? [] : (['TELEGRAM_CHAT_ID', 'MARKET_API_KEY', 'MARKET_BUSINESS_ID'] as const);
  const find = findable.filter((name) => given(env, name) === undefined && !perCabinet.some((n) => n === name));
  const unread = [...find, ...perCabinet];
  const { values, problems } = readSettings({ ...env, ...Object.fromEntries(unread.map((name) => [name, '1'])) });
  problems.push(...webhookProblems(env, values));
  let cabinets: CabinetSetting[] | undefined;
  if (cabinetsFile !== undefined) {
    try {
      cabinets = readCabinetsFile(cabinetsFile.trim(), env);
    } catch (err) {
      if (!(err instanceof CabinetsFileError)) throw err;
      problems.push(...err.problems.map((p) => `CABINETS_FILE ${err.file}: ${p}`));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const e = values as Values;
  const hook = e.TELEGRAM_WEBHOOK_URL;
  const secret = e.TELEGRAM_WEBHOOK_SECRET;
  const config: Config = {
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      chatId: find.includes('TELEGRAM_CHAT_ID') || cabinets ? 0 : e.TELEGRAM_CHAT_ID,
      apiRoot: e.TELEGRAM_API_ROOT,
      pacing: e.TELEGRAM_PACING,
      groupPerMinute: e.TELEGRAM_GROUP_RATE,
      globalPerSecond: e.TELEGRAM_GLOBAL_RATE,
    },
    updates: hook && secret ? { kind: 'webhook', url: hook, secret } : { kind: 'polling' },
    market: {
      apiKey: cabinets ? '' : e.MARKET_API_KEY,
      businessId: find.includes('MARKET_BUSINESS_ID') || cabinets ? 0 : e.MARKET_BUSINESS_ID,
      apiUrl: e.MARKET_API_URL,
      fullSyncIntervalMs: e.MARKET_FULL_SYNC_INTERVAL * 1000,
      attachmentsAllowPrivateHosts: e.ATTACHMENTS_ALLOW_PRIVATE_HOSTS,
      notificationEndpoint: {
        path: e.MARKET_NOTIFICATION_PATH,
        allow: e.MARKET_NOTIFICATION_IPS,
        publicUrl: e.MARKET_NOTIFICATION_URL,
      },
    },
    intake: e.MARKET_NOTIFICATIONS
      ? { kind: 'notifications', reconcileIntervalMs: e.MARKET_RECONCILE_INTERVAL * 1000 }
      : { kind: 'poll', intervalMs: e.MARKET_POLL_INTERVAL * 1000 },
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST, trustedProxies: e.TRUSTED_PROXIES },
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    language: e.BOT_LANGUAGE,
    timeZone: e.BOT_TIMEZONE,
    undoSeconds: e.REPLY_UNDO_SECONDS,
    operators: e.OPERATORS,
    guard: e.REPLY_GUARD === 'off' ? { kind: 'off' } : { kind: e.REPLY_GUARD, allow: e.REPLY_GUARD_ALLOW },
    historyOnFirstSight: e.HISTORY_ON_FIRST_SIGHT,
    cabinets,
    templatesFile: e.TEMPLATES_FILE,
    threads: { reviews: e.MARKET_REVIEWS, questions: e.MARKET_QUESTIONS, sinceDays: e.REVIEWS_SINCE_DAYS },
    desk: {
      remindAfterMs: e.REMIND_AFTER * 1000,
      escalateAfterMs: e.ESCALATE_AFTER * 1000,
      workHours: e.WORK_HOURS.inZone(e.BOT_TIMEZONE),
      closeFinishedTopics: e.CLOSE_FINISHED_TOPICS,
      digestAt: e.DIGEST_AT,
    },
  };
  return { config, find };
}

/** What `.env.example` holds until a person fills a value in. */
const PLACEHOLDER = 'replace-me';

/**
 * Reads every setting of the table; the values read, and a problem for each one that could not be. An empty value
 * and `.env.example`'s placeholder count as unset; a value in quotes is refused whatever the setting.
 */
function readSettings(env: Record<string, string | undefined>): { values: Partial<Values>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(SETTINGS) as Array<[SettingName, Setting]>) {
    const placeholder = isPlaceholder(env[name]);
    const value = given(env, name) ?? spec.default;
    if (value === undefined && spec.required) {
      problems.push(
        placeholder
          ? `${name} is still the placeholder from .env.example: ${spec.hint}`
          : `${name} is required: ${spec.hint}`,
      );
      continue;
    }
    if (value !== undefined && /^\s*["'`]|["'`]\s*$/.test(value)) {
      problems.push(
        `${name} is in quotes: write the value without them (Docker's --env-file keeps them as part of the value): ${spec.hint}`,
      );
      continue;
    }
    const parsed = spec.schema(name, spec.hint).safeParse(value);
    if (parsed.success) values[name] = parsed.data;
    else
      problems.push(
        ...parsed.error.issues.map((issue) =>
          issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`,
        ),
      );
  }
  return { values, problems };
}

/** What a person set: undefined for a setting unset, empty or still holding the placeholder. */
function given(env: Record<string, string | undefined>, name: SettingName): string | undefined {
  const value = env[name];
  return value?.trim() && !isPlaceholder(value) ? value : undefined;
}

function isPlaceholder(value: string | undefined): boolean {
  return value?.toLowerCase().includes(PLACEHOLDER) === true;
}

/** What the webhook settings need of each other, told with the problems of the single settings. */
function webhookProblems(env: Record<string, string | undefined>, e: Partial<Values>): string[] {
  if (given(env, 'TELEGRAM_WEBHOOK_URL') !== undefined && given(env, 'TELEGRAM_WEBHOOK_SECRET') === undefined) {
    return [
      `TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set: ${SETTINGS.TELEGRAM_WEBHOOK_SECRET.hint}`,
    ];
  }
  const hook = e.TELEGRAM_WEBHOOK_URL;
  const n = e.MARKET_NOTIFICATION_PATH;
  if (hook === undefined || n === undefined) return [];
  const path = new URL(hook).pathname.replace(/\/+$/, '') || '/';
  const taken = [n, `${n === '/' ? '' : n}/notification`, '/healthz', '/readyz', '/metrics'];
  return taken.includes(path)
    ? [
        `TELEGRAM_WEBHOOK_URL: its path ${path} is already used by the notification endpoint or health/metrics; give the webhook a path of its own (e.g. /telegram/<random>)`,
      ]
    : [];
}
