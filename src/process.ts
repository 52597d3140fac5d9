/**
 * The bridge as a process: reads `.env` and the environment, starts the bridge, and stops it gracefully on SIGTERM
 * or SIGINT (exit 0). Bad configuration or credentials exit non-zero with a message saying what to fix, printed
 * once on standard error. `main.ts` runs it as it is; the chaos run's child entry (test/chaos/bridge-process.ts)
 * runs it with shorter timings.
 */
import { existsSync } from 'node:fs';
import type { AppOverrides } from './app.ts';
import { ConfigError, loadStartConfig, type Config } from './config.ts';

/** Test hooks of the process (the e2e tests run it in-process). */
export interface ProcessOptions {
  /** Setup mode's one-time code instead of a random one. */
  setupCode?: string;
}

async function run(overrides: AppOverrides, options: ProcessOptions = {}): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  let find;
  try {
    ({ config, find } = loadStartConfig(process.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`marketgram: ${err.message}\nSee .env.example for every setting.\n`);
      return 2;
    }
    throw err;
  }
  // Loaded once the settings are good, so that a wrong one is reported at once, before the bridge's modules load.
  const [
    { StartupError, startApp },
    { startCabinets },
    { chooseLogFormat, createLogger },
    { StoreError },
    { findChat, SetupError },
    { findBusiness },
  ] = await Promise.all([
    import('./app.ts'),
    import('./app/cabinets.ts'),
    import('./logger.ts'),
    import('./store/errors.ts'),
    import('./setup/find-chat.ts'),
    import('./setup/find-business.ts'),
  ]);
  const logger = createLogger({
    level: config.logLevel,
    format: chooseLogFormat(config.logFormat, process.stdout.isTTY === true),
    secrets: [config.telegram.token, config.market.apiKey, ...(config.cabinets ?? []).map((c) => c.apiKey)].filter(
      (s) => s !== '',
    ),
  });
  if (find.includes('MARKET_BUSINESS_ID')) {
    // The cabinet the key reaches; several or none stop the start, naming them.
    try {
      config = { ...config, market: { ...config.market, businessId: await findBusiness(config, logger) } };
    } catch (err) {
      if (!(err instanceof SetupError)) throw err;
      process.stderr.write(`marketgram: ${err.message}\n`);
      return 1;
    }
  }
  if (find.includes('TELEGRAM_CHAT_ID')) {
    // Setup mode until a person binds a chat; a signal meanwhile stops it (exit 0).
    const signalled = new AbortController();
    const onSignal = () => signalled.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    let chat;
    try {
      chat = await findChat(config, logger, signalled.signal, options.setupCode);
    } catch (err) {
      if (!(err instanceof SetupError || err instanceof StoreError)) throw err;
      process.stderr.write(`marketgram: ${err.message}\n`);
      return 1;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    if (!chat) return 0;
    config = { ...config, telegram: { ...config.telegram, chatId: chat.chatId } };
  }
  let app;
  try {
    app = config.cabinets ? await startCabinets(config, logger, overrides) : await startApp(config, logger, overrides);
  } catch (err) {
    if (err instanceof StartupError || err instanceof StoreError) {
      // Once, as text: the message is for the person who must fix something, not for a log collector.
      process.stderr.write(`marketgram: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const started = app;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping');
      void started.stop().then(() => resolve(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    void started.fatal.then(async (err) => {
      process.stderr.write(`marketgram: ${err.message}\n`);
      await started.stop();
      resolve(1);
    });
  });
  return stopped;
}

/** Runs the bridge until a signal or a fatal error, then exits with its code. */
export function runProcess(overrides: AppOverrides = {}, options: ProcessOptions = {}): void {
  run(overrides, options).then(
    (code) => {
      process.exitCode = code;
      // Anything still pending (keep-alive sockets, timers) must not hold the process past a stop.
      setTimeout(() => process.exit(code), 500).unref();
    },
    (err: unknown) => {
      process.stderr.write(`marketgram: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
