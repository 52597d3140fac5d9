/**
 * The composition root: builds the store, the Market client, the Telegram bot and the bridge core from the
 * configuration and starts them, as a list of named steps. Used by main.ts and by the end-to-end tests,
 * which run the same code against the fake servers.
 */
import { setMaxListeners } from 'node:events';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { buildHttpServer } from './app/http.ts';
import type { AppOverrides } from './app/overrides.ts';
import { buildParts, type Parts } from './app/parts.ts';
import { runShutdown, type ShutdownStep } from './app/shutdown.ts';
import { openStore } from './app/store.ts';
import type { ThreadParts } from './app/threads.ts';
import { operatorRouter } from './app/operator-router.ts';
import { openTemplateBook } from './app/templates.ts';
import type { Bridge } from './bridge/bridge.ts';
import { BOT_COMMANDS } from './bridge/command-texts.ts';
import { problemOf } from './checks/check.ts';
import { templatesCheck } from './checks/local.ts';
import { checkMarket } from './checks/market.ts';
import { checkTelegram } from './checks/telegram.ts';
import type { Config } from './config.ts';
import type { Digest } from './desk/digest.ts';
import type { Health } from './health.ts';
import { MarketClient } from './market/client.ts';
import type { MarketPoller } from './market/poller.ts';
import type { HttpServer } from './server/http.ts';
import type { Metrics } from './server/metrics.ts';
import type { JsonStore } from './store/store.ts';
import type { TemplateBook } from './templates/book.ts';
import type { SeedTemplate } from './templates/seed-file.ts';
import { installChatCommand } from './telegram/chat-command.ts';
import { registerCommandMenu } from './telegram/command-menu.ts';
import { installMineCommand } from './telegram/mine-command.ts';
import { installOperatorInput } from './telegram/operator-input.ts';
import { Operators, type Sender } from './telegram/operators.ts';
import { telegramReason } from './telegram/reason.ts';
import { installQuickReplies } from './telegram/quick-replies.ts';
import { isPrivateChat } from './telegram/solo.ts';
import { installStatusCommand } from './telegram/status.ts';
import { startUpdates } from './telegram/updates.ts';
import { VERSION } from './version.ts';

export type { AppOverrides } from './app/overrides.ts';

/** The service cannot start (or must stop) until a person fixes something; the message says what. */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface App {
  bridge: Bridge;
  poller: MarketPoller;
  store: JsonStore;
  health: Health;
  metrics: Metrics;
  /** The daily digest (DIGEST_AT); none when off. */
  digest?: Digest;
  /** Reviews and questions (their threads and poller); none when MARKET_REVIEWS and MARKET_QUESTIONS are off. */
  threads?: ThreadParts;
  /** The port the HTTP listener is bound to. */
  httpPort: number;
  /** Resolves with the error when the service must stop on its own (bad credentials). */
  readonly fatal: Promise<Error>;
  /** Graceful stop: no new work, in-flight work finished (up to `deadlineMs`), store flushed. */
  stop(deadlineMs?: number): Promise<void>;
}

