/**
 * The desk's gauges (who waits, how long, today's response times), computed from the store when scraped. One
 * scrape reads the figures once: the first gauge collected computes them, the others of the same scrape share
 * them (prom-client collects every gauge of a scrape before its first await).
 */
import { Gauge, type Registry } from 'prom-client';
import type { DeskGauges } from '../desk/gauges.ts';

/** Registers the desk's gauges on `registry`; `read` is called once a scrape. */
export function registerDeskGauges(registry: Registry, read: () => DeskGauges): void {
  let current: DeskGauges | undefined;
  const figures = (): DeskGauges => {
    if (current === undefined) {
      current = read();
      // Forgotten once the scrape's collection is done: the next scrape reads afresh.
      queueMicrotask(() => (current = undefined));
    }
    return current;
  };
  const gauge = (name: string, help: string, value: (g: DeskGauges) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(figures()));
      },
    });
  gauge('marketgram_waiting_chats', 'Chats that wait for the seller to answer', (g) => g.waiting);
  gauge(
    'marketgram_waiting_too_long_chats',
    'Chats waiting for the seller at least ESCALATE_AFTER (or REMIND_AFTER when that is 0, or an hour when both are)',
    (g) => g.tooLong,
  );
  gauge('marketgram_oldest_wait_seconds', 'The longest wait of a chat for the seller now; 0 when none waits', (g) =>
    Math.round(g.oldestWaitMs / 1000),
  );
  gauge('marketgram_open_disputes', 'Disputes (arbitrage chats) the Market has not finished', (g) => g.disputes);
  gauge(
    'marketgram_response_today_answered',
    'Waits for the seller answered today (on the BOT_TIMEZONE clock)',
    (g) => g.answered,
  );
  // NaN, as Prometheus summaries say it, while nothing was answered today.
  gauge(
    'marketgram_response_today_within_hour_ratio',
    'Share of the waits answered today that were answered within an hour, 0 to 1; NaN before the first answer',
    (g) => g.withinHour ?? NaN,
  );
  new Gauge({
    name: 'marketgram_response_today_seconds',
    help: 'Response times of the waits answered today (nearest-rank quantiles 0.5 and 0.9); NaN before the first answer',
    labelNames: ['quantile'] as const,
    registers: [registry],
    collect() {
      const g = figures();
      this.set({ quantile: '0.5' }, g.medianMs === undefined ? NaN : g.medianMs / 1000);
      this.set({ quantile: '0.9' }, g.p90Ms === undefined ? NaN : g.p90Ms / 1000);
    },
  });
}
