/**
 * The steps of a start that the single cabinet and several cabinets (cabinets.ts) share: the error a start ends
 * with, the Market client, TEMPLATES_FILE, the Telegram handlers of a cabinet, the operators and the listener.
 */
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { BOT_COMMANDS } from '../bridge/command-texts.ts';
import { problemOf } from '../checks/check.ts';
import { templatesCheck } from '../checks/local.ts';
import type { Config } from '../config.ts';
import { MarketClient } from '../market/client.ts';
import type { HttpServer } from '../server/http.ts';
import type { TemplateBook } from '../templates/book.ts';
import type { SeedTemplate } from '../templates/seed-file.ts';
import { installChatCommand } from '../telegram/chat-command.ts';
import { installMineCommand } from '../telegram/mine-command.ts';
import { installOperatorInput } from '../telegram/operator-input.ts';
import { Operators, type Sender } from '../telegram/operators.ts';
import { telegramReason } from '../telegram/reason.ts';
import { installQuickReplies } from '../telegram/quick-replies.ts';
import { installStatusCommand } from '../telegram/status.ts';
import { VERSION } from '../version.ts';
import { operatorRouter } from './operator-router.ts';
import type { Parts } from './parts.ts';

/** The service cannot start (or must stop) until a person fixes something; the message says what. */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** `fatal` resolves with the first error that must stop the service (bad credentials, polling ended). */
export function fatalSignal(): { fatal: Promise<Error>; reportFatal: (err: Error) => void } {
  let reportFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    reportFatal = resolve;
  });
  return { fatal, reportFatal };
}

export function createMarketClient(config: Config, logger: Logger, signal: AbortSignal): MarketClient {
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

/** TEMPLATES_FILE, read and checked before anything starts: a file a person must fix stops the start. */
export async function templatesFile(config: Config): Promise<SeedTemplate[]> {
  const { result, seeds } = await templatesCheck(config.templatesFile);
  if (!result.ok) throw new StartupError(problemOf(result), { cause: result.cause });
  return seeds;
}

/** Who may answer buyers, /status, quick replies, /chat, /mine, and operator input (replies, edits, buttons). */
export function installTelegramHandlers(
  config: Config,
  logger: Logger,
  parts: Parts,
  botInfo: UserFromGetMe,
  templates: TemplateBook,
  /** The cabinet's name, when the process serves several: /status begins with it. */
  cabinet?: string,
): Operators {
  const { bot, core, health, texts, reports } = parts;
  const telegramLog = logger.child({ side: 'telegram' });
  const operators = new Operators(config.operators, {
    api: bot.api,
    groupId: config.telegram.chatId,
    logger: telegramLog,
  });
  operators.install(bot);
  installStatusCommand(bot, config.telegram.chatId, health, texts, reports.summary, cabinet);
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

export async function startOperators(config: Config, operators: Operators, undo: () => Promise<void>): Promise<void> {
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

export async function listen(config: Config, server: HttpServer, undo: () => Promise<void>): Promise<number> {
  try {
    return await server.listen();
  } catch (err) {
    await undo();
    throw new StartupError(
      `Cannot listen on ${config.http.host}:${config.http.port} (${(err as Error).message}): change HTTP_PORT or HTTP_HOST.`,
    );
  }
}