export async function startApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const seeds = await templatesFile(config);
  const store = await openStore({
    dataDir: config.dataDir,
    logger,
    onWriteFailed: () => parts.metrics.storeWriteFailed(),
    writeRetryMs: overrides.storeWriteRetryMs,
    beforeWrite: overrides.storeBeforeWrite,
  });
  const abort = new AbortController();
  // Every request waiting for a Market slot listens to this signal; many may wait at once.
  setMaxListeners(0, abort.signal);
  const { fatal, reportFatal } = fatalSignal();
  const market = createMarketClient(config, logger, abort.signal);
  const botInfo = await preflight(config, market, logger, overrides.botInfo);
  const parts: Parts = buildParts(config, logger, overrides, { store, market, botInfo, reportFatal });
  const { core, poller, rights, bot, health, metrics, progress, desk, digest, threads } = parts;
  const server = buildHttpServer(config, logger, parts);
  const templates = openTemplateBook(store, seeds, logger);
  const operators = installTelegramHandlers(config, logger, parts, botInfo, templates);

  await startOperators(config, operators, async () => {
    core.stop();
    await store.close();
    await market.close();
  });
  const httpPort = await listen(config, server, async () => {
    operators.stop();
    await market.close();
  });
  await core.resume();
  poller.start();
  threads?.threads.resume();
  threads?.poller.start();
  rights.start();
  progress.start();
  desk.start();
  digest?.start();
  // Beside the start: a menu Telegram is slow to take (or refuses) must not hold it up.
  const menu = registerCommandMenu(bot.api, config.telegram.chatId, logger.child({ side: 'telegram' }));

  let polling: Promise<void> = Promise.resolve();
  const shutdown: ShutdownStep[] = [
    { name: 'poller', run: () => poller.stop(), bounded: true },
    { name: 'review and question poller', run: () => threads?.poller.stop(), bounded: true },
    { name: 'bridge', run: () => core.stop() },
    { name: 'rights watch', run: () => rights.stop() },
    { name: 'progress in General', run: () => progress.stop() },
    { name: 'desk', run: () => desk.stop(), bounded: true },
    { name: 'daily digest', run: () => digest?.stop(), bounded: true },
    { name: 'operators', run: () => operators.stop() },
    { name: 'telegram bot', run: () => (bot.isRunning() ? bot.stop() : undefined), bounded: true },
    { name: 'command menu', run: () => menu, bounded: true },
    { name: 'http server', run: () => server.close(), bounded: true },
    { name: 'bridge work in flight', run: () => core.idle(), bounded: true },
    { name: 'reviews and questions in flight', run: () => threads?.threads.stop(), bounded: true },
    { name: 'market requests waiting', run: () => abort.abort() },
    { name: 'store', run: () => store.close() },
    { name: 'telegram polling', run: () => polling, bounded: true },
    { name: 'market client', run: () => market.close() },
  ];
  let stopping: Promise<void> | undefined;
  const stop = (deadlineMs = 8_000): Promise<void> => {
    stopping ??= runShutdown(shutdown, deadlineMs, logger).then(() => logger.info('marketgram stopped'));
    return stopping;
  };

  try {
    ({ running: polling } = await startUpdates(bot, config.updates, {
      watchMembers: operators.watchesMembers,
      logger,
      onFatal: reportFatal,
    }));
  } catch (err) {
    await stop(2_000);
    throw new StartupError(
      `TELEGRAM_WEBHOOK_URL was refused by Telegram (${telegramReason(err)}): it must be a public https URL on port 443, 80, 88 or 8443 with a valid certificate.`,
    );
  }
  logStarted(config, logger, botInfo, httpPort);
  return { bridge: core, poller, store, health, metrics, digest, threads, httpPort, fatal, stop };
}

/** `fatal` resolves with the first error that must stop the service (bad credentials, polling ended). */
function fatalSignal(): { fatal: Promise<Error>; reportFatal: (err: Error) => void } {
  let reportFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    reportFatal = resolve;
  });
  return { fatal, reportFatal };
}

function createMarketClient(config: Config, logger: Logger, signal: AbortSignal): MarketClient {
  return new MarketClient({
    baseUrl: config.market.apiUrl,
    apiKey: config.market.apiKey,
    businessId: config.market.businessId,
    logger: logger.child({ side: 'market' }),
    integration: `marketgram/${VERSION}`,
    signal,
    allowPrivateAttachmentHosts: config.market.attachmentsAllowPrivateHosts,
  });
}

