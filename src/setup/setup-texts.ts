/**
 * What the bot says in a chat where someone sent the set-up code (src/setup/setup-mode.ts), in Russian and
 * English (BOT_LANGUAGE).
 */
export interface SetupTexts {
  boundGroup: string;
  boundPrivate: string;
  /** Appended to `boundGroup` when the bot may not pin: the desk's board then stays unpinned. */
  noPinRight: string;
  wrongCode: string;
  basicGroup: string;
  notForum: string;
  notAdmin: (bot: string) => string;
  noManageTopics: (bot: string) => string;
  noTopicsInPrivate: (bot: string) => string;
  /** Something could not be checked now (Telegram did not answer): try again. */
  checkFailed: string;
}

const ru: SetupTexts = {
  boundGroup: '✅ Готово: эта группа подключена к marketgram. Скоро здесь появятся темы чатов с покупателями.',
  boundPrivate: '✅ Готово: этот чат подключён к marketgram. Каждый чат с покупателем появится здесь отдельной темой.',
  noPinRight:
    'Совет: дайте боту право «Закреплять сообщения», чтобы список ожидающих покупателей был закреплён вверху.',
  wrongCode:
    '❌ Код не подошёл. Возьмите код из журнала сервера marketgram (строка «setup mode») и отправьте его снова.',
  basicGroup:
    '❌ В этой группе нет тем. Включите «Темы» в настройках группы (Изменить → Темы): группа станет супергруппой с другим id. Затем отправьте код ещё раз — уже в ней.',
  notForum:
    '❌ В этой группе выключены темы. Включите «Темы» в настройках группы (Изменить → Темы) и отправьте код ещё раз.',
  notAdmin: (bot) =>
    `❌ Бот не администратор этой группы. Назначьте @${bot} администратором с правом «Управление темами» и отправьте код ещё раз.`,
  noManageTopics: (bot) =>
    `❌ У @${bot} нет права «Управление темами». Включите его в правах администратора и отправьте код ещё раз.`,
  noTopicsInPrivate: (bot) =>
    `❌ Чтобы чаты появлялись здесь темами, включите боту темы в личных чатах: в @BotFather откройте Mini App (Open), выберите @${bot}, затем Bot Settings → Threads Settings → Threaded Mode. Затем отправьте код ещё раз.`,
  checkFailed: '⚠️ Telegram сейчас не ответил на проверку. Отправьте код ещё раз через минуту.',
};

const en: SetupTexts = {
  boundGroup: '✅ Done: this group is connected to marketgram. Buyer chats will appear here as topics shortly.',
  boundPrivate:
    '✅ Done: this chat is connected to marketgram. Every buyer chat will appear here as a topic of its own.',
  noPinRight: 'Tip: give the bot the "Pin messages" right, so the list of waiting buyers stays pinned at the top.',
  wrongCode:
    '❌ Wrong code. Take the code from the marketgram server\'s log (the "setup mode" line) and send it again.',
  basicGroup:
    '❌ This group has no topics. Turn on Topics in the group settings (Edit → Topics): the group becomes a supergroup with another id. Then send the code again, in it.',
  notForum:
    '❌ Topics are off in this group. Turn on Topics in the group settings (Edit → Topics) and send the code again.',
  notAdmin: (bot) =>
    `❌ The bot is not an administrator of this group. Make @${bot} an administrator with the "Manage topics" right and send the code again.`,
  noManageTopics: (bot) =>
    `❌ @${bot} lacks the "Manage topics" right. Turn it on in its administrator rights and send the code again.`,
  noTopicsInPrivate: (bot) =>
    `❌ For chats to appear here as topics, turn on topics in private chats for the bot: in @BotFather open the Mini App (Open), choose @${bot}, then Bot Settings → Threads Settings → Threaded Mode. Then send the code again.`,
  checkFailed: '⚠️ Telegram did not answer the check just now. Send the code again in a minute.',
};

export const setupTexts = (language: 'ru' | 'en'): SetupTexts => (language === 'en' ? en : ru);
