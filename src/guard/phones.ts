/**
 * Phone numbers in a reply, told apart from the other long numbers sellers write: order, return, shipment and
 * tracking numbers, articles, tax ids, barcodes, prices and dates. A run of digit groups (joined by spaces, dashes,
 * dots, brackets) is read as a phone by its digits and shape; a number the chat knows, or one right after "заказ",
 * "order", "артикул", "ИНН" and the like, never is. Works on the folded text (text.ts).
 */
import { rx } from './text.ts';

/** A run of digit groups: `+7 (999) 123-45-67`, `8 999 123 45 67`, `8.999.123.45.67`, `89991234567`. */
const SEP = String.raw`(?:[ \t]?[-.–—][ \t]?|[ \t]{1,2}|(?<=\))|(?=\())`;
const GROUP = String.raw`\(?\d+\)?`;
const CHAIN_RE = rx(String.raw`(?<![\p{L}\p{N}_+])(?:\+[ \t]?)?${GROUP}(?:${SEP}${GROUP})*`, 'gu');

/** Words after which a number names an order, a parcel, an article or a company — not a phone. */
const ORDER_WORDS = [
  'заказ',
  'order',
  'return',
  'возврат',
  'отправлени',
  'посылк',
  'трек',
  'tracking',
  'track',
  'shipment',
  'parcel',
  'отгрузк',
  'отгрузочн',
  'поставк',
  'артикул',
  'арт',
  'sku',
  'item',
  'инн',
  'огрн',
  'огрнип',
  'кпп',
  'бик',
  'окпо',
  'штрихкод',
  'штрих-код',
  'barcode',
  'ean',
  'шк',
  'накладн',
  'парти',
  'серийн',
  'serial',
  'сертификат',
  'талон',
  'счет',
  'invoice',
  'договор',
  'чек',
  'id',
  'ид',
  'код',
  'code',
  'модел',
  'model',
];
/** Words after which a number is a phone even when its shape alone would not say so. */
const PHONE_WORDS = String.raw`тел|телефон\p{L}*|моб\p{L}*|сотов\p{L}*|звон\p{L}*|позвон\p{L}*|набер\p{L}*|перезвон\p{L}*|whatsapp|вотсап\p{L}*|ватсап\p{L}*|viber|вайбер\p{L}*|phone|tel|mobile|cell|call\p{L}*|text|reach|(?:мой|наш|личный|рабочий|контактный|my|our)\s+(?:номер|number)|номер\s+(?:телефона|для\s+связи)`;

const ORDER_CONTEXT = rx(
  String.raw`(?<![\p{L}])(?:${ORDER_WORDS.join('|')})\p{L}*\.?(?:\s+(?!${PHONE_WORDS})\p{L}+)?\s*` +
    String.raw`(?:(?:№|#|:|-|—|no\.?|nr\.?|номер\p{L}*|number|id)\s*)*` +
    String.raw`(?:[\d()+. -]+\s*(?:,|и|and|&|или|or|\/)\s*(?:№|#)?\s*)*$`,
  'u',
);
const PHONE_CONTEXT = rx(String.raw`(?<![\p{L}])(?:${PHONE_WORDS})\.?[^\p{L}\d]*(?:\p{L}+[^\p{L}\d]+){0,3}$`, 'u');

const LETTER_RE = rx(String.raw`\p{L}`);

interface Group {
  digits: string;
  start: number;
  end: number;
  /** The group was written in brackets: `(999)`. */
  bracketed: boolean;
}

/** The digit groups of a run, with their offsets in the text. */
function groupsOf(chain: string, offset: number): Group[] {
  const groups: Group[] = [];
  for (const m of chain.matchAll(/\d+/g)) {
    const s = m.index;
    const e = s + m[0].length;
    groups.push({
      digits: m[0],
      start: offset + s,
      end: offset + e,
      bracketed: chain.charAt(s - 1) === '(' && chain.charAt(e) === ')',
    });
  }
  return groups;
}

/**
 * Whether these digits are a phone number whatever their shape: `+` and 10–15 digits (+7 and 11), or a Russian
 * number: 8 or 7 then a mobile (9xx), city (3xx, 4xx, 8xx) or 800 number, or a mobile number without the 8.
 */
