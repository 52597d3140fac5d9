/**
 * The Telegram checks called directly: a private chat as TELEGRAM_CHAT_ID (a positive id, which the
 * configuration may not accept yet), and the start-up check over the same functions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkTelegram, TelegramFacts, telegramChecks } from '../../src/checks/telegram.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server.ts';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const OWNER = { id: 777001, firstName: 'Olga' };
const GROUP = -1001234567890;

let telegram: FakeTelegram;
const options = (chatId: number) => ({ token: TOKEN, apiRoot: telegram.url, chatId, timeoutSeconds: 2 });

beforeEach(async () => {
  telegram = await startFakeTelegram({ token: TOKEN, bot: { id: 123456, username: 'shop_bot', first_name: 'Shop' } });
  telegram.addPrivateChat({ id: OWNER.id, firstName: OWNER.firstName });
});

afterEach(async () => {
  await telegram.close();
});

describe('a private chat as the chat', () => {
  it('passes with topics turned on for the bot, and needs no admin rights nor privacy mode there', async () => {
    telegram.setBotSettings({ hasTopicsEnabled: true });
    const results = await telegramChecks(new TelegramFacts(options(OWNER.id)));
    expect(results.map((r) => [r.name, r.ok, r.skipped ?? false, r.detail])).toEqual([
      ['Telegram bot token', true, false, 'the bot @shop_bot (id 123456)'],
      ['Telegram chat', true, false, 'the private chat with Olga, with topics'],
      ['bot rights: manage topics', true, true, 'not needed in a private chat'],
      ['bot rights: pin messages', true, true, 'not needed in a private chat'],
      ['privacy mode', true, true, 'does not apply to a private chat'],
    ]);
  });

  it('fails without topics, saying where in @BotFather to turn them on', async () => {
    const [, chat] = await telegramChecks(new TelegramFacts(options(OWNER.id)));
    expect(chat).toMatchObject({
      ok: false,
      fatal: true,
      detail: `TELEGRAM_CHAT_ID ${OWNER.id} is a person's private chat with the bot (solo mode), and topics are off for @shop_bot in private chats`,
    });
    expect(chat?.fix).toContain(
      'in @BotFather open the Mini App (Open), choose @shop_bot, then Bot Settings → Threads Settings, and turn on Threaded Mode',
    );
  });

  it('tells a user who never started the bot to press Start', async () => {
    const [, chat] = await telegramChecks(new TelegramFacts(options(555)));
    expect(chat).toMatchObject({
      ok: false,
      detail: 'TELEGRAM_CHAT_ID 555: Telegram says "Bad Request: chat not found"',
      fix: 'open the chat with the bot in Telegram and press Start, and check the id.',
    });
  });
});

describe('the start-up check', () => {
  it('lets a private chat with topics start, and stops one without, with the fix', async () => {
    const refused = await checkTelegram(options(OWNER.id));
    telegram.setBotSettings({ hasTopicsEnabled: true });
    const started = await checkTelegram(options(OWNER.id));

    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problem).toMatch(
      new RegExp(
        `^TELEGRAM_CHAT_ID ${OWNER.id} is a person's private chat with the bot \\(solo mode\\), and topics are off for @shop_bot in private chats: in @BotFather open the Mini App`,
      ),
    );
    expect(started).toMatchObject({ ok: true, bot: { username: 'shop_bot' } });
  });

  it('stops at the first problem of a group with the message it always gave, and asks nothing about pins', async () => {
    telegram.addSupergroup({ id: GROUP, canManageTopics: false, canPinMessages: false });
    expect(await checkTelegram(options(GROUP))).toEqual({
      ok: false,
      problem: `The bot is not an administrator with the "Manage topics" right in ${GROUP}: promote @shop_bot to admin and enable "Manage topics".`,
      cause: undefined,
    });
    telegram.addSupergroup({ id: GROUP, canManageTopics: true });
    expect(await checkTelegram(options(GROUP))).toMatchObject({ ok: true });
  });

  it('stops with what Telegram said when it answers with an error of its own', async () => {
    telegram.failNext('getChat', { status: 500 });
    telegram.addSupergroup({ id: GROUP });
    const r = await checkTelegram(options(GROUP));
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.problem).toMatch(
      /^Telegram answered getChat with 500: ".*": try again in a minute; if it persists, check TELEGRAM_API_ROOT\.$/,
    );
  });

  it('reports a rejected token as it always did', async () => {
    const r = await checkTelegram({ ...options(GROUP), token: '999:another-token-abcdefghijklmnopqrstuv' });
    expect(r).toMatchObject({
      ok: false,
      problem: 'TELEGRAM_BOT_TOKEN was rejected by Telegram: copy the token again from @BotFather.',
    });
  });
});
