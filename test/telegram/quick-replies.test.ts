import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { visibleLength } from '../../src/bridge/format.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { JsonStore } from '../../src/store/store.ts';
import { listInGeneral, templateArgs } from '../../src/telegram/quick-replies.ts';
import { TemplateBook } from '../../src/templates/book.ts';

describe('templateArgs', () => {
  it('splits the words after /template into the verb, the name and a text that may span lines', () => {
    expect(templateArgs('add thanks Thank you,\n{buyer}!')).toEqual({
      verb: 'add',
      name: 'thanks',
      text: ' Thank you,\n{buyer}!',
    });
    expect(templateArgs('ADD thanks\nSecond line')).toEqual({ verb: 'add', name: 'thanks', text: '\nSecond line' });
    expect(templateArgs('delete thanks')).toEqual({ verb: 'delete', name: 'thanks', text: '' });
    expect(templateArgs('')).toEqual({ verb: '', name: '', text: '' });
  });
});

describe('the list in General', () => {
  async function book() {
    const store = await JsonStore.open(await mkdtemp(path.join(tmpdir(), 'marketgram-list-')));
    return new TemplateBook(store);
  }

  it('shows each name with the first line of its text and marks the templates of the file', async () => {
    const b = await book();
    await b.add('thanks', 'Thank you, <b>{buyer}</b>!\nSecond line');
    b.seed([{ name: 'bye', text: 'Bye' }]);
    const [only, ...more] = listInGeneral(b, textsFor('en'));
    expect(more).toEqual([]);
    expect(only?.markup.split('\n')).toEqual([
      '<b>📋 Quick replies</b>',
      '',
      '<b>bye</b> 📄 — Bye',
      '<b>thanks</b> — Thank you, &lt;b&gt;{buyer}&lt;/b&gt;!',
      '',
      "<i>In a buyer's topic: /templates, or the 📋 Templates button on the card. 📄: from TEMPLATES_FILE.</i>",
    ]);
  });

  it('says there are none yet, and how to add one', async () => {
    expect(listInGeneral(await book(), textsFor('ru')).map((h) => h.markup)).toEqual([
      'Шаблонов пока нет. Добавьте: /template add ИМЯ текст',
    ]);
  });

  it('spreads a long list over as few messages as Telegram takes', async () => {
    const b = await book();
    for (let i = 0; i < 100; i++) await b.add(`template-number-${String(i).padStart(3, '0')}`, 'x'.repeat(200));
    const parts = listInGeneral(b, textsFor('en'));
    expect(parts.length).toBe(3);
    for (const part of parts) expect(visibleLength(part)).toBeLessThanOrEqual(4096);
    expect(
      parts
        .map((p) => p.markup)
        .join('\n')
        .match(/<b>template-number-/g),
    ).toHaveLength(100);
  });
});
