import { describe, expect, it } from 'vitest';
import { marketChatId } from '../../src/bridge/ids.ts';
import type { MarketChat } from '../../src/bridge/model.ts';
import {
  checkText,
  fillTemplate,
  firstLine,
  NAME_MAX,
  PLACEHOLDER_NAMES,
  placeholdersIn,
  templateName,
  nameKey,
} from '../../src/templates/template.ts';

function chat(over: Partial<MarketChat['context']> = {}): MarketChat {
  return {
    id: marketChatId(555),
    kind: 'CHAT',
    status: 'WAITING_FOR_PARTNER',
    context: { type: 'RETURN', orderId: 100, returnId: 7, campaignId: 21, customer: { name: 'Ivan' }, ...over },
    createdAt: '2025-03-01T10:05:00+03:00',
    updatedAt: '2025-03-01T10:05:00+03:00',
  };
}

describe('template names', () => {
  it('take letters of any alphabet, digits, _ and - up to 32 characters, in lower case', () => {
    expect(templateName('Delivery_2-days')).toBe('delivery_2-days');
    expect(templateName('Доставка')).toBe('доставка');
    expect(templateName('a'.repeat(NAME_MAX))).toBe('a'.repeat(NAME_MAX));
  });

  it('refuse empty names, longer ones, spaces and punctuation', () => {
    for (const bad of ['', 'a'.repeat(NAME_MAX + 1), 'я'.repeat(NAME_MAX + 1), 'two words', 'hi!', 'a:b', 'tab\t'])
      expect(templateName(bad), bad).toBeUndefined();
  });

  it('have short keys for button data, different for different names', () => {
    const names = ['спасибо', 'спасибо2', 'thanks', 'доставка', 'delivery', 'я'.repeat(NAME_MAX)];
    const keys = names.map(nameKey);
    expect(new Set(keys).size).toBe(names.length);
    for (const k of keys) expect(k).toMatch(/^[0-9a-z]{1,7}$/);
  });
});

describe('template texts', () => {
  it('are refused when empty, longer than 4096 characters or with a misspelt placeholder', () => {
    expect(checkText('')).toEqual({ kind: 'empty' });
    expect(checkText('x'.repeat(4097))).toEqual({ kind: 'too-long', length: 4097 });
    expect(checkText('Order {ordr} for {Buyer} {nope}')).toEqual({
      kind: 'unknown-placeholders',
      names: ['ordr', 'nope'],
    });
    expect(checkText('x'.repeat(4096))).toBeUndefined();
  });

  it('count only braces around a word as placeholders', () => {
    expect(placeholdersIn('{order} {ORDER} { order } {1} {} {{chat}}')).toEqual(['order', 'chat']);
    expect(checkText('a set {1, 2} and a smile {:}')).toBeUndefined();
  });
});

describe('filling placeholders from the chat', () => {
  it('fills every placeholder the context card knows, in any case, as often as it appears', () => {
    expect(PLACEHOLDER_NAMES).toEqual(['buyer', 'order', 'return', 'chat', 'campaign', 'created']);
    const text = '{Buyer}: order {order}, return {return}, chat {chat}, shop {campaign}, since {created}. {order}!';
    expect(fillTemplate(text, chat())).toEqual({
      ok: true,
      text: 'Ivan: order 100, return 7, chat 555, shop 21, since 01.03.2025 10:05. 100!',
    });
  });

  it('leaves text without placeholders and other braces as they are', () => {
    expect(fillTemplate('Hello {1, 2} <b>&', chat())).toEqual({ ok: true, text: 'Hello {1, 2} <b>&' });
  });

  it('refuses the whole text when a placeholder has no value in this chat', () => {
    const direct = chat({ type: 'DIRECT', orderId: undefined, returnId: undefined, customer: { name: '  ' } });
    expect(fillTemplate('Hi {buyer}, your order {order} ({chat})', direct)).toEqual({
      ok: false,
      missing: ['buyer', 'order'],
      unknown: [],
    });
  });

  it('refuses a placeholder it does not know instead of sending the braces to the buyer', () => {
    expect(fillTemplate('Hi {buyer}, {track}', chat())).toEqual({ ok: false, missing: [], unknown: ['track'] });
  });

  it('does not take a name of the object prototype for a placeholder', () => {
    expect(fillTemplate('{constructor} {toString}', chat())).toEqual({
      ok: false,
      missing: [],
      unknown: ['constructor', 'tostring'],
    });
  });
});

describe('firstLine', () => {
  it('gives the first line of a text, cut with an ellipsis', () => {
    expect(firstLine('  Hello there\nsecond', 40)).toBe('Hello there');
    expect(firstLine('abcdefghij', 5)).toBe('abcd…');
  });
});
