import { describe, expect, it } from 'vitest';
import { BOT_COMMANDS } from '../../src/bridge/command-texts.ts';
import { marketChatId, topicId } from '../../src/bridge/ids.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { chatAnswer, parseChatArgs } from '../../src/telegram/chat-command.ts';
import { menuCommands } from '../../src/telegram/command-menu.ts';

describe('parseChatArgs', () => {
  it('reads an order number, or a return number after "return", in either language', () => {
    expect(parseChatArgs('123456')).toEqual({ type: 'ORDER', id: 123456 });
    expect(parseChatArgs('  order   42 ')).toEqual({ type: 'ORDER', id: 42 });
    expect(parseChatArgs('Заказ №42')).toEqual({ type: 'ORDER', id: 42 });
    expect(parseChatArgs('return 77')).toEqual({ type: 'RETURN', id: 77 });
    expect(parseChatArgs('RETURN #77')).toEqual({ type: 'RETURN', id: 77 });
    expect(parseChatArgs('возврат 77')).toEqual({ type: 'RETURN', id: 77 });
  });

  it('takes nothing else: no number, a word, zero, a fraction, extra words, a number too big', () => {
    for (const args of [
      '',
      'return',
      'abc',
      '0',
      '-5',
      '12.5',
      '12abc',
      'return 7 8',
      'refund 77',
      '77 return',
      '12345678901234567',
      '9999999999999999',
    ]) {
      expect(parseChatArgs(args), args).toBeUndefined();
    }
  });
});

describe("/chat's answers", () => {
  const o = { groupId: -1001234567890, texts: textsFor('en'), timeZone: 'UTC' };
  const order = { type: 'ORDER', id: 123 } as const;
  const opened = { kind: 'opened', marketChatId: marketChatId(9), topicId: topicId(42) } as const;

  it("link the chat's topic, saying whether it was made now or there already", () => {
    expect(chatAnswer({ ...opened, created: true }, order, o)).toBe(
      '✅ The chat about order 123 is open: https://t.me/c/1234567890/42',
    );
    expect(chatAnswer({ ...opened, created: false }, { type: 'RETURN', id: 77 }, o)).toBe(
      '💬 The chat about return 77 is here already: https://t.me/c/1234567890/42',
    );
    expect(chatAnswer({ ...opened, created: true }, order, { ...o, texts: textsFor('ru') })).toBe(
      '✅ Чат по заказу 123 открыт: https://t.me/c/1234567890/42',
    );
  });

  it("name the chat's topic without a link in a private chat (solo mode), where topics have none", () => {
    const solo = { ...o, groupId: 1001 };
    expect(chatAnswer({ ...opened, created: true }, order, solo)).toBe(
      '✅ The chat about order 123 is open in its topic.',
    );
    expect(chatAnswer({ ...opened, created: false }, order, solo)).toBe(
      '💬 The chat about order 123 is here already, in its topic.',
    );
    expect(chatAnswer({ ...opened, created: true }, order, { ...solo, texts: textsFor('ru') })).toBe(
      '✅ Чат по заказу 123 открыт в своей теме.',
    );
  });

  it("tell the Market's refusals with its reason, and when its quota comes back", () => {
    expect(chatAnswer({ kind: 'not-found', reason: 'NOT_FOUND: Order 123 not found' }, order, o)).toBe(
      '⚠️ The Market has no order 123 in this cabinet (NOT_FOUND: Order 123 not found). Check the number.',
    );
    expect(chatAnswer({ kind: 'refused', status: 400, reason: 'too old' }, order, o)).toMatch(
      /^⚠️ The Market will not open a chat about order 123: too old\./,
    );
    const retryAt = new Date('2025-03-01T14:05:00Z');
    expect(chatAnswer({ kind: 'rate-limited', retryAt, reason: 'Hit rate limit' }, order, o)).toBe(
      "⏳ The Market's limit on new chats is used up until 14:05 UTC. Try again after that.",
    );
    expect(chatAnswer({ kind: 'failed', reason: 'HTTP 503' }, order, o)).toMatch(/HTTP 503/);
    expect(chatAnswer({ kind: 'pending', marketChatId: marketChatId(9) }, order, o)).toMatch(/shortly/);
  });
});

describe('the command menu', () => {
  it('lists every command the bot answers, /chat included, in both languages within Telegram’s limits', () => {
    for (const language of ['en', 'ru'] as const) {
      const menu = menuCommands(language);
      expect(menu.map((c) => c.command)).toEqual([...BOT_COMMANDS]);
      expect(menu.map((c) => c.command)).toContain('chat');
      for (const c of menu) {
        expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
        expect(c.description.length).toBeGreaterThan(0);
        expect(c.description.length).toBeLessThanOrEqual(256);
      }
    }
    expect(menuCommands('ru')[0]?.description).not.toBe(menuCommands('en')[0]?.description);
  });
});
