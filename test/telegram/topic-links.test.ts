import { describe, expect, it } from 'vitest';
import { topicId } from '../../src/bridge/ids.ts';
import { topicLink } from '../../src/telegram/topic-links.ts';

describe('topicLink', () => {
  it("leads to the topic by the group's id without its -100 prefix", () => {
    expect(topicLink(-1001234567890, topicId(42))).toBe('https://t.me/c/1234567890/42');
    expect(topicLink(-1009999999999, topicId(1))).toBe('https://t.me/c/9999999999/1');
  });

  it('refuses a basic group, which has no such links', () => {
    expect(() => topicLink(-123456, topicId(5))).toThrow(/not a supergroup/);
  });

  it("gives none for a person's private chat with the bot (solo mode), whose topics have no links", () => {
    expect(topicLink(1001, topicId(5))).toBeUndefined();
    expect(topicLink(1001234567890, topicId(5))).toBeUndefined();
  });
});
