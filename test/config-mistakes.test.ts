/**
 * The mistakes people make when they fill in `.env` for the first time, each named precisely by loadConfig:
 * what is wrong and what the right value looks like.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

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

describe('loadConfig names the mistake', () => {
  it.each([
    ['TELEGRAM_BOT_TOKEN', '123456789:replace-me'],
    ['TELEGRAM_CHAT_ID', '-100replace-me'],
    ['MARKET_API_KEY', 'replace-me'],
    ['MARKET_BUSINESS_ID', 'replace-me'],
  ])('counts %s=%s, the placeholder of .env.example, as unset', (name, value) => {
    expect(problems({ ...valid, [name]: value })).toEqual([
      expect.stringMatching(new RegExp(`^${name} is still the placeholder from \\.env\\.example: \\S`)),
    ]);
  });

  it('names every setting still holding the placeholder, as .env.example is before it is filled in', () => {
    const env = {
      TELEGRAM_BOT_TOKEN: '123456789:replace-me',
      TELEGRAM_CHAT_ID: '-100replace-me',
      MARKET_API_KEY: 'replace-me',
      MARKET_BUSINESS_ID: 'replace-me',
    };
    expect(problems(env).map((p) => p.split(' ')[0])).toEqual(Object.keys(env));
  });

  it.each([
    ['a space', '123456789:AAbbCCddEE ffGGhhIIjjKKllMMnn', /^TELEGRAM_BOT_TOKEN has a space in it/],
    [
      'a bot prefix',
      'bot123456789:AAbbCCddEEffGGhhIIjjKKllMM',
      /^TELEGRAM_BOT_TOKEN starts with "bot": .* leave it out/,
    ],
    [
      'double quotes',
      '"123456789:AAbbCCddEEffGGhhIIjjKKllMM"',
      /^TELEGRAM_BOT_TOKEN is in quotes: write the value without them/,
    ],
    ['single quotes', "'123456789:AAbbCCddEEffGGhhIIjjKKllMM'", /^TELEGRAM_BOT_TOKEN is in quotes/],
  ])('says a token has %s, without repeating the token', (_what, token, message) => {
    const p = problems({ ...valid, TELEGRAM_BOT_TOKEN: token });
    expect(p).toEqual([expect.stringMatching(message)]);
    expect(p[0]).not.toContain('AAbbCCdd');
  });

  it('says any setting is in quotes, and what it should look like', () => {
    expect(problems({ ...valid, WORK_HOURS: '"mon-fri 09:00-18:00"' })).toEqual([
      "WORK_HOURS is in quotes: write the value without them (Docker's --env-file keeps them as part of the value): days and hours in BOT_TIMEZONE like mon-fri 09:00-18:00; sat 10:00-14:00, or always",
    ]);
  });

  it('explains that a basic group id means Topics is still off', () => {
    expect(problems({ ...valid, TELEGRAM_CHAT_ID: '-1234567890' })).toEqual([
      expect.stringMatching(
        /^TELEGRAM_CHAT_ID -1234567890 is the id of a basic group, so Topics is still off in it\. Turn on Topics .* a new id, -100 followed by digits/,
      ),
    ]);
  });

  it("takes a positive id as a person's private chat with the bot", () => {
    expect(loadConfig({ ...valid, TELEGRAM_CHAT_ID: '1234567890' }).telegram.chatId).toBe(1234567890);
    expect(loadConfig({ ...valid, TELEGRAM_CHAT_ID: ' 42 ' }).telegram.chatId).toBe(42);
  });

  it.each([
    ['@shop_chats', /^TELEGRAM_CHAT_ID is a username; write the group's numeric id instead/],
    ['-100', /^TELEGRAM_CHAT_ID must be a supergroup id like -1001234567890/],
    ['0', /^TELEGRAM_CHAT_ID must be a supergroup id like -1001234567890/],
    ['99999999999999999999', /^TELEGRAM_CHAT_ID must be a supergroup id/],
  ])('refuses TELEGRAM_CHAT_ID=%s', (value, message) => {
    expect(problems({ ...valid, TELEGRAM_CHAT_ID: value })).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['https://partner.market.yandex.ru/business/12345/summary', 12345],
    ['https://partner.market.yandex.ru/business/12345', 12345],
    ['partner.market.yandex.ru/business/12345/api?tab=keys', 12345],
    ['https://partner.market.yandex.ru/supplier/999/summary?businessId=12345', 12345],
  ])('takes the cabinet id from the cabinet address %s', (address, id) => {
    expect(loadConfig({ ...valid, MARKET_BUSINESS_ID: address }).market.businessId).toBe(id);
  });

  it('says so when a cabinet address has no cabinet id in it', () => {
    expect(problems({ ...valid, MARKET_BUSINESS_ID: 'https://partner.market.yandex.ru/supplier/999/summary' })).toEqual(
      [
        expect.stringMatching(
          /^MARKET_BUSINESS_ID is an address without the cabinet id in it: .* like https:\/\/partner\.market\.yandex\.ru\/business\/12345\//,
        ),
      ],
    );
  });

  it('reports a missing webhook secret together with the other problems, not in a second round', () => {
    const p = problems({
      ...valid,
      MARKET_API_KEY: '',
      MARKET_POLL_INTERVAL: 'often',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram/x',
    });
    expect(p).toEqual([
      expect.stringMatching(/^MARKET_API_KEY is required/),
      expect.stringMatching(/^MARKET_POLL_INTERVAL must be a whole number/),
      expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set/),
    ]);
  });

  it('does not take a placeholder webhook secret for a secret', () => {
    expect(
      problems({
        ...valid,
        TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/tg/x',
        TELEGRAM_WEBHOOK_SECRET: 'replace-me',
      }),
    ).toEqual([expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set/)]);
  });

  it('reads LOG_FORMAT: auto by default, pretty or json', () => {
    expect(loadConfig(valid).logFormat).toBe('auto');
    expect(loadConfig({ ...valid, LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(loadConfig({ ...valid, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(problems({ ...valid, LOG_FORMAT: 'text' })).toEqual(['LOG_FORMAT must be auto, pretty or json']);
  });
});
