/**
 * Everything the bot says to operators, in Russian (default) and English. Buyer and operator texts never
 * pass through here: they are mirrored unchanged. One table per language against one interface, kept side by
 * side so a text is changed in both languages at once. Larger groups of texts (the reply guard's, the quick
 * replies', the commands', the desk's…) are tables of their own in `*-texts.ts`, carried here by a field each.
 */
import { enHealth, ruHealth, type HealthTexts } from './health-texts.ts';
import { enBoard, ruBoard, type BoardTexts } from './board-texts.ts';
import { enCard, ruCard, type CardTexts } from './card-texts.ts';
import { enCommands, ruCommands, type CommandTexts } from './command-texts.ts';
import { enFeedback, ruFeedback, type FeedbackTexts } from './feedback-texts.ts';
import { enGuard, ruGuard, type GuardTexts } from './guard-texts.ts';
import { enDeskStatus, ruDeskStatus, type DeskStatusTexts } from './desk-status-texts.ts';
import { enOwner, ruOwner, type OwnerTexts } from './desk-texts.ts';
import { enProgress, ruProgress, type ProgressTexts } from './progress-texts.ts';
import { enTemplates, ruTemplates, type TemplateTexts } from './template-texts.ts';
import type { ChatContextType, ChatStatus, MessageSender } from './model.ts';
import { enPlural, ruPlural } from './plural.ts';

export type Language = 'ru' | 'en';

export { plural, type PluralForms } from './plural.ts';

export interface Texts {
  /** The BCP 47 locale times and numbers told to operators are formatted in. */
  locale: string;
  sender: Record<MessageSender, string>;
  context: Record<ChatContextType, string>;
  status: Record<ChatStatus, string>;
  dispute: string;
  order: (n: number) => string;
  returnNo: (n: number) => string;
  question: string;
  openInCabinet: string;
  topicRecreated: string;
  historyNote: (shown: number) => string;
  attachmentFailed: (name: string, size: string) => string;
  attachmentTooBig: (name: string, size: string) => string;
  /** The placeholder for a message Telegram refused for good. */
  refused: {
    title: string;
    text: (characters: number) => string;
    file: (name: string, size: string) => string;
    reason: string;
    /** Plain fallback when even the placeholder is refused. */
    minimal: (marketMessageId: number) => string;
  };
  replyFailed: (reason: string) => string;
  replyQueued: (until: string) => string;
  replyUnknown: string;
  replyTooLong: (parts: number) => string;
  replySplit: (parts: number) => string;
  fileTooBig: (limitMb: number) => string;
  unsupportedMessage: string;
  editNotApplied: string;
  editApplied: string;
  notLinked: string;
  /** The reply could not be written down (disk full, no permission): it is dropped, the operator sends it again. */
  replyNotSaved: (reason: string) => string;
  /** An edit of a reply could not be written down: the reply stays as it was. */
  editNotSaved: (reason: string) => string;
  /** A button's action could not be written down: nothing changed (shown on the button). */
  actionNotSaved: (reason: string) => string;
  /** Said in the General topic when the bot lost its administrator rights (or the "Manage topics" right). */
  rightsLost: (botUsername: string) => string;
  rightsBack: string;
  marketRejected: (status: number, message: string) => string;
  fileDownloadFailed: (reason: string) => string;
  delivered: string;
  retryButton: string;
  retrying: string;
  correctionButton: string;
  correctionQueued: string;
  undoNotice: (seconds: number) => string;
  cancelButton: string;
  cancelled: string;
  alreadySent: string;
  nothingToDo: string;
  /** Replies the reply guard holds. */
  guard: GuardTexts;
  /** Why an operator's message was not sent to the buyer, said under it. */
  notSent: {
    /** The sender may not answer buyers (OPERATORS); said once per person and topic. */
    notOperator: string;
    forwarded: string;
    command: string;
    /** The short answer on a button pressed by someone who may not answer buyers. */
    notOperatorButton: string;
  };
  /** Quick replies (templates): the commands' answers, the lists, the buttons and the taps. */
  templates: TemplateTexts;
  /** The progress of a long first start or Telegram backlog, in General. */
  progress: ProgressTexts;
  /** Who owns a chat: the card's line and buttons, Take and Release. */
  owner: OwnerTexts;
  /** The context card: its labels, the waiting line, the order's codes in words. */
  card: CardTexts;
  /** The command menu, and /chat's answers. */
  commands: CommandTexts;
  /** The desk: the waiting board, reminders, escalations. */
  board: BoardTexts;
  /** Product reviews and questions: titles, cards, comment headers. */
  feedback: FeedbackTexts;
  /** The desk lines of /status, /mine, the daily digest. */
  deskStatus: DeskStatusTexts;
  health: HealthTexts;
}

