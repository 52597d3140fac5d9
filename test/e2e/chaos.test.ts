import { describe, expect, it } from 'vitest';
import { violations } from '../chaos/report.ts';
import { runChaos } from '../chaos/run.ts';

/** The short version of `npm run chaos` (bench/chaos.ts): same workload and checks, fewer messages and crashes. */
describe('the bridge under kill -9 and injected faults, end to end', () => {
  it('loses, reorders and doubles no buyer message, reply, review comment, answer or reply to them across crashes, Market and Telegram faults', async () => {
    const report = await runChaos({
      seed: 20_261_122,
      messages: 300,
      replies: 30,
      crashes: 3,
      chats: 10,
      lateChats: 3,
      topicDeletes: 2,
      reviews: 4,
      questions: 3,
      lateThreads: 2,
      threadPosts: 60,
      threadReplies: 10,
      workloadMs: 10_000,
      faultEveryMs: 300,
      // A request that never gets an answer costs the client's 15 s timeout: kept for the full run.
      hangs: false,
      // Most of the 30 replies fall into one chat, where each reply of unknown fate waits for its attempt to
      // settle (20 s) before the next goes: on a loaded machine the drain needs more than 30 s.
      drainTimeoutMs: 60_000,
    });
    const where = report.keptDataDir ? ` (store and bridge logs in ${report.keptDataDir})` : '';
    expect(report.problems, `problems${where}`).toEqual([]);
    expect(violations(report), `must-be-zero figures${where}`).toEqual([]);
    // A crash may repeat, in each chat, the one buyer message whose post Telegram took but whose cursor the
    // killed process never wrote; chats post concurrently, so one crash can repeat a message in several chats.
    expect(report.maxDuplicatesPerChatPerCrash).toBeLessThanOrEqual(1);
    expect(report.duplicates).toBeLessThanOrEqual(report.crashes.length * report.chatsCreated);
    // The run did what it says: every crash, message and reply happened, and faults of at least 8 kinds.
    expect(report.crashes).toHaveLength(3);
    expect(report.buyerMessages).toBe(300);
    expect(report.repliesTyped).toBe(30);
    expect(report.mirroredCopies).toBeGreaterThanOrEqual(300);
    expect(Object.keys(report.faults).length).toBeGreaterThanOrEqual(8);
    // Reviews and questions: all created, every comment and answer written (some replying to a comment), each
    // thread in a topic of its own, and faults on their calls too; what reached Telegram is checked above.
    expect(report.threads).toMatchObject({ reviews: 4, questions: 3, late: 2, liveTopics: 7 });
    const { reviewComments, answers, answerComments } = report.threads;
    expect(reviewComments + answers + answerComments).toBe(60);
    expect(Math.min(reviewComments, answers, answerComments, report.threads.repliesToComments)).toBeGreaterThan(0);
    expect(report.threads.copies).toBeGreaterThanOrEqual(60);
    expect(report.threads.faults).toBeGreaterThan(0);
    // The operator's replies there: all typed, some answering a buyer's post, one kill while one was being
    // published; that each was published once, in the right place, with its receipt, is checked above.
    expect(report.threadReplies.typed).toBe(10);
    expect(report.threadReplies.answeringAPost).toBeGreaterThan(0);
    expect(report.threadReplies.killsDuringPublication).toBeGreaterThanOrEqual(1);
  }, 100_000);
});
