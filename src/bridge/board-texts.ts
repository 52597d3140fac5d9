/**
 * What the desk says in the group (src/desk/): the waiting board pinned in General, the reminders in topics and
 * the escalations in General, in Russian and English; texts.ts carries it as `Texts.board`. Durations come
 * as text already ("14 min"); chat titles and owner names are put in by the desk, escaped.
 */
import { enPlural, ruPlural } from './plural.ts';

export interface BoardTexts {
  /** For dates and weekdays (Intl). */
  locale: string;
  /** The board's first line: how many chats wait. */
  waiting: (n: number) => string;
  /** Beside it: how many of them wait too long, and the open disputes. */
  tooLong: (n: number) => string;
  disputes: (n: number) => string;
  nobodyWaits: string;
  /** Outside WORK_HOURS; `opens`: when they open, e.g. "Mon 09:00". */
  offHours: (opens: string | undefined) => string;
  /** After the oldest ~30. */
  andMore: (n: number) => string;
  /** Before a review's and a question's title in the list. */
  reviewLabel: string;
  questionLabel: string;
  /** "nobody" in a list line. */
  unowned: string;
  /** The reminder in a topic; `wait`: "15 min". An owner is mentioned after it, or `noOwner` follows. */
  reminder: (wait: string) => string;
  noOwner: string;
  /** The reminder once the chat was answered (`after`: how long the buyer had waited, when known). */
  reminderDone: (after: string | undefined) => string;
  /** The escalation's first line in General. */
  escalation: (n: number) => string;
  /** A line of it: the chat waited `wait` when it was escalated. */
  escalationWait: (wait: string) => string;
  answered: string;
}

export const ruBoard: BoardTexts = {
  locale: 'ru-RU',
  waiting: (n) => `📋 Ждут ответа: ${n}`,
  tooLong: (n) => `слишком долго: ${n}`,
  disputes: (n) => `споры: ${n}`,
  nobodyWaits: '✅ Никто не ждёт ответа.',
  offHours: (opens) => `🌙 Нерабочее время${opens ? ` — до ${opens}` : ''}: напоминания не приходят.`,
  andMore: (n) => `…и ещё ${ruPlural(n, 'чат', 'чата', 'чатов')}`,
  reviewLabel: '[отзыв]',
  questionLabel: '[вопрос]',
  unowned: 'никто',
  reminder: (wait) => `⏰ Покупатель ждёт ответа уже ${wait}.`,
  noOwner: 'Ответственного нет — нажмите «Беру», если отвечаете вы.',
  reminderDone: (after) => (after ? `✅ Ответили через ${after}.` : '✅ Чат больше не ждёт ответа.'),
  escalation: (n) => `🚨 Слишком долго ждут ответа: ${ruPlural(n, 'чат', 'чата', 'чатов')}`,
  escalationWait: (wait) => `ждёт ${wait}`,
  answered: 'ответили',
};

export const enBoard: BoardTexts = {
  locale: 'en-GB',
  waiting: (n) => `📋 Waiting for an answer: ${n}`,
  tooLong: (n) => `too long: ${n}`,
  disputes: (n) => `disputes: ${n}`,
  nobodyWaits: '✅ Nobody is waiting for an answer.',
  offHours: (opens) => `🌙 Off hours${opens ? ` until ${opens}` : ''}: no reminders now.`,
  andMore: (n) => `…and ${enPlural(n, 'more chat', 'more chats')}`,
  reviewLabel: '[review]',
  questionLabel: '[question]',
  unowned: 'nobody',
  reminder: (wait) => `⏰ The buyer has been waiting for an answer for ${wait}.`,
  noOwner: 'Nobody owns this chat — press Take if you are answering.',
  reminderDone: (after) => (after ? `✅ Answered after ${after}.` : '✅ This chat no longer waits for an answer.'),
  escalation: (n) => `🚨 Waiting too long for an answer: ${enPlural(n, 'chat', 'chats')}`,
  escalationWait: (wait) => `waiting ${wait}`,
  answered: 'answered',
};
