/**
 * What the desk tells on request and once a day, in Russian and English: the desk lines /status starts with,
 * /mine's list of one's own waiting chats, and the daily digest in General (DIGEST_AT). texts.ts carries them
 * as `Texts.deskStatus`. Chat titles, links and owner names are put in by the callers, which build the Html.
 */
import { enPlural, ruPlural } from './plural.ts';

/** Today's (or a day's) response times, already formatted. */
export interface ResponseLine {
  answered: number;
  median: string;
  p90: string;
  /** Answered within an hour, 0…100. */
  withinHourPercent: number;
}

export interface DeskStatusTexts {
  /** A wait: "40 s", "14 min", "1 h 5 min", "2 d 3 h". */
  duration: (ms: number) => string;
  status: {
    /** How many chats wait for the seller, how many of them too long, and the open disputes (0: not said). */
    waiting: (waiting: number, tooLong: number, disputes: number) => string;
    nobodyWaits: (disputes: number) => string;
    /** The longest wait; the chat's title follows. */
    oldest: (wait: string) => string;
    /** `owners`: "Olga 4, Ivan 3, …"; `unowned`: waiting chats nobody owns. */
    owners: (owners: string, unowned: number) => string;
    today: (r: ResponseLine) => string;
    noAnswersToday: string;
  };
  mine: {
    heading: (n: number) => string;
    none: string;
    more: (n: number) => string;
    notOperator: string;
  };
  digest: {
    /** `day`: yesterday's date, as the locale writes it. */
    title: (day: string) => string;
    /** Chats that waited for the seller at some time of the day, and chats seen for the first time that day. */
    chats: (waited: number, fresh: number) => string;
    answered: (answered: number, median: string, longest: string) => string;
    noneAnswered: string;
    waitingNow: (n: number) => string;
    nobodyWaits: string;
    more: (n: number) => string;
  };
}

function duration(ms: number, u: { s: string; min: string; h: string; d: string }): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} ${u.s}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} ${u.min}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} ${u.h}${minutes % 60 ? ` ${minutes % 60} ${u.min}` : ''}`;
  return `${Math.floor(hours / 24)} ${u.d}${hours % 24 ? ` ${hours % 24} ${u.h}` : ''}`;
}

export const ruDeskStatus: DeskStatusTexts = {
  duration: (ms) => duration(ms, { s: 'с', min: 'мин', h: 'ч', d: 'дн' }),
  status: {
    waiting: (n, tooLong, disputes) =>
      `⏳ Ждут ответа: ${n}${tooLong ? `, из них долго: ${tooLong}` : ''}${disputes ? ` · споров: ${disputes}` : ''}`,
    nobodyWaits: (disputes) => `✅ Ответа никто не ждёт${disputes ? ` · споров: ${disputes}` : ''}`,
    oldest: (wait) => `Дольше всех: ${wait} —`,
    owners: (owners, unowned) =>
      owners
        ? `Ответственные: ${owners}${unowned ? ` · без ответственного: ${unowned}` : ''}`
        : `Без ответственного: ${unowned}`,
    today: (r) =>
      `Сегодня: ${ruPlural(r.answered, 'ответ', 'ответа', 'ответов')}, медиана ${r.median}, p90 ${r.p90}, за час — ${r.withinHourPercent}%`,
    noAnswersToday: 'Сегодня ответов ещё не было',
  },
  mine: {
    heading: (n) => `Ваши чаты ждут ответа: ${n}`,
    none: 'Ваших чатов, ждущих ответа, нет.',
    more: (n) => `…и ещё ${n}`,
    notOperator: 'Список своих чатов есть только у операторов.',
  },
  digest: {
    title: (day) => `📊 Итоги вчерашнего дня, ${day}`,
    chats: (waited, fresh) =>
      `Ждали нашего ответа: ${ruPlural(waited, 'чат', 'чата', 'чатов')} · новых чатов: ${fresh}`,
    answered: (n, median, longest) => `Отвечено: ${n} · медиана ${median} · дольше всего ${longest}`,
    noneAnswered: 'Ответов вчера не было.',
    waitingNow: (n) => `⏳ Сейчас ждут ответа: ${n}`,
    nobodyWaits: '✅ Сейчас ответа никто не ждёт.',
    more: (n) => `…и ещё ${n}`,
  },
};

export const enDeskStatus: DeskStatusTexts = {
  duration: (ms) => duration(ms, { s: 's', min: 'min', h: 'h', d: 'd' }),
  status: {
    waiting: (n, tooLong, disputes) =>
      `⏳ Waiting for us: ${n}${tooLong ? `, ${tooLong} too long` : ''}${disputes ? ` · disputes: ${disputes}` : ''}`,
    nobodyWaits: (disputes) => `✅ Nobody waits for an answer${disputes ? ` · disputes: ${disputes}` : ''}`,
    oldest: (wait) => `Longest wait: ${wait} —`,
    owners: (owners, unowned) =>
      owners ? `Owners: ${owners}${unowned ? ` · unowned: ${unowned}` : ''}` : `Owned by nobody: ${unowned}`,
    today: (r) =>
      `Today: ${enPlural(r.answered, 'answer', 'answers')}, median ${r.median}, p90 ${r.p90}, ${r.withinHourPercent}% within 1 h`,
    noAnswersToday: 'No answers yet today',
  },
  mine: {
    heading: (n) => `Your chats waiting for an answer: ${n}`,
    none: 'You own no waiting chats.',
    more: (n) => `…and ${n} more`,
    notOperator: 'Only operators have chats of their own.',
  },
  digest: {
    title: (day) => `📊 Yesterday, ${day}`,
    chats: (waited, fresh) => `Chats that waited for us: ${waited} · new chats: ${fresh}`,
    answered: (n, median, longest) => `Answered: ${n} · median ${median} · longest ${longest}`,
    noneAnswered: 'No answers yesterday.',
    waitingNow: (n) => `⏳ Waiting for an answer now: ${n}`,
    nobodyWaits: '✅ Nobody waits for an answer now.',
    more: (n) => `…and ${n} more`,
  },
};
