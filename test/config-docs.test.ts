/**
 * The settings table (src/settings.ts) is the one source: docs/configuration.md and .env.example must list
 * exactly its settings, with its defaults, so the copies cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type Setting } from '../src/settings.ts';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const table = Object.entries(SETTINGS) as Array<[string, Setting]>;

/** The rows of the docs' settings table: name, the default as written, the description. */
function docsRows(): Array<{ name: string; given: string; meaning: string }> {
  return read('docs/configuration.md')
    .split('\n')
    .map((line) => /^\|\s*`([A-Z0-9_]+)`\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|$/.exec(line))
    .filter((m) => m !== null)
    .map(([, name = '', given = '', meaning = '']) => ({ name, given, meaning }));
}

/** What a docs default cell says: 'required', a value, '' (empty) or undefined (unset). */
function docsDefault(given: string): string | undefined {
  if (given.startsWith('**required**')) return 'required';
  if (given.startsWith('unset')) return undefined;
  if (given.startsWith('empty')) return '';
  const value = /^`([^`]*)`/.exec(given);
  if (!value) throw new Error(`cannot read the default "${given}"`);
  return value[1];
}

describe('the settings table and its copies', () => {
  it('docs/configuration.md lists every setting once, in table order, with its default and description', () => {
    const rows = docsRows();
    expect(rows.map((r) => r.name)).toEqual(table.map(([name]) => name));
    for (const [name, spec] of table) {
      const row = rows.find((r) => r.name === name)!;
      expect({ name, default: docsDefault(row.given) }).toEqual({
        name,
        default: spec.required ? 'required' : spec.default,
      });
      expect(row.meaning.startsWith(spec.doc), `${name}: the description begins "${spec.doc}"`).toBe(true);
    }
  });

  it('.env.example sets every required setting and shows every other one, commented out, with its default', () => {
    const lines = read('.env.example')
      .split('\n')
      .map((line) => /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((m) => m !== null)
      .map(([, comment, name = '', value = '']) => ({ name, commented: comment !== undefined, value }));
    expect(lines.map((l) => l.name).sort()).toEqual(table.map(([name]) => name).sort());
    for (const [name, spec] of table) {
      const line = lines.find((l) => l.name === name)!;
      if (spec.required) expect({ name, commented: line.commented }).toEqual({ name, commented: false });
      else
        expect({ name, commented: line.commented, value: line.value }).toEqual({
          name,
          commented: true,
          value: spec.default ?? '',
        });
    }
  });

  it('every default in the table is itself a valid value', () => {
    for (const [name, spec] of table) {
      if (spec.default === undefined) continue;
      expect(spec.schema(name, spec.hint).safeParse(spec.default).success, name).toBe(true);
    }
  });
});
