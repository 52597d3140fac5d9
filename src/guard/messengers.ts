/**
 * Messenger and social network names (WhatsApp, Telegram, Viber, VK, Max, Instagram, …) in Russian and English
 * spellings. A name alone is not a violation — sellers say what a phone or a watch supports, or that they cannot
 * talk in WhatsApp — so a name counts when the reply directs the buyer there ("пишите в вотсап", "наш телеграм",
 * "we are on WhatsApp", "есть вайбер?") and nothing in its clause says no, or when the reply also carries a
 * contact (phone, e-mail, handle, outside link). Names that are also everyday words (Max, Signal, ВК, ТГ,
 * Одноклассники) need the directing word right before them: "в Max", "в мессенджере Max", "наш ВК".
 * Works on the folded text (text.ts).
 */
import { negated, rx, sentenceAround } from './text.ts';

const B = String.raw`(?<![\p{L}\p{N}_])`;
const E = String.raw`(?![\p{L}\p{N}_])`;
/** A few letters of inflection: телеграме, вотсапу, вайбером. */
const INFL = String.raw`\p{L}{0,3}`;

/** Names that mean a messenger or a social network and nothing else. */
const PLAIN_NAMES = [
  String.raw`what'?s\s?app|whatsapp?|watsapp?|в[оа](?:тс|тц|ц|с)апп?${INFL}|уатсап${INFL}`,
  String.raw`telegram${INFL}|телеграмм?${INFL}|телег[аеиуо]й?`,
  String.raw`viber|вайбер${INFL}|вибер${INFL}`,
  String.raw`vkontakte|вконтакт${INFL}`,
  String.raw`instagram${INFL}|insta|инстаграмм?${INFL}|инст[аеуы]?|инстой`,
  String.raw`discord|дискорд${INFL}|skype|скайп${INFL}`,
  String.raw`facebook|фейсбук${INFL}|youtube|ютуб${INFL}|ютьюб${INFL}|tiktok|тик-?ток${INFL}`,
];
/** Names that are also everyday words or abbreviations: maximum, signal, classmates, tangent. */
const WORD_NAMES = [
  String.raw`max|макс(?:а|е|у|ом)?`,
  String.raw`signal|сигнал${INFL}`,
  String.raw`vk|вк|тг|tg|fb|фб`,
  String.raw`одноклассник${INFL}`,
];
const PLAIN_RE = rx(`${B}(?:${PLAIN_NAMES.join('|')})${E}`, 'gu');
const WORD_RE = rx(`${B}(?:${WORD_NAMES.join('|')})${E}`, 'gu');

