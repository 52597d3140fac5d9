/**
 * Addresses in a reply: links and bare domains (also written with spaced dots or the words "dot" / "точка"),
 * e-mail addresses (also "name at mail dot ru", "name собака mail точка ru") and @handles. Which hosts are the
 * Market's own, and which belong to messengers and social networks. Works on the folded text (text.ts).
 */
import { rx } from './text.ts';
import type { FindingKind } from './types.ts';

/** A span of the reply that is an address; `allowed` ones (the Market's, REPLY_GUARD_ALLOW) are not findings. */
export interface AddressSpan {
  kind: FindingKind;
  start: number;
  end: number;
  allowed: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Top-level domains

const words = (list: string): readonly string[] => list.split(' ');

/**
 * TLDs a bare domain may end with. A list, not "any two letters": "т.е.", "e.g.", "инструкция.pdf", "v2.1" must not
 * read as domains. Words that end sentences in English ("in", "to", "is", "it", "at", "no", "so", "go") are left out.
 */
const TLDS = words(
  'ru su рф рус москва онлайн сайт орг by kz ua uz kg am ge az tj md tm com net org info biz pro name mobi ' +
    'asia xyz top club shop store online site website space tech app dev blog live life fun one vip art link ' +
    'click world today page ink work moscow tatar group team center digital email io me cc tv ly gl co gg fm ' +
    'ai ws tk be la im sh de uk us eu fr es pl cz lt lv ee fi se nl ch cn jp kr tr il ca au br ro bg rs hu ' +
    'gr pt dk ie nz vn th ae',
);

/**
 * TLDs that are also English words: after a lower-case word, written Capitalised ("waiting.Info about"), they are a
 * missing space after a full stop rather than a domain.
 */
const WORD_TLDS = new Set(
  words(
    'info pro name top club shop store online site website space tech app blog live life fun one vip art link ' +
      'click world today page ink work group team center digital email me be us',
  ),
);

/** TLDs accepted in spelled-out forms ("site . ru", "site точка ру", "site dot com"): the common ones only. */
const SPELLED_TLDS = words('ru ру рф su com ком net org info by kz ua uz shop store online site biz pro io me');

const L = 'a-z0-9а-я';
const LABEL = `[${L}](?:[${L}-]{0,61}[${L}])?`;
const alternation = (list: readonly string[]) =>
  [...list].sort((a, b) => b.length - a.length || a.localeCompare(b)).join('|');
/** Not preceded by what would make this the middle of a word, an e-mail or a path. */
const HEAD = `(?<![${L}_@.\\-/\\\\])`;
/** Not followed by more of a name. */
const TAIL = `(?![${L}_-])`;
/** A path, query or fragment: everything up to a space. */
const PATH = `(?:[:/?#][^\\s]*)?`;

/** `https://…`, `www.…`: always an address, whatever its TLD. */
const URL_RE = /(?<![a-z0-9])(?:(?:https?|ftp):\/\/|www\.)[^\s<>"«»]+/gu;
/** `name.tld/path`: labels joined by dots, ending in a known TLD. */
const DOMAIN_RE = rx(`${HEAD}((?:${LABEL}\\.)+(?:${alternation(TLDS)}))${TAIL}${PATH}`, 'gu');
/** `name . ru`, `name .ru`, `name точка ру`, `name dot com`, `name (dot) com`. */
const SPELLED_DOT = `(?:\\s+\\.\\s*|\\s*[([{]\\s*(?:dot|точка)\\s*[)\\]}]\\s*|\\s+(?:dot|точка)\\s+)`;
const SPELLED_RE = rx(
  `${HEAD}((?:${LABEL}(?:\\.|${SPELLED_DOT}))*${LABEL}${SPELLED_DOT}(?:${alternation(SPELLED_TLDS)}))${TAIL}${PATH}`,
  'gu',
);

/** `name@host.tld` and its spelled-out forms: "at", "(at)", "[at]", "собака"; "dot", "точка", spaced dots. */
const AT = `(?:@\\s*|\\s+@\\s+|\\s*[([{<]\\s*(?:at|собака|sobaka)\\s*[)\\]}>]\\s*|\\s+(?:at|собака|sobaka)\\s+)`;
const ANY_DOT = `(?:\\.|${SPELLED_DOT})`;
const EMAIL_RE = rx(
  `(?<![${L}_.%+\\-])[${L}_%+\\-](?:[${L}_.%+\\-]*[${L}_%+\\-])?${AT}(?!www\\.)(?:${LABEL}${ANY_DOT})+(?:${alternation([
    ...new Set<string>([...TLDS, ...SPELLED_TLDS]),
  ])})${TAIL}`,
  'gu',
);

/** Cheap tests that let a reply skip the costly patterns: only these can start a spelled-out dot or an "at". */
const MAY_SPELL_DOT = /\s\.|dot|точка/;
const MAY_HAVE_AT = /@|at|собака|sobaka/;

/** `@name`: a Telegram, Instagram or other handle. At least 5 characters, as Telegram asks of usernames. */
const HANDLE_RE = rx(String.raw`(?<![\p{L}\p{N}_@.])@[a-z][a-z0-9_.]{3,31}[a-z0-9_](?![\p{L}\p{N}_@])`, 'gu');

// ---------------------------------------------------------------------------------------------------
// Hosts

/** The Market's own hosts (and their subdomains). */
const MARKET_HOSTS = ['market.yandex.ru', 'market.yandex.com', 'market.yandex.by', 'market.yandex.kz'];
/** Hosts where only the Market's pages are the Market's own: help and legal pages. */
const MARKET_PATHS = [/^(?:www\.)?yandex\.(?:ru|com|by|kz)\/(?:support|legal)\/market/];

/** Messengers and social networks: a link to them is a messenger finding, not a plain link. */
const SOCIAL_HOSTS = words(
  't.me telegram.me telegram.dog telegram.org wa.me whatsapp.com viber.com vb.me vk.com vk.me vk.ru ' +
    'vkontakte.ru ok.ru odnoklassniki.ru instagram.com instagr.am facebook.com fb.com fb.me m.me discord.gg ' +
    'discord.com skype.com signal.me signal.group max.ru tiktok.com twitter.com x.com threads.net ' +
    'pinterest.com dzen.ru tenchat.ru',
);

function withinHost(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** The host of an address as written (scheme, www., user info, port and path stripped), dots normalised. */
function hostOf(address: string): string {
  const plain = address
    .replace(SPELLED_DOT_G, '.')
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '');
  return (/^[^/?#\s:]+/.exec(plain)?.[0] ?? plain).replace(/^.*@/, '');
}
const SPELLED_DOT_G = new RegExp(SPELLED_DOT, 'gu');

function classify(address: string, allow: readonly string[]): { kind: FindingKind; allowed: boolean } {
  const host = hostOf(address);
  const path = address.replace(/^[a-z]+:\/\//, '');
  if (MARKET_HOSTS.some((h) => withinHost(host, h)) || MARKET_PATHS.some((re) => re.test(path))) {
    return { kind: 'link', allowed: true };
  }
  if (allow.some((h) => withinHost(host, h))) return { kind: 'link', allowed: true };
  if (SOCIAL_HOSTS.some((h) => withinHost(host, h))) return { kind: 'messenger', allowed: false };
  if (withinHost(host, 'youtube.com') && /^[^/]+\/(?:@|c\/|channel\/|user\/)/.test(path)) {
    return { kind: 'messenger', allowed: false }; // a channel, not a video
  }
  return { kind: 'link', allowed: false };
}

// ---------------------------------------------------------------------------------------------------
// Finding addresses

/** Trailing punctuation that ends a sentence rather than a link; a closing bracket only when unbalanced. */
function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  for (;;) {
    const ch = text.charAt(e - 1);
    if (/[.,;:!?'"»…]/.test(ch)) e--;
    else if (ch === ')' && countOf(text.slice(start, e), '(') < countOf(text.slice(start, e), ')')) e--;
    else return e;
  }
}
const countOf = (s: string, ch: string) => s.split(ch).length - 1;

/** "waiting.Info about": a Capitalised word TLD right after a lower-case letter is a missing space, not a domain. */
function missingSpace(original: string, folded: string, start: number, end: number, tldStart: number): boolean {
  if (/[:/]|^www\./.test(folded.slice(start, end))) return false;
  const tld = folded.slice(tldStart).match(/^[a-zа-я]+/)?.[0] ?? '';
  if (!WORD_TLDS.has(tld)) return false;
  const first = original.charAt(tldStart);
  const before = original.charAt(tldStart - 2);
  const capitalised =
    first !== first.toLowerCase() && original.slice(tldStart + 1, tldStart + tld.length) === tld.slice(1);
  return capitalised && before === before.toLowerCase() && before !== before.toUpperCase();
}

/**
 * Every address in the reply, in text order and without overlaps: e-mails first (their domain is not a link of
 * its own), then links, then handles. `allow` are lower-case domains whose subdomains are allowed too.
 */
export function findAddresses(original: string, folded: string, allow: readonly string[]): AddressSpan[] {
  const spans: AddressSpan[] = [];
  const taken = (s: number, e: number) => spans.some((x) => s < x.end && e > x.start);
  const add = (kind: FindingKind, s: number, e: number, allowed: boolean) => {
    if (e > s && !taken(s, e)) spans.push({ kind, start: s, end: e, allowed });
  };

  for (const m of MAY_HAVE_AT.test(folded) ? folded.matchAll(EMAIL_RE) : []) {
    const s = m.index;
    const e = s + m[0].length;
    const host = hostOf(m[0]);
    const allowed = [...MARKET_HOSTS, ...allow].some((h) => withinHost(host, h));
    add('email', s, e, allowed);
  }
  for (const m of folded.matchAll(URL_RE)) {
    const s = m.index;
    const e = trimEnd(folded, s, s + m[0].length);
    const { kind, allowed } = classify(folded.slice(s, e), allow);
    add(kind, s, e, allowed);
  }
  for (const re of MAY_SPELL_DOT.test(folded) ? [DOMAIN_RE, SPELLED_RE] : [DOMAIN_RE]) {
    for (const m of folded.matchAll(re)) {
      const s = m.index;
      const e = trimEnd(folded, s, s + m[0].length);
      const name = m[1] ?? '';
      if (/^(?:\d+\.)+[^.]+$/.test(name)) continue; // "2.3.ru": a version number, not a name
      const tldStart = s + name.length - (/[a-zа-я]+$/.exec(name)?.[0].length ?? 0);
      if (missingSpace(original, folded, s, e, tldStart)) continue;
      const { kind, allowed } = classify(folded.slice(s, e), allow);
      add(kind, s, e, allowed);
    }
  }
  for (const m of folded.matchAll(HANDLE_RE)) {
    const s = m.index;
    add('messenger', s, trimEnd(folded, s, s + m[0].length), false);
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** True for a bare domain name such as `shop.example.ru` (what REPLY_GUARD_ALLOW takes). */
export function isDomainName(value: string): boolean {
  const v = value.toLowerCase();
  if (v.length > 253 || !v.includes('.')) return false;
  return (
    v.split('.').every((label) => new RegExp(`^${LABEL}$`, 'u').test(label)) &&
    /[a-zа-я]/.test(v.split('.').pop() ?? '')
  );
}
