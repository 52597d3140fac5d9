/**
 * The composition root: builds the store, the Market client, the Telegram bot and the bridge core from the
 * configuration and starts them, as a list of named steps. Used by main.ts and by the end-to-end tests,
 * which run the same code against the fake servers. This is the one cabinet of the environment; several cabinets
 * (CABINETS_FILE) start with app/cabinets.ts, which shares these steps (app/steps.ts).
 */
import { setMaxListeners } from 'node:events';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { buildHttpServer } from './app/http.ts';
import type { AppOverrides } from './app/overrides.ts';
import { buildParts, type Parts } from './app/parts.ts';
import { runShutdown, type ShutdownStep } from './app/shutdown.ts';
import {
  StartupError,
  createMarketClient,
  fatalSignal,
  installTelegramHandlers,
  listen,
  startOperators,
  templatesFile,
} from './app/steps.ts';
import { openStore } from './app/store.ts';
import type { ThreadParts } from './app/threads.ts';
import { openTemplateBook } from './app/templates.ts';
import type { Bridge } from './bridge/bridge.ts';
import { checkMarket } from './checks/market.ts';
import { checkTelegram } from './checks/telegram.ts';
import type { Config } from './config.ts';
import type { Digest } from './desk/digest.ts';
import type { Health } from './health.ts';
import type { MarketClient } from './market/client.ts';
import type { MarketPoller } from './market/poller.ts';
import type { Metrics } from './server/metrics.ts';
import type { JsonStore } from './store/store.ts';
import { registerCommandMenu } from './telegram/command-menu.ts';
import { telegramReason } from './telegram/reason.ts';
import { isPrivateChat } from './telegram/solo.ts';
import { startUpdates } from './telegram/updates.ts';

export type { AppOverrides } from './app/overrides.ts';
export { StartupError } from './app/steps.ts';

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
  if (config.cabinets)
    throw new Error('startApp serves the one cabinet of the environment; CABINETS_FILE: startCabinets');
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
