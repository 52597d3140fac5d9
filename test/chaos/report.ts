/**
 * What a chaos run reports: the crashes, the duplicates, the figures that must be zero, and which of them are not.
 */
import type { ChaosOptions } from './options.ts';

/** One `kill -9`. */
export interface CrashRecord {
  /** Seconds since the workload started. */
  atS: number;
  /** How long the killed process had been running, s. */
  uptimeS: number;
  /** Killed before it answered /healthz (during the start-up). */
  duringStartup: boolean;
  /**
   * Posting calls (sendMessage, createForumTopic, …) the fake Telegram had received and not answered, less than
   * 2.5 s old (a slow answer takes at most 1.5 s; an older unanswered call was a dropped connection).
   */
  telegramPostsInFlight: number;
  /** Requests the fake Market had received and not yet answered or reset (exact: its open sockets). */
  marketRequestsInFlight: number;
  /** Of those, replies to reviews and questions being published. */
  publicationsInFlight: number;
  /** Highest Telegram message id in the group at the kill: later ids were posted after it. */
  boundaryMessageId: number;
  /** Of the sends in flight, those that took effect at the Market after the kill (the client never knew). */
  marketSendsLandedAfterKill: number;
  /** Buyer messages posted again because of this crash. */
  duplicates: number;
  /** Chats with a buyer message posted again because of this crash. */
  chatsWithDuplicates: number;
  /** Review and question posts (comments, answers, cards) posted again because of this crash. */
  threadDuplicates: number;
}

/** A buyer message that Telegram got more than once. */
export interface DuplicateRecord {
  /** Its marker `m<n>`. */
  n: number;
  chat: number;
  /** Telegram message ids of its copies. */
  copies: number[];
  /** 1-based number of the crash that explains it, if one does. */
  crash?: number;
  /** The first copy was in Telegram before the kill (else the killed process's request landed after it). */
  firstCopyBeforeKill?: boolean;
}

/** Figures that must be zero for the promise to hold. */
export interface MustBeZero {
  /** Buyer messages in no topic of their chat (live, or deleted after the message was posted there). */
  buyerMessagesLost: number;
  /** Buyer messages whose first copy came after the first copy of a later message of the same chat. */
  outOfOrder: number;
  /** Copies whose text differs from what the buyer wrote. */
  garbled: number;
  /** Copies posted into another chat's topic. */
  wrongTopic: number;
  /** Second copies that no crash explains (both copies made by one process lifetime). */
  duplicatesWithoutCrash: number;
  /** Operator replies the buyer got more than once (extra copies). */
  repliesDeliveredTwice: number;
  /** Operator replies the buyer never got. */
  repliesLost: number;
  /** Replies sent to another Market chat than the topic's. */
  repliesMisrouted: number;
  /** Our own replies mirrored back into a topic as seller messages (an echo not recognised). */
  repliesEchoedIntoTopic: number;
  /** Chats without exactly one live topic at the end (empty topics a kill explains do not count). */
  chatsWithoutOneLiveTopic: number;
  /** Empty topics that no kill explains (a process that created a topic and lived on must have used it). */
  emptyTopicsWithoutCrash: number;
  /** Bridge processes that exited without being killed or stopped. */
  unexpectedExits: number;
  /** Review comments, answers and comments on answers in no topic of their review or question. */
  threadPostsLost: number;
  /** Of those, copies whose first copy came after the first copy of one the Market shows later in the thread. */
  threadPostsOutOfOrder: number;
  /** Copies of comments and answers whose text differs from what the buyer wrote. */
  threadPostsGarbled: number;
  /** Copies of comments, answers and cards posted into another review's or question's topic, or a chat's. */
  threadPostsInWrongTopic: number;
  /** Extra copies of comments, answers and cards that no crash explains (a crash repeats one post a thread). */
  threadPostsDuplicatedWithoutCrash: number;
  /** Reviews and questions without exactly one live topic at the end. */
  threadsWithoutOneLiveTopic: number;
  /** Live topics of reviews and questions whose first post is not their card. */
  threadTopicsWithoutCard: number;
  /** Extra publications of operator replies to reviews and questions at the Market. */
  threadRepliesPublishedTwice: number;
  /** Operator replies to reviews and questions never published. */
  threadRepliesLost: number;
  /** Replies published on another review or question, or under another comment or answer, than they answered. */
  threadRepliesMisplaced: number;
  /** Replies to reviews and questions mirrored back into a topic as if someone else had written them. */
  threadRepliesEchoedIntoTopic: number;
  /** Published replies whose notice does not say so at the end. */
  threadRepliesWithoutReceipt: number;
}

