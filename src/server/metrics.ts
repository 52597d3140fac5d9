/**
 * Prometheus metrics (prom-client, a registry of our own). Implements the bridge's observer port and
 * reads gauges (queue depth, Market quota, the desk's figures) from their owners when scraped.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BridgeObserver, GuardFindingKind } from '../bridge/ports.ts';
import type { MessageSender } from '../bridge/model.ts';
import type { DeskGauges } from '../desk/gauges.ts';
import { registerDeskGauges } from './desk-metrics.ts';

export interface MetricsSources {
  /** Tasks queued or running in the per-chat queues. */
  queueDepth: () => number;
  /** Replies written down and not yet delivered or failed. */
  repliesWaiting: () => number;
  /** Buyer messages fetched and not yet posted. */
  backlog: () => number;
  /** Telegram calls waiting for their turn in the group's budget, by lane. */
  telegramQueue: () => Record<string, number>;
  /** Market quota per operation, from the last answers' rate-limit headers. */
  quota: () => Record<string, { limit?: number; remaining?: number }>;
  /** Whether the last write of the store succeeded. */
  storeWritable: () => boolean;
  /** Whether the bot is in the group with the rights it needs, as last checked. */
  telegramRightsOk: () => boolean;
  /** The desk's figures (waiting chats, today's response times), read once a scrape; no desk gauges without. */
  desk?: () => DeskGauges;
}

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

