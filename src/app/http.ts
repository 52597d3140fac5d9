/**
 * The one HTTP listener and its routes: health and metrics, the Market notification endpoint (served
 * whatever MARKET_NOTIFICATIONS says, so the cabinet can be set up first), and the Telegram webhook. One listener
 * a process, whether it serves one cabinet or several (CABINETS_FILE: see cabinets.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { notificationIntake } from '../market/intake.ts';
import type { MarketNotification } from '../market/notifications.ts';
import { AddressList } from '../server/access.ts';
import { HttpError, HttpServer, isJson, sendJson } from '../server/http.ts';
import { addNotificationRoutes } from '../server/notifications.ts';
import { addOpsRoutes } from '../server/ops-routes.ts';
import { MAX_UPDATE_BYTES, webhookHandler } from '../telegram/webhook.ts';
import { VERSION } from '../version.ts';
import type { Parts } from './parts.ts';

/** What the listener serves, whatever the number of cabinets behind it. */
export interface Served {
  readiness: () => Promise<{ ready: boolean }>;
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** An accepted notification, to the cabinet(s) it concerns (they count it and hand it to their intake). */
  notified: (n: MarketNotification, receivedAt: number) => void;
  /** A request to the notification endpoint that was refused. */
  rejected: (reason: string) => void;
  /** What takes Telegram's webhook updates (with TELEGRAM_WEBHOOK_URL). */
  updates: Parameters<typeof webhookHandler>[0];
}

/** The single cabinet's listener: everything it serves comes from the one set of parts. */
export function buildHttpServer(config: Config, logger: Logger, parts: Parts): HttpServer {
  const { health, metrics, bot } = parts;
  const notified = cabinetIntake(config, logger, parts);
  return buildListener(config, logger, {
    readiness: () => health.report(),
    metrics: () => metrics.render(),
    notified,
    rejected: (reason) => metrics.notificationRejected(reason),
    updates: bot,
  });
}

/** A cabinet's side of the notification endpoint: counted, its time kept for health, then its intake. */
export function cabinetIntake(
  config: Config,
  logger: Logger,
  parts: Pick<Parts, 'core' | 'metrics' | 'pulse' | 'threads'>,
): (n: MarketNotification, receivedAt: number) => void {
  const { core, metrics, pulse, threads } = parts;
  const intake = notificationIntake({
    businessId: config.market.businessId,
    sink: core,
    ...(threads && { threads: { sink: threads.threads, ...config.threads } }),
    logger: logger.child({ side: 'http' }),
  });
  return (n, receivedAt) => {
    pulse.lastNotificationAt = receivedAt;
    metrics.notification(n.kind === 'known' ? n.notificationType : 'UNKNOWN');
    intake(n, receivedAt);
  };
}

/** The one HTTP listener: health and metrics, the notification endpoint and the webhook. Not started here. */
export function buildListener(config: Config, logger: Logger, served: Served): HttpServer {
  const httpLog = logger.child({ side: 'http' });
  const server = new HttpServer({ host: config.http.host, port: config.http.port, logger: httpLog });
  addOpsRoutes(server, { readiness: served.readiness, metrics: served.metrics });
  const endpoint = config.market.notificationEndpoint;
  addNotificationRoutes(server, {
    path: endpoint.path,
    allow: endpoint.allow ? new AddressList(endpoint.allow) : undefined,
    trustedProxies: new AddressList(config.http.trustedProxies),
    name: 'marketgram',
    version: VERSION,
    logger: httpLog,
    onRejected: served.rejected,
    onNotification: served.notified,
  });
  const updates = config.updates;
  if (updates.kind === 'webhook') {
    const path = new URL(updates.url).pathname;
    addWebhookRoute(server, served.updates, path, updates.secret, logger.child({ side: 'telegram' }));
  }
  return server;
}

/** Serves Telegram's webhook POSTs at `path` (the Telegram side decides the answer). */
export function addWebhookRoute(
  server: HttpServer,
  bot: Parameters<typeof webhookHandler>[0],
  path: string,
  secret: string,
  log: Logger,
): void {
  const handle = webhookHandler(bot, secret, log);
  server.route(
    'POST',
    path,
    async (req, res, body) => {
      const header = req.headers['x-telegram-bot-api-secret-token'];
      const answer = await handle({
        secretToken: header === undefined ? undefined : String(header),
        json: isJson(req),
        from: req.socket.remoteAddress,
        body,
      });
      if (answer.status !== 200) throw new HttpError(answer.status, answer.body);
      sendJson(res, 200, answer.body);
    },
    MAX_UPDATE_BYTES,
  );
}