export function phoneDigits(digits: string, plus: boolean): boolean {
  const n = digits.length;
  const first = digits.charAt(0);
  if (plus) return first === '7' ? n === 11 : n >= 10 && n <= 15;
  if (n === 11 && (first === '8' || first === '7') && '3489'.includes(digits.charAt(1))) return true;
  return n === 10 && first === '9';
}

/** Whether these digits, written this way, are a phone number. `context`: whether phone words come right before. */
function phoneShaped(
  digits: string,
  plus: boolean,
  groups: readonly Group[],
  separators: string,
  context: () => boolean,
) {
  if (phoneDigits(digits, plus)) return true;
  if (plus) return false;
  const n = digits.length;
  // A city number with its code in brackets: (495) 123-45-67.
  if (n === 10 && '348'.includes(digits.charAt(0)) && groups[0]?.bracketed === true && groups[0].digits.length === 3) {
    return true;
  }
  if ((n !== 7 && n !== 10 && n !== 11) || !context()) return false;
  // Shapes that need a word for "phone" before them: other 10 and 11 digit numbers, local 123-45-67 / 555-2671.
  if (n === 10 || n === 11) return true;
  return n === 7 && groups.length >= 2 && /^[-–]+$/.test(separators.replace(/\s/g, ''));
}

/**
 * Phone numbers in the folded text, as [start, end) spans, skipping `skip` spans (addresses) and numbers in
 * `known` (digits only).
 */
export function findPhones(
  folded: string,
  known: ReadonlySet<string>,
  skip: ReadonlyArray<{ start: number; end: number }>,
): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const m of folded.matchAll(CHAIN_RE)) {
    const chainStart = m.index;
    const chainEnd = chainStart + m[0].length;
    if (skip.some((x) => chainStart < x.end && chainEnd > x.start)) continue;
    const groups = groupsOf(m[0], chainStart);
    if (groups.reduce((n, g) => n + g.digits.length, 0) < 7) continue; // prices, sizes, dates: too short for a phone
    const plusAt = m[0].startsWith('+') ? chainStart : -1;
    for (let i = 0; i < groups.length;) {
      const hit = longestFrom(folded, groups, i, plusAt, known);
      if (hit === undefined) {
        i++;
        continue;
      }
      const head = groups[i];
      const start = i === 0 && plusAt >= 0 ? plusAt : (head?.start ?? 0) - (head?.bracketed === true ? 1 : 0);
      found.push([start, groups[hit]?.end ?? 0]);
      i = hit + 1;
    }
  }
  return found;
}

/** The last group j ≥ i such that groups i..j form a phone, or undefined. */
function longestFrom(
  folded: string,
  groups: readonly Group[],
  i: number,
  plusAt: number,
  known: ReadonlySet<string>,
): number | undefined {
  const head = groups[i];
  if (head === undefined) return undefined;
  const plus = i === 0 && plusAt >= 0;
  const start = plus ? plusAt : head.start - (head.bracketed ? 1 : 0);
  const before = folded.slice(Math.max(0, start - 64), start);
  let phoneWords: boolean | undefined;
  const context = () => (phoneWords ??= PHONE_CONTEXT.test(before.slice(-40)));
  // A phone has at most 15 digits: look no further than the groups that hold them.
  let longest = i;
  for (let j = i, count = 0; j < groups.length; j++) {
    count += groups[j]?.digits.length ?? 0;
    if (count > 15) break;
    longest = j;
  }
  for (let j = longest; j >= i; j--) {
    const part = groups.slice(i, j + 1);
    const digits = part.map((g) => g.digits).join('');
    if (digits.length < 7 || digits.length > 15 || known.has(digits)) continue;
    const last = part[part.length - 1];
    if (last === undefined || LETTER_RE.test(folded.charAt(last.end + (last.bracketed ? 1 : 0)))) continue;
    const separators = folded.slice(head.end, last.start).replace(/\d+/g, '');
    // The words before decide last: they are the slow part, and most numbers are not phone-shaped anyway.
    if (phoneShaped(digits, plus, part, separators, context)) return ORDER_CONTEXT.test(before) ? undefined : j;
  }
  return undefined;
}
