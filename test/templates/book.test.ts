import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonStore } from '../../src/store/store.ts';
import { TemplateBook } from '../../src/templates/book.ts';
import { FullDisk } from '../fakes/full-disk.ts';

async function open(disk?: FullDisk) {
  const dir = await mkdtemp(path.join(tmpdir(), 'marketgram-templates-'));
  const store = await JsonStore.open(dir, undefined, { beforeWrite: disk?.beforeWrite, writeRetryMs: 60_000 });
  return { dir, store, book: new TemplateBook(store, () => new Date('2025-03-01T10:00:00Z')) };
}

describe('TemplateBook', () => {
  it('adds, replaces and deletes templates by name, whatever their case', async () => {
    const { store, book } = await open();
    expect(await book.add('Thanks', '  Thank you, {buyer}!\n', 1001)).toEqual({ kind: 'added', name: 'thanks' });
    expect(book.find('THANKS')).toEqual({
      name: 'thanks',
      text: 'Thank you, {buyer}!',
      source: 'telegram',
      updatedAt: '2025-03-01T10:00:00.000Z',
      by: 1001,
    });
    expect(await book.add('thanks', 'Thanks!')).toEqual({ kind: 'replaced', name: 'thanks' });
    expect(book.list().map((t) => t.text)).toEqual(['Thanks!']);
    expect(await book.delete('THANKS')).toEqual({ kind: 'deleted', name: 'thanks' });
    expect(await book.delete('thanks')).toEqual({ kind: 'unknown', name: 'thanks' });
    expect(store.templates()).toEqual([]);
  });

  it('refuses bad names and texts without touching the store', async () => {
    const { book } = await open();
    expect(await book.add('two words', 'x')).toEqual({ kind: 'bad-name' });
    expect(await book.add('x', '   ')).toEqual({ kind: 'bad-text', name: 'x', problem: { kind: 'empty' } });
    expect(await book.add('x', 'Order {ordr}')).toMatchObject({ kind: 'bad-text', problem: { names: ['ordr'] } });
    expect(await book.delete('a b')).toEqual({ kind: 'bad-name' });
    expect(book.list()).toEqual([]);
  });

  it('refuses a 101st template', async () => {
    const { book } = await open();
    for (let i = 0; i < 100; i++) expect((await book.add(`t${i}`, 'x')).kind).toBe('added');
    expect(await book.add('one-more', 'x')).toEqual({ kind: 'too-many', max: 100 });
    expect((await book.add('t5', 'still replaceable')).kind).toBe('replaced');
  });

  it('puts the file templates in at start, over Telegram ones of the same name, and keeps them from Telegram changes', async () => {
    const { book } = await open();
    await book.add('hello', 'from Telegram');
    await book.add('mine', 'kept');
    const report = book.seed([
      { name: 'hello', text: 'from the file' },
      { name: 'bye', text: 'Bye' },
    ]);
    expect(report).toEqual({ put: ['hello', 'bye'], overridden: ['hello'], removed: [] });
    expect(book.list().map((t) => [t.name, t.text, t.source])).toEqual([
      ['bye', 'Bye', 'file'],
      ['hello', 'from the file', 'file'],
      ['mine', 'kept', 'telegram'],
    ]);
    expect(await book.delete('hello')).toEqual({ kind: 'from-file', name: 'hello' });
    expect(await book.add('hello', 'again')).toEqual({ kind: 'from-file', name: 'hello' });
    expect(book.find('hello')?.text).toBe('from the file');
  });

  it('at the next start changes nothing for an unchanged file, and removes what the file no longer has', async () => {
    const { book } = await open();
    book.seed([
      { name: 'a', text: 'A' },
      { name: 'b', text: 'B' },
    ]);
    expect(
      book.seed([
        { name: 'a', text: 'A' },
        { name: 'b', text: 'B' },
      ]),
    ).toEqual({ put: [], overridden: [], removed: [] });
    expect(book.seed([{ name: 'a', text: 'A2' }])).toEqual({ put: ['a'], overridden: [], removed: ['b'] });
    expect(book.seed([])).toEqual({ put: [], overridden: [], removed: ['a'] });
    expect(book.list()).toEqual([]);
  });

  it('undoes a change the store cannot write, and says why', async () => {
    const disk = new FullDisk();
    const { store, book } = await open(disk);
    await book.add('kept', 'old text');
    disk.full = true;
    expect(await book.add('kept', 'new text')).toEqual({ kind: 'not-saved', name: 'kept', reason: 'ENOSPC' });
    expect(await book.add('fresh', 'x')).toEqual({ kind: 'not-saved', name: 'fresh', reason: 'ENOSPC' });
    expect(await book.delete('kept')).toEqual({ kind: 'not-saved', name: 'kept', reason: 'ENOSPC' });
    expect(book.list().map((t) => [t.name, t.text])).toEqual([['kept', 'old text']]);
    disk.full = false;
    await store.close();
    const again = await JsonStore.open(store.dir);
    expect(again.templates().map((t) => [t.name, t.text])).toEqual([['kept', 'old text']]);
    await again.close();
  });
});
