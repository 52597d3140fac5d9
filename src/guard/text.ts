/**
 * The text the detectors read: a folded copy of a reply with the same length as the original (lower case, ё as е,
 * typographic apostrophes and unusual spaces made plain), so every offset found in it is an offset in the reply.
 * And the clause around an offset, which the word rules read for negations and for the Market's own name.
 */

/**
 * Letters as the rules see them in folded (lower-case) text: Latin with its accented forms, and Cyrillic. The rules
 * are written with `\p{L}` and `\p{N}`; `rx` builds them with this explicit class instead, because V8 takes tens of
 * milliseconds to compile each regex that uses Unicode property classes, and runs them slower too.
 */
export const LETTER = String.raw`a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0400-\u04ff`;

/**
 * A regex for folded text from `source`, where `\p{L}` stands for LETTER, `\p{N}` for an ASCII digit and `\P{L}`
 * for anything but a LETTER (outside brackets only).
 */
export function rx(source: string, flags = 'u'): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charAt(i);
    const next = source.slice(i, i + 5);
    if (next === '\\p{L}' || next === '\\p{N}' || next === '\\P{L}') {
      const set = next === '\\p{N}' ? '0-9' : LETTER;
      if (inClass) out += set;
      else out += next === '\\P{L}' ? `[^${set}]` : `[${set}]`;
      i += 4;
    } else if (ch === '\\') {
      out += source.slice(i, i + 2);
      i++;
    } else {
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      out += ch;
    }
  }
  return new RegExp(out, flags);
}

/** Characters replaced one for one, so the folded text keeps its length. */
const PLAIN: Readonly<Record<string, string>> = {
  ё: 'е',
  '\u2019': "'", // ’
  '\u2018': "'", // ‘
  '\u02bc': "'", // ʼ
  '`': "'",
  '\u00a0': ' ', // no-break space
  '\u202f': ' ', // narrow no-break space
  '\u2009': ' ', // thin space
  '\u2007': ' ', // figure space
  '\u2011': '-', // non-breaking hyphen
  '\u2010': '-', // hyphen
};
const PLAIN_CHARS = new RegExp(`[${Object.keys(PLAIN).join('')}]`, 'g');

/**
 * Lower case with ё → е and plain apostrophes and spaces, one UTF-16 unit for one: `fold(t).length === t.length`.
 * Characters whose lower case is longer (e.g. 'İ') are kept as they are.
 */
export function fold(text: string): string {
  let lower = text.toLowerCase();
  if (lower.length !== text.length) {
    lower = '';
    for (const ch of text) {
      const l = ch.toLowerCase();
      lower += l.length === ch.length ? l : ch;
    }
  }
  return lower.replace(PLAIN_CHARS, (ch) => PLAIN[ch] ?? ch);
}

/** Where a sentence ends: the word rules never look past these. */
const SENTENCE_END = /[.!?;\n]/;
/** Where a clause ends: punctuation, dashes, brackets, quotes, and the words " а ", " но ", " but ", " - ". */
const CLAUSE_STOPS = '.!?;\n,—–()«»"';
const WORD_STOP_BEFORE = /\s(?:а|но|but|-)\s$/;
const WORD_STOP_AFTER = /^\s(?:а|но|but|-)\s/;

/** Words that turn a request around: "we cannot give contacts", "не пишите в WhatsApp". */
const NEGATION = rx(
  String.raw`(?<![\p{L}\p{N}])(?:не|нет|ни|нельзя|невозможно|запрещ\p{L}*|not|no|cannot|can't|cant|don't|dont|won't|never|unable)(?![\p{L}\p{N}])`,
);

/** True when the clause around [start, end) says no, not counting the words inside [start, end) themselves. */
export function negated(folded: string, start: number, end: number): boolean {
  const [from, to] = clauseAround(folded, start, end);
  return NEGATION.test(folded.slice(from, start)) || NEGATION.test(folded.slice(end, to));
}

/** The clause around [start, end): between the nearest punctuation or " а ", " но ", " but " on either side. */
export function clauseAround(folded: string, start: number, end: number): [number, number] {
  let from = start;
  for (; from > 0; from--) {
    const ch = folded.charAt(from - 1);
    if (CLAUSE_STOPS.includes(ch)) break;
    if (ch === ' ' && WORD_STOP_BEFORE.test(folded.slice(Math.max(0, from - 5), from))) break;
  }
  let to = end;
  for (; to < folded.length; to++) {
    const ch = folded.charAt(to);
    if (CLAUSE_STOPS.includes(ch)) break;
    if (/\s/.test(ch) && WORD_STOP_AFTER.test(folded.slice(to, to + 5))) break;
  }
  return [from, to];
}

/** [from, to) of the sentence around [start, end). */
export function sentenceAround(folded: string, start: number, end: number): [number, number] {
  let from = start;
  while (from > 0 && !SENTENCE_END.test(folded.charAt(from - 1))) from--;
  let to = end;
  while (to < folded.length && !SENTENCE_END.test(folded.charAt(to))) to++;
  return [from, to];
}
