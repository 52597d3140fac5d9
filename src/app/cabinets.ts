/**
 * Several cabinets in one process (CABINETS_FILE). The process owns one bot and its updates loop, one HTTP
 * listener and one metrics scrape; each cabinet owns its store (DATA_DIR/<name>), Market client, quota, queues,
 * pollers, desk, health and Telegram handlers (on a bot of its own that is never started: the process's bot hands
 * it the updates that concern it, see updates-router.ts). Cabinets of one chat share that chat's Telegram budget.
 * A cabinet whose key the Market refuses stops alone: it is reported once in its chat and on /status, and the
 * others go on; only a process-level failure (the listener, the updates loop) stops the process.
 */
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { topicId } from '../bridge/ids.ts';
import type { CabinetSetting } from '../cabinets/file.ts';
import { checkMarket } from '../checks/market.ts';
import { checkTelegram } from '../checks/telegram.ts';
import type { Config } from '../config.ts';
import type { HealthReport } from '../health.ts';
import type { MarketNotification } from '../market/notifications.ts';
import { processMetrics, renderAll } from '../server/metrics.ts';
import type { JsonStore } from '../store/store.ts';
import { createBot } from '../telegram/bot.ts';
import { CallBudget } from '../telegram/budget.ts';
import { registerCommandMenu } from '../telegram/command-menu.ts';
import type { Operators } from '../telegram/operators.ts';
import { telegramReason } from '../telegram/reason.ts';
import type { SeedTemplate } from '../templates/seed-file.ts';
import { startUpdates } from '../telegram/updates.ts';
import { buildListener, cabinetIntake } from './http.ts';
import type { AppOverrides } from './overrides.ts';
import { buildParts, type Parts } from './parts.ts';
import { runShutdown, type ShutdownStep } from './shutdown.ts';
import {
  StartupError,
  createMarketClient,
  fatalSignal,
  installTelegramHandlers,
  listen,
  startOperators,
  templatesFile,
} from './steps.ts';
import { openStore } from './store.ts';
import { openTemplateBook } from './templates.ts';
import { routeUpdates } from './updates-router.ts';

/** One cabinet as it runs: its parts, and why it stopped, if it did. */
export interface Cabinet {
  readonly name: string;
  readonly chatId: number;
  readonly businessId: number;
  readonly parts: Parts;
  readonly store: JsonStore;
  /** Why the cabinet stopped (its key refused), with what to do; undefined while it works. */
  readonly failure: string | undefined;
  /** Whether a topic of the cabinet's chat is one of its chats, reviews or questions. */
  ownsTopic(topicId: number): boolean;
}

/** The cabinets of one process, as they run. */
export interface Deployment {
  cabinets: Cabinet[];
  httpPort: number;
  /** Resolves with the error when the process must stop on its own (the updates loop ended). */
  readonly fatal: Promise<Error>;
  stop(deadlineMs?: number): Promise<void>;
}