export class Metrics implements BridgeObserver {
  readonly registry = new Registry();
  private readonly messages = new Counter({
    name: 'marketgram_messages_mirrored_total',
    help: 'Market messages posted into their topics, by sender',
    labelNames: ['sender'] as const,
    registers: [this.registry],
  });
  private readonly replies = new Counter({
    name: 'marketgram_replies_total',
    help: 'Operator replies by outcome (sent, rejected, rate-limited, not-sent, ambiguous, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly guardDecisions = new Counter({
    name: 'marketgram_reply_guard_total',
    help: 'Replies the reply guard held, and held replies sent anyway, by what was found',
    labelNames: ['decision', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: 'marketgram_notifications_total',
    help: 'Market push notifications accepted, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'marketgram_notifications_rejected_total',
    help: 'Requests to the notification endpoint that were refused, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly telegramRetries = new Counter({
    name: 'marketgram_telegram_retries_total',
    help: 'Telegram API calls answered with a retryable error (429, 5xx, network), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly storeWriteFailures = new Counter({
    name: 'marketgram_store_write_failures_total',
    help: 'Writes of a store file (main file, shard, journal) that failed (disk full, no permission); retried',
    registers: [this.registry],
  });
  private readonly repeats = new Counter({
    name: 'marketgram_telegram_repeats_total',
    help: 'Posting calls made again after an attempt that got no answer or a 5xx (the post may show twice), by method',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'marketgram_telegram_refused_total',
    help: 'Parts of Market messages Telegram refused for good, by kind (text, file) and what the topic got instead (placeholder, minimal, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly polls = new Counter({
    name: 'marketgram_polls_total',
    help: 'Market polling rounds, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly mirrorLatency = new Histogram({
    name: 'marketgram_mirror_latency_seconds',
    help: 'From a Market message being written (its createdAt, whole seconds) to its post in Telegram',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly responseTimes = new Histogram({
    name: 'marketgram_response_seconds',
    help: 'From the first unanswered buyer message of a chat to the seller answering it (what the Market ranks shops by)',
    buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400],
    registers: [this.registry],
  });
  private readonly notificationLatency = new Histogram({
    name: 'marketgram_notification_to_topic_seconds',
    help: 'From a push notification arriving to the message it announced being posted in Telegram',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /**
   * `cabinet`: the label every metric carries when the process serves several cabinets (names stay those of the
   * single cabinet). `processMetrics: false` leaves out the process's own figures (memory, CPU, event loop):
   * with several cabinets the process registry (`processRegistry`) carries them once.
   */
  constructor(sources: MetricsSources, options: { cabinet?: string; processMetrics?: boolean } = {}) {
    if (options.cabinet !== undefined) this.registry.setDefaultLabels({ cabinet: options.cabinet });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'marketgram_' });
    new Gauge({
      name: 'marketgram_queue_tasks',
      help: 'Tasks queued or running in the per-chat queues',
      registers: [this.registry],
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'marketgram_messages_backlog',
      help: 'Buyer messages fetched from the Market and waiting for their turn to be posted into Telegram',
      registers: [this.registry],
      collect() {
        this.set(sources.backlog());
      },
    });
    new Gauge({
      name: 'marketgram_telegram_queue',
      help: 'Telegram calls waiting for their turn in the group budget (pacing), by lane: operator, waiting, live, history, cosmetic',
      labelNames: ['lane'] as const,
      registers: [this.registry],
      collect() {
        for (const [lane, n] of Object.entries(sources.telegramQueue())) this.set({ lane }, n);
      },
    });
    new Gauge({
      name: 'marketgram_replies_waiting',
      help: 'Operator replies written down and not yet delivered or failed',
      registers: [this.registry],
      collect() {
        this.set(sources.repliesWaiting());
      },
    });
    new Gauge({
      name: 'marketgram_store_writable',
      help: '1 while the store can be written (its last write succeeded), 0 while its writes fail',
      registers: [this.registry],
      collect() {
        this.set(sources.storeWritable() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'marketgram_telegram_rights_ok',
      help: '1 while the bot is an administrator of the group with the Manage topics right, 0 otherwise',
      registers: [this.registry],
      collect() {
        this.set(sources.telegramRightsOk() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'marketgram_market_quota_remaining',
      help: 'Requests left in the current Market quota window, per operation (from X-RateLimit-Resource-Remaining)',
      labelNames: ['operation'] as const,
      registers: [this.registry],
      collect() {
        for (const [operation, q] of Object.entries(sources.quota())) {
          if (q.remaining !== undefined) this.set({ operation }, q.remaining);
        }
      },
    });
    if (sources.desk) registerDeskGauges(this.registry, sources.desk);
  }

  mirrored(sender: MessageSender, sinceCreatedMs: number | undefined, sinceTriggerMs?: number): void {
    this.messages.inc({ sender });
    if (sinceCreatedMs !== undefined && sinceCreatedMs >= 0) this.mirrorLatency.observe(sinceCreatedMs / 1000);
    if (sinceTriggerMs !== undefined && sinceTriggerMs >= 0) this.notificationLatency.observe(sinceTriggerMs / 1000);
  }

  replyOutcome(outcome: string): void {
    this.replies.inc({ outcome });
  }

  refused(kind: 'text' | 'file', outcome: 'placeholder' | 'minimal' | 'failed'): void {
    this.refusals.inc({ kind, outcome });
  }

  answered(waitedMs: number): void {
    this.responseTimes.observe(waitedMs / 1000);
  }

  guard(decision: 'held' | 'sent-anyway', kinds: readonly GuardFindingKind[]): void {
    for (const kind of new Set(kinds)) this.guardDecisions.inc({ decision, kind });
  }

  notification(type: string): void {
    this.notifications.inc({ type });
  }

  notificationRejected(reason: string): void {
    this.rejected.inc({ reason });
  }

  telegramRetry(reason: '429' | '5xx' | 'network'): void {
    this.telegramRetries.inc({ reason });
  }

  storeWriteFailed(): void {
    this.storeWriteFailures.inc();
  }

  telegramRepeat(method: string): void {
    this.repeats.inc({ method });
  }

  poll(result: 'ok' | 'failed'): void {
    this.polls.inc({ result });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * With several cabinets, what belongs to the process rather than to one cabinet: its own figures (memory, CPU,
 * event loop), and the requests the notification endpoint refused (no cabinet is known for them).
 */
export function processMetrics(): { registry: Registry; notificationRejected(reason: string): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'marketgram_' });
  const rejected = new Counter({
    name: 'marketgram_notifications_rejected_total',
    help: 'Requests to the notification endpoint that were refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return { registry, notificationRejected: (reason) => rejected.inc({ reason }) };
}

/** One scrape of several registries (the process's and each cabinet's, told apart by their `cabinet` label). */
export async function renderAll(registries: readonly Registry[]): Promise<{ contentType: string; body: string }> {
  const merged = AggregatorRegistry.aggregate(await Promise.all(registries.map((r) => r.getMetricsAsJSON())));
  return { contentType: merged.contentType, body: await merged.metrics() };
}
