/**
 * What the bot says about quick replies (templates), in Russian and English (texts.ts carries it as
 * `Texts.templates`): the commands' answers, the lists, the buttons and the taps.
 */
import { enPlural, ruPlural } from './plural.ts';

export interface TemplateTexts {
  /** The context card's button. */
  cardButton: string;
  /** Above the buttons in a topic. */
  pick: string;
  /** The list in General, above the templates. */
  listTitle: string;
  /** Under the list in General. */
  listHint: string;
  /** Marks a template of TEMPLATES_FILE in the list. */
  fromFileMark: string;
  none: string;
  /** `placeholders`: "{buyer}, {order}, …". */
  usage: (placeholders: string) => string;
  added: (name: string) => string;
  replaced: (name: string) => string;
  deleted: (name: string) => string;
  unknown: (name: string) => string;
  fromFile: (name: string) => string;
  badName: (name: string) => string;
  empty: string;
  tooLong: (length: number, max: number) => string;
  unknownPlaceholders: (names: string, known: string) => string;
  tooMany: (max: number) => string;
  notSaved: (reason: string) => string;
  notOperator: string;
  notLinked: string;
  /** The first line of the message a tap posts: who sent which template. */
  postHeader: (who: string, name: string) => string;
  /** The short answers on a tapped button (at most 200 characters). */
  sent: (name: string) => string;
  missing: (placeholders: string) => string;
  unknownInText: (placeholders: string) => string;
  gone: string;
  postTooLong: string;
  postFailed: string;
  repeated: string;
}

export const ruTemplates: TemplateTexts = {
  cardButton: '📋 Шаблоны',
  pick: '📋 Шаблоны ответов: нажмите, чтобы отправить покупателю.',
  listTitle: '📋 Шаблоны ответов',
  listHint: 'В теме покупателя: /templates или кнопка «📋 Шаблоны» на карточке. 📄 — из TEMPLATES_FILE.',
  fromFileMark: ' 📄',
  none: 'Шаблонов пока нет. Добавьте: /template add ИМЯ текст',
  usage: (p) =>
    `Шаблоны ответов:\n/template add ИМЯ текст — добавить или заменить (текст может быть в несколько строк)\n/template add ИМЯ — ответом на сообщение: его текст станет шаблоном\n/template delete ИМЯ — удалить\n/templates — список (в General) или кнопки для отправки (в теме покупателя)\nПодстановки: ${p}`,
  added: (n) => `✅ Шаблон «${n}» добавлен.`,
  replaced: (n) => `✅ Шаблон «${n}» заменён.`,
  deleted: (n) => `🗑 Шаблон «${n}» удалён.`,
  unknown: (n) => `Шаблона «${n}» нет. Список: /templates`,
  fromFile: (n) => `Шаблон «${n}» задан в TEMPLATES_FILE: изменить или удалить его можно только там.`,
  badName: (n) => `«${n}» не подходит для имени: до 32 букв, цифр, _ или -.`,
  empty: 'Нет текста: напишите его после имени или ответьте командой на сообщение с текстом.',
  tooLong: (len, max) => `Текст слишком длинный: ${ruPlural(len, 'символ', 'символа', 'символов')}, можно до ${max}.`,
  unknownPlaceholders: (names, known) => `Нет таких подстановок: ${names}. Есть: ${known}.`,
  tooMany: (max) => `Шаблонов уже ${max}, больше нельзя. Удалите ненужные: /template delete ИМЯ`,
  notSaved: (reason) => `⚠️ Не сохранено (${reason}), ничего не изменилось. Попробуйте позже.`,
  notOperator: 'Шаблонами пользуются только операторы.',
  notLinked: '⚠️ Эта тема не связана с чатом Маркета: отсюда шаблоны не отправляются.',
  postHeader: (who, n) => `💬 ${who} · шаблон «${n}»`,
  sent: (n) => `💬 «${n}» уходит покупателю.`,
  missing: (p) => `Не отправлено: в этом чате нет значения для ${p}.`,
  unknownInText: (p) => `Не отправлено: в шаблоне неизвестная подстановка ${p}. Исправьте шаблон.`,
  gone: 'Этого шаблона больше нет.',
  postTooLong: 'Не отправлено: с подставленными значениями текст длиннее одного сообщения Telegram.',
  postFailed: 'Не отправлено: Telegram не принял сообщение. Попробуйте ещё раз.',
  repeated: 'Этот шаблон только что отправлен.',
};

export const enTemplates: TemplateTexts = {
  cardButton: '📋 Templates',
  pick: '📋 Quick replies: tap one to send it to the buyer.',
  listTitle: '📋 Quick replies',
  listHint: "In a buyer's topic: /templates, or the 📋 Templates button on the card. 📄: from TEMPLATES_FILE.",
  fromFileMark: ' 📄',
  none: 'No quick replies yet. Add one: /template add NAME text',
  usage: (p) =>
    `Quick replies:\n/template add NAME text — add or replace one (the text may span lines)\n/template add NAME — in reply to a message: its text becomes the template\n/template delete NAME — delete one\n/templates — the list (in General), or buttons to send one (in a buyer's topic)\nPlaceholders: ${p}`,
  added: (n) => `✅ Quick reply «${n}» added.`,
  replaced: (n) => `✅ Quick reply «${n}» replaced.`,
  deleted: (n) => `🗑 Quick reply «${n}» deleted.`,
  unknown: (n) => `There is no quick reply «${n}». The list: /templates`,
  fromFile: (n) => `Quick reply «${n}» comes from TEMPLATES_FILE: change or remove it there.`,
  badName: (n) => `«${n}» cannot be a name: use up to 32 letters, digits, _ or -.`,
  empty: 'No text: write it after the name, or send the command in reply to a message with text.',
  tooLong: (len, max) => `The text is too long: ${enPlural(len, 'character', 'characters')}, at most ${max}.`,
  unknownPlaceholders: (names, known) => `No such placeholders: ${names}. Known: ${known}.`,
  tooMany: (max) => `There are ${max} quick replies already, the most there can be. Delete some: /template delete NAME`,
  notSaved: (reason) => `⚠️ Not saved (${reason}); nothing changed. Try again later.`,
  notOperator: 'Only operators can use quick replies.',
  notLinked: '⚠️ This topic is not linked to a Market chat: quick replies cannot be sent from here.',
  postHeader: (who, n) => `💬 ${who} · template «${n}»`,
  sent: (n) => `💬 «${n}» goes to the buyer.`,
  missing: (p) => `Not sent: this chat has no value for ${p}.`,
  unknownInText: (p) => `Not sent: the template uses ${p}, which is not a placeholder. Fix the template.`,
  gone: 'This quick reply no longer exists.',
  postTooLong: 'Not sent: with the values filled in, the text is longer than one Telegram message.',
  postFailed: 'Not sent: Telegram did not take the message. Try again.',
  repeated: 'This quick reply was just sent.',
};
