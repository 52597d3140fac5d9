/**
 * The options of a chaos run (test/chaos/run.ts) and their defaults: the figures `npm run chaos` runs with.
 */

export interface ChaosOptions {
  seed: number;
  /** Buyer messages written in all, including one closing message per chat at the end. */
  messages: number;
  /** Operator replies typed into topics. */
  replies: number;
  /** `kill -9` of the bridge during the workload (each followed by a restart). */
  crashes: number;
  /** Market chats in all. */
  chats: number;
  /** Of those, chats created while the run goes on (the rest exist before the first start). */
  lateChats: number;
  /** Topics deleted in Telegram during the run. */
  topicDeletes: number;
  /** Product reviews in all (each needs the seller, so each gets a topic). */
  reviews: number;
  /** Product questions in all (none answered by the shop, so each gets a topic). */
  questions: number;
  /** Of the reviews and questions, those created while the run goes on (the rest exist before the first start). */
  lateThreads: number;
  /**
   * Comments on reviews, answers to questions and comments on answers written in all (a few before the first
   * start, the rest during the workload); some reply to an earlier comment.
   */
  threadPosts: number;
  /**
   * Operator replies typed into review and question topics (comments, answers, comments on answers), some while a
   * publication is killed mid-flight.
   */
  threadReplies: number;
  /**
   * `MARKET_NOTIFICATIONS=on`: the script also posts CHAT_CREATED / CHAT_MESSAGE_SENT and the reviews' and
   * questions' notifications to the bridge.
   */
  notifications: boolean;
  /** How long the workload (messages, replies, faults, crashes) lasts, ms. */
  workloadMs: number;
  /** Mean gap between two injected faults, ms. */
  faultEveryMs: number;
  /** Also inject Market answers that never come (the client gives up after its 15 s timeout). */
  hangs: boolean;
  /** Longest wait for everything to arrive after the workload, ms. */
  drainTimeoutMs: number;
  /** LOG_LEVEL of the bridge; its output is kept in the data directory when a check fails. */
  logLevel: string;
  /** Keep the data directory and the bridge logs even when every check passes. */
  keep: boolean;
  /** Progress lines (the CLI prints them; the test stays quiet). */
  progress?: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<ChaosOptions, 'progress'> = {
  seed: 1,
  messages: 3000,
  replies: 300,
  crashes: 15,
  chats: 40,
  lateChats: 10,
  topicDeletes: 8,
  reviews: 12,
  questions: 8,
  lateThreads: 6,
  threadPosts: 500,
  threadReplies: 60,
  notifications: false,
  workloadMs: 75_000,
  faultEveryMs: 250,
  hangs: true,
  drainTimeoutMs: 120_000,
  logLevel: 'warn',
  keep: false,
};
