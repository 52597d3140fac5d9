/**
 * Requests for the buyer's contacts and offers to move the conversation elsewhere: "оставьте номер", "скиньте
 * почту", "позвоните нам", "давайте созвонимся", "найдите нас в поиске", "на нашем сайте", "вне Маркета",
 * "send me your phone", "call us", "contact us directly". A request whose clause says no ("мы не можем давать
 * контакты вне Маркета") does not count; some (calls, "свяжитесь с нами", "найдите нас") do not count either when
 * their sentence points at the Market, its support, the courier or this chat. Works on the folded text (text.ts).
 */
import { negated, rx, sentenceAround } from './text.ts';

const B = String.raw`(?<![\p{L}\p{N}])`;
const E = String.raw`(?![\p{L}\p{N}])`;
/** Words between a verb and the contact it asks for: "оставьте, пожалуйста, ваш номер" (not "модель вашего телефона"). */
const FILLER = String.raw`(?:[\s,]+(?:пожалуйста|плиз|please|мне|нам|ваш\p{L}*|сво\p{L}*|тоже|сюда|же|ещ[её]))*[\s,]+`;
/** Up to three words between a verb and where it sends: "отправьте фото на почту". */
const GAP = String.raw`(?:[\s,]+\p{L}+){0,3}?[\s,]+`;

/** "номер", but not "номер заказа", "номер модели", … */
const NUMBER = String.raw`номер(?:ок|а)?(?!\s+(?:заказ|возврат|отправлени|трек|парти|модел|артикул|накладн|сертификат|посылк|ячейк|пвз|пункт|сери|договор|чек|карт|счет|обращени|претензи|товар|размер|дом|квартир|подъезд|офис|поддержк|коробк|упаковк))`;
/** What a seller must not ask for: a phone, an e-mail, contacts, a messenger nick. */
const CONTACT = String.raw`(?:${NUMBER}|телефон\p{L}{0,5}(?!\s+(?:модел|марк|в\s+сервис|на\s+диагност|в\s+ремонт))|контакт\p{L}*|почт(?:у|ы|овый)(?!\s+росси)|e-?mail|имейл|емейл|мейл|электронк\p{L}*|электронн\p{L}*\s+почт\p{L}*|адрес\s+(?:электронной\s+)?почты|ник\p{L}{0,3}|юзернейм|логин)`;
/** Asking: imperative, infinitive ("можете продиктовать?") and second person ("оставите?"). */
const ASK = String.raw`остав\p{L}*|пришл(?:ите|и|ете|[её]те)|прислать|скин(?:ьте|ь|ете|уть)|кин(?:ьте|ь|ете|уть)|дай(?:те)?|дать|дадите|продикт\p{L}*|сообщ(?:ите|и|ить)|нап[иеы]ш(?:ите|и|ете)|написать|укаж(?:ите|и|ете)|указать|скаж(?:ите|и|ете)|сказать|подскаж(?:ите|и|ете)|подсказать|пиш(?:ите|и)|поделит\p{L}*|поделиться`;
/** Sending and writing, as a request, a promise or an offer: imperative, first person, infinitive. */
const SEND = String.raw`отправ(?:ь|ьте|лю|им|ить|ляйте)|вышл(?:и|ите|ю|ем)|выслать|высылайте|пришл(?:и|ите|ю|ем)|прислать|присылайте|скин(?:ь|ьте|у|ем|уть)|кин(?:ь|ьте|у|уть)|нап[иеы]ш(?:и|ите|у|ем)|написать|п[иеы]ш(?:и|ите)|писать|продублир\p{L}*`;
const MAILBOX = String.raw`(?:почт[уы]|e-?mail|имейл|емейл|мейл|мыло|ящик|электронк\p{L}*)(?!\s+росси)`;
/** Calling: "позвоните", "позвони", "звоните", "перезвоните", "звякни". */
const CALL = String.raw`(?:по|пере)?звони(?:т+е)?|звякни(?:те)?`;

interface Rule {
  re: RegExp;
  /** Does not count when its sentence points at the Market, its support, the courier or this chat. */
  notHere?: boolean;
  /** Does not count when what follows says where on the Market: "в приложении Маркета", "в заказе". */
  notInMarket?: boolean;
}

const rule = (source: string, notHere = false, notInMarket = false): Rule => ({
  re: rx(`${B}(?:${source})${E}`, 'gu'),
  notHere,
  notInMarket,
});

