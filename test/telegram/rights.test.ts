import { describe, expect, it } from 'vitest';
import { isRightsError } from '../../src/telegram/rights.ts';

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
