/**
 * Wires the bridge together: store, Market client and poller, Telegram bot, the bridge core. Used by main.ts
 * and by the end-to-end tests, which run the same code against the fake servers.
 */
import { setMaxListeners } from 'node:events';
import { Api, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { Bridge } from './bridge/bridge.ts';
import { textsFor } from './bridge/texts.ts';
import type { Config } from './config.ts';
import { MarketClient } from './market/client.ts';
import { notificationIntake } from './market/intake.ts';
import { MarketPoller } from './market/poller.ts';
import { AddressList } from './server/access.ts';
import { Health } from './server/health.ts';
import { HttpServer, sendJson } from './server/http.ts';
import { Metrics } from './server/metrics.ts';
import { addNotificationRoutes } from './server/notifications.ts';
import { JsonStore } from './store/store.ts';
import { createBot } from './telegram/bot.ts';
import { installOperatorInput } from './telegram/operator-input.ts';
import { Operators } from './telegram/operators.ts';
import { TelegramGroup } from './telegram/port.ts';
import { GroupRights, isRightsError } from './telegram/rights.ts';
import { installStatusCommand } from './telegram/status.ts';
import { addWebhookRoute } from './telegram/webhook.ts';
import { VERSION } from './version.ts';

/** The service cannot start (or must stop) until a person fixes something; the message says what. */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface AppOverrides {
  /** Skip getMe (tests). */
  botInfo?: UserFromGetMe;
  /** Delay before checking the history for a reply of unknown fate. */
  ambiguousCheckDelayMs?: number;
  ambiguousSettleMs?: number;
  retryDelayMs?: (attempt: number) => number;
  /** How long after a failed store write the pending changes are written again. */
  storeWriteRetryMs?: number;
  /** Test-only: runs before each store file write; what it throws fails the write (see StoreOptions.beforeWrite). */
  storeBeforeWrite?: (file: string) => void;
  /** How often the bot's rights in the group are checked (default a minute) and the least gap after a refusal. */
  rightsCheckIntervalMs?: number;
  rightsCheckMinGapMs?: number;
  /** Test-only: the clock of the health report (to look at it as if time had passed). */
  healthNow?: () => number;
}

export interface App {
  bridge: Bridge;
  poller: MarketPoller;
  store: JsonStore;
  health: Health;
  metrics: Metrics;
  /** The port the HTTP listener is bound to. */
  httpPort: number;
  /** Resolves with the error when the service must stop on its own (bad credentials). */
  readonly fatal: Promise<Error>;
  /** Graceful stop: no new work, in-flight work finished (up to `deadlineMs`), store flushed. */
  stop(deadlineMs?: number): Promise<void>;
}

export async function startApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const store = await JsonStore.open(config.dataDir, undefined, {
    onLockWait: (holder) =>
      logger.warn(
        { holder, dataDir: config.dataDir },
        'another marketgram is using the data directory; waiting for it to stop',
      ),
    writeRetryMs: overrides.storeWriteRetryMs,
    beforeWrite: overrides.storeBeforeWrite,
  });
  store.onBackgroundError = (err) =>
    logger.error({ err }, 'writing the store journal into its shards failed; will retry');
  store.onWriteFailed = (err, first) => {
    metrics.storeWriteFailed();
    if (first) {
      logger.error(
        { err, dataDir: config.dataDir },
        'cannot write the store: free disk space in DATA_DIR (or fix its permissions); changes are kept and written again, replies typed meanwhile are refused',
      );
    }
  };
  store.onWriteRecovered = () => logger.info({ dataDir: config.dataDir }, 'the store can be written again');
  if (store.skippedJournalLines > 0) {
    logger.warn(
      { skipped: store.skippedJournalLines },
      'skipped unreadable lines of the store journal (torn by a crash); the chats they touched may repeat a few messages',
    );
  }
  const abort = new AbortController();
  // Every request waiting for a Market slot listens to this signal; many may wait at once.
  setMaxListeners(0, abort.signal);
  let reportFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    reportFatal = resolve;
  });

  const market = new MarketClient({
    baseUrl: config.market.apiUrl,
    apiKey: config.market.apiKey,
    businessId: config.market.businessId,
    logger: logger.child({ side: 'market' }),
    integration: `marketgram/${VERSION}`,
    signal: abort.signal,
    allowPrivateAttachmentHosts: config.market.attachmentsAllowPrivateHosts,
  });
  let botInfo: UserFromGetMe;
  try {
    botInfo = await checkTelegram(config, overrides.botInfo);
    await checkMarket(market, logger);
  } catch (err) {
    await market.close();
    throw err;
  }
  const startedAt = Date.now();
  let telegramLastOk: number | undefined;
  let lastNotificationAt: number | undefined;
  const repliesWaiting = () =>
    store.allReplies().filter((r) => r.state === 'queued' || r.state === 'sending' || r.state === 'unknown').length;
  const metrics: Metrics = new Metrics({
    queueDepth: (): number => core.pending,
    backlog: (): number => core.backlog,
    repliesWaiting,
    quota: () => market.quotaSnapshot(),
    storeWritable: () => store.writeProblem === undefined,
    telegramRightsOk: () => rights.problem === undefined,
  });
  const texts = textsFor(config.language);
  // Health checks go around the bot's retries and pacing: they must answer in a second or two.
  const plainApi = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot, timeoutSeconds: 5 });
  const rights: GroupRights = new GroupRights({
    api: plainApi,
    chatId: config.telegram.chatId,
    bot: { id: botInfo.id, username: botInfo.username },
    intervalMs: overrides.rightsCheckIntervalMs,
    minGapMs: overrides.rightsCheckMinGapMs,
    log: logger.child({ side: 'telegram' }),
    texts,
    announce: async (text) => {
      await bot.api.sendMessage(config.telegram.chatId, text);
    },
  });
  const bot = createBot({
    ...config.telegram,
    botInfo,
    onAnswer: (_method, ok, code, description) => {
      // An answer shows Telegram works; flood control, its own errors and refusals for rights do not.
      if (ok || (code !== undefined && code < 500 && code !== 429 && !isRightsError(code, description)))
        telegramLastOk = Date.now();
      if (!ok && code === 429) metrics.telegramRetry('429');
      if (!ok && code !== undefined && code >= 500) metrics.telegramRetry('5xx');
      if (!ok) rights.answered(code, description);
    },
    onNetworkError: () => metrics.telegramRetry('network'),
    onRepeat: (method) => {
      metrics.telegramRepeat(method);
      logger.warn({ method }, 'posting again a Telegram call whose answer was lost; it may show twice');
    },
  });

  const telegram = new TelegramGroup(
    bot.api,
    config.telegram.chatId,
    `${config.telegram.apiRoot}/file/bot${config.telegram.token}`,
  );
  const core: Bridge = new Bridge(market, telegram, store, {
    businessId: config.market.businessId,
    historyOnFirstSight: config.historyOnFirstSight,
    texts,
    timeZone: config.timeZone,
    undoSeconds: config.undoSeconds,
    logger: logger.child({ side: 'bridge' }),
    onFatal: (err) => reportFatal(err),
    observer: metrics,
    ambiguousCheckDelayMs: overrides.ambiguousCheckDelayMs,
    ambiguousSettleMs: overrides.ambiguousSettleMs,
    retryDelayMs: overrides.retryDelayMs,
  });
  const pollIntervalMs = config.market.notifications ? config.market.reconcileIntervalMs : config.market.pollIntervalMs;
  const poller = new MarketPoller(market, core, {
    intervalMs: pollIntervalMs,
    fullSyncIntervalMs: config.market.fullSyncIntervalMs,
    logger: logger.child({ side: 'poller' }),
    onFatal: (err) => reportFatal(err),
    onRound: (ok) => metrics.poll(ok ? 'ok' : 'failed'),
  });
  const health = new Health({
    now: overrides.healthNow ?? Date.now,
    startedAt,
    telegramLastOk: () => telegramLastOk,
    probeTelegram: async () => {
      await plainApi.getMe();
      telegramLastOk = Date.now();
    },
    telegramProblem: () => rights.problem,
    storeProblem: () => store.writeProblem,
    marketLastOk: () => market.lastAnswerAt,
    lastPollAt: () => poller.lastSuccessAt,
    lastNotificationAt: () => lastNotificationAt,
    maxSilenceMs: () => Math.max(3 * poller.roundIntervalMs, 120_000),
    chats: () => store.chatCount,
    queueDepth: (): number => core.pending,
    backlog: (): number => core.backlog,
    repliesWaiting,
    quota: () => market.quotaSnapshot(),
    mode: { telegram: config.telegram.webhook ? 'webhook' : 'polling', notifications: config.market.notifications },
  });

  const httpLog = logger.child({ side: 'http' });
  const intake = notificationIntake({ businessId: config.market.businessId, sink: core, logger: httpLog });
  const server = new HttpServer({ host: config.http.host, port: config.http.port, logger: httpLog });
  server.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  server.route('GET', '/readyz', async (_req, res) => {
    const report = await health.report();
    sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
  });
  server.route('GET', '/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'Content-Type': contentType }).end(body);
  });
  addNotificationRoutes(server, {
    path: config.market.notificationPath,
    allow: config.market.notificationAllow ? new AddressList(config.market.notificationAllow) : undefined,
    trustedProxies: new AddressList(config.http.trustedProxies),
    name: 'marketgram',
    version: VERSION,
    logger: httpLog,
    onRejected: (reason) => metrics.notificationRejected(reason),
    onNotification: (n, receivedAt) => {
      lastNotificationAt = receivedAt;
      metrics.notification(n.kind === 'known' ? n.notificationType : 'UNKNOWN');
      intake(n, receivedAt);
    },
  });
  if (config.telegram.webhook) {
    addWebhookRoute(
      server,
      bot,
      new URL(config.telegram.webhook.url).pathname,
      config.telegram.webhook.secret,
      logger.child({ side: 'telegram' }),
    );
  }

  const telegramLog = logger.child({ side: 'telegram' });
  const operators = new Operators(config.operators, {
    api: bot.api,
    groupId: config.telegram.chatId,
    logger: telegramLog,
  });
  operators.install(bot);
  installStatusCommand(bot, config.telegram.chatId, health, texts);
  installOperatorInput(bot, core, {
    groupId: config.telegram.chatId,
    botUsername: botInfo.username,
    commands: ['status'],
    mayAnswer: (sender) => operators.mayAnswer(sender),
    texts,
    logger: telegramLog,
  });
  bot.catch((err) => {
    logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'update handler failed');
  });

  try {
    await operators.start();
  } catch (err) {
    core.stop();
    await store.close();
    await market.close();
    throw new StartupError(
      `OPERATORS=admins: the group's administrators cannot be read (${err instanceof GrammyError ? err.description : (err as Error).message}): check that the bot is an administrator of ${config.telegram.chatId}, or set OPERATORS to all or a list of user ids.`,
      { cause: err },
    );
  }
  let httpPort: number;
  try {
    httpPort = await server.listen();
  } catch (err) {
    operators.stop();
    await market.close();
    throw new StartupError(
      `Cannot listen on ${config.http.host}:${config.http.port} (${(err as Error).message}): change HTTP_PORT or HTTP_HOST.`,
    );
  }
  await core.resume();
  poller.start();
  rights.start();
  let polling: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const stop = (deadlineMs = 8_000): Promise<void> => {
    stopping ??= (async () => {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
      await Promise.race([poller.stop(), deadline]);
      core.stop();
      rights.stop();
      operators.stop();
      await Promise.race([bot.isRunning() ? bot.stop() : Promise.resolve(), deadline]);
      await Promise.race([server.close(), deadline]);
      await Promise.race([core.idle(), deadline]);
      abort.abort();
      await store.close();
      await Promise.race([polling, deadline]);
      await market.close();
      logger.info('marketgram stopped');
    })();
    return stopping;
  };
  // chat_member updates come only when asked for; they keep the administrators (OPERATORS=admins) current.
  const allowedUpdates = [
    'message',
    'edited_message',
    'callback_query',
    ...(operators.watchesMembers ? (['chat_member'] as const) : []),
  ] as const;
  if (config.telegram.webhook) {
    // Updates that waited while we were polling (or down) are delivered to the webhook: nothing is dropped.
    try {
      await bot.api.setWebhook(config.telegram.webhook.url, {
        secret_token: config.telegram.webhook.secret,
        allowed_updates: [...allowedUpdates],
        max_connections: 1,
      });
    } catch (err) {
      await stop(2_000);
      throw new StartupError(
        `TELEGRAM_WEBHOOK_URL was refused by Telegram (${err instanceof GrammyError ? err.description : (err as Error).message}): it must be a public https URL on port 443, 80, 88 or 8443 with a valid certificate.`,
      );
    }
  } else {
    polling = bot
      .start({
        allowed_updates: [...allowedUpdates],
        onStart: (me) => logger.debug({ bot: me.username }, 'telegram long polling started'),
      })
      .catch((err: unknown) => {
        logger.fatal({ err }, 'Telegram polling stopped');
        reportFatal(err instanceof Error ? err : new Error(String(err)));
      });
  }
  logger.info(
    {
      bot: botInfo.username,
      chatId: config.telegram.chatId,
      businessId: config.market.businessId,
      httpPort,
      telegram: config.telegram.webhook ? 'webhook' : 'polling',
      notifications: config.market.notifications,
    },
    'marketgram started',
  );

  return { bridge: core, poller, store, health, metrics, httpPort, fatal, stop };
}

