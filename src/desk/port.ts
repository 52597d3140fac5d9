/**
 * What the desk keeps in the store beside the chats' records: the board message in General and when the
 * last digest went out. The chats' own desk state (reminders, escalations) lives on their records.
 */
import type { TelegramMessageId } from '../bridge/ids.ts';
import type { ChatRecord } from '../bridge/store-port.ts';
import type { ThreadRecord } from '../bridge/thread-store.ts';

export interface DeskRecord {
  /** The pinned board in General. */
  boardId?: TelegramMessageId;
  /** Another message Telegram reported as the group's newest pin when the board was last re-pinned over it. */
  repinnedOver?: number;
  /** The local day (days since 1970-01-01 in BOT_TIMEZONE) of the last daily digest. */
  digestDay?: number;
}

/** The store as the desk sees it. */
export interface DeskStore {
  chats(): ChatRecord[];
  /** Reviews and questions mirrored into topics: the board lists those that wait, labelled. */
  threads(): ThreadRecord[];
  saveChat(record: ChatRecord): void;
  saveThread(record: ThreadRecord): void;
  /** The desk's record, to change and then `saveDesk()`. */
  desk(): DeskRecord;
  saveDesk(): void;
  commit(): Promise<void>;
}