/** Starts every cabinet of CABINETS_FILE behind one bot and one listener. */
export async function startCabinets(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<Deployment> {
  const settings = config.cabinets ?? [];
  const seeds = await templatesFile(config);
  const botInfo = await checkChats(config, settings, overrides.botInfo);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const { fatal, reportFatal } = fatalSignal();
  const groupPerMinute = overrides.telegramGroupPerMinute ?? config.telegram.groupPerMinute;
  const budgets = new Map<number, CallBudget>();
  // One bot: the chats' budgets share its per-second limit.
  const globalWindow: number[] = [];
  for (const { chatId } of settings) {
    if (!budgets.has(chatId))
      budgets.set(
        chatId,
        new CallBudget({ groupPerMinute, globalPerSecond: config.telegram.globalPerSecond, globalWindow }),
      );
  }
  const shared = (chatId: number) => settings.filter((c) => c.chatId === chatId).length > 1;
  const running = await Promise.all(
    settings.map((s) =>
      openCabinet(config, logger, overrides, { setting: s, shared: shared(s.chatId), seeds, botInfo, abort }, budgets),
    ),
  );
  const cabinets = running.map((r) => r.cabinet);
  const ofProcess = processMetrics();
  const registries = [ofProcess.registry, ...cabinets.map((c) => c.parts.metrics.registry)];
  const router = createBot({
    token: config.telegram.token,
    apiRoot: config.telegram.apiRoot,
    pacing: false,
    groupPerMinute,
    globalPerSecond: config.telegram.globalPerSecond,
    botInfo,
  });
  const texts = cabinets[0]?.parts.texts;
  routeUpdates(router, cabinets, logger.child({ side: 'telegram' }), (names) =>
    texts ? texts.commands.chat.whichCabinet(names) : names.join(', '),
  );
  const server = buildListener(config, logger, {
    readiness: () => readiness(cabinets),
    metrics: () => renderAll(registries),
    notified: notificationRouter(running, logger.child({ side: 'http' })),
    rejected: (reason) => ofProcess.notificationRejected(reason),
    updates: router,
  });
  const closeAll = async () => {
    await Promise.all(running.map((r) => r.close()));
  };
  for (const r of running) {
    await startOperators(r.config, r.operators, closeAll);
  }
  const httpPort = await listen(config, server, async () => {
    for (const r of running) r.operators.stop();
    await closeAll();
  });
  for (const r of running) await r.start();
  const menus = [...budgets.keys()].map((chatId) => {
    const bot = running.find((r) => r.cabinet.chatId === chatId)!.cabinet.parts.bot;
    return registerCommandMenu(bot.api, chatId, logger.child({ side: 'telegram' }));
  });

  let polling: Promise<void> = Promise.resolve();
  const shutdown: ShutdownStep[] = [
    ...running.flatMap((r) => r.stopWork),
    { name: 'telegram bot', run: () => (router.isRunning() ? router.stop() : undefined), bounded: true },
    { name: 'command menu', run: () => Promise.all(menus), bounded: true },
    { name: 'http server', run: () => server.close(), bounded: true },
    ...running.flatMap((r) => r.stopInFlight),
    { name: 'market requests waiting', run: () => abort.abort() },
    { name: 'stores', run: () => Promise.all(running.map((r) => r.cabinet.store.close())) },
    { name: 'telegram polling', run: () => polling, bounded: true },
    { name: 'market clients', run: () => Promise.all(running.map((r) => r.market.close())) },
  ];
  let stopping: Promise<void> | undefined;
  const stop = (deadlineMs = 8_000): Promise<void> => {
    stopping ??= runShutdown(shutdown, deadlineMs, logger).then(() => logger.info('marketgram stopped'));
    return stopping;
  };
  try {
    ({ running: polling } = await startUpdates(router, config.updates, {
      watchMembers: running.some((r) => r.operators.watchesMembers),
      logger,
      onFatal: reportFatal,
    }));
  } catch (err) {
    await stop(2_000);
    throw new StartupError(
      `TELEGRAM_WEBHOOK_URL was refused by Telegram (${telegramReason(err)}): it must be a public https URL on port 443, 80, 88 or 8443 with a valid certificate.`,
    );
  }
  logger.info(
    {
      bot: botInfo.username,
      cabinets: cabinets.map((c) => ({
        name: c.name,
        chatId: c.chatId,
        businessId: c.businessId,
        failed: !!c.failure,
      })),
      httpPort,
      telegram: config.updates.kind,
      notifications: config.intake.kind === 'notifications',
    },
    'marketgram started',
  );
  return { cabinets, httpPort, fatal, stop };
}

/** The Telegram checks once for each chat (the token with the first): a chat a person must fix stops the start. */
async function checkChats(
  config: Config,
  settings: readonly CabinetSetting[],
  botInfo?: UserFromGetMe,
): Promise<UserFromGetMe> {
  let bot = botInfo;
  for (const chatId of new Set(settings.map((c) => c.chatId))) {
    const result = await checkTelegram({ ...config.telegram, chatId, botInfo: bot });
    if (!result.ok) {
      const names = settings.filter((c) => c.chatId === chatId).map((c) => c.name);
      throw new StartupError(`cabinet ${names.join(', ')}: ${result.problem}`, { cause: result.cause });
    }
    bot = result.bot;
  }
  if (!bot) throw new StartupError('CABINETS_FILE lists no cabinet');
  return bot;
}

interface OpenCabinetDeps {
  setting: CabinetSetting;
  shared: boolean;
  seeds: SeedTemplate[];
  botInfo: UserFromGetMe;
  abort: AbortController;
}

interface RunningCabinet {
  cabinet: Cabinet;
  config: Config;
  operators: Operators;
  market: ReturnType<typeof createMarketClient>;
  notified: (n: MarketNotification, receivedAt: number) => void;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Its steps of a shutdown: first what takes new work, then (after the listener) the work in flight. */
  stopWork: ShutdownStep[];
  stopInFlight: ShutdownStep[];
}

/** Opens one cabinet's store, checks its key, and builds its parts and handlers; nothing is started. */
async function openCabinet(
  base: Config,
  baseLogger: Logger,
  overrides: AppOverrides,
  deps: OpenCabinetDeps,
  budgets: ReadonlyMap<number, CallBudget>,
): Promise<RunningCabinet> {
  const { setting, shared, seeds, botInfo, abort } = deps;
  const { name } = setting;
  const config: Config = {
    ...base,
    telegram: { ...base.telegram, chatId: setting.chatId },
    market: { ...base.market, apiKey: setting.apiKey, businessId: setting.businessId },
    dataDir: path.join(base.dataDir, name),
  };
  const logger = baseLogger.child({ cabinet: name });
  // Filled once the parts exist: a write that fails before that is not counted.
  const late: { parts?: Parts } = {};
  const store = await openStore({
    dataDir: config.dataDir,
    logger,
    onWriteFailed: () => late.parts?.metrics.storeWriteFailed(),
    writeRetryMs: overrides.storeWriteRetryMs,
    beforeWrite: overrides.storeBeforeWrite,
  });
  const market = createMarketClient(config, logger, abort.signal);
  let failure: string | undefined;
  let started = false;
  const fail = (reason: string) => {
    if (failure !== undefined) return;
    failure = reason;
    logger.error({ reason }, 'the cabinet stopped: the Market refused its key; the other cabinets go on');
    if (started) void stopPolling().then(announce);
  };
  const { reviews, questions } = config.threads;
  const check = await checkMarket(market, { ...config.market, productNames: reviews || questions });
  if (check.status === 'failed') fail(check.problem);
  if (check.status === 'ok') for (const warning of check.warnings) logger.warn(warning);
  if (check.status === 'unchecked')
    logger.warn({ err: check.cause }, 'could not check the Market API key now; continuing');

  const built: Parts = buildParts(config, logger, overrides, {
    store,
    market,
    botInfo,
    reportFatal: (err) => fail(err.message),
    cabinet: { name, shared },
    budget: budgets.get(setting.chatId),
    marketProblem: () => failure,
  });
  late.parts = built;
  const { core, poller, threads, rights, progress, desk, digest, bot, texts } = built;
  const templates = openTemplateBook(store, seeds, logger);
  const operators = installTelegramHandlers(config, logger, built, botInfo, templates, name);
  const stopPolling = async () => {
    await Promise.all([poller.stop(), threads?.poller.stop()]);
  };
  const announce = async () => {
    try {
      await bot.api.sendMessage(setting.chatId, texts.health.cabinetStopped(name, failure ?? ''));
    } catch (err) {
      logger.warn({ err }, 'could not tell the chat that the cabinet stopped');
    }
  };
  const cabinet: Cabinet = {
    name,
    chatId: setting.chatId,
    businessId: setting.businessId,
    parts: built,
    store,
    get failure() {
      return failure;
    },
    ownsTopic: (id) => core.chatInTopic(topicId(id)) !== undefined || threads?.threads.owns(topicId(id)) === true,
  };
  return {
    cabinet,
    config,
    operators,
    market,
    notified: cabinetIntake(config, logger, built),
    async start() {
      await core.resume();
      threads?.threads.resume();
      rights.start();
      progress.start();
      desk.start();
      digest?.start();
      started = true;
      if (failure !== undefined) {
        await announce();
        return;
      }
      poller.start();
      threads?.poller.start();
    },
    async close() {
      core.stop();
      await store.close();
      await market.close();
    },
    stopWork: [
      { name: `${name}: poller`, run: () => poller.stop(), bounded: true },
      { name: `${name}: review and question poller`, run: () => threads?.poller.stop(), bounded: true },
      { name: `${name}: bridge`, run: () => core.stop() },
      { name: `${name}: rights watch`, run: () => rights.stop() },
      { name: `${name}: progress in General`, run: () => progress.stop() },
      { name: `${name}: desk`, run: () => desk.stop(), bounded: true },
      { name: `${name}: daily digest`, run: () => digest?.stop(), bounded: true },
      { name: `${name}: operators`, run: () => operators.stop() },
    ],
    stopInFlight: [
      { name: `${name}: bridge work in flight`, run: () => core.idle(), bounded: true },
      { name: `${name}: reviews and questions in flight`, run: () => threads?.threads.stop(), bounded: true },
    ],
  };
}

/** The readiness of the process: every cabinet's report; ready while every cabinet still working is ready. */
async function readiness(cabinets: readonly Cabinet[]): Promise<{ ready: boolean; cabinets: Record<string, unknown> }> {
  const reports = await Promise.all(cabinets.map(async (c) => [c, await c.parts.health.report()] as const));
  const working = reports.filter(([c]) => c.failure === undefined);
  return {
    ready: working.length > 0 && working.every(([, r]) => r.ready),
    cabinets: Object.fromEntries(
      reports.map(([c, r]): [string, HealthReport & { failed?: string }] => [
        c.name,
        c.failure === undefined ? r : { ...r, failed: c.failure },
      ]),
    ),
  };
}

/**
 * Notifications by their business id: to that cabinet, or to none (logged) when the process does not serve it.
 * One without a business id (PING) concerns every cabinet: each counts it as a sign of life of the endpoint.
 */
function notificationRouter(
  running: readonly RunningCabinet[],
  log: Logger,
): (n: MarketNotification, receivedAt: number) => void {
  return (n, receivedAt) => {
    if (!('businessId' in n)) {
      for (const r of running) r.notified(n, receivedAt);
      return;
    }
    const target = running.find((r) => r.cabinet.businessId === n.businessId);
    if (target) target.notified(n, receivedAt);
    else log.warn({ businessId: n.businessId }, 'notification for a cabinet this process does not serve; ignored');
  };
}
