/** Chat records as the store keeps them, for the desk's tests: only what the desk reads is worth giving. */
import { marketChatId, topicId } from '../../src/bridge/ids.ts';
import type { ChatKind, ChatStatus } from '../../src/bridge/model.ts';
import type { ChatRecord } from '../../src/bridge/store-port.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export interface RecordSpec {
  id: number;
  title?: string;
  topic?: number;
  /** ISO: since when the chat waits for the seller. */
  waitingSince?: string;
  owner?: { id: number; name: string };
  answers?: Array<{ at: string; waitedMs: number }>;
  kind?: ChatKind;
  status?: ChatStatus;
  firstSeenAt?: string;
}

export function chatRecord(s: RecordSpec): ChatRecord {
  return {
    marketChatId: marketChatId(s.id),
    ...(s.topic !== undefined && { topicId: topicId(s.topic) }),
    ...(s.title !== undefined && { title: s.title }),
    chat: {
      id: marketChatId(s.id),
      kind: s.kind ?? 'CHAT',
      status: s.status ?? (s.waitingSince ? 'WAITING_FOR_PARTNER' : 'WAITING_FOR_CUSTOMER'),
      context: { type: 'ORDER', orderId: s.id },
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-01T00:00:00Z',
    },
    firstSeenAt: s.firstSeenAt ?? '2025-01-01T00:00:00Z',
    ...(s.waitingSince !== undefined && { waitingSince: s.waitingSince }),
    ...(s.owner && { owner: s.owner }),
    ...(s.answers && { answers: s.answers }),
  };
}

/** An ISO instant `ms` before `nowMs`. */
export const ago = (nowMs: number, ms: number) => new Date(nowMs - ms).toISOString();
