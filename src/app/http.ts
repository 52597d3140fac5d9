/**
 * The one HTTP listener and its routes: health and metrics, the Market notification endpoint (served
 * whatever MARKET_NOTIFICATIONS says, so the cabinet can be set up first), and the Telegram webhook.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { notificationIntake } from '../market/intake.ts';
import { AddressList } from '../server/access.ts';
import { HttpError, HttpServer, isJson, sendJson } from '../server/http.ts';
import { addNotificationRoutes } from '../server/notifications.ts';
import { addOpsRoutes } from '../server/ops-routes.ts';
import { MAX_UPDATE_BYTES, webhookHandler } from '../telegram/webhook.ts';
import { VERSION } from '../version.ts';
import type { Parts } from './parts.ts';

export function buildHttpServer(config: Config, logger: Logger, parts: Parts): HttpServer {
  const { core, health, metrics, pulse, bot, threads } = parts;
  const httpLog = logger.child({ side: 'http' });
  const server = new HttpServer({ host: config.http.host, port: config.http.port, logger: httpLog });
  addOpsRoutes(server, { readiness: () => health.report(), metrics: () => metrics.render() });
  const endpoint = config.market.notificationEndpoint;
  const intake = notificationIntake({
    businessId: config.market.businessId,
    sink: core,
    ...(threads && { threads: { sink: threads.threads, ...config.threads } }),
    logger: httpLog,
  });
  addNotificationRoutes(server, {
    path: endpoint.path,
    allow: endpoint.allow ? new AddressList(endpoint.allow) : undefined,
    trustedProxies: new AddressList(config.http.trustedProxies),
    name: 'marketgram',
    version: VERSION,
    logger: httpLog,
    onRejected: (reason) => metrics.notificationRejected(reason),
    onNotification: (n, receivedAt) => {
      pulse.lastNotificationAt = receivedAt;
      metrics.notification(n.kind === 'known' ? n.notificationType : 'UNKNOWN');
      intake(n, receivedAt);
    },
  });
  const updates = config.updates;
  if (updates.kind === 'webhook') {
    const path = new URL(updates.url).pathname;
    addWebhookRoute(server, bot, path, updates.secret, logger.child({ side: 'telegram' }));
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
