/** What /status says about the service's health (health.ts, telegram/status.ts), in Russian and English. */

export interface HealthTexts {
  ok: string;
  notOk: string;
  telegram: string;
  market: string;
  intake: string;
  store: string;
  ago: (seconds: number) => string;
  never: string;
  lastPoll: string;
  lastNotification: string;
  chats: string;
  queue: string;
  /** Telegram calls waiting for their turn under the flood limit. */
  telegramQueue: string;
  backlog: string;
  replies: string;
  quota: string;
  mode: (telegram: 'polling' | 'webhook', notifications: boolean) => string;
  /** The first line of /status for one of several cabinets. */
  cabinet: (name: string) => string;
  /** Posted once in General when the Market refuses a cabinet's key: the others go on. */
  cabinetStopped: (name: string, reason: string) => string;
}

export const ruHealth: HealthTexts = {
  ok: '✅ marketgram работает',
  notOk: '⚠️ marketgram работает с проблемами',
  telegram: 'Telegram',
  market: 'Маркет',
  intake: 'Новые сообщения',
  store: 'Хранилище',
  ago: (s) =>
    s < 60 ? `${s} с назад` : s < 3600 ? `${Math.round(s / 60)} мин назад` : `${Math.round(s / 3600)} ч назад`,
  never: 'ещё не было',
  lastPoll: 'Последний опрос Маркета',
  lastNotification: 'Последнее уведомление',
  chats: 'Чатов',
  queue: 'Задач в очереди',
  telegramQueue: 'Ждут очереди в Telegram (лимит группы)',
  backlog: 'Сообщений ждут публикации',
  replies: 'Ответов ждут отправки',
  quota: 'Квота Маркета',
  mode: (tg, n) =>
    `Режим: Telegram — ${tg === 'webhook' ? 'вебхук' : 'long polling'}, Маркет — ${n ? 'уведомления + сверка' : 'опрос'}`,
  cabinet: (name) => `Кабинет ${name}`,
  cabinetStopped: (name, reason) =>
    `⛔️ Кабинет ${name} остановлен: ${reason}\nОстальные кабинеты работают. Исправьте ключ в CABINETS_FILE и перезапустите marketgram.`,
};

export const enHealth: HealthTexts = {
  ok: '✅ marketgram is healthy',
  notOk: '⚠️ marketgram has problems',
  telegram: 'Telegram',
  market: 'Market',
  intake: 'New messages',
  store: 'Store',
  ago: (s) => (s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`),
  never: 'not yet',
  lastPoll: 'Last Market poll',
  lastNotification: 'Last notification',
  chats: 'Chats',
  queue: 'Queued tasks',
  telegramQueue: 'Waiting for Telegram (group limit)',
  backlog: 'Messages waiting to be posted',
  replies: 'Replies waiting',
  quota: 'Market quota',
  mode: (tg, n) =>
    `Mode: Telegram ${tg === 'webhook' ? 'webhook' : 'long polling'}, Market ${n ? 'notifications + reconciling polls' : 'polling'}`,
  cabinet: (name) => `Cabinet ${name}`,
  cabinetStopped: (name, reason) =>
    `⛔️ Cabinet ${name} stopped: ${reason}\nThe other cabinets go on. Fix its key in CABINETS_FILE and restart marketgram.`,
};
