/**
 * End-to-end harness: the fake Market and fake Telegram servers on loopback, a temp data dir, and the real
 * bridge started either in this process (startApp) or as a child process (`node src/main.ts`, for restarts,
 * crashes and signals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { startApp, type App, type AppOverrides } from '../../src/app.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { loadConfig } from '../../src/config.ts';
import { startFakeMarket, type FakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server.ts';

export const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
export const API_KEY = 'ACMA:test-api-key-0123456789:abcdef';
export const BUSINESS_ID = 4242;
export const GROUP_ID = -1001234567890;
export const BOT = { id: 123456, username: 'marketgram_test_bot', first_name: 'marketgram' };
export const OPERATOR = { id: 1001, first_name: 'Olga' };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface World {
  market: FakeMarket;
  telegram: FakeTelegram;
  dataDir: string;
  env: Record<string, string>;
  /**
   * Starts the bridge in this process. `overrides` are merged over the harness's short delays; with `logs`,
   * every log line (JSON, level info and up) is appended to it; `logger` replaces the harness's logger.
   */
  start(
    extra?: Record<string, string>,
    options?: { overrides?: AppOverrides; logs?: string[]; logger?: Logger },
  ): Promise<App>;
  /** Starts `node src/main.ts` (or another `entry` script) as a child process. */
  spawn(extra?: Record<string, string>, options?: { entry?: string }): Bridged;
  close(): Promise<void>;
}

export interface Bridged {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startWorld(options: Partial<FakeMarketOptions> = {}): Promise<World> {
  const market = await startFakeMarket({ apiKey: API_KEY, businessId: BUSINESS_ID, ...options });
  const telegram = await startFakeTelegram({ token: TOKEN, bot: BOT });
  telegram.addSupergroup({ id: GROUP_ID, title: 'Shop', isForum: true, botIsAdmin: true, canManageTopics: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'marketgram-e2e-'));
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_CHAT_ID: String(GROUP_ID),
    TELEGRAM_API_ROOT: telegram.url,
    MARKET_API_KEY: API_KEY,
    MARKET_BUSINESS_ID: String(BUSINESS_ID),
    MARKET_API_URL: market.url,
    MARKET_POLL_INTERVAL: '1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    BOT_LANGUAGE: 'en',
    TELEGRAM_PACING: 'off',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    MARKET_NOTIFICATION_IPS: '*',
    // The fakes serve attachments on loopback.
    ATTACHMENTS_ALLOW_PRIVATE_HOSTS: 'true',
  };
  const apps: App[] = [];
  const children: ChildProcess[] = [];
  return {
    market,
    telegram,
    dataDir,
    env,
    async start(extra = {}, options = {}) {
      const config = loadConfig({ ...env, ...extra });
      const { logs } = options;
      const logger =
        options.logger ??
        (logs
          ? pino({ level: 'info' }, { write: (line: string) => void logs.push(line) })
          : pino({ level: process.env.E2E_LOG ?? 'silent' }));
      const app = await startApp(config, logger, {
        ambiguousCheckDelayMs: 50,
        ambiguousSettleMs: 300,
        retryDelayMs: () => 200,
        ...options.overrides,
      });
      apps.push(app);
      return app;
    },
    spawn(extra = {}, options = {}) {
      const entry = options.entry ?? path.join(ROOT, 'src/main.ts');
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry], {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? '', ...env, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      return { child, output: () => out, exited };
    },
    async close() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(apps.map((a) => a.stop(2000)));
      await Promise.all([market.close(), telegram.close()]);
    },
  };
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Bot-posted texts of a topic (of the group, or of chat `chatId`), without the service messages. */
export function topicTexts(telegram: FakeTelegram, threadId: number, chatId = GROUP_ID): string[] {
  return telegram
    .messages(chatId, { threadId, fromBot: true })
    .filter((m) => !m.isService)
    .map((m) => m.text ?? m.caption ?? '');
}

/** Every sender label a mirrored message's header line can start with, in both languages. */
const SENDER_LABELS = [...Object.values(textsFor('en').sender), ...Object.values(textsFor('ru').sender)];
const BLOCK_START = new RegExp(
  `\\n\\n(?=(?:${SENDER_LABELS.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}))`,
);

/** The mirrored messages one post carries (messages waiting together share a post): each header line and body. */
export function postBlocks(text: string): string[] {
  return text.split(BLOCK_START);
}

/** The bodies of the mirrored messages of a topic: its texts without the context card and the header lines. */
export function mirroredBodies(telegram: FakeTelegram, threadId: number, chatId = GROUP_ID): string[] {
  return topicTexts(telegram, threadId, chatId)
    .slice(1)
    .flatMap(postBlocks)
    .map((t) => t.split('\n').slice(1).join('\n'));
}

/** The live (not deleted) topics of the group, or of chat `chatId`. */
export function liveTopics(telegram: FakeTelegram, chatId = GROUP_ID) {
  return telegram.topics(chatId).filter((t) => !t.deleted);
}

/** The topic a Market chat's title points at, found by a title fragment (in the group, or in chat `chatId`). */
export function topicFor(telegram: FakeTelegram, titlePart: string, chatId = GROUP_ID) {
  return liveTopics(telegram, chatId).find((t) => t.name.includes(titlePart));
}

/** Posts a notification to the bridge as the Market would. */
export async function notify(
  port: number,
  body: unknown,
  path = '/market/notification',
): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, ms: performance.now() - started };
}

export { freePort } from '../fakes/loopback.ts';
