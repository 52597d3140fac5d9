/**
 * `npm run doctor`: every setting and every remote condition checked without starting the bridge, one line per
 * check as it completes — the same checks the start runs, and those a start only reports later (pin rights,
 * privacy mode, the webhook, the notification URL, the store). Each remote call is bounded, so a doctor run
 * ends within seconds even when something hangs. Nothing it prints holds the bot token or the API key.
 */
import path from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadStartConfig, type Config } from '../config.ts';
import { discoverBusiness } from '../market/business-discovery.ts';
import type { MarketConnectionOptions } from '../market/options.ts';
import { readBinding } from '../store/binding.ts';
import { MarketClient } from '../market/client.ts';
import { VERSION } from '../version.ts';
import { fail, lineOf, pass, skip, type CheckResult } from './check.ts';
import { dataDirCheck, LOCAL_CHECKS, lockCheck, storeCheck, templatesCheck } from './local.ts';
import { MARKET_CHECKS, marketChecks } from './market.ts';
import { NOTIFICATION_CHECK, notificationCheck } from './notifications.ts';
import { TELEGRAM_CHECKS, TelegramFacts, telegramChecks } from './telegram.ts';
import { WEBHOOK_CHECK, webhookCheck } from './webhook.ts';

/** Exit codes: every check passed; a check failed; the configuration itself is invalid (as at start). */
export const DOCTOR_EXIT = { ok: 0, failed: 1, config: 2 } as const;

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  /** Gets each line as soon as it is known. */
  write: (line: string) => void;
  /** The deadline of each remote call (default 5 s). */
  timeoutMs?: number;
}

/** Runs every check and prints its line; resolves with the exit code. */
export async function runDoctor(o: DoctorOptions): Promise<number> {
  let config: Config;
  let find;
  try {
    ({ config, find } = loadStartConfig(o.env));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) o.write(lineOf(fail('configuration', problem, undefined)));
    o.write('The other checks need a valid configuration: fix the settings above (.env.example describes each).');
    return DOCTOR_EXIT.config;
  }
  const targets = cabinetsOf(config);
  const secrets = [config.telegram.token, ...targets.map((t) => t.config.market.apiKey)];
  if (config.updates.kind === 'webhook') secrets.push(config.updates.secret);
  const results: CheckResult[] = [];
  const report = (batch: CheckResult[]) => {
    for (const result of batch) {
      results.push(result);
      o.write(redact(lineOf(result), secrets));
    }
  };

  report([pass('configuration', 'every setting is valid')]);
  let running = false;
  // With CABINETS_FILE, each cabinet's store, chat and key, its lines named after it.
  for (const target of targets) {
    const named = (batch: CheckResult[]) =>
      report(target.name === undefined ? batch : batch.map((r) => ({ ...r, name: `${target.name}: ${r.name}` })));
    running = (await checkHere(target.config, named)) || running;
    // Without CABINETS_FILE: the chat the setup bound and the cabinet the key reaches, when they are not set.
    const found = await findUnset(target.config, target.name === undefined ? find : [], o.timeoutMs ?? 5_000);
    named(found.results);
    const c = found.config;
    if (c.telegram.chatId !== 0) await checkTelegram(c, running, o.timeoutMs ?? 5_000, named);
    if (c.market.businessId !== 0) {
      named(await guarded([...Object.values(MARKET_CHECKS)], () => checkMarket(c, o.timeoutMs ?? 5_000)));
    }
  }
  report(
    await guarded([NOTIFICATION_CHECK], async () => [
      await notificationCheck({
        endpoint: config.market.notificationEndpoint,
        http: config.http,
        running,
        timeoutMs: o.timeoutMs,
      }),
    ]),
  );

  const failed = results.filter((r) => !r.ok).length;
  o.write(
    failed === 0
      ? `All ${results.length} checks passed.`
      : `${failed} of ${results.length} checks failed: fix ${failed === 1 ? 'it' : 'them'}, then run the doctor again.`,
  );
  return failed === 0 ? DOCTOR_EXIT.ok : DOCTOR_EXIT.failed;
}

