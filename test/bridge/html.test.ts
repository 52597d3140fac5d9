import { describe, expect, it } from 'vitest';
import { html, Html, joinHtml } from '../../src/bridge/html.ts';

describe('html', () => {
  it('escapes <, >, & and " in every text argument and keeps the template as it is', () => {
    const name = '<script>"Tom" & Jerry</script>';
    expect(html`<b>${name}</b>`.markup).toBe('<b>&lt;script&gt;&quot;Tom&quot; &amp; Jerry&lt;/script&gt;</b>');
  });

  it('escapes numbers like text and leaves text without special characters unchanged', () => {
    expect(html`<code>${123}</code> · ${'Иван 😀'}`.markup).toBe('<code>123</code> · Иван 😀');
  });

  it('does not escape Html again when it is nested', () => {
    const inner = html`<i>${'a < b'}</i>`;
    const outer = html`<b>${inner}</b> ${'&'}`;
    expect(outer.markup).toBe('<b><i>a &lt; b</i></b> &amp;');
    expect(html`${outer}`.markup).toBe(outer.markup);
  });

  it('concatenates arrays, escaping their text items and keeping their Html items', () => {
    expect(html`${['<', html`<br>`, ['>', 1]]}`.markup).toBe('&lt;<br>&gt;1');
  });

  it('joins items with a separator, escaping what is not Html', () => {
    expect(joinHtml([html`<b>x</b>`, 'a&b'], '\n').markup).toBe('<b>x</b>\na&amp;b');
    expect(joinHtml(['a', 'b'], ' & ').markup).toBe('a &amp; b');
    expect(joinHtml(['a', 'b'], html`<br>`).markup).toBe('a<br>b');
    expect(joinHtml([]).markup).toBe('');
  });

  it('is a value of its own that prints as its markup and cannot be made from a bare string', () => {
    const b = html`<b>ok</b>`;
    expect(b).toBeInstanceOf(Html);
    expect(String(b)).toBe('<b>ok</b>');
    expect(String(html`<i>${'"'}</i>`)).toBe('<i>&quot;</i>');
    expect(() => new Html('<b>x</b>', Symbol('html'))).toThrow(TypeError);
  });
});
