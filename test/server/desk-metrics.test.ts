import { describe, expect, it } from 'vitest';
import type { DeskGauges } from '../../src/desk/gauges.ts';
import { Metrics, type MetricsSources } from '../../src/server/metrics.ts';

const SOURCES: MetricsSources = {
  queueDepth: () => 0,
  repliesWaiting: () => 0,
  backlog: () => 0,
  telegramQueue: () => ({}),
  quota: () => ({}),
  storeWritable: () => true,
  telegramRightsOk: () => true,
};

/** The samples of the text format whose names start with `prefix`, as "name{labels} value" lines. */
async function samples(metrics: Metrics, prefix: string): Promise<string[]> {
  const { body } = await metrics.render();
  return body
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .sort();
}

describe('the desk gauges', () => {
  it('show who waits, how long, the open disputes and today’s response times', async () => {
    const figures: DeskGauges = {
      waiting: 7,
      tooLong: 2,
      oldestWaitMs: 5_400_400,
      disputes: 1,
      answered: 12,
      medianMs: 720_000,
      p90Ms: 4_500_000,
      withinHour: 0.75,
    };
    const metrics = new Metrics({ ...SOURCES, desk: () => figures });
    expect([
      ...(await samples(metrics, 'marketgram_waiting')),
      ...(await samples(metrics, 'marketgram_oldest')),
      ...(await samples(metrics, 'marketgram_open')),
      ...(await samples(metrics, 'marketgram_response_today')),
    ]).toEqual([
      'marketgram_waiting_chats 7',
      'marketgram_waiting_too_long_chats 2',
      'marketgram_oldest_wait_seconds 5400',
      'marketgram_open_disputes 1',
      'marketgram_response_today_answered 12',
      'marketgram_response_today_seconds{quantile="0.5"} 720',
      'marketgram_response_today_seconds{quantile="0.9"} 4500',
      'marketgram_response_today_within_hour_ratio 0.75',
    ]);
  });

  it('say NaN (prom-client writes Nan) for today’s response times before the first answer, and follow the store from scrape to scrape', async () => {
    let figures: DeskGauges = { waiting: 1, tooLong: 0, oldestWaitMs: 60_000, disputes: 0, answered: 0 };
    const metrics = new Metrics({ ...SOURCES, desk: () => figures });
    expect(await samples(metrics, 'marketgram_response_today')).toEqual([
      'marketgram_response_today_answered 0',
      'marketgram_response_today_seconds{quantile="0.5"} Nan',
      'marketgram_response_today_seconds{quantile="0.9"} Nan',
      'marketgram_response_today_within_hour_ratio Nan',
    ]);
    figures = { ...figures, waiting: 0, oldestWaitMs: 0, answered: 1, medianMs: 60_000, p90Ms: 60_000, withinHour: 1 };
    expect(await samples(metrics, 'marketgram_waiting_chats')).toEqual(['marketgram_waiting_chats 0']);
    expect(await samples(metrics, 'marketgram_response_today_seconds')).toContain(
      'marketgram_response_today_seconds{quantile="0.9"} 60',
    );
  });

  it('read the figures once a scrape, however many gauges show them', async () => {
    let reads = 0;
    const metrics = new Metrics({
      ...SOURCES,
      desk: () => {
        reads++;
        return { waiting: 0, tooLong: 0, oldestWaitMs: 0, disputes: 0, answered: 0 };
      },
    });
    await metrics.render();
    expect(reads).toBe(1);
    await metrics.render();
    expect(reads).toBe(2);
  });

  it('are not there without a desk source', async () => {
    expect(await samples(new Metrics(SOURCES), 'marketgram_waiting')).toEqual([]);
  });
});
