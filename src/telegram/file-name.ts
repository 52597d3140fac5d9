/**
 * File names as they go to Telegram. grammY writes the name unquoted into the multipart header and throws on
 * CR/LF (an error that looks like a network failure), so a buyer's file name is made header-safe first:
 * readable, with its extension, and of bounded length. The caption still shows the original name.
 */

/** Longest name sent, in UTF-16 units, extension included. */
export const FILE_NAME_LIMIT = 120;
const EXTENSION = /\.[\p{L}\p{N}]{1,10}$/u;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `bad\nname".pdf` → `bad name'.pdf`: no control characters, quotes or backslashes; whitespace collapsed. */
export function safeFileName(name: string): string {
  const clean = name.replace(UNSAFE, ' ').replace(/"/g, "'").replace(/\\/g, '_').replace(/\s+/g, ' ').trim();
  const extension = EXTENSION.exec(clean)?.[0] ?? '';
  let base = clean.slice(0, clean.length - extension.length).trim();
  if (base.length === 0) base = 'file';
  const room = FILE_NAME_LIMIT - extension.length;
  if (base.length > room) {
    let cut = room - 1;
    const code = base.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    base = `${base.slice(0, cut)}…`;
  }
  return `${base}${extension}`;
}
