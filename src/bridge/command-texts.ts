/**
 * The bot's commands as Telegram's command menu shows them, and what /chat answers, in Russian and English
 * (texts.ts carries them as `Texts.commands`). BOT_COMMANDS is the one list of the commands the bot answers.
 */
import type { ChatSubject } from './model.ts';

/**
 * Every command the bot answers itself, in the order of Telegram's command menu (telegram/command-menu.ts).
 * The operator input never sends them to a buyer. A new command is added here, and its menu line in both
 * languages below (the compiler asks for them).
 */
export const BOT_COMMANDS = ['chat', 'mine', 'templates', 'template', 'status'] as const;
export type BotCommandName = (typeof BOT_COMMANDS)[number];

export interface CommandTexts {
  /** Each command's line in the menu (1–256 characters). */
  menu: Record<BotCommandName, string>;
  chat: {
    /** How to use /chat; said for a missing or bad number. */
    usage: string;
    notOperator: string;
    /** The chat's topic was made now: `link` leads to it (none in a private chat, whose topics have no links). */
    opened: (subject: ChatSubject, link: string | undefined) => string;
    /** The chat had its topic already. */
    found: (subject: ChatSubject, link: string | undefined) => string;
    /** The Market opened the chat; Telegram has not taken its topic yet. */
    pending: (subject: ChatSubject) => string;
    notFound: (subject: ChatSubject, reason: string) => string;
    refused: (subject: ChatSubject, reason: string) => string;
    /** `until`: when createChat's quota comes back, as a time of day. */
    rateLimited: (until: string) => string;
    failed: (subject: ChatSubject, reason: string) => string;
    /** In a group several cabinets share: /chat must name the cabinet first. */
    whichCabinet: (names: readonly string[]) => string;
  };
}

/** "заказ 123" / "возврат 77" (nominative and accusative alike). */
const ruSubject = (s: ChatSubject) => `${s.type === 'ORDER' ? 'заказ' : 'возврат'} ${s.id}`;
/** "по заказу 123" / "по возврату 77". */
const ruAbout = (s: ChatSubject) => `по ${s.type === 'ORDER' ? 'заказу' : 'возврату'} ${s.id}`;
const enSubject = (s: ChatSubject) => `${s.type === 'ORDER' ? 'order' : 'return'} ${s.id}`;

export const ruCommands: CommandTexts = {
  menu: {
    chat: 'Написать покупателю: /chat ЗАКАЗ или /chat return ВОЗВРАТ',
    mine: 'Мои чаты, которые ждут ответа, со ссылками',
    templates: 'Шаблоны ответов: список или кнопки в теме покупателя',
    template: 'Добавить или удалить шаблон ответа',
    status: 'Кто ждёт ответа и как работает бот',
  },
  chat: {
    usage:
      'Написать покупателю:\n/chat 123456 — чат по заказу 123456\n/chat return 7890 — чат по возврату 7890\nБот ответит ссылкой на тему чата.',
    notOperator: 'Открывать чаты с покупателями могут только операторы.',
    opened: (s, link) => `✅ Чат ${ruAbout(s)} открыт${link === undefined ? ' в своей теме.' : `: ${link}`}`,
    found: (s, link) => `💬 Чат ${ruAbout(s)} уже есть${link === undefined ? ', в своей теме.' : `: ${link}`}`,
    pending: (s) => `⏳ Маркет открыл чат ${ruAbout(s)}, его тема появится здесь чуть позже.`,
    notFound: (s, reason) => `⚠️ Маркет не нашёл ${ruSubject(s)} в этом кабинете (${reason}). Проверьте номер.`,
    refused: (s, reason) =>
      `⚠️ Маркет не открывает чат ${ruAbout(s)}: ${reason}. Начать чат можно по заказу, а по возврату — в магазинах FBY, FBS и Экспресс.`,
    rateLimited: (until) => `⏳ Лимит Маркета на новые чаты исчерпан до ${until}. Повторите команду после этого.`,
    failed: (s, reason) => `⚠️ Не удалось открыть чат ${ruAbout(s)}: ${reason}. Попробуйте ещё раз через минуту.`,
    whichCabinet: (names) =>
      `В этой группе несколько кабинетов (${names.join(', ')}): укажите кабинет первым, например /chat ${names[0] ?? 'кабинет'} ЗАКАЗ.`,
  },
};

export const enCommands: CommandTexts = {
  menu: {
    chat: 'Write to a buyer: /chat ORDER or /chat return RETURN',
    mine: 'My chats waiting for an answer, with links',
    templates: "Quick replies: the list, or buttons in a buyer's topic",
    template: 'Add or delete a quick reply',
    status: 'Who waits for an answer, and how the bot is doing',
  },
  chat: {
    usage:
      "Write to a buyer:\n/chat 123456 — the chat about order 123456\n/chat return 7890 — the chat about return 7890\nThe bot answers with a link to the chat's topic.",
    notOperator: 'Only operators can open chats with buyers.',
    opened: (s, link) =>
      `✅ The chat about ${enSubject(s)} is open${link === undefined ? ' in its topic.' : `: ${link}`}`,
    found: (s, link) =>
      `💬 The chat about ${enSubject(s)} is here already${link === undefined ? ', in its topic.' : `: ${link}`}`,
    pending: (s) => `⏳ The Market opened the chat about ${enSubject(s)}; its topic will appear here shortly.`,
    notFound: (s, reason) => `⚠️ The Market has no ${enSubject(s)} in this cabinet (${reason}). Check the number.`,
    refused: (s, reason) =>
      `⚠️ The Market will not open a chat about ${enSubject(s)}: ${reason}. Chats can be started about orders, and about returns in FBY, FBS and Express shops.`,
    rateLimited: (until) => `⏳ The Market's limit on new chats is used up until ${until}. Try again after that.`,
    failed: (s, reason) => `⚠️ Could not open the chat about ${enSubject(s)}: ${reason}. Try again in a minute.`,
    whichCabinet: (names) =>
      `This group serves several cabinets (${names.join(', ')}): name the cabinet first, e.g. /chat ${names[0] ?? 'cabinet'} ORDER.`,
  },
};
