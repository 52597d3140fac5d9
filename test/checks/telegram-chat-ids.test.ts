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

  it("names a person's private chat whose bot has no topics there, and what to turn on", async () => {
    telegram.addPrivateChat({ id: 1001, firstName: 'Olga' });
    expect(problem(await check(1001))).toMatch(
      /^TELEGRAM_CHAT_ID 1001 is a private chat, and @\w+ has topics in private chats turned off: turn them on in @BotFather/,
    );
  });

  it.each([
    [1234567890, 'write -1001234567890.'],
    [1001234567890, 'write -1001234567890.'],
  ])('suggests the group id a positive id %s Telegram does not know may have been meant as', async (id, hint) => {
    const text = problem(await check(id));
    expect(text).toContain('Telegram says "Bad Request: chat not found"');
    expect(text).toContain(`if ${id} was meant to be the group, ${hint}`);
  });

  it('gives no such hint for a negative id Telegram does not know', async () => {
    expect(problem(await check(-1009999999999))).toMatch(/chat not found.*check the id\.$/);
  });
});

function problem(result: Awaited<ReturnType<typeof checkTelegram>>): string {
  if (result.ok) throw new Error('expected the check to fail');
  return result.problem;
}
