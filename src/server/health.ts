/**
 * Health: liveness is "the process answers"; readiness is "the store is loaded, Telegram and the Market
 * answer, and changes are still coming in (a poll or a notification recently)". The same report feeds
 * GET /readyz and the /status command.
 */
export interface HealthSources {
  now: () => number;
  startedAt: number;
  /** Last time Telegram answered any call (epoch ms). */
  telegramLastOk: () => number | undefined;
  /** Calls Telegram once (getMe); used when nothing else talked to it lately. */
  probeTelegram: () => Promise<void>;
  /** Last time the Market answered any request. */
  marketLastOk: () => number | undefined;
  lastPollAt: () => number | undefined;
  lastNotificationAt: () => number | undefined;
  /**
   * How long without a successful poll or notification still counts as healthy. Asked at each report: it
   * follows the poll interval, which stretches with the number of open chats.
   */
  maxSilenceMs: () => number;
  chats: () => number;
  queueDepth: () => number;
  backlog: () => number;
  repliesWaiting: () => number;
  quota: () => Record<string, { limit?: number; remaining?: number }>;
  mode: { telegram: 'polling' | 'webhook'; notifications: boolean };
}

export interface Check {
  ok: boolean;
  /** Seconds since the last success, when known. */
  ageSeconds?: number;
  detail?: string;
}

export interface HealthReport {
  ready: boolean;
  checks: { store: Check; telegram: Check; market: Check; intake: Check };
  uptimeSeconds: number;
  chats: number;
  queueDepth: number;
  backlog: number;
  repliesWaiting: number;
  lastPollAgeSeconds?: number;
  lastNotificationAgeSeconds?: number;
  quota: Record<string, { limit?: number; remaining?: number }>;
  mode: HealthSources['mode'];
}

const FRESH_MS = 90_000;
const PROBE_EVERY_MS = 30_000;

export class Health {
  private lastProbe = 0;
  private probeFailed: string | undefined;

  constructor(private readonly s: HealthSources) {}

  async report(): Promise<HealthReport> {
    const now = this.s.now();
    const age = (t: number | undefined) => (t === undefined ? undefined : Math.max(0, Math.round((now - t) / 1000)));
    await this.probeIfQuiet(now);
    const tgLast = this.s.telegramLastOk();
    const telegram: Check =
      tgLast !== undefined && now - tgLast < FRESH_MS + PROBE_EVERY_MS
        ? { ok: true, ageSeconds: age(tgLast) }
        : { ok: false, ageSeconds: age(tgLast), detail: this.probeFailed ?? 'no answer from Telegram lately' };
    const maxSilenceMs = this.s.maxSilenceMs();
    const mkLast = this.s.marketLastOk();
    const market: Check =
      mkLast !== undefined && now - mkLast < maxSilenceMs
        ? { ok: true, ageSeconds: age(mkLast) }
        : { ok: false, ageSeconds: age(mkLast), detail: 'no answer from the Market lately' };
    const lastIntake = Math.max(this.s.lastPollAt() ?? 0, this.s.lastNotificationAt() ?? 0) || undefined;
    const withinGrace = now - this.s.startedAt < maxSilenceMs;
    const intake: Check =
      (lastIntake !== undefined && now - lastIntake < maxSilenceMs) || (lastIntake === undefined && withinGrace)
        ? { ok: true, ageSeconds: age(lastIntake) }
        : { ok: false, ageSeconds: age(lastIntake), detail: 'no successful poll or notification lately' };
    const checks = { store: { ok: true }, telegram, market, intake };
    return {
      ready: Object.values(checks).every((c) => c.ok),
      checks,
      uptimeSeconds: Math.round((now - this.s.startedAt) / 1000),
      chats: this.s.chats(),
      queueDepth: this.s.queueDepth(),
      backlog: this.s.backlog(),
      repliesWaiting: this.s.repliesWaiting(),
      lastPollAgeSeconds: age(this.s.lastPollAt()),
      lastNotificationAgeSeconds: age(this.s.lastNotificationAt()),
      quota: this.s.quota(),
      mode: this.s.mode,
    };
  }

  private async probeIfQuiet(now: number): Promise<void> {
    const last = this.s.telegramLastOk();
    if ((last !== undefined && now - last < FRESH_MS) || now - this.lastProbe < PROBE_EVERY_MS) return;
    this.lastProbe = now;
    try {
      await this.s.probeTelegram();
      this.probeFailed = undefined;
    } catch (err) {
      this.probeFailed = (err as Error).message;
    }
  }
}