const ru: Texts = {
  locale: 'ru-RU',
  sender: {
    CUSTOMER: '👤 Покупатель',
    PARTNER: '🏪 Продавец (кабинет)',
    MARKET: '🤖 Маркет',
    SUPPORT: '🛟 Поддержка Маркета',
    UNKNOWN: '❔ Неизвестный отправитель',
  },
  context: { ORDER: 'Заказ', RETURN: 'Возврат', DIRECT: 'Вопрос о товаре', UNKNOWN: 'Чат' },
  status: {
    NEW: 'новый',
    WAITING_FOR_CUSTOMER: 'ждём покупателя',
    WAITING_FOR_PARTNER: 'ждёт нашего ответа',
    WAITING_FOR_ARBITER: 'ждёт арбитра',
    WAITING_FOR_MARKET: 'ждёт Маркет',
    FINISHED: 'завершён',
    UNKNOWN: 'неизвестно',
  },
  dispute: 'Спор',
  order: (n) => `Заказ ${n}`,
  returnNo: (n) => `Возврат ${n}`,
  question: 'Вопрос',
  openInCabinet: 'Открыть в кабинете',
  topicRecreated: '♻️ Тема была удалена и создана заново. Переписка продолжается здесь.',
  historyNote: (n) =>
    `Ниже — ${n === 1 ? 'последнее' : 'последние'} ${ruPlural(n, 'сообщение', 'сообщения', 'сообщений')} из истории чата.`,
  attachmentFailed: (name, size) => `📎 ${name} (${size}) — не удалось загрузить файл`,
  attachmentTooBig: (name, size) => `📎 ${name} (${size}) — файл слишком большой для Telegram`,
  refused: {
    title: '⚠️ Telegram не принял это сообщение',
    text: (n) => `Текст, ${ruPlural(n, 'символ', 'символа', 'символов')}`,
    file: (name, size) => `📎 ${name} (${size})`,
    reason: 'Причина',
    minimal: (id) =>
      `⚠️ Сообщение ${id} из чата Маркета не удалось показать в Telegram. Прочитайте его в кабинете продавца.`,
  },
  replyFailed: (reason) => `⚠️ Не доставлено покупателю: ${reason}`,
  replyQueued: (until) => `⏳ Маркет просит подождать: сообщение в очереди и уйдёт примерно в ${until}.`,
  replyUnknown:
    '⚠️ Маркет не подтвердил доставку, и в истории чата сообщения нет. Повторно не отправлено, чтобы не продублировать.',
  replyTooLong: (parts) =>
    `⚠️ Слишком длинное сообщение (понадобилось бы ${ruPlural(parts, 'часть', 'части', 'частей')}). Сократите его.`,
  replySplit: (parts) =>
    `✂️ Сообщение длиннее 4096 символов, отправлено в ${ruPlural(parts, 'части', 'частях', 'частях')}.`,
  fileTooBig: (mb) => `⚠️ Файл больше ${mb} МБ — Маркет такие не принимает. Не отправлено.`,
  unsupportedMessage: '⚠️ Покупателю можно отправить только текст, фото или документ. Это сообщение не отправлено.',
  editNotApplied:
    '✏️ Изменение не дойдёт до покупателя: Маркет не позволяет править отправленные сообщения. Отправьте исправление новым сообщением.',
  editApplied: '✏️ Ответ ещё не ушёл — покупатель получит исправленный текст.',
  notLinked: '⚠️ Эта тема не связана с чатом Маркета. Сообщение не отправлено.',
  rightsLost: (bot) =>
    `⚠️ У бота нет прав администратора с правом «Управление темами». Новые чаты Маркета не появятся, темы не обновляются. Администратор группы: назначьте @${bot} администратором и включите «Управление темами».`,
  rightsBack: '✅ Права бота восстановлены, чаты Маркета снова зеркалируются.',
  editNotSaved: (reason) =>
    `⚠️ Правка НЕ применена: бот не смог её сохранить (${reason}). Сообщение осталось прежним; исправьте его ещё раз, когда проблема будет устранена.`,
  actionNotSaved: (reason) => `Не сохранено (${reason}), ничего не изменилось. Попробуйте позже.`,
  replyNotSaved: (reason) =>
    `⚠️ Сообщение НЕ отправлено: бот не смог его сохранить (${reason}). Отправьте его ещё раз, когда проблема будет устранена.`,
  marketRejected: (status, message) => `Маркет отклонил сообщение (${status}): ${message}`,
  fileDownloadFailed: (reason) => `не удалось получить файл из Telegram (${reason})`,
  delivered: '✅ Доставлено покупателю.',
  retryButton: '🔁 Отправить ещё раз',
  retrying: '🔁 Отправляю ещё раз…',
  correctionButton: '📤 Отправить исправленный текст',
  correctionQueued: '📤 Исправленный текст поставлен в очередь.',
  undoNotice: (s) => `⏳ Уйдёт покупателю через ${ruPlural(s, 'секунду', 'секунды', 'секунд')}.`,
  cancelButton: '✖️ Отменить',
  cancelled: '✖️ Отменено: покупателю не отправлено.',
  alreadySent: 'Уже отправлено — отменить нельзя.',
  nothingToDo: 'Здесь нечего делать.',
  guard: ruGuard,
  notSent: {
    notOperator:
      'ℹ️ Это сообщение не отправлено покупателю: отвечать покупателям могут только операторы. Ваши сообщения в этой теме видят только коллеги.',
    forwarded: '⚠️ Пересланные сообщения покупателю не отправляются. Чтобы ответить, напишите или вставьте текст сами.',
    command:
      '⚠️ Не отправлено покупателю: сообщение начинается с команды боту. Чтобы отправить его, уберите «/» в начале.',
    notOperatorButton: 'Только операторы могут это сделать.',
  },
  templates: ruTemplates,
  progress: ruProgress,
  owner: ruOwner,
  card: ruCard,
  commands: ruCommands,
  board: ruBoard,
  feedback: ruFeedback,
  deskStatus: ruDeskStatus,
  health: ruHealth,
};

