import { describe, expect, it } from 'vitest';
import { telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import type { OperatorAction } from '../../src/bridge/ports.ts';
import { encodeAction, encodeTemplateTap, parseAction, parseTemplateTap } from '../../src/telegram/buttons.ts';
import { nameKey } from '../../src/templates/template.ts';

describe('the quick replies buttons on the wire', () => {
  it('encode the card button as t:<topic> and decode it again', () => {
    const action: OperatorAction = { kind: 'templates', topicId: topicId(12) };
    expect(encodeAction(action)).toBe('t:12');
    expect(parseAction('t:12')).toEqual(action);
  });

  it('encode Take and Release as o:<topic> and l:<topic> and decode them again', () => {
    const take = { kind: 'take' as const, topicId: topicId(12) };
    const release = { kind: 'release' as const, topicId: topicId(12) };
    expect(encodeAction(take)).toBe('o:12');
    expect(encodeAction(release)).toBe('l:12');
    expect(parseAction('o:12')).toEqual(take);
    expect(parseAction('l:12')).toEqual(release);
    expect(parseAction('o:12:3')).toBeUndefined();
  });

  it('encode No reply needed as s:<topic> and decode it again', () => {
    const skip = { kind: 'skip' as const, topicId: topicId(12) };
    expect(encodeAction(skip)).toBe('s:12');
    expect(parseAction('s:12')).toEqual(skip);
    expect(parseAction('s:12:3')).toBeUndefined();
    expect(parseAction('x:12')).toBeUndefined();
  });

  it('encode a tap as q:<topic>:<key of the name>, within 64 bytes for any name, and decode it again', () => {
    const data = encodeTemplateTap(topicId(12), 'thanks_2');
    expect(data).toMatch(/^q:12:[0-9a-z]{1,7}$/);
    expect(parseTemplateTap(data)).toEqual({ topicId: 12, key: nameKey('thanks_2') });
    const long = encodeTemplateTap(topicId(123456789012345), 'я'.repeat(32));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(64);
    expect(parseTemplateTap(long)?.key).toBe(nameKey('я'.repeat(32)));
    expect(nameKey('спасибо')).not.toBe(nameKey('спасибо2'));
  });

  it('encode the Send anyway button of a held reply as a:<topic>:<message>', () => {
    const allow: OperatorAction = { kind: 'allow', topicId: topicId(12), messageId: telegramMessageId(345) };
    expect(encodeAction(allow)).toBe('a:12:345');
    expect(parseAction('a:12:345')).toEqual(allow);
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
      `q:12:${'a'.repeat(8)}`,
      'q:12:Thanks',
      'q:12:спасибо',
      't:',
      't:1:2',
    ])
      expect([data, parseTemplateTap(data) ?? parseAction(data)]).toEqual([data, undefined]);
  });
});
