/**
 * Phone numbers spelled out in words, the way sellers slip them past moderation: "восемь девятьсот шестнадцать,
 * сто двадцать три, сорок пять, шестьдесят семь", "плюс семь 999 …", "eight nine one six …". Each spoken group
 * (hundreds, tens, units) becomes its digits; the digits then pass the same test as written phones (phones.ts).
 * Works on the folded text (text.ts).
 */
import { phoneDigits } from './phones.ts';
import { rx } from './text.ts';

type Place = 'hundreds' | 'tens' | 'teens' | 'units';

const WORDS: ReadonlyArray<readonly [string, number, Place]> = [
  ...['ноль|нуль|zero', 'один|одна|одно|one', 'два|две|two', 'три|three', 'четыре|four', 'пять|five', 'шесть|six']
    .concat(['семь|seven', 'восемь|eight', 'девять|nine'])
    .map((w, i) => [w, i, 'units'] as const),
  ...['десять|ten', 'одиннадцать|eleven', 'двенадцать|twelve', 'тринадцать|thirteen', 'четырнадцать|fourteen']
    .concat(['пятнадцать|fifteen', 'шестнадцать|sixteen', 'семнадцать|seventeen', 'восемнадцать|eighteen'])
    .concat(['девятнадцать|nineteen'])
    .map((w, i) => [w, 10 + i, 'teens'] as const),
  ...['двадцать|twenty', 'тридцать|thirty', 'сорок|forty', 'пятьдесят|fifty', 'шестьдесят|sixty']
    .concat(['семьдесят|seventy', 'восемьдесят|eighty', 'девяносто|ninety'])
    .map((w, i) => [w, 20 + 10 * i, 'tens'] as const),
  ...['сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'].map(
    (w, i) => [w, 100 * (i + 1), 'hundreds'] as const,
  ),
];
const VALUE = new Map<string, readonly [number, Place]>(
  WORDS.flatMap(([alts, value, place]) => alts.split('|').map((w) => [w, [value, place] as const] as const)),
);
const WORD = [...VALUE.keys()].sort((a, b) => b.length - a.length).join('|');
const TOKEN = String.raw`(?:${WORD}|плюс|plus|\+|\d+)`;
const RUN_RE = rx(String.raw`(?<![\p{L}\p{N}])${TOKEN}(?:[\s,–—-]{1,3}${TOKEN})+(?![\p{L}\p{N}])`, 'gu');
const TOKEN_RE = new RegExp(TOKEN, 'gu');

/** The order places may follow each other in within one spoken group. */
const RANK: Readonly<Record<Place, number>> = { hundreds: 0, tens: 1, teens: 2, units: 2 };

/**
 * Spelled-out phone numbers (three tokens or more, one of them a number word, none a number the chat knows) as
 * [start, end) spans.
 */
export function findSpelledPhones(folded: string, known: ReadonlySet<string>): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const m of folded.matchAll(RUN_RE)) {
    const tokens = m[0].match(TOKEN_RE) ?? [];
    if (tokens.length < 3 || !tokens.some((t) => VALUE.has(t)) || tokens.some((t) => known.has(t))) continue;
    let digits = '';
    let plus = false;
    let group: { value: number; rank: number; width: number } | undefined;
    const close = () => {
      if (group !== undefined) digits += String(group.value).padStart(group.width, '0');
      group = undefined;
    };
    for (const token of tokens) {
      const word = VALUE.get(token);
      if (word === undefined) {
        close();
        if (/^\d+$/.test(token)) digits += token;
        else if (digits === '') plus = true;
        continue;
      }
      const [value, place] = word;
      const width = place === 'hundreds' ? 3 : place === 'units' ? 1 : 2;
      // A place at or below the group's last one starts a new group: "сорок пять" is one, "пять пять" two.
      const joins = group !== undefined && RANK[place] > group.rank && !(group.rank === 1 && place === 'teens');
      if (group !== undefined && joins && group.value % 10 === 0) {
        group = { value: group.value + value, rank: RANK[place], width: group.width };
      } else {
        close();
        group = { value, rank: RANK[place], width: value === 0 ? 1 : width };
      }
    }
    close();
    if (phoneDigits(digits, plus)) found.push([m.index, m.index + m[0].length]);
  }
  return found;
}