/** The Telegram checks, then the Market checks; a setting a person must fix stops the start. Returns the bot. */
async function preflight(
  config: Config,
  market: MarketClient,
  logger: Logger,
  botInfo?: UserFromGetMe,
): Promise<UserFromGetMe> {
  try {
    const telegram = await checkTelegram({ ...config.telegram, botInfo });
    if (!telegram.ok) throw new StartupError(telegram.problem, { cause: telegram.cause });
    const { reviews, questions } = config.threads;
    const marketCheck = await checkMarket(market, { ...config.market, productNames: reviews || questions });
    if (marketCheck.status === 'failed') throw new StartupError(marketCheck.problem, { cause: marketCheck.cause });
    // Not fatal: the poller retries and reports.
    if (marketCheck.status === 'ok') for (const warning of marketCheck.warnings) logger.warn(warning);
    if (marketCheck.status === 'unchecked')
      logger.warn({ err: marketCheck.cause }, 'could not check the Market API key now; continuing');
    return telegram.bot;
  } catch (err) {
    await market.close();
    throw err;
  }
}

/** TEMPLATES_FILE, read and checked before anything starts: a file a person must fix stops the start. */
async function templatesFile(config: Config): Promise<SeedTemplate[]> {
  const { result, seeds } = await templatesCheck(config.templatesFile);
  if (!result.ok) throw new StartupError(problemOf(result), { cause: result.cause });
  return seeds;
}

/** Who may answer buyers, /status, quick replies, /chat, /mine, and operator input (replies, edits, buttons). */
function installTelegramHandlers(
  config: Config,
  logger: Logger,
  parts: Parts,
  botInfo: UserFromGetMe,
  templates: TemplateBook,
): Operators {
  const { bot, core, health, texts, reports } = parts;
  const telegramLog = logger.child({ side: 'telegram' });
  const operators = new Operators(config.operators, {
    api: bot.api,
    groupId: config.telegram.chatId,
    logger: telegramLog,
  });
  operators.install(bot);
  installStatusCommand(bot, config.telegram.chatId, health, texts, reports.summary);
  const mayAnswer = (sender: Sender) => operators.mayAnswer(sender);
  // Before the operator input: its commands and buttons are never a reply of their own.
  installQuickReplies(bot, core, {
    groupId: config.telegram.chatId,
    book: templates,
    texts,
    logger: telegramLog,
    mayAnswer,
  });
  installChatCommand(bot, core, {
    groupId: config.telegram.chatId,
    texts,
    logger: telegramLog,
    timeZone: config.timeZone,
    mayAnswer,
  });
  installMineCommand(bot, {
    groupId: config.telegram.chatId,
    texts,
    logger: telegramLog,
    mayAnswer,
    waiting: reports.waiting,
  });
  installOperatorInput(bot, operatorRouter(core, parts.threads?.threads, texts), {
    groupId: config.telegram.chatId,
    botUsername: botInfo.username,
    commands: BOT_COMMANDS,
    mayAnswer,
    texts,
    logger: telegramLog,
  });
  bot.catch((err) => {
    logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'update handler failed');
  });
  return operators;
}

async function startOperators(config: Config, operators: Operators, undo: () => Promise<void>): Promise<void> {
  try {
    await operators.start();
  } catch (err) {
    await undo();
    throw new StartupError(
      `OPERATORS=admins: the group's administrators cannot be read (${telegramReason(err)}): check that the bot is an administrator of ${config.telegram.chatId}, or set OPERATORS to all or a list of user ids.`,
      { cause: err },
    );
  }
}

async function listen(config: Config, server: HttpServer, undo: () => Promise<void>): Promise<number> {
  try {
    return await server.listen();
  } catch (err) {
    await undo();
    throw new StartupError(
      `Cannot listen on ${config.http.host}:${config.http.port} (${(err as Error).message}): change HTTP_PORT or HTTP_HOST.`,
    );
  }
}

function logStarted(config: Config, logger: Logger, botInfo: UserFromGetMe, httpPort: number): void {
  logger.info(
    {
      bot: botInfo.username,
      chatId: config.telegram.chatId,
      solo: isPrivateChat(config.telegram.chatId),
      businessId: config.market.businessId,
      httpPort,
      telegram: config.updates.kind,
      notifications: config.intake.kind === 'notifications',
    },
    'marketgram started',
  );
}
