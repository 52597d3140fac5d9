/**
 * Wires the bridge together: store, Market client and poller, Telegram bot, the bridge core. Used by main.ts
 * and by the end-to-end tests, which run the same code against the fake servers.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { Bridge } from './bridge/bridge.ts';
import { textsFor } from './bridge/texts.ts';
import type { Config } from './config.ts';
import { MarketClient } from './market/client.ts';
import { MarketPoller } from './market/poller.ts';
import { JsonStore } from './store/store.ts';
import { createBot } from './telegram/bot.ts';
import { installOperatorInput } from './telegram/operator-input.ts';
import { TelegramGroup } from './telegram/port.ts';
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
  retryDelayMs?: (attempt: number) => number;
}

export interface App {
  bridge: Bridge;
  poller: MarketPoller;
  store: JsonStore;
  /** Resolves with the error when the service must stop on its own (bad credentials). */
  readonly fatal: Promise<Error>;
  /** Graceful stop: no new work, in-flight work finished (up to `deadlineMs`), store flushed. */
  stop(deadlineMs?: number): Promise<void>;
}

export async function startApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const store = await JsonStore.open(config.dataDir);
  const abort = new AbortController();
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
  });
  let botInfo: UserFromGetMe;
  try {
    botInfo = await checkTelegram(config, overrides.botInfo);
    await checkMarket(market, logger);
  } catch (err) {
    await market.close();
    throw err;
  }
  const bot = createBot({ ...config.telegram, botInfo });

  const telegram = new TelegramGroup(
    bot.api,
    config.telegram.chatId,
    `${config.telegram.apiRoot}/file/bot${config.telegram.token}`,
  );
  const bridge = new Bridge(market, telegram, store, {
    businessId: config.market.businessId,
    historyOnFirstSight: config.historyOnFirstSight,
    texts: textsFor(config.language),
    timeZone: config.timeZone,
    logger: logger.child({ side: 'bridge' }),
    onFatal: (err) => reportFatal(err),
    ambiguousCheckDelayMs: overrides.ambiguousCheckDelayMs,
    retryDelayMs: overrides.retryDelayMs,
  });
  const poller = new MarketPoller(market, store, bridge, {
    intervalMs: config.market.pollIntervalMs,
    fullSyncIntervalMs: config.market.fullSyncIntervalMs,
    logger: logger.child({ side: 'poller' }),
    onFatal: (err) => reportFatal(err),
  });

  installOperatorInput(bot, config.telegram.chatId, bridge, logger.child({ side: 'telegram' }));
  bot.catch((err) => {
    logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'update handler failed');
  });

  await bridge.resume();
  poller.start();
  const polling = bot
    .start({
      allowed_updates: ['message', 'edited_message'],
      onStart: (me) => logger.debug({ bot: me.username }, 'telegram long polling started'),
    })
    .catch((err: unknown) => {
      logger.fatal({ err }, 'Telegram polling stopped');
      reportFatal(err instanceof Error ? err : new Error(String(err)));
    });

  logger.info(
    { bot: botInfo.username, chatId: config.telegram.chatId, businessId: config.market.businessId },
    'marketgram started',
  );

  let stopping: Promise<void> | undefined;
  const stop = (deadlineMs = 8_000): Promise<void> => {
    stopping ??= (async () => {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
      await Promise.race([poller.stop(), deadline]);
      bridge.stop();
      await Promise.race([bot.isRunning() ? bot.stop() : Promise.resolve(), deadline]);
      await Promise.race([bridge.idle(), deadline]);
      abort.abort();
      await store.commit();
      await Promise.race([polling, deadline]);
      await market.close();
      logger.info('marketgram stopped');
    })();
    return stopping;
  };
  return { bridge, poller, store, fatal, stop };
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
