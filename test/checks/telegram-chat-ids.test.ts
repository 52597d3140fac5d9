import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkTelegram } from '../../src/checks/telegram.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server.ts';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const GROUP = -1001234567890;

let telegram: FakeTelegram;
beforeEach(async () => {
  telegram = await startFakeTelegram({ token: TOKEN });
  telegram.addSupergroup({ id: GROUP });
});
afterEach(() => telegram.close());

const check = (chatId: number) => checkTelegram({ token: TOKEN, apiRoot: telegram.url, chatId });

describe('the Telegram start-up check: chat ids', () => {
  it('passes for a forum supergroup where the bot manages topics', async () => {
    expect(await check(GROUP)).toMatchObject({ ok: true });
  });

  it("passes for a person's private chat (solo mode) when the bot has topics in private chats, asking no rights", async () => {
    telegram.addPrivateChat({ id: 1001, firstName: 'Olga' });
    telegram.setBotTopicsEnabled(true);
    expect(await check(1001)).toMatchObject({ ok: true, bot: { has_topics_enabled: true } });
    expect(telegram.calls.map((c) => c.method)).toEqual(['getMe', 'getChat']);
  });

  it("refuses a person's private chat while the bot's topics are off, saying where to turn them on", async () => {
    telegram.addPrivateChat({ id: 1001, firstName: 'Olga' });
    const text = problem(await check(1001));
    expect(text).toMatch(
      /^TELEGRAM_CHAT_ID 1001 is a person's private chat with the bot \(solo mode\), and topics are off for @fake_bot in private chats: in @BotFather open the Mini App/,
    );
    expect(text).toContain('Bot Settings → Threads Settings, and turn on Threaded Mode');
    expect(text).toContain("write the forum supergroup's id instead, -100 followed by digits");
  });

  it.each([
    [1234567890, 'write -1001234567890.'],
    [1001234567890, 'write -1001234567890.'],
  ])('suggests the group id a positive id %s Telegram does not know may have been meant as', async (id, hint) => {
    const text = problem(await check(id));
    expect(text).toContain('Telegram says "Bad Request: chat not found"');
    expect(text).toContain(`if ${id} was meant to be the group, ${hint}`);
    expect(text).toContain('open the chat with the bot in Telegram and press Start');
  });

  it('gives no such hint for a negative id Telegram does not know', async () => {
    expect(problem(await check(-1009999999999))).toMatch(/chat not found.*check the id\.$/);
  });
});

function problem(result: Awaited<ReturnType<typeof checkTelegram>>): string {
  if (result.ok) throw new Error('expected the check to fail');
  return result.problem;
}
