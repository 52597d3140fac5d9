import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonStore } from '../../src/store/store.ts';
import { TemplateBook } from '../../src/templates/book.ts';
import { nameKey } from '../../src/templates/template.ts';
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

  it('claims a tap once, durably: the same tap after a restart is seen, and taps are forgotten after a day', async () => {
    const { dir, store, book } = await open();
    expect(await book.claimTap('cb-1')).toEqual({ kind: 'new' });
    expect(await book.claimTap('cb-1')).toEqual({ kind: 'seen' });
    await store.close();
    const reopened = await JsonStore.open(dir);
    const again = new TemplateBook(reopened, () => new Date('2025-03-01T12:00:00Z'));
    expect(await again.claimTap('cb-1')).toEqual({ kind: 'seen' });
    expect(await again.claimTap('cb-2')).toEqual({ kind: 'new' });
    const dayLater = new TemplateBook(reopened, () => new Date('2025-03-02T11:00:00Z'));
    expect(await dayLater.claimTap('cb-3')).toEqual({ kind: 'new' });
    // cb-1 (10:00 the day before) was forgotten when cb-3 was remembered; cb-2 (12:00) was not.
    expect(reopened.rememberTap('cb-1', new Date('2025-03-02T11:00:00Z'))).toBe(true);
    expect(reopened.rememberTap('cb-2', new Date('2025-03-02T11:00:00Z'))).toBe(false);
    await reopened.close();
  });

  it('does not claim a tap it cannot write down', async () => {
    const disk = new FullDisk();
    const { book } = await open(disk);
    disk.full = true;
    expect(await book.claimTap('cb-1')).toMatchObject({ kind: 'not-saved', reason: 'ENOSPC' });
  });

  it('refuses a second name whose button key is the first one’s', async () => {
    const { book } = await open();
    // Two names found by search whose 32-bit keys collide (about 1 in 4 billion for a given pair).
    expect(nameKey('t7pfs')).toBe(nameKey('tovja'));
    expect((await book.add('t7pfs', 'one')).kind).toBe('added');
    expect(await book.add('tovja', 'two')).toEqual({ kind: 'bad-name' });
    expect((await book.add('t7pfs', 'one again')).kind).toBe('replaced');
  });
});
