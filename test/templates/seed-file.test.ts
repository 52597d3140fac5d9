import { describe, expect, it } from 'vitest';
import { formatOf, parseTemplatesFile, TemplatesFileError } from '../../src/templates/seed-file.ts';

/** The problems the file is refused for. */
function problems(content: string, format: 'yaml' | 'json' = 'yaml'): string[] {
  try {
    parseTemplatesFile(content, format);
  } catch (err) {
    if (err instanceof TemplatesFileError) return err.problems;
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('TEMPLATES_FILE content', () => {
  it('reads a YAML map of name → text, with multi-line texts, names in lower case and texts trimmed', () => {
    const yaml = [
      'Thanks: Thank you, {buyer}!',
      'delivery: |',
      '  Your order {order} is on its way.',
      '  Tracking follows.',
      '',
    ].join('\n');
    expect(parseTemplatesFile(yaml, 'yaml')).toEqual([
      { name: 'thanks', text: 'Thank you, {buyer}!' },
      { name: 'delivery', text: 'Your order {order} is on its way.\nTracking follows.' },
    ]);
  });

  it('reads a YAML list of items with a name and a text', () => {
    const yaml = '- name: hello\n  text: Hello!\n- name: "42"\n  text: The answer\n';
    expect(parseTemplatesFile(yaml, 'yaml')).toEqual([
      { name: 'hello', text: 'Hello!' },
      { name: '42', text: 'The answer' },
    ]);
  });

  it('reads JSON, as a map or as a list', () => {
    expect(parseTemplatesFile('{"hello": "Hello, {buyer}"}', 'json')).toEqual([
      { name: 'hello', text: 'Hello, {buyer}' },
    ]);
    expect(parseTemplatesFile('[{"name": "Bye", "text": " Bye "}]', 'json')).toEqual([{ name: 'bye', text: 'Bye' }]);
    expect(parseTemplatesFile('{}', 'json')).toEqual([]);
  });

  it('takes the format from the file name: .json is JSON, everything else YAML', () => {
    expect(formatOf('/etc/marketgram/templates.JSON')).toBe('json');
    expect(formatOf('templates.yaml')).toBe('yaml');
    expect(formatOf('templates.yml')).toBe('yaml');
    expect(formatOf('templates')).toBe('yaml');
  });

  it('refuses broken YAML and JSON, saying where', () => {
    expect(problems('hello: "unclosed\nbye: x\n')[0]).toMatch(/^it is not valid YAML \(.*at line \d+, column \d+\)$/);
    expect(problems('{"hello": "x",}', 'json')[0]).toMatch(/^it is not valid JSON \(/);
    expect(problems('a: 1\na: 2\n')[0]).toMatch(/not valid YAML.*unique/i);
  });

  it('refuses an empty file and a file holding something else than templates', () => {
    expect(problems('')).toEqual(['it is empty: write a map of name: text, or a list of items with a name and a text']);
    expect(problems('just a sentence')[0]).toMatch(/^it holds a single value/);
    expect(problems('- hello\n- name: x\n')).toEqual([
      'item 1 of the list must have a name and a text',
      'item 2 of the list must have a name and a text',
    ]);
  });

  it('lists every bad name, duplicate and text at once, each naming its template', () => {
    const yaml = [
      'good: fine',
      'two words: x',
      'доставка: y',
      'доставка!: z',
      'Good: again',
      'empty: ""',
      'nothing:',
      'number: 5',
      'typo: Order {ordr}',
      `long: ${'x'.repeat(4097)}`,
    ].join('\n');
    expect(problems(yaml)).toEqual([
      '"two words" is not a template name: use 1–32 letters, digits, _ or -',
      '"доставка!" is not a template name: use 1–32 letters, digits, _ or -',
      '"good" appears twice (upper and lower case count as the same name)',
      '"empty" has an empty text',
      '"nothing" has an empty text',
      '"number" has a text that is not a string: put it in quotes',
      '"typo" uses {ordr}, which is not a placeholder (known: {buyer}, {order}, {return}, {chat}, {campaign}, {created})',
      '"long" has a text of 4097 characters, more than 4096',
    ]);
  });

  it('names the list item whose name is bad', () => {
    expect(problems('- name: ok\n  text: fine\n- name: not ok\n  text: x\n')).toEqual([
      'item 2: "not ok" is not a template name: use 1–32 letters, digits, _ or -',
    ]);
  });

  it('refuses more than 100 templates', () => {
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i}`, 'x'])));
    expect(problems(json, 'json')).toEqual(['it holds 101 templates, more than 100']);
  });
});
