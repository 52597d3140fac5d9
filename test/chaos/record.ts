/**
 * What a chaos run records while it goes, as the verdict and the problem stories read it afterwards.
 */
import type { World } from '../e2e/harness.ts';
import type { RequestRecord } from '../fakes/market-server.ts';
import type { ChaosOptions } from './options.ts';
import type { Plan } from './plan.ts';
import type { ChaosReport, CrashRecord } from './report.ts';
import type { TypedThreadReply } from './thread-replies.ts';
import type { CreatedThread, WrittenPost } from './thread-workload.ts';
import type { TopicPost } from './topic-posts.ts';

/** A Market chat of the plan: its index, the Market's id once created, and the order its topic is named after. */
export interface ChatState {
  index: number;
  marketChatId?: number;
  orderId: number;
}

/** An operator reply typed into a topic. */
export interface TypedReply {
  n: number;
  text: string;
  chat: number;
  threadId: number;
  telegramMessageId: number;
}

/** The fields of a stored operator reply that the problem lines show. */
export interface StoredReply {
  text?: string;
  state?: string;
  attempts?: number;
  noticeId?: number;
}

export interface RunRecord {
  options: ChaosOptions;
  plan: Plan;
  world: World;
  /** Every bot message of every topic, live or saved before its topic was deleted, in Telegram's order. */
  posts: TopicPost[];
  chats: readonly ChatState[];
  /** The Market message id of buyer message n. */
  messageIds: ReadonlyMap<number, number>;
  typed: readonly TypedReply[];
  /** The operator replies typed into review and question topics. */
  threadTyped: readonly TypedThreadReply[];
  /** The reviews and questions created, by index. */
  threads: ReadonlyMap<number, CreatedThread>;
  /** What buyers wrote in them, by post number n. */
  threadPosts: ReadonlyMap<number, WrittenPost>;
  /** The kills; the verdict fills in the duplicates each one caused. */
  crashes: CrashRecord[];
  /** Date.now() of each kill. */
  killedAt: readonly number[];
  /** Date.now() of the start that followed each kill. */
  restartedAt: readonly number[];
  /** The Market sends in flight at each kill. */
  inFlightSends: ReadonlyArray<{ killedAt: number; requests: RequestRecord[] }>;
  /** Date.now() of each bridge process's spawn, in order. */
  spawnedAt: readonly number[];
  /** Date.now() when the workload started. */
  wallT0: number;
  /** The replies as the bridge's store holds them after the stop, by text. */
  storedReplies: ReadonlyMap<string, StoredReply>;
  faults: Record<string, number>;
  /** Of those, Market faults on the calls of reviews and questions. */
  threadFaults: number;
  /** Only with MARKET_NOTIFICATIONS=on. */
  notifications: ChaosReport['notifications'];
  /** Review and question notifications posted twice, and posted late (only with MARKET_NOTIFICATIONS=on). */
  notificationQuirks: { doubled: number; late: number };
  operatorRetries: number;
  topicsDeleted: number;
  unexpectedExits: number;
}

/** The text of a sendMessageToChat request, from the fake's log. */
export const textOf = (r: RequestRecord): string | undefined => {
  const message = (r.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
};