const en: Texts = {
  locale: 'en-GB',
  sender: {
    CUSTOMER: '👤 Buyer',
    PARTNER: '🏪 Seller (cabinet)',
    MARKET: '🤖 Market',
    SUPPORT: '🛟 Market support',
    UNKNOWN: '❔ Unknown sender',
  },
  context: { ORDER: 'Order', RETURN: 'Return', DIRECT: 'Product question', UNKNOWN: 'Chat' },
  status: {
    NEW: 'new',
    WAITING_FOR_CUSTOMER: 'waiting for the buyer',
    WAITING_FOR_PARTNER: 'waiting for our reply',
    WAITING_FOR_ARBITER: 'waiting for the arbiter',
    WAITING_FOR_MARKET: 'waiting for the Market',
    FINISHED: 'finished',
    UNKNOWN: 'unknown',
  },
  dispute: 'Dispute',
  order: (n) => `Order ${n}`,
  returnNo: (n) => `Return ${n}`,
  question: 'Question',
  openInCabinet: 'Open in the seller cabinet',
  topicRecreated: '♻️ This topic was deleted and has been created again. The conversation continues here.',
  historyNote: (n) =>
    n === 1
      ? 'Below is the last message of the chat history.'
      : `Below are the last ${enPlural(n, 'message', 'messages')} of the chat history.`,
  attachmentFailed: (name, size) => `📎 ${name} (${size}) — the file could not be downloaded`,
  attachmentTooBig: (name, size) => `📎 ${name} (${size}) — the file is too big for Telegram`,
  refused: {
    title: '⚠️ Telegram refused this message',
    text: (n) => `Text, ${enPlural(n, 'character', 'characters')}`,
    file: (name, size) => `📎 ${name} (${size})`,
    reason: 'Reason',
    minimal: (id) => `⚠️ Market message ${id} could not be shown in Telegram. Read it in the seller cabinet.`,
  },
  replyFailed: (reason) => `⚠️ Not delivered to the buyer: ${reason}`,
  replyQueued: (until) => `⏳ The Market asks us to wait: the message is queued and will go at about ${until}.`,
  replyUnknown:
    '⚠️ The Market did not confirm delivery and the message is not in the chat history. It was not re-sent, to avoid a duplicate.',
  replyTooLong: (parts) =>
    `⚠️ The message is too long (it would take ${enPlural(parts, 'part', 'parts')}). Please shorten it.`,
  replySplit: (parts) =>
    `✂️ The message is longer than 4096 characters and was sent in ${enPlural(parts, 'part', 'parts')}.`,
  fileTooBig: (mb) => `⚠️ The file is larger than ${mb} MB, which the Market does not accept. Not sent.`,
  unsupportedMessage: '⚠️ Only text, photos and documents can be sent to the buyer. This message was not sent.',
  editNotApplied:
    '✏️ The edit will not reach the buyer: the Market cannot change a sent message. Send the correction as a new message.',
  editApplied: '✏️ The reply had not gone yet — the buyer will get the corrected text.',
  notLinked: '⚠️ This topic is not linked to a Market chat. The message was not sent.',
  rightsLost: (bot) =>
    `⚠️ The bot is not an administrator with the "Manage topics" right. New Market chats will not appear and topics are not updated. Group admin: promote @${bot} to administrator and enable "Manage topics".`,
  rightsBack: '✅ The bot has its rights back; Market chats are mirrored again.',
  editNotSaved: (reason) =>
    `⚠️ The edit was NOT applied: the bot could not save it (${reason}). The message stays as it was; edit it again once the problem is fixed.`,
  actionNotSaved: (reason) => `Not saved (${reason}); nothing changed. Try again later.`,
  replyNotSaved: (reason) =>
    `⚠️ The message was NOT sent: the bot could not save it (${reason}). Send it again once the problem is fixed.`,
  marketRejected: (status, message) => `the Market refused the message (${status}): ${message}`,
  fileDownloadFailed: (reason) => `the file could not be fetched from Telegram (${reason})`,
  delivered: '✅ Delivered to the buyer.',
  retryButton: '🔁 Send again',
  retrying: '🔁 Sending again…',
  correctionButton: '📤 Send the corrected text',
  correctionQueued: '📤 The corrected text is queued.',
  undoNotice: (s) => `⏳ Goes to the buyer in ${s} s.`,
  cancelButton: '✖️ Cancel',
  cancelled: '✖️ Cancelled: not sent to the buyer.',
  alreadySent: 'Already sent — it cannot be cancelled.',
  nothingToDo: 'Nothing to do here.',
  guard: enGuard,
  notSent: {
    notOperator:
      'ℹ️ This message was not sent to the buyer: only operators may answer buyers. Your messages in this topic are seen by colleagues only.',
    forwarded: '⚠️ Forwarded messages are never sent to the buyer. To answer, write or paste the text yourself.',
    command: '⚠️ Not sent to the buyer: the message starts with a bot command. To send it, remove the leading "/".',
    notOperatorButton: 'Only operators can do this.',
  },
  templates: enTemplates,
  progress: enProgress,
  owner: enOwner,
  card: enCard,
  commands: enCommands,
  board: enBoard,
  feedback: enFeedback,
  deskStatus: enDeskStatus,
  health: enHealth,
};

export function textsFor(language: Language): Texts {
  return language === 'en' ? en : ru;
}
