import type { Api } from 'grammy';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { textsFor } from '../../src/bridge/texts.ts';
import { GroupRights, isRightsError } from '../../src/telegram/rights.ts';

describe('isRightsError', () => {
  it('recognises refusals about the bot’s place in the group', () => {
    expect(isRightsError(403, 'Forbidden: bot was kicked from the supergroup chat')).toBe(true);
    expect(isRightsError(403, 'Forbidden: bot is not a member of the supergroup chat')).toBe(true);
    expect(isRightsError(400, 'Bad Request: not enough rights to manage topics')).toBe(true);
    expect(isRightsError(400, 'Bad Request: not enough rights to create a topic')).toBe(true);
    expect(isRightsError(400, 'Bad Request: CHAT_ADMIN_REQUIRED')).toBe(true);
    expect(isRightsError(400, 'Bad Request: have no rights to send a message')).toBe(true);
  });

  it('tells them apart from other errors', () => {
    expect(isRightsError(400, 'Bad Request: message thread not found')).toBe(false);
    expect(isRightsError(400, 'Bad Request: TOPIC_NOT_MODIFIED')).toBe(false);
    expect(isRightsError(400, 'Bad Request: chat not found')).toBe(false);
    expect(isRightsError(429, 'Too Many Requests: retry after 5')).toBe(false);
    expect(isRightsError(500, 'Internal Server Error')).toBe(false);
    expect(isRightsError(401, 'Unauthorized')).toBe(false);
    expect(isRightsError(undefined)).toBe(false);
  });
});

describe('GroupRights', () => {
  it("never asks Telegram about rights in a person's private chat (solo mode), which has none to lose", async () => {
    let asked = 0;
    const api = {
      getChatMember: () => {
        asked++;
        return Promise.resolve({ status: 'member', user: { id: 7, is_bot: true, first_name: 'bot' } });
      },
    } as unknown as Api;
    const rights = new GroupRights({
      api,
      chatId: 1001,
      bot: { id: 7, username: 'bot' },
      intervalMs: 5,
      minGapMs: 0,
      log: pino({ level: 'silent' }),
      texts: textsFor('en'),
      announce: () => Promise.resolve(),
    });
    rights.start();
    rights.answered(403, 'Forbidden: bot was blocked by the user');
    await rights.check();
    await new Promise((r) => setTimeout(r, 30));
    rights.stop();
    expect(asked).toBe(0);
    expect(rights.problem).toBeUndefined();
  });
});
