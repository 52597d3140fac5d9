/**
 * The notification URL check: a PING posted to MARKET_NOTIFICATION_URL, as the Market posts one before it
 * enables the integration, must be answered by marketgram within the Market's 1 s. That tests the whole way
 * in: DNS, the certificate, the reverse proxy, the path and the listener. When no marketgram is running, the
 * doctor serves the same endpoint on HTTP_HOST:HTTP_PORT in its place for the length of the check.
 */
import { pino } from 'pino';
import type { Config } from '../config.ts';
import { AddressList } from '../server/access.ts';
import { HttpServer } from '../server/http.ts';
import { addNotificationRoutes } from '../server/notifications.ts';
import { VERSION } from '../version.ts';
import { fail, pass, skip, type CheckResult } from './check.ts';

export const NOTIFICATION_CHECK = 'notification URL';

/** The Market waits this long for the answer to a PING. */
const PING_DEADLINE_MS = 1_000;

export interface NotificationCheckOptions {
  endpoint: Config['market']['notificationEndpoint'];
  http: Config['http'];
  /** A marketgram holds DATA_DIR now (the lock check): it serves the endpoint itself. */
  running: boolean;
  /** How long to wait for an answer at all (default 5 s), to tell a slow answer from none. */
  timeoutMs?: number;
}

export async function notificationCheck(o: NotificationCheckOptions): Promise<CheckResult> {
  const url = o.endpoint.publicUrl;
  if (url === undefined) {
    return skip(
      NOTIFICATION_CHECK,
      'not checked: set MARKET_NOTIFICATION_URL to the URL entered in the seller cabinet to have the doctor send it a PING',
    );
  }
  if (o.running) return verdict(await ping(url, o.timeoutMs), 'marketgram');
  const server = endpointInPlace(o);
  try {
    await server.listen();
  } catch (err) {
    return fail(
      NOTIFICATION_CHECK,
      `marketgram is not running, and the doctor cannot listen on ${o.http.host}:${o.http.port} in its place (${(err as Error).message})`,
      'free the port or change HTTP_PORT: marketgram serves notifications there.',
    );
  }
  try {
    return verdict(await ping(url, o.timeoutMs), 'the doctor, in place of marketgram,');
  } finally {
    await server.close();
  }
}

/** marketgram's notification endpoint as the running service serves it, answering without handing anything on. */
function endpointInPlace(o: NotificationCheckOptions): HttpServer {
  const logger = pino({ level: 'silent' });
  const server = new HttpServer({ host: o.http.host, port: o.http.port, logger });
  addNotificationRoutes(server, {
    path: o.endpoint.path,
    allow: o.endpoint.allow ? new AddressList(o.endpoint.allow) : undefined,
    trustedProxies: new AddressList(o.http.trustedProxies),
    name: 'marketgram',
    version: VERSION,
    logger,
    onNotification: () => undefined,
  });
  return server;
}

type Answer =
  | { kind: 'answer'; status: number; body: unknown; ms: number; location?: string }
  | { kind: 'timeout'; ms: number }
  | { kind: 'error'; code?: string; message: string };

/** Posts a PING as the Market does (`PingNotificationDTO`) and times the whole exchange. */
async function ping(url: string, timeoutMs = 5_000): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notificationType: 'PING', time: new Date().toISOString() }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const ms = Math.round(performance.now() - started);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { kind: 'answer', status: res.status, body, ms, location: res.headers.get('location') ?? undefined };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { kind: 'timeout', ms: timeoutMs };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'error', code: cause?.code, message: cause?.message ?? (err as Error).message };
  }
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS/;

function verdict(a: Answer, who: string): CheckResult {
  const name = NOTIFICATION_CHECK;
  if (a.kind === 'timeout') {
    return fail(
      name,
      `no answer to the PING within ${a.ms / 1000} s`,
      'check that the domain points at the reverse proxy and that it forwards the path to HTTP_PORT.',
    );
  }
  if (a.kind === 'error') {
    if (a.code && CERT_CODES.test(a.code)) {
      return fail(
        name,
        `the certificate was refused (${a.code}: ${a.message})`,
        'use a certificate from a recognised authority for this name: the Market refuses self-signed ones.',
      );
    }
    return fail(
      name,
      `cannot connect (${a.code ?? a.message})`,
      'check that the domain points at the reverse proxy, that port 443 is open, and that the proxy answers.',
    );
  }
  const slow =
    a.ms > PING_DEADLINE_MS
      ? fail(
          name,
          `the answer took ${a.ms} ms, over the Market's 1 s for a PING`,
          'make the way to marketgram faster: the reverse proxy on the same host or network.',
        )
      : undefined;
  if (a.status === 200 && isPingAnswer(a.body)) return slow ?? pass(name, `${who} answered the PING in ${a.ms} ms`);
  if (a.status === 403 && isEndpointError(a.body)) {
    return (
      slow ??
      pass(
        name,
        `reached ${who} in ${a.ms} ms; its allow-list (MARKET_NOTIFICATION_IPS) refused the doctor's address, as it should: the Market's addresses pass`,
      )
    );
  }
  if (a.status >= 300 && a.status < 400) {
    return fail(
      name,
      `HTTP ${a.status}: a redirect to ${a.location ?? 'another URL'}`,
      'put the final URL in MARKET_NOTIFICATION_URL and in the cabinet: the Market does not follow redirects.',
    );
  }
  if (a.status === 404) {
    return fail(
      name,
      'HTTP 404: the URL is not served',
      'its path must be MARKET_NOTIFICATION_PATH (or it with /notification appended), and the reverse proxy must pass the path on unchanged.',
    );
  }
  if (a.status === 502 || a.status === 503 || a.status === 504) {
    return fail(
      name,
      `HTTP ${a.status} from the reverse proxy: it cannot reach ${who === 'marketgram' ? 'marketgram' : 'the listener'}`,
      'point the proxy at HTTP_PORT on an address HTTP_HOST listens on.',
    );
  }
  return fail(
    name,
    `HTTP ${a.status}${a.status === 200 ? ', but not marketgram’s answer' : ''}`,
    'the URL must reach marketgram’s notification endpoint: see docs/operations.md, "Notifications and webhook".',
  );
}

/** `SendNotificationResponse`: `{ version, name, time }`. */
function isPingAnswer(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.version === 'string' && typeof b.name === 'string' && typeof b.time === 'string';
}

/** `SendNotificationErrorResponse`: the endpoint's own refusal, not a proxy's. */
function isEndpointError(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: { type?: unknown } }).error;
  return typeof error?.type === 'string';
}