/** The operator's replies to reviews and questions. */
export interface ThreadReplyFigures {
  typed: number;
  /** Of those, typed as a reply to a buyer's comment or answer. */
  answeringAPost: number;
  /** Kills while one of them was on its way to the Market. */
  killsDuringPublication: number;
}

/** A review comment, answer or card that Telegram got more than once. */
export interface ThreadDuplicateRecord {
  /** `t<n>`, or `card` of a topic. */
  what: string;
  /** The thread's index. */
  thread: number;
  /** Telegram message ids of its copies. */
  copies: number[];
  /** 1-based numbers of the crashes that explain its extra copies (none: unexplained). */
  crashes: number[];
}

/** What the reviews and questions of a run were, and what of them reached Telegram. */
export interface ThreadFigures {
  reviews: number;
  questions: number;
  /** Of those, created during the run. */
  late: number;
  reviewComments: number;
  answers: number;
  answerComments: number;
  /** Comments that reply to an earlier comment (of a review, or on an answer). */
  repliesToComments: number;
  /** Copies of comments and answers in Telegram. */
  copies: number;
  /** Extra copies of comments, answers and cards (a post made twice counts 1). */
  duplicates: number;
  duplicateList: ThreadDuplicateRecord[];
  /** Live topics of reviews and questions (should equal their number). */
  liveTopics: number;
  /** Market faults injected on their calls (counted among the run's faults too). */
  faults: number;
  /** Their notifications posted twice, and posted late (MARKET_NOTIFICATIONS=on). */
  notificationsDoubled: number;
  notificationsLate: number;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'progress'>;
  mode: 'polling' | 'notifications';
  runS: number;
  drainS: number;
  /** The drain reached "everything arrived and nothing moved for 3 s" before its deadline. */
  drained: boolean;
  /** Exit of the last process after SIGTERM. */
  stop: { code: number | null; signal: string | null; seconds: number };
  buyerMessages: number;
  chatsCreated: number;
  repliesTyped: number;
  topicsDeleted: number;
  crashes: CrashRecord[];
  /** Faults injected, by side and kind. */
  faults: Record<string, number>;
  /** What the fakes answered, from their request logs (includes the Market's own parallel-limit 420s). */
  observed: Record<string, number>;
  notifications?: { posted: number; delivered: number; retries: number; gaveUp: number };
  /** Retry buttons the simulated operator pressed under "not delivered" notices. */
  operatorRetries: number;
  mirroredCopies: number;
  /** Extra copies of buyer messages in Telegram (a message posted twice counts 1). */
  duplicates: number;
  /** Most posts one crash repeated in one chat (the design allows one: the post in flight, which may carry several messages). */
  maxDuplicatesPerChatPerCrash: number;
  duplicateList: DuplicateRecord[];
  /** Live topics of chats (should equal the number of chats), less the empty ones a kill explains. */
  liveTopics: number;
  /**
   * Topics left empty by a kill while they were being created (Telegram had made the topic, the killed process
   * had not stored it yet, and no API lists a group's topics), and the most one kill left (design: 1).
   */
  emptyTopics: number;
  maxEmptyTopicsPerCrash: number;
  /**
   * Live topics whose first bot message is not the context card (the card is posted after the new topic is
   * stored; a kill in between leaves the topic without it).
   */
  topicsWithoutCard: number;
  /** Reviews and questions. */
  threads: ThreadFigures;
  threadReplies: ThreadReplyFigures;
  mustBeZero: MustBeZero;
  /** One line for every non-zero must-be-zero figure, with the messages or replies concerned. */
  problems: string[];
  /** Where the data directory and the bridge logs were kept (when a check failed, or asked to). */
  keptDataDir?: string;
}

/** The must-be-zero figures that are not zero, plus a drain that never completed or an unclean stop. */
export function violations(report: ChaosReport): Array<{ figure: string; value: number }> {
  const out = Object.entries(report.mustBeZero)
    .filter(([, value]) => value !== 0)
    .map(([figure, value]) => ({ figure, value: value as number }));
  if (!report.drained) out.push({ figure: 'drainTimedOut', value: 1 });
  if (report.stop.code !== 0) out.push({ figure: 'sigtermExitCode', value: report.stop.code ?? -1 });
  return out;
}
