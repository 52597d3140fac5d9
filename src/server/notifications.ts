/**
 * The Market notification endpoint. Acknowledges every well-formed notification at once with the
 * spec's `{ version, name, time }` (the Market waits 1 s for PING, 10 s otherwise) and hands it on
 * afterwards; a body that is not a notification gets 400 WRONG_EVENT_FORMAT, which the Market does not
 * retry. Only allowed sources are served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  notificationError,
  notificationResponse,
  parseNotification,
  type MarketNotification,
} from '../market/notifications.ts';
import { clientAddress, type AddressList } from './access.ts';
import { HttpError, isJson, sendJson, type BodyReader, type HttpServer } from './http.ts';

/** The spec requires UTF-8; malformed bytes are refused rather than replaced. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A notification is a few hundred bytes; anything far larger is not one. */
const MAX_NOTIFICATION_BYTES = 16 * 1024;

export interface NotificationRouteOptions {
  /** The configured path; `${path}/notification` is served too. */
  path: string;
  /** undefined: any source. */
  allow?: AddressList;
  trustedProxies: AddressList;
  name: string;
  version: string;
  logger: Logger;
  /** Called after the answer was sent. Must not throw. */
  onNotification: (n: MarketNotification, receivedAt: number) => void;
  onRejected?: (reason: string) => void;
}

export function addNotificationRoutes(server: HttpServer, o: NotificationRouteOptions): void {
  const handler = async (req: IncomingMessage, res: ServerResponse, body: BodyReader) => {
    const receivedAt = Date.now();
    const startedAt = new Date(receivedAt);
    const refuse = (status: number, reason: string, message: string): never => {
      o.onRejected?.(reason);
      throw new HttpError(status, notificationError(status === 400 ? 'WRONG_EVENT_FORMAT' : 'UNKNOWN', message));
    };
    if (o.allow) {
      const from = clientAddress(req, o.trustedProxies);
      if (!o.allow.has(from)) {
        o.logger.warn({ from }, 'notification from an address that is not allowed');
        refuse(403, 'forbidden', 'this address may not post notifications');
      }
    }
    if (!isJson(req)) refuse(415, 'content-type', 'Content-Type must be application/json');
    let raw: Buffer;
    try {
      raw = await body();
    } catch (err) {
      if (err instanceof HttpError && err.status === 413) refuse(413, 'too-large', 'the body is too large');
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(UTF8.decode(raw));
    } catch {
      refuse(400, 'json', 'the body is not valid UTF-8 JSON');
    }
    const parsed = parseNotification(json);
    if (!parsed.ok) refuse(400, 'schema', parsed.message);
    else {
      sendJson(res, 200, notificationResponse(o.name, o.version, startedAt));
      const notification = parsed.notification;
      setImmediate(() => {
        try {
          o.onNotification(notification, receivedAt);
        } catch (err) {
          o.logger.error({ err }, 'notification handling failed');
        }
      });
    }
  };
  const base = o.path === '/' ? '' : o.path;
  server.route('POST', o.path, handler, MAX_NOTIFICATION_BYTES);
  server.route('POST', `${base}/notification`, handler, MAX_NOTIFICATION_BYTES);
}