/**
 * Checks the bot, the group and the bot's rights with a plain API client (no auto-retry, short timeout), so
 * a wrong setting is reported at once instead of being retried forever. Returns the bot's identity.
 */
async function checkTelegram(config: Config, known?: UserFromGetMe): Promise<UserFromGetMe> {
  const chatId = config.telegram.chatId;
  const api = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot, timeoutSeconds: 20 });
  try {
    const me = known ?? (await api.getMe());
    const chat = await api.getChat(chatId);
    if (chat.type !== 'supergroup' || !chat.is_forum) {
      throw new StartupError(
        `TELEGRAM_CHAT_ID ${chatId} is not a forum supergroup: turn on Topics in the group settings (Edit → Topics).`,
      );
    }
    const member = await api.getChatMember(chatId, me.id);
    if (member.status !== 'administrator' || !member.can_manage_topics) {
      throw new StartupError(
        `The bot is not an administrator with the "Manage topics" right in ${chatId}: promote @${me.username} to admin and enable "Manage topics".`,
      );
    }
    return me;
  } catch (err) {
    if (err instanceof StartupError) throw err;
    if (err instanceof GrammyError && err.error_code === 401) {
      throw new StartupError('TELEGRAM_BOT_TOKEN was rejected by Telegram: copy the token again from @BotFather.');
    }
    if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403)) {
      throw new StartupError(
        `TELEGRAM_CHAT_ID ${chatId}: Telegram says "${err.description}". Add the bot to the group as an administrator and check the id.`,
      );
    }
    if (err instanceof HttpError) {
      throw new StartupError(
        `Telegram (${config.telegram.apiRoot}) cannot be reached: ${err.message}. Check the network or TELEGRAM_API_ROOT.`,
        { cause: err },
      );
    }
    throw err;
  }
}

async function checkMarket(market: MarketClient, logger: Logger): Promise<void> {
  try {
    // A wrong business id shows here as a 403 (the key belongs to another cabinet).
    await market.listChats({ limit: 1 });
    const info = await market.getTokenInfo();
    const scopes = info.scopes.map((s) => s.toUpperCase());
    if (!scopes.includes('COMMUNICATION') && !scopes.includes('ALL_METHODS')) {
      throw new StartupError(
        `MARKET_API_KEY "${info.name}" lacks the "communication" scope (Общение с покупателями): edit the key in the seller cabinet (Settings → API and modules) and add it.`,
      );
    }
  } catch (err) {
    if (err instanceof StartupError) throw err;
    if (err instanceof Error && (err as { fatal?: unknown }).fatal === true) {
      throw new StartupError(err.message, { cause: err });
    }
    // Not fatal: the poller retries and reports.
    logger.warn({ err }, 'could not check the Market API key now; continuing');
  }
}
