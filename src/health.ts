/**
 * Health: liveness is "the process answers"; readiness is "the store is loaded, Telegram and the Market
 * answer, and changes are still coming in (a poll or a notification recently)". The same report feeds
 * GET /readyz and the /status command.
 */
export interface HealthSources {
  now: () => number;
  startedAt: number;
  /** Last time Telegram answered a call (epoch ms). */
  telegramLastOk: () => number | undefined;
  /**
   * Calls Telegram once (getMe); used when nothing else talked to it lately. A report waits for it at most
   * PROBE_WAIT_MS; a probe still running then finishes in the background and counts for the next report.
   */
  probeTelegram: () => Promise<void>;
  /** What stops the bot from working in the group (removed, rights lost), with what to do; undefined if nothing. */
  telegramProblem: () => string | undefined;
  /** Why the store cannot be written (e.g. "cannot write DATA_DIR (/data): ENOSPC"); undefined if it can. */
  storeProblem: () => string | undefined;
  /** Last time the Market answered any request. */
  marketLastOk: () => number | undefined;
  /** Why the Market will not serve this cabinet any more (its key refused), with what to do; undefined if nothing. */
  marketProblem?: () => string | undefined;
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
  /** Telegram calls waiting for their turn in the group's budget (pacing), by lane. */
  telegramQueue: () => Record<string, number>;
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
  telegramQueue: Record<string, number>;
  repliesWaiting: number;
  lastPollAgeSeconds?: number;
  lastNotificationAgeSeconds?: number;
  quota: Record<string, { limit?: number; remaining?: number }>;
  mode: HealthSources['mode'];
}

const FRESH_MS = 90_000;
const PROBE_EVERY_MS = 30_000;
/** A report never waits longer than this for Telegram: a probe must answer in a second or two, whatever the state. */
export const PROBE_WAIT_MS = 1_500;

export class Health {
  private lastProbe = 0;
  private probeFailed: string | undefined;
  private probing?: Promise<void>;

  constructor(private readonly s: HealthSources) {}

  async report(): Promise<HealthReport> {
    const now = this.s.now();
    const age = (t: number | undefined) => (t === undefined ? undefined : Math.max(0, Math.round((now - t) / 1000)));
    await this.probeIfQuiet(now);
    const tgLast = this.s.telegramLastOk();
    const tgProblem = this.s.telegramProblem();
    const telegram: Check =
      tgProblem !== undefined
        ? { ok: false, ageSeconds: age(tgLast), detail: tgProblem }
        : tgLast !== undefined && now - tgLast < FRESH_MS + PROBE_EVERY_MS
          ? { ok: true, ageSeconds: age(tgLast) }
          : { ok: false, ageSeconds: age(tgLast), detail: this.probeFailed ?? 'no answer from Telegram lately' };
    const maxSilenceMs = this.s.maxSilenceMs();
    const mkLast = this.s.marketLastOk();
    const mkProblem = this.s.marketProblem?.();
    const market: Check =
      mkProblem !== undefined
        ? { ok: false, ageSeconds: age(mkLast), detail: mkProblem }
        : mkLast !== undefined && now - mkLast < maxSilenceMs
          ? { ok: true, ageSeconds: age(mkLast) }
          : { ok: false, ageSeconds: age(mkLast), detail: 'no answer from the Market lately' };
    const lastIntake = Math.max(this.s.lastPollAt() ?? 0, this.s.lastNotificationAt() ?? 0) || undefined;
    const withinGrace = now - this.s.startedAt < maxSilenceMs;
    const intake: Check =
      (lastIntake !== undefined && now - lastIntake < maxSilenceMs) || (lastIntake === undefined && withinGrace)
        ? { ok: true, ageSeconds: age(lastIntake) }
        : { ok: false, ageSeconds: age(lastIntake), detail: 'no successful poll or notification lately' };
    const storeProblem = this.s.storeProblem();
    const store: Check = storeProblem === undefined ? { ok: true } : { ok: false, detail: storeProblem };
    const checks = { store, telegram, market, intake };
    return {
      ready: Object.values(checks).every((c) => c.ok),
      checks,
      uptimeSeconds: Math.round((now - this.s.startedAt) / 1000),
      chats: this.s.chats(),
      queueDepth: this.s.queueDepth(),
      backlog: this.s.backlog(),
      telegramQueue: this.s.telegramQueue(),
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
    this.probing ??= this.s
      .probeTelegram()
      .then(
        () => {
          this.probeFailed = undefined;
        },
        (err: unknown) => {
          this.probeFailed = (err as Error).message;
        },
      )
      .finally(() => {
        this.probing = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.probeFailed = `Telegram did not answer within ${PROBE_WAIT_MS / 1000} s`;
        resolve();
      }, PROBE_WAIT_MS);
    });
    await Promise.race([this.probing, late]);
    clearTimeout(timer);
  }
}
