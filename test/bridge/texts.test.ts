import { describe, expect, it } from 'vitest';
import type { Deps } from '../../src/bridge/deps.ts';
import { Notices } from '../../src/bridge/notices.ts';
import { plural, textsFor } from '../../src/bridge/texts.ts';

const ru = textsFor('ru');
const en = textsFor('en');

describe('plural', () => {
  it('picks the Russian form for one, a few and many, as the rules of the language say', () => {
    const forms = { one: 'сообщение', few: 'сообщения', many: 'сообщений' };
    const said = [1, 2, 4, 5, 11, 12, 14, 20, 21, 22, 25, 101, 111].map((n) => plural('ru-RU', n, forms));
    expect(said).toEqual([
      '1 сообщение',
      '2 сообщения',
      '4 сообщения',
      '5 сообщений',
      '11 сообщений',
      '12 сообщений',
      '14 сообщений',
      '20 сообщений',
      '21 сообщение',
      '22 сообщения',
      '25 сообщений',
      '101 сообщение',
      '111 сообщений',
    ]);
  });

  it('uses one and many in English', () => {
    const forms = { one: 'part', few: 'parts', many: 'parts' };
    expect([0, 1, 2, 21].map((n) => plural('en-GB', n, forms))).toEqual(['0 parts', '1 part', '2 parts', '21 parts']);
  });
});

describe('texts with counts', () => {
  it('say how many messages of the history follow, in either language', () => {
    expect(ru.historyNote(1)).toBe('Ниже — последнее 1 сообщение из истории чата.');
    expect(ru.historyNote(3)).toBe('Ниже — последние 3 сообщения из истории чата.');
    expect(ru.historyNote(20)).toBe('Ниже — последние 20 сообщений из истории чата.');
    expect(ru.historyNote(21)).toBe('Ниже — последние 21 сообщение из истории чата.');
    expect(en.historyNote(1)).toBe('Below is the last message of the chat history.');
    expect(en.historyNote(5)).toBe('Below are the last 5 messages of the chat history.');
  });

  it('count parts, characters and seconds with the right word', () => {
    expect(ru.replyTooLong(11)).toContain('понадобилось бы 11 частей');
    expect(ru.replyTooLong(22)).toContain('понадобилось бы 22 части');
    expect(ru.replySplit(2)).toContain('отправлено в 2 частях');
    expect(ru.refused.text(1)).toBe('Текст, 1 символ');
    expect(ru.refused.text(23)).toBe('Текст, 23 символа');
    expect(ru.undoNotice(10)).toBe('⏳ Уйдёт покупателю через 10 секунд.');
    expect(ru.undoNotice(21)).toBe('⏳ Уйдёт покупателю через 21 секунду.');
    expect(en.refused.text(1)).toBe('Text, 1 character');
    expect(en.refused.text(23)).toBe('Text, 23 characters');
    expect(en.replySplit(2)).toContain('was sent in 2 parts');
  });
});

describe('times told to operators', () => {
  const clock = (locale: string) =>
    new Notices({ t: { ...en, locale }, options: { timeZone: 'UTC' } } as unknown as Deps).clock(
      new Date('2025-03-01T14:05:00Z'),
    );

  it('are formatted in the locale of the operators and the configured time zone', () => {
    expect(clock('en-US')).toBe('02:05 PM UTC');
    expect(clock('en-GB')).toBe('14:05 UTC');
    expect(clock(ru.locale)).toBe('14:05 UTC');
  });
});

describe("the card's words for the Market's order codes", () => {
  it('know the same codes in both languages', () => {
    expect(Object.keys(ru.card.substatus).sort()).toEqual(Object.keys(en.card.substatus).sort());
    expect(Object.keys(ru.card.paymentMethod).sort()).toEqual(Object.keys(en.card.paymentMethod).sort());
    expect(Object.keys(ru.card.substatus)).toContain('READY_TO_SHIP');
  });
});