/** Words that send the buyer somewhere, up to five words before the name: "пишите нам в", "join us on". */
const VERBS = [
  String.raw`нап[иеы]ш\p{L}*|п[иеы]ш(?:и|ите|у|ем)|написал\p{L}*|черкн\p{L}*|звякн\p{L}*|скин\p{L}*|кинь\p{L}*|кидай\p{L}*`,
  String.raw`пришл\p{L}*|присыла\p{L}*|отправ(?:ьте|ь|лю|им|ляйте)|вышл\p{L}*|высыла\p{L}*|скидыва\p{L}*`,
  String.raw`добав\p{L}*|подпис\p{L}*|переход\p{L}*|перейд\p{L}*|перейт\p{L}*|продолж\p{L}*|общат\p{L}*|общаем\p{L}*`,
  String.raw`свяж\p{L}*|связ\p{L}*|звон\p{L}*|позвон\p{L}*|созвон\p{L}*|стуч\p{L}*|найд\p{L}*|найт\p{L}*|ищите`,
  String.raw`заход\p{L}*|зайд\p{L}*|вступ\p{L}*|смотр\p{L}*|посмотр\p{L}*|выложил\p{L}*|выкладыва\p{L}*|отвеч\p{L}*|ответим`,
  String.raw`write|message|msg|text|dm|pm|contact|reach|find|follow|join|add|call|talk|chat|ping|send|subscribe|visit`,
  String.raw`we're|we\s+are|i'm|i\s+am|you\s+have|have\s+you\s+got|do\s+you\s+(?:have|use)|are\s+you\s+on`,
];
/** Possessives and profile words: "наш канал в телеграме", "нашей группе ВК", "our Instagram". */
const OWNERS = String.raw`наш\p{L}*|мо[йяеи]|мою|моем|моей|у\s+(?:нас|меня)|our|my`;
const PROFILE = String.raw`мессенджер\p{L}*|messenger|групп\p{L}*|group|паблик\p{L}*|канал\p{L}*|channel|страниц\p{L}*|page|профил\p{L}*|profile|аккаунт\p{L}*|account|сообществ\p{L}*|личк\p{L}*|директ\p{L}*|ник\p{L}*`;
const WORDS_BETWEEN = String.raw`(?:[^\p{L}]+\p{L}+){0,5}[^\p{L}]*$`;
const CUE_BEFORE = rx(
  String.raw`${B}(?:${VERBS.join('|')}|${OWNERS}|${PROFILE})${WORDS_BETWEEN}|` +
    // "есть вайбер?", "у вас есть телеграм", "удобнее в мессенджере", "лучше в вк", "можно в Max", "давайте в WhatsApp"
    String.raw`${B}(?:есть|удобн\p{L}*|лучше|можно|давай\p{L}*|let's|lets)(?:\s+ли)?(?:\s+у\s+(?:вас|тебя))?[^\p{L}]*(?:(?:в|во|на|через|по|in|on|via)\s+)?(?:(?:${PROFILE})\s+)?$`,
  'u',
);
/** Right before a word name: a preposition, an owner or a profile word. */
const NEXT_TO = rx(
  String.raw`${B}(?:в|во|на|через|по|in|on|via|through|at|${OWNERS}|${PROFILE}|есть(?:\s+ли)?\s+у\s+(?:вас|тебя)|у\s+(?:вас|тебя)\s+есть)\s+$`,
  'u',
);
/** Right after a name: "в вацап напишите", "WhatsApp me", "your WhatsApp number", "телеграм есть?", "Skype: id". */
const CUE_AFTER = rx(
  String.raw`^\s*[:—–-]\s*[a-z][a-z0-9._-]{3,}|^[^\p{L}]*(?:\p{L}+[^\p{L}]+)?(?:нап[иеы]ш\p{L}*|п[иеы]ш(?:и|ите)|скин\p{L}*|пришл\p{L}*|есть\s*\?|me|us|number|номер\p{L}*|ник\p{L}*|nick|account|аккаунт\p{L}*|handle|username|messenger|мессенджер\p{L}*)${E}`,
  'u',
);
/** Two names joined by "или", "и", "or", "and", "/", ",": the second counts when the first does. */
const JOINED = /^[\s,/]*(?:или|и|or|and|&)?[\s,/]*$/u;

/**
 * Messenger names that count, as [start, end) spans of the folded text. `paired`: the reply carries a contact
 * or an outside link, so every name in it counts.
 */
export function findMessengerNames(folded: string, paired: boolean): Array<[number, number]> {
  const names: Array<{ start: number; end: number; counts: boolean }> = [];
  for (const [re, word] of [
    [PLAIN_RE, false],
    [WORD_RE, true],
  ] as const) {
    for (const m of folded.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      names.push({ start, end, counts: paired || directs(folded, start, end, word) });
    }
  }
  names.sort((a, b) => a.start - b.start);
  // "пишите в ватсап или телеграм": a name joined to one that counts counts too.
  for (let i = 0; i < names.length; i++) {
    const a = names[i];
    const b = names[i + 1];
    if (a === undefined || b === undefined || !JOINED.test(folded.slice(a.end, b.start))) continue;
    if (a.counts !== b.counts && !negated(folded, a.start, b.end)) a.counts = b.counts = true;
  }
  return names.filter((n) => n.counts).map((n) => [n.start, n.end]);
}

function directs(folded: string, start: number, end: number, word: boolean): boolean {
  const [from, to] = sentenceAround(folded, start, end);
  const before = folded.slice(Math.max(from, start - 80), start);
  const after = folded.slice(end, Math.min(to, end + 40));
  if (word && !NEXT_TO.test(before) && !/^\s*(?:messenger|мессенджер)/u.test(after)) return false;
  if (!CUE_BEFORE.test(before) && !CUE_AFTER.test(after)) return false;
  return !negated(folded, start, end);
}
