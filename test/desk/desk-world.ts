/** A desk over the memory Telegram and an in-memory store of chat records, with a clock the test moves. */
import { pino } from 'pino';
import { marketChatId, topicId, type TopicId } from '../../src/bridge/ids.ts';
import type { ChatRecord } from '../../src/bridge/store-port.ts';
import type { ThreadRecord } from '../../src/bridge/thread-store.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { Desk } from '../../src/desk/desk.ts';
import type { DeskOptions } from '../../src/desk/options.ts';
import type { DeskRecord, DeskStore } from '../../src/desk/port.ts';
import { WorkHours } from '../../src/desk/work-hours.ts';
import { MemoryTelegram } from '../bridge/memory-ports.ts';

export const MIN = 60_000;
export const T0 = Date.parse('2026-12-01T10:00:00Z');

export class MemoryDeskStore implements DeskStore {
  readonly initializedAt = new Date(T0 - 86_400_000).toISOString();
  readonly records: ChatRecord[] = [];
  readonly threadRecords: ThreadRecord[] = [];
  record: DeskRecord = {};
  commits = 0;
  chats(): ChatRecord[] {
    return [...this.records];
  }
  saveChat(): void {}
  saveThread(): void {}
  threads(): ThreadRecord[] {
    return [...this.threadRecords];
  }
  desk(): DeskRecord {
    return this.record;
  }
  saveDesk(): void {}
  commit(): Promise<void> {
    this.commits++;
    return Promise.resolve();
  }
}

export function deskWorld(over: Partial<DeskOptions> = {}) {
  const telegram = new MemoryTelegram();
  const store = new MemoryDeskStore();
  const clock = { now: T0 };
  const options: DeskOptions = {
    store,
    telegram,
    t: textsFor('en'),
    log: pino({ level: 'silent' }),
    link: (id: TopicId) => `https://t.me/c/123/${id}`,
    remindAfterMs: 15 * MIN,
    escalateAfterMs: 60 * MIN,
    workHours: WorkHours.always,
    timeZone: 'Europe/Moscow',
    now: () => clock.now,
    ...over,
  };
  const desk = new Desk(options);

  /** A chat with a topic whose buyer has waited since `waitingSinceMs` (undefined: it does not wait). */
  async function addChat(n: number, waitingSinceMs: number | undefined, extra: Partial<ChatRecord> = {}) {
    const topic = await telegram.createTopic(`Chat ${n}`);
    const rec: ChatRecord = {
      marketChatId: marketChatId(n),
      topicId: topic,
      title: `Chat ${n}`,
      backfilled: true,
      firstSeenAt: new Date(T0 - 2 * 3_600_000).toISOString(),
      chat: {
        id: marketChatId(n),
        kind: 'CHAT',
        status: waitingSinceMs === undefined ? 'WAITING_FOR_CUSTOMER' : 'WAITING_FOR_PARTNER',
        context: { type: 'ORDER', orderId: 1000 + n },
        createdAt: new Date(T0 - 3 * 3_600_000).toISOString(),
        updatedAt: new Date(waitingSinceMs ?? T0 - 3_600_000).toISOString(),
      },
      ...(waitingSinceMs !== undefined && { waitingSince: new Date(waitingSinceMs).toISOString() }),
      ...extra,
    };
    store.records.push(rec);
    return rec;
  }

  /** The seller answered the chat now. */
  function answer(rec: ChatRecord): void {
    const since = rec.waitingSince;
    rec.waitingSince = undefined;
    rec.chat = { ...rec.chat, status: 'WAITING_FOR_CUSTOMER' };
    if (since) {
      rec.answers = [
        ...(rec.answers ?? []),
        { at: new Date(clock.now).toISOString(), waitedMs: clock.now - Date.parse(since) },
      ];
    }
  }

  const general = () => telegram.inTopic(0);
  const board = () => telegram.posts.find((p) => p.messageId === store.record.boardId);
  return { desk, telegram, store, clock, addChat, answer, general, board, topicOf: (n: number) => topicId(n) };
}
