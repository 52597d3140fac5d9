import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger, prettyDestination, serializeError } from '../src/logger.ts';
import { MarketApiError, MarketNetworkError, MarketRateLimitError } from '../src/market/errors.ts';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';

function capture(): { lines: Array<Record<string, unknown>>; logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    { level: 'info', secrets: [TOKEN] },
    { write: (raw: string) => void lines.push(JSON.parse(raw) as Record<string, unknown>) },
  );
  return { lines, logger };
}

function refused(code: number, description: string): GrammyError {
  return new GrammyError(
    `Call to 'sendMessage' failed! (${code}: ${description})`,
    { ok: false, error_code: code, description, parameters: code === 429 ? { retry_after: 5 } : {} },
    'sendMessage',
    { chat_id: -1001234567890, message_thread_id: 7, text: 'the door code is 4711' },
  );
}

describe('chooseLogFormat', () => {
  it.each([
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
  ] as const)('LOG_FORMAT=%s with a terminal %s writes %s', (setting, isTTY, format) => {
    expect(chooseLogFormat(setting, isTTY)).toBe(format);
  });
});

describe('the log of a failure the service rides out', () => {
  const refusedConnection = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  it.each([
    [
      'the Market unreachable',
      new MarketNetworkError('getChats', false, refusedConnection, 'connect ECONNREFUSED 127.0.0.1:9'),
      /^Yandex Market getChats request failed before reaching the server: connect ECONNREFUSED/,
    ],
    [
      'a Market rate limit',
      new MarketRateLimitError('getChats', new Date('2025-06-02T06:00:00Z'), 'getChats', 'Hit rate limit'),
      /^Yandex Market rate limit hit for getChats until 2025-06-02T06:00:00.000Z/,
    ],
    ['a Market server error', new MarketApiError('getChats', 503, []), /failed with HTTP 503/],
    [
      'Telegram unreachable',
      new HttpError("Network request for 'getMe' failed!", new Error('fetch failed', { cause: refusedConnection })),
      /^Network request for 'getMe' failed! \(ECONNREFUSED\)$/,
    ],
    ['a Telegram 429', refused(429, 'Too Many Requests: retry after 5'), /\(429: Too Many Requests: retry after 5\)$/],
  ])('is one line with its reason and no stack: %s', (_what, err, reason) => {
    const { lines, logger } = capture();
    logger.warn({ err, failures: 2, nextMs: 60_000 }, 'poll failed, will retry');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.reason).toMatch(reason);
    expect(lines[0]).toMatchObject({ msg: 'poll failed, will retry', failures: 2, nextMs: 60_000 });
    expect(lines[0]).not.toHaveProperty('err');
    expect(JSON.stringify(lines[0])).not.toContain('at ');
  });

  it("keeps a Telegram call's ids, never its text", () => {
    const { lines, logger } = capture();
    logger.warn({ err: refused(429, 'Too Many Requests: retry after 5') }, 'chat task failed, will retry');
    expect(lines[0]).toMatchObject({
      call: { method: 'sendMessage', chat_id: -1001234567890, message_thread_id: 7 },
    });
    expect(JSON.stringify(lines[0])).not.toContain('door code');
  });

  it('scrubs a secret out of the reason', () => {
    const { lines, logger } = capture();
    const err = new MarketNetworkError('getChats', true, undefined, `reset by https://x/bot${TOKEN}/getMe`);
    logger.warn({ err }, 'poll failed, will retry');
    expect(JSON.stringify(lines[0])).not.toContain(TOKEN);
    expect(lines[0]?.reason).toContain('[redacted]');
  });

  it('logs any other error whole, with its stack, and a Telegram request as ids and sizes', () => {
    const { lines, logger } = capture();
    logger.error({ err: new TypeError('x is undefined') }, 'update handler failed');
    logger.warn({ err: refused(400, 'Bad Request: message text is empty') }, 'could not post');
    expect(lines[0]).toMatchObject({ err: { type: 'TypeError' } });
    expect(JSON.stringify(lines[0])).toMatch(/"stack":"TypeError: x is undefined\\n\s+at /);
    expect(lines[1]).toMatchObject({
      err: { payload: { chat_id: -1001234567890, message_thread_id: 7, text: '[21 characters]' } },
    });
    expect(serializeError('not an error')).toBe('not an error');
  });
});

describe('the readable log (pino-pretty)', () => {
  it('writes readable lines with secrets redacted and a passing failure on one line', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'marketgram-log-')), 'pretty.log');
    const destination = prettyDestination(file);
    expect(destination).toBeDefined();
    const logger = createLogger({ level: 'info', secrets: [TOKEN] }, destination);
    logger.info({ token: 'abc', url: `https://x/bot${TOKEN}/getMe` }, 'marketgram started');
    logger.warn(
      { err: new MarketApiError('getChats', 503, []), failures: 1, nextMs: 60_000 },
      'poll failed, will retry',
    );
    logger.flush();
    let text = '';
    for (let i = 0; i < 100 && !text.includes('poll failed'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await readFile(file, 'utf8').catch(() => '');
    }
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INFO.*marketgram started/);
    expect(lines[1]).toMatch(/WARN.*poll failed, will retry.*failed with HTTP 503/);
    expect(text).not.toContain('{"level"');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('"abc"');
  });
});
