/**
 * What the bot says in General while a long first start or a Telegram backlog runs (src/telegram/progress.ts),
 * in Russian and English; texts.ts carries it as `Texts.progress`.
 */
import { enPlural, ruPlural } from './plural.ts';

export interface ProgressFigures {
  /** Chats imported so far in this episode, of `total` (undefined: no import, only a backlog). */
  imported?: { done: number; total: number; waitingDone: number; waitingTotal: number };
  /** Telegram calls (posts, topics, edits) waiting for their turn. */
  queued: number;
  /** Estimated time left, seconds. */
  etaSeconds: number;
}

export interface ProgressTexts {
  /** The message edited as the episode goes. */
  running: (f: ProgressFigures) => string;
  /** The last edit: the episode is over after `seconds`. */
  done: (f: { chats?: number; seconds: number }) => string;
  /** A duration: "40 s", "14 min", "1 h 5 min". */
  duration: (seconds: number) => string;
}

function duration(seconds: number, s: string, min: string, h: string): string {
  const total = Math.max(1, Math.round(seconds));
  if (total < 60) return `${total} ${s}`;
  const minutes = Math.round(total / 60);
  if (minutes < 60) return `${minutes} ${min}`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} ${h}${rest ? ` ${rest} ${min}` : ''}`;
}

const ruDuration = (seconds: number) => duration(seconds, 'с', 'мин', 'ч');
const enDuration = (seconds: number) => duration(seconds, 's', 'min', 'h');

export const ruProgress: ProgressTexts = {
  running: (f) => {
    const lines: string[] = [];
    if (f.imported) {
      const i = f.imported;
      lines.push(`⏳ Перенос чатов: ${i.done} из ${i.total}`);
      if (i.waitingTotal > 0) lines.push(`Ждут ответа продавца: перенесено ${i.waitingDone} из ${i.waitingTotal}`);
    }
    const queued = ruPlural(f.queued, 'сообщение', 'сообщения', 'сообщений');
    lines.push(
      `${f.imported ? '' : '⏳ '}В очереди из-за лимита Telegram: ${queued}; осталось около ${ruDuration(f.etaSeconds)}.`,
    );
    return lines.join('\n');
  },
  done: (f) =>
    f.chats
      ? `✅ Перенос завершён: ${ruPlural(f.chats, 'чат', 'чата', 'чатов')} за ${ruDuration(f.seconds)}.`
      : `✅ Очередь Telegram разобрана за ${ruDuration(f.seconds)}.`,
  duration: ruDuration,
};

export const enProgress: ProgressTexts = {
  running: (f) => {
    const lines: string[] = [];
    if (f.imported) {
      const i = f.imported;
      lines.push(`⏳ Importing chats: ${i.done} of ${i.total}`);
      if (i.waitingTotal > 0) lines.push(`Waiting for the seller: ${i.waitingDone} of ${i.waitingTotal} imported`);
    }
    const queued = enPlural(f.queued, 'message', 'messages');
    lines.push(
      `${f.imported ? '' : '⏳ '}${queued} queued behind Telegram's limit, about ${enDuration(f.etaSeconds)} left.`,
    );
    return lines.join('\n');
  },
  done: (f) =>
    f.chats
      ? `✅ Import done: ${enPlural(f.chats, 'chat', 'chats')} in ${enDuration(f.seconds)}.`
      : `✅ Telegram backlog cleared in ${enDuration(f.seconds)}.`,
  duration: enDuration,
};
