import { describe, expect, it } from 'vitest';
import { FILE_NAME_LIMIT, safeFileName } from '../../src/telegram/file-name.ts';

describe('file names sent to Telegram', () => {
  it('replaces line breaks, control characters, quotes and backslashes and keeps the name readable', () => {
    expect(safeFileName('bad\nname".pdf')).toBe("bad name'.pdf");
    expect(safeFileName('a\r\n\tb\u0000c\\d.txt')).toBe('a b c_d.txt');
    expect(safeFileName('Счёт №5 (копия).pdf')).toBe('Счёт №5 (копия).pdf');
  });

  it('keeps the extension when a long name is shortened, and names a nameless file', () => {
    const long = `${'я'.repeat(300)}.jpeg`;
    const safe = safeFileName(long);
    expect(safe).toHaveLength(FILE_NAME_LIMIT);
    expect(safe.endsWith('….jpeg')).toBe(true);
    expect(safeFileName('\n\n.pdf')).toBe('file.pdf');
    expect(safeFileName('')).toBe('file');
  });

  it('never cuts an emoji in half', () => {
    const safe = safeFileName(`${'😀'.repeat(100)}.png`);
    expect(safe.length).toBeLessThanOrEqual(FILE_NAME_LIMIT);
    expect(safe).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(safe.endsWith('😀….png')).toBe(true);
  });
});