const RULES: readonly Rule[] = [
  // Asking for the buyer's contacts
  rule(String.raw`(?:${ASK})${FILLER}${CONTACT}`, false, true),
  rule(String.raw`(?:какой|какая|какую|можно)(?:\s+у\s+(?:вас|тебя))?(?:\s+ваш\p{L}*)?\s+${CONTACT}`),
  // "ваш номер не вижу, продиктуйте": the contact first, the request after it
  rule(String.raw`(?:ваш|свой|свою|вашу)\p{L}*\s+${CONTACT}[^.!?\n]{0,30}?${B}(?:${ASK})`),
  rule(
    String.raw`(?:send|give|leave|share|tell|drop|text|write)\s+(?:(?:me|us)\s+)?(?:your|ur)\s+(?:(?:phone|mobile|cell|whatsapp|telegram|viber|personal|contact|e-?mail)\s+)?(?:number|phone|e-?mail(?:\s+address)?|contacts?|contact\s+details|details)`,
  ),
  rule(
    String.raw`what(?:'s|\s+is)\s+(?:your|ur)\s+(?:(?:phone|mobile|cell|whatsapp|telegram|viber|contact)\s+)?(?:number|phone|e-?mail|contacts?)|what(?:'s|\s+is)\s+the\s+best\s+number|(?:best|good)\s+number\s+(?:to|for)`,
  ),
  // Sending or writing by e-mail
  rule(String.raw`(?:${SEND})${GAP}на\s+(?:(?:ваш\p{L}*|наш\p{L}*|мо\p{L}*|сво\p{L}*|электронн\p{L}*)\s+)?${MAILBOX}`),
  rule(
    String.raw`на\s+(?:(?:ваш\p{L}*|наш\p{L}*|мо\p{L}*|сво\p{L}*|электронн\p{L}*)\s+)?${MAILBOX}(?:\s+\p{L}+){0,2}?\s+(?:${SEND})`,
  ),
  // Writing or calling to a number: "напишите на номер, который на коробке", "позвоните на этот телефон"
  rule(
    String.raw`(?:${SEND}|${CALL}|позвонить|звонить)${GAP}на\s+(?:(?:этот|мой|наш|указанный|личный|рабочий)\s+)?(?:${NUMBER}|телефон)`,
  ),
  rule(
    String.raw`(?:e-?mail|mail)\s+(?:us|me)|drop\s+(?:us|me)\s+(?:an?\s+)?(?:e-?mail|line)|send\s+(?:us|me)\s+an?\s+e-?mail`,
  ),
  // Calls
  rule(String.raw`${CALL}|call\s+(?:us|me|our)|give\s+(?:us|me)\s+a\s+(?:call|ring)|ring\s+(?:us|me)`, true),
  rule(String.raw`набер(?:ите|и)\s+(?:нас|меня|нам|мне|мастер\p{L}*|менеджер\p{L}*)`),
  rule(
    String.raw`(?:я|мы)(?:\s+(?:вам|тебе))?\s+(?:(?:по|пере)?звон(?:ю|им)|набер(?:у|ем))|(?:(?:по|пере)?звон(?:ю|им)|набер(?:у|ем))\s+(?:вам|тебе)`,
  ),
  rule(String.raw`(?:менеджер|мастер|специалист|консультант)\p{L}*\s+(?:вам\s+)?(?:по|пере)?звонит`),
  rule(String.raw`созвон\p{L}*`),
  rule(
    String.raw`(?:обсуд|поговор|объясн|расскаж|проконсульт|договор|свяж|связат|пообща|общат|созвон)\p{L}*(?:\s+\p{L}+){0,2}?\s+по\s+(?:телефону|видеосвязи|видео|вотсапу|whatsapp)`,
    true,
  ),
  rule(
    String.raw`(?:i|we)(?:'ll|\s+will|\s+can|\s+could|\s+would)?\s+call\s+you|let\s+me\s+call\s+you|(?:can|could|may)\s+i\s+call\s+you`,
  ),
  rule(String.raw`text\s+(?:me|us)|message\s+me|dm\s+(?:me|us)`, true),
  // Elsewhere: outside the Market, directly, personal messages
  rule(
    String.raw`(?:вне|без|мимо|минуя|помимо|не\s+через)\s+(?:(?:комисси|посредни|наценк|участи)\p{L}*\s+)?(?:яндекс[\s.-]*)?маркет\p{L}*`,
  ),
  rule(
    String.raw`outside\s+(?:of\s+)?(?:the\s+)?(?:yandex\s+)?(?:market(?:place)?|platform)|not\s+(?:through|via)\s+(?:the\s+)?(?:market(?:place)?|platform)`,
  ),
  rule(
    String.raw`(?:закаж|купи|куп|напиш|пиш|свяж|обрат|обращ|договор|оплат|плат|переве|выстав|счет|продад|прода|работа|звон|заказ)\p{L}*(?:\s+\p{L}+){0,2}\s+напрямую|напрямую\s+(?:у\s+нас|с\s+нами|нам|мне|со\s+мной|к\s+нам|у\s+меня|без)`,
  ),
  rule(
    String.raw`(?:contact|reach|message|write\s+to|call|buy|order|purchase)\s+(?:(?:us|me|it)\s+)?directly|directly\s+from\s+(?:us|me)`,
  ),
  rule(
    String.raw`(?:move|continue|take)\s+(?:this|the|our)\s+(?:conversation|chat|talk|discussion)\s+(?:to|on|in|into|outside|elsewhere|over)`,
  ),
  rule(String.raw`(?:в|на)\s+(?:личк\p{L}*|личные\s+сообщения|лс|личную\s+переписку)`),
  rule(String.raw`как\s+(?:с\s+вами|вам|с\s+тобой)\s+(?:можно\s+)?связаться|удобнее\s+связаться`),
  rule(String.raw`свяж(?:итесь|ись)\s+с\s+(?:нами|мной)|связаться\s+(?:с\s+нами|со\s+мной)`, true),
  // Finding the shop elsewhere: search engines, its own site, social networks, other marketplaces, its shop
  rule(
    String.raw`(?:найд(?:ите|и)|найти|ищите|поищите)(?:\s+нас|\s+меня)?(?:\s+\p{L}+){0,2}?\s+(?:в\s+поиск\p{L}*|по\s+названи\p{L}*|в\s+интернет\p{L}*|в\s+гугл\p{L}*|в\s+google|в\s+соц\p{L}*)|(?:загугл|погугл|вбейте|забейте)\p{L}*|в\s+поиске\s+по\s+названи\p{L}*`,
    true,
  ),
  rule(
    String.raw`(?:search\s+for|find\s+us|look\s+us\s+up)[^.!?\n]{0,40}?\s(?:on|in)\s+(?:google|yandex|bing)|google\s+maps|google\s+us`,
    true,
  ),
  rule(
    String.raw`(?:на|через|в|с)\s+(?:наш\p{L}*|мо(?:ем|ей|й))\s+(?:интернет[\s-]?магазин\p{L}*|онлайн[\s-]?магазин\p{L}*|сайт\p{L}*)|(?:у\s+нас|наш|свой|собственн\p{L}*)\s+(?:есть\s+)?(?:свой\s+|собственн\p{L}*\s+)?(?:сайт|интернет-магазин)|у\s+нас\s+на\s+сайте`,
  ),
  rule(
    String.raw`our\s+(?:own\s+)?(?:web\s*)?site|our\s+own\s+(?:shop|store)|our\s+online\s+(?:shop|store)|we\s+have\s+our\s+own`,
  ),
  rule(String.raw`соц\.?\s?сет\p{L}*|social\s+(?:media|networks?)`),
  rule(
    String.raw`(?:приход|приезж|приехать|прийти|заход|зайти|зайд|подъезж|подъехать|заезж|заехать)\p{L}*(?:\s+\p{L}+){0,2}?\s+(?:к\s+нам|в\s+наш\p{L}*|по\s+адресу)|в\s+наш\p{L}*\s+(?:офис|шоурум|салон|офлайн[\s-]?магазин|розничн\p{L}*\s+магазин)\p{L}*`,
    true,
  ),
];

