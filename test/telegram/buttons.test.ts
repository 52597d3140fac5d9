import { describe, expect, it } from 'vitest';
import { telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import type { OperatorAction } from '../../src/bridge/ports.ts';
import { encodeAction, encodeTemplateTap, parseAction, parseTemplateTap } from '../../src/telegram/buttons.ts';

describe('the quick replies buttons on the wire', () => {
  it('encode the card button as t:<topic> and decode it again', () => {
    const action: OperatorAction = { kind: 'templates', topicId: topicId(12) };
    expect(encodeAction(action)).toBe('t:12');
    expect(parseAction('t:12')).toEqual(action);
  });

  it('encode a tap as q:<topic>:<name> and decode it again, the name in lower case', () => {
    expect(encodeTemplateTap({ topicId: topicId(12), name: 'thanks_2' })).toBe('q:12:thanks_2');
    expect(parseTemplateTap('q:12:thanks_2')).toEqual({ topicId: 12, name: 'thanks_2' });
    expect(parseTemplateTap(`q:123456789012345:${'a'.repeat(32)}`)?.name).toBe('a'.repeat(32));
  });

  it('never take one kind of button for another', () => {
    const reply: OperatorAction = { kind: 'retry', topicId: topicId(12), messageId: telegramMessageId(345) };
    for (const data of ['r:12:345', 'c:12:345', 'u:12:345', 't:12']) expect(parseTemplateTap(data)).toBeUndefined();
    expect(parseAction('q:12:thanks')).toBeUndefined();
    expect(parseAction(encodeAction(reply))).toEqual(reply);
  });

  it('refuse tap data that is not a tap', () => {
    for (const data of [
      'q:12',
      'q:12:',
      'q:x:a',
      'q:12:two words',
      `q:12:${'a'.repeat(33)}`,
      'q:12:Thanks',
      't:',
      't:1:2',
    ])
      expect([data, parseTemplateTap(data) ?? parseAction(data)]).toEqual([data, undefined]);
  });
});
