/**
 * The operations routes of the listener: GET /healthz (the process answers), GET /readyz (the health
 * report; 503 while not ready) and GET /metrics (Prometheus text).
 */
import { sendJson, type HttpServer } from './http.ts';

export interface OpsSources {
  /** The readiness report; `ready` decides 200 or 503, the rest is shown as it is. */
  readiness: () => Promise<{ ready: boolean }>;
  metrics: () => Promise<{ contentType: string; body: string }>;
}

export function addOpsRoutes(server: HttpServer, o: OpsSources): void {
  server.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  server.route('GET', '/readyz', async (_req, res) => {
    const report = await o.readiness();
    sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
  });
  server.route('GET', '/metrics', async (_req, res) => {
    const { contentType, body } = await o.metrics();
    res.writeHead(200, { 'Content-Type': contentType }).end(body);
  });
}