/** Another marketplace, when the reply sends the buyer there: "у нас на Авито", "we also sell on Ozon". */
const MARKETPLACE = rx(
  `${B}(?:озон\\p{L}{0,3}|ozon|wildberries|вайлдберриз|вб|wb|авито|avito|мегамаркет\\p{L}{0,3}|megamarket|aliexpress|алиэкспресс\\p{L}{0,3})${E}`,
  'gu',
);
const MARKETPLACE_CUE = rx(
  String.raw`(?<![\p{L}])(?:у\s+нас|наш\p{L}*|купи\p{L}*|закаж\p{L}*|заказыва\p{L}*|есть\s+на|sell\p{L}*|also|найд\p{L}*|ищите|заходите|дешевле|cheaper)(?![\p{L}])`,
);
/** Where on the Market a contact belongs: "укажите номер телефона в приложении Маркета", "в заказе". */
const IN_MARKET = rx(
  String.raw`(?<![\p{L}])(?:в|во|на)\s+(?:приложени\p{L}*|заказ\p{L}*|профил\p{L}*|личном\s+кабинете|аккаунт\p{L}*|маркет\p{L}*|настройк\p{L}*)(?![\p{L}])`,
);
/** The Market, its support, the courier or this chat as the place to talk: where calls and contacts are fine. */
const HERE = rx(
  String.raw`маркет|market|(?<![\p{L}])(?:(?:в|во|через|in|on|via|through|to)\s+(?:(?:этот|этом|этого|наш|нашем|the|this|our)\s+)?(?:чат\p{L}*|chat)|здесь|тут|here|поддержк\p{L}*|support|курьер\p{L}*|courier|служб\p{L}*)(?![\p{L}])`,
);

/** Contact requests as [start, end) spans of the folded text. */
export function findRequests(folded: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const counts = (start: number, end: number, { notHere, notInMarket }: Rule) => {
    if (negated(folded, start, end)) return false;
    const [from, to] = sentenceAround(folded, start, end);
    if (notHere === true && HERE.test(folded.slice(from, to))) return false;
    return !(notInMarket === true && IN_MARKET.test(folded.slice(end, to)));
  };
  for (const r of RULES) {
    for (const m of folded.matchAll(r.re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (counts(start, end, r)) found.push([start, end]);
    }
  }
  for (const m of folded.matchAll(MARKETPLACE)) {
    const start = m.index;
    const end = start + m[0].length;
    const [from, to] = sentenceAround(folded, start, end);
    if (MARKETPLACE_CUE.test(folded.slice(from, to)) && !negated(folded, start, end)) found.push([start, end]);
  }
  return found;
}