/** What the doctor checks: the one cabinet of the environment, or each of CABINETS_FILE as the start serves it. */
function cabinetsOf(config: Config): Array<{ name?: string; config: Config }> {
  if (!config.cabinets) return [{ config }];
  return config.cabinets.map((c) => ({
    name: c.name,
    config: {
      ...config,
      telegram: { ...config.telegram, chatId: c.chatId },
      market: { ...config.market, apiKey: c.apiKey, businessId: c.businessId },
      dataDir: path.join(config.dataDir, c.name),
    },
  }));
}

/** DATA_DIR, its lock, the store and TEMPLATES_FILE; resolves with whether a marketgram is running. */
async function checkHere(config: Config, report: (batch: CheckResult[]) => void): Promise<boolean> {
  const dataDir = await dataDirCheck(config.dataDir);
  const lock = await lockCheck(config.dataDir);
  const store = dataDir.ok
    ? await storeCheck(config.dataDir)
    : skip(LOCAL_CHECKS.store, 'not checked: needs a usable DATA_DIR');
  report([dataDir, lock.result, store, (await templatesCheck(config.templatesFile)).result]);
  return lock.running;
}

async function checkTelegram(
  config: Config,
  running: boolean,
  timeoutMs: number,
  report: (batch: CheckResult[]) => void,
): Promise<void> {
  const facts = new TelegramFacts({ ...config.telegram, timeoutSeconds: timeoutMs / 1000 });
  const checks = await guarded([...Object.values(TELEGRAM_CHECKS)], () => telegramChecks(facts));
  report(checks);
  const tokenWorks = checks[0]?.ok === true;
  report([
    tokenWorks
      ? await webhookCheck(facts.api, { mode: config.updates, running })
      : skip(WEBHOOK_CHECK, 'not checked: needs a working bot token'),
  ]);
}

async function checkMarket(config: Config, timeoutMs: number): Promise<CheckResult[]> {
  const market = new MarketClient({ ...connection(config, timeoutMs), businessId: config.market.businessId });
  try {
    return (await marketChecks(market, config.market)).results;
  } finally {
    await market.close();
  }
}

/** A check that throws what it cannot explain fails each of its lines with the error, instead of the run. */
async function guarded(names: string[], run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (err) {
    return names.map((name) => fail(name, `the check itself failed: ${(err as Error).message}`, undefined));
  }
}

function redact(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('[redacted]'), text);
}

/**
 * What the start would find by itself when it is not set: the chat the setup bound (DATA_DIR/chat.json) and the
 * cabinet the key reaches. One line each; a chat id or business id that stays 0 means its checks cannot run.
 */
async function findUnset(
  config: Config,
  find: readonly string[],
  timeoutMs: number,
): Promise<{ config: Config; results: CheckResult[] }> {
  const results: CheckResult[] = [];
  if (find.includes('TELEGRAM_CHAT_ID')) {
    const bound = await readBinding(config.dataDir).catch(() => undefined);
    if (bound) {
      config = { ...config, telegram: { ...config.telegram, chatId: bound.chatId } };
      results.push(
        pass('Telegram chat binding', `TELEGRAM_CHAT_ID is not set: the chat ${bound.chatId} bound by the setup`),
      );
    } else {
      results.push(
        fail(
          'Telegram chat binding',
          'TELEGRAM_CHAT_ID is not set and no chat is bound yet, so the chat, its rights and the webhook were not checked',
          'start marketgram: it runs the setup mode and logs a one-time code to send in the chat (docs/setup.md), or set TELEGRAM_CHAT_ID.',
        ),
      );
    }
  }
  if (find.includes('MARKET_BUSINESS_ID')) {
    const found = await discoverBusiness(connection(config, timeoutMs));
    if (found.kind === 'one') {
      config = { ...config, market: { ...config.market, businessId: found.businessId } };
      results.push(pass('Market cabinet from the key', found.message));
    } else {
      results.push(fail('Market cabinet from the key', found.message, 'set MARKET_BUSINESS_ID.'));
    }
  }
  return { config, results };
}

/** The Market as the doctor asks it: silently, one attempt, no waiting out a 420, each call bounded. */
function connection(config: Config, timeoutMs: number): MarketConnectionOptions {
  return {
    baseUrl: config.market.apiUrl,
    apiKey: config.market.apiKey,
    logger: pino({ level: 'silent' }),
    integration: `marketgram/${VERSION}`,
    requestTimeoutMs: timeoutMs,
    retry: { attempts: 1 },
    maxRateLimitWaitMs: 0,
  };
}
