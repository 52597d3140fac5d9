import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { WorkHours } from '../src/desk/work-hours.ts';

const valid = {
  TELEGRAM_BOT_TOKEN: '123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ',
  TELEGRAM_CHAT_ID: '-1001234567890',
  MARKET_API_KEY: 'ACMA:secret:123',
  MARKET_BUSINESS_ID: '777',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults to a minimal environment', () => {
    const c = loadConfig(valid);
    expect(c.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(c.telegram.chatId).toBe(-1001234567890);
    expect(c.market.apiUrl).toBe('https://api.partner.market.yandex.ru');
    expect(c.market.businessId).toBe(777);
    expect(c.intake).toEqual({ kind: 'poll', intervalMs: 30_000 });
    expect(c.updates).toEqual({ kind: 'polling' });
    expect(c.dataDir).toBe('data');
    expect(c.language).toBe('ru');
    expect(c.logLevel).toBe('info');
    expect(c.telegram.pacing).toBe(true);
    expect(c.market.attachmentsAllowPrivateHosts).toBe(false);
    expect(c.desk).toEqual({
      remindAfterMs: 900_000,
      escalateAfterMs: 3_600_000,
      workHours: WorkHours.always,
      closeFinishedTopics: true,
    });
  });

  it('names every missing required variable with a hint', () => {
    const p = problems({});
    for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID', 'MARKET_API_KEY', 'MARKET_BUSINESS_ID']) {
      expect(p.some((line) => line.startsWith(`${name} is required:`))).toBe(true);
    }
  });

  it('treats an empty value as missing', () => {
    expect(problems({ ...valid, MARKET_API_KEY: '' })).toEqual([expect.stringMatching(/^MARKET_API_KEY is required/)]);
  });

  it.each([
    ['TELEGRAM_CHAT_ID', 'shop', /TELEGRAM_CHAT_ID must be a supergroup id/],
    ['TELEGRAM_BOT_TOKEN', 'nonsense', /TELEGRAM_BOT_TOKEN does not look like a bot token/],
    ['MARKET_BUSINESS_ID', 'abc', /MARKET_BUSINESS_ID must be a positive whole number/],
    ['MARKET_POLL_INTERVAL', '0', /MARKET_POLL_INTERVAL must be a whole number from 1/],
    ['MARKET_POLL_INTERVAL', '2.5', /MARKET_POLL_INTERVAL must be a whole number/],
    ['MARKET_API_URL', 'ftp://x', /MARKET_API_URL must be an http\(s\) URL/],
    ['BOT_LANGUAGE', 'de', /BOT_LANGUAGE must be ru or en/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['TELEGRAM_PACING', 'maybe', /TELEGRAM_PACING must be on or off/],
    [
      'ATTACHMENTS_ALLOW_PRIVATE_HOSTS',
      'sometimes',
      /^ATTACHMENTS_ALLOW_PRIVATE_HOSTS must be true or false: leave it unset/,
    ],
    ['BOT_TIMEZONE', 'Mars/Olympus', /BOT_TIMEZONE must be an IANA time zone/],
  ])('refuses a malformed %s', (name, value, message) => {
    expect(problems({ ...valid, [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('never puts secret values into its messages', () => {
    const err = (() => {
      try {
        loadConfig({ ...valid, TELEGRAM_BOT_TOKEN: 'bad-secret-token-value', MARKET_BUSINESS_ID: 'x' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.message).not.toContain('bad-secret-token-value');
  });

  it('requires a webhook secret with a webhook URL, and an https URL unless it is loopback', () => {
    expect(problems({ ...valid, TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/tg/x' })).toEqual([
      expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET is required/),
    ]);
    const secret = { TELEGRAM_WEBHOOK_SECRET: 'abcdefghijklmnop' };
    expect(problems({ ...valid, ...secret, TELEGRAM_WEBHOOK_URL: 'http://bot.example.com/tg' })).toHaveLength(1);
    expect(problems({ ...valid, ...secret, TELEGRAM_WEBHOOK_URL: 'http://127.evil.example/tg' })).toHaveLength(1);
    expect(problems({ ...valid, ...secret, TELEGRAM_WEBHOOK_URL: 'http://127.0.0.1:8080/tg' })).toEqual([]);
  });

  it('refuses a webhook path that the notification endpoint or health routes already use', () => {
    const env = { ...valid, TELEGRAM_WEBHOOK_SECRET: 'abcdefghijklmnop' };
    for (const path of ['/market/notification', '/market/notification/notification', '/metrics']) {
      expect(problems({ ...env, TELEGRAM_WEBHOOK_URL: `https://bot.example.com${path}` })).toEqual([
        expect.stringMatching(/^TELEGRAM_WEBHOOK_URL: its path/),
      ]);
    }
  });

  it('reads the public notification URL for the doctor: https, or http on loopback only', () => {
    const url = 'https://bridge.example.com/market/6f1c0e9a';
    expect(loadConfig({ ...valid, MARKET_NOTIFICATION_URL: url }).market.notificationEndpoint.publicUrl).toBe(url);
    expect(loadConfig(valid).market.notificationEndpoint.publicUrl).toBeUndefined();
    expect(problems({ ...valid, MARKET_NOTIFICATION_URL: 'http://bridge.example.com/market' })).toEqual([
      expect.stringMatching(/^MARKET_NOTIFICATION_URL must be an https URL/),
    ]);
    expect(problems({ ...valid, MARKET_NOTIFICATION_URL: 'http://127.0.0.1:8080/market' })).toEqual([]);
  });

  it('refuses an allow-list with no address in it', () => {
    expect(problems({ ...valid, MARKET_NOTIFICATION_IPS: ',' })).toEqual([
      expect.stringMatching(/^MARKET_NOTIFICATION_IPS must be/),
    ]);
    expect(problems({ ...valid, MARKET_NOTIFICATION_IPS: '10.0.0.0/33' })).toHaveLength(1);
    expect(loadConfig({ ...valid, MARKET_NOTIFICATION_IPS: '*' }).market.notificationEndpoint.allow).toBeUndefined();
  });

  it('reads optional settings', () => {
    const c = loadConfig({
      ...valid,
      MARKET_POLL_INTERVAL: '5',
      BOT_LANGUAGE: 'EN',
      TELEGRAM_PACING: 'off',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9999/',
      DATA_DIR: '/tmp/x',
      ATTACHMENTS_ALLOW_PRIVATE_HOSTS: 'true',
    });
    expect(c.intake).toEqual({ kind: 'poll', intervalMs: 5000 });
    expect(c.language).toBe('en');
    expect(c.telegram.pacing).toBe(false);
    expect(c.telegram.apiRoot).toBe('http://127.0.0.1:9999');
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.market.attachmentsAllowPrivateHosts).toBe(true);
  });

  it('lets everyone answer buyers by default, and reads admins or a list of user ids from OPERATORS', () => {
    expect(loadConfig(valid).operators).toEqual({ kind: 'all' });
    expect(loadConfig({ ...valid, OPERATORS: 'Admins' }).operators).toEqual({ kind: 'admins' });
    expect(loadConfig({ ...valid, OPERATORS: ' 1001, 2002,1001 ' }).operators).toEqual({
      kind: 'ids',
      ids: [1001, 2002],
    });
  });

  it.each(['everyone', '-1001234567890', '12,abc', ',', '0', '1.5'])(
    'refuses OPERATORS=%s and says what to write',
    (v) => {
      expect(problems({ ...valid, OPERATORS: v })).toEqual([
        expect.stringMatching(
          /^OPERATORS must be all \(anyone in the group\), admins .* comma-separated Telegram user ids/,
        ),
      ]);
    },
  );

  it('checks replies with the guard in warn mode by default; REPLY_GUARD and REPLY_GUARD_ALLOW change it', () => {
    expect(loadConfig(valid).guard).toEqual({ kind: 'warn', allow: [] });
    expect(loadConfig({ ...valid, REPLY_GUARD: 'OFF' }).guard).toEqual({ kind: 'off' });
    expect(
      loadConfig({ ...valid, REPLY_GUARD: 'block', REPLY_GUARD_ALLOW: ' Brand.Example.ru, уход.рф ' }).guard,
    ).toEqual({ kind: 'block', allow: ['brand.example.ru', 'уход.рф'] });
  });

  it.each([
    ['REPLY_GUARD', 'strict', /^REPLY_GUARD must be warn, block or off/],
    ['REPLY_GUARD_ALLOW', 'https://brand.example.ru/', /^REPLY_GUARD_ALLOW must be comma-separated domains/],
    ['REPLY_GUARD_ALLOW', 'localhost', /^REPLY_GUARD_ALLOW must be comma-separated domains/],
    ['REPLY_GUARD_ALLOW', 'a..ru', /^REPLY_GUARD_ALLOW must be comma-separated domains/],
  ])('refuses %s=%s and says what to write', (name, value, message) => {
    expect(problems({ ...valid, [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('reads the desk settings: waits in seconds, 0 for off, and CLOSE_FINISHED_TOPICS as on or off', () => {
    const desk = loadConfig({ ...valid, REMIND_AFTER: '60', ESCALATE_AFTER: '0', CLOSE_FINISHED_TOPICS: 'OFF' }).desk;
    expect(desk.remindAfterMs).toBe(60_000);
    expect(desk.escalateAfterMs).toBe(0);
    expect(desk.closeFinishedTopics).toBe(false);
  });

  it('reads DIGEST_AT as a time of day in minutes after midnight, off by default', () => {
    const digestAt = (value?: string) => loadConfig({ ...valid, DIGEST_AT: value }).desk.digestAt;
    expect(digestAt()).toBeUndefined();
    expect(digestAt('OFF')).toBeUndefined();
    expect(digestAt('09:30')).toBe(570);
    expect(digestAt(' 9:05 ')).toBe(545);
    expect(digestAt('00:00')).toBe(0);
    expect(digestAt('23:59')).toBe(1439);
  });

  it('reads WORK_HOURS on the clock of BOT_TIMEZONE', () => {
    const hours = (env: Record<string, string>) => loadConfig({ ...valid, ...env }).desk.workHours;
    const moscow = hours({ WORK_HOURS: 'mon-fri 09:00-18:00; sat 10:00-14:00' });
    expect(moscow.timeZone).toBe('Europe/Moscow');
    // Monday 2025-06-02 09:00 in Moscow is 06:00 UTC; in Yekaterinburg 04:00 UTC.
    expect(moscow.isOpen(new Date('2025-06-02T06:00Z'))).toBe(true);
    expect(moscow.isOpen(new Date('2025-06-02T05:59Z'))).toBe(false);
    const yekaterinburg = hours({ WORK_HOURS: 'mon-fri 09:00-18:00', BOT_TIMEZONE: 'Asia/Yekaterinburg' });
    expect(yekaterinburg.nextOpening(new Date('2025-06-01T00:00Z'))).toEqual(new Date('2025-06-02T04:00Z'));
    expect(hours({ WORK_HOURS: 'Always' })).toBe(WorkHours.always);
  });

  it.each([
    ['REMIND_AFTER', '-1', /^REMIND_AFTER must be a whole number from 0 to 604800: seconds of waiting/],
    ['REMIND_AFTER', '15m', /^REMIND_AFTER must be a whole number from 0 to 604800/],
    ['ESCALATE_AFTER', '604801', /^ESCALATE_AFTER must be a whole number from 0 to 604800/],
    ['CLOSE_FINISHED_TOPICS', 'sometimes', /^CLOSE_FINISHED_TOPICS must be on or off$/],
    ['DIGEST_AT', '24:00', /^DIGEST_AT must be a time of day HH:MM in BOT_TIMEZONE like 09:30, or off$/],
    ['DIGEST_AT', '9', /^DIGEST_AT must be a time of day HH:MM/],
    ['DIGEST_AT', '09:60', /^DIGEST_AT must be a time of day HH:MM/],
    ['DIGEST_AT', 'on', /^DIGEST_AT must be a time of day HH:MM/],
    [
      'WORK_HOURS',
      'mo-fr 09:00-18:00',
      /^WORK_HOURS: unknown day "mo" in "mo-fr 09:00-18:00": days are mon, .*\. Write days and hours in BOT_TIMEZONE like mon-fri 09:00-18:00; sat 10:00-14:00, or always$/,
    ],
    ['WORK_HOURS', 'mon-fri 9-18', /^WORK_HOURS: "9-18" in "mon-fri 9-18" is not a time range: .*\. Write days/],
  ])('refuses %s=%s and says what to write', (name, value, message) => {
    expect(problems({ ...valid, [name]: value })).toEqual([expect.stringMatching(message)]);
  });
});
