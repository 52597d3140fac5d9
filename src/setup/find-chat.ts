/**
 * The chat to mirror into when TELEGRAM_CHAT_ID is not set: the one the setup bound before (DATA_DIR/chat.json),
 * or, the first time, one bound now in setup mode (setup-mode.ts), waiting until a person binds one or the
 * process is told to stop. Meanwhile the HTTP listener answers /healthz (200: the process is up) and /readyz (503:
 * waiting for a chat), so a container's health check sees a live process.
 */
import { GrammyError, HttpError } from 'grammy';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { HttpServer } from '../server/http.ts';
import { addOpsRoutes } from '../server/ops-routes.ts';
import { readBinding, type ChatBinding } from '../store/binding.ts';
import { startSetupMode } from './setup-mode.ts';

/** A setting a person must fix before setup mode can run; the message says which. */
export class SetupError extends Error {
  readonly code = 'SETUP_FAILED';
}

/**
 * The bound chat; undefined when `until` was aborted before one was bound. Throws a SetupError for a token
 * Telegram refuses or a Telegram it cannot reach.
 */
export async function findChat(
  config: Config,
  logger: Logger,
  until: AbortSignal,
  code?: string,
): Promise<ChatBinding | undefined> {
  const bound = await readBinding(config.dataDir);
  if (bound) {
    logger.info(
      { chatId: bound.chatId, kind: bound.kind },
      'TELEGRAM_CHAT_ID is not set: using the chat the setup bound',
    );
    return bound;
  }
  const http = new HttpServer({
    host: config.http.host,
    port: config.http.port,
    logger: logger.child({ side: 'http' }),
  });
  addOpsRoutes(http, {
    readiness: () =>
      Promise.resolve({ ready: false, setup: 'waiting for a chat to be bound with the code in the log' }),
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
  });
  let httpPort: number;
  try {
    httpPort = await http.listen();
  } catch (err) {
    throw new SetupError(
      `Cannot listen on ${config.http.host}:${config.http.port} (${(err as Error).message}): change HTTP_PORT or HTTP_HOST.`,
    );
  }
  try {
    return await setupMode(config, logger, until, httpPort, code);
  } finally {
    await http.close();
  }
}

async function setupMode(
  config: Config,
  logger: Logger,
  until: AbortSignal,
  httpPort: number,
  code: string | undefined,
): Promise<ChatBinding | undefined> {
  let setup;
  try {
    setup = await startSetupMode({
      token: config.telegram.token,
      apiRoot: config.telegram.apiRoot,
      language: config.language,
      dataDir: config.dataDir,
      logger,
      ...(code !== undefined && { code }),
    });
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 401)
      throw new SetupError('TELEGRAM_BOT_TOKEN was rejected by Telegram: copy the token again from @BotFather.');
    if (err instanceof HttpError)
      throw new SetupError(
        `Telegram (${config.telegram.apiRoot}) cannot be reached: ${err.message}. Check the network or TELEGRAM_API_ROOT.`,
      );
    throw err;
  }
  logger.info({ httpPort }, 'setup mode: /healthz answers 200 and /readyz 503 until a chat is bound');
  if (until.aborted) {
    await setup.stop();
    return undefined;
  }
  const stopped = new Promise<undefined>((resolve) =>
    until.addEventListener('abort', () => void setup.stop().then(() => resolve(undefined)), { once: true }),
  );
  return Promise.race([setup.bound, stopped]);
}
