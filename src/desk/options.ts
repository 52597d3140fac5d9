/**
 * What the desk is given by the composition root: the store, the Telegram port, the texts, the settings
 * (REMIND_AFTER, ESCALATE_AFTER, WORK_HOURS in BOT_TIMEZONE) and how often it looks.
 */
import type { Log } from '../bridge/log.ts';
import type { TelegramPort } from '../bridge/ports.ts';
import type { Texts } from '../bridge/texts.ts';
import type { TopicLinker } from './chat-line.ts';
import type { DeskStore } from './port.ts';
import type { WorkHours } from './work-hours.ts';

export interface DeskOptions {
  store: DeskStore & { readonly initializedAt: string };
  telegram: TelegramPort;
  t: Texts;
  log: Log;
  /** The link to a topic of the group (`https://t.me/c/<id>/<topic>`); none in a private chat (solo mode). */
  link: TopicLinker;
  /** 0: no reminders. */
  remindAfterMs: number;
  /** 0: no escalations. */
  escalateAfterMs: number;
  workHours: WorkHours;
  /** BOT_TIMEZONE, for the times the desk tells. */
  timeZone: string;
  now?: () => number;
  /** How often the desk looks at the chats (default 15 s). */
  tickMs?: number;
  /** The shortest time between two board edits when the list changed (default 1 min). */
  boardGapMs?: number;
  /** The shortest time between two board edits when only the waits grew (default 5 min). */
  boardRefreshMs?: number;
  /** How often the board's pin is checked (default 10 min). */
  pinCheckMs?: number;
}
