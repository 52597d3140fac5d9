/**
 * The verdict on reviews and questions: every comment, answer and comment on an answer written reaches its thread's
 * topic exactly once, in the Market's order; extra copies (cards included) only as crashes explain them, one post
 * a thread per crash; exactly one live topic per review or question, opened by its card.
 */
import { GROUP_ID } from '../e2e/harness.ts';
import type { FakeTopic } from '../fakes/telegram-server.ts';
import type { RunRecord } from './record.ts';
import type { MustBeZero, ThreadDuplicateRecord, ThreadFigures } from './report.ts';
import { threadPostStory } from './stories.ts';
import { threadOfSku } from './thread-plan.ts';
import { isCardCall, parseThreadPost, threadMarkerIn } from './thread-posts.ts';
import type { WrittenPost } from './thread-workload.ts';
import type { TopicPost } from './topic-posts.ts';

type ThreadMustBeZero = Pick<
  MustBeZero,
  | 'threadPostsLost'
  | 'threadPostsOutOfOrder'
  | 'threadPostsGarbled'
  | 'threadPostsInWrongTopic'
  | 'threadPostsDuplicatedWithoutCrash'
  | 'threadsWithoutOneLiveTopic'
  | 'threadTopicsWithoutCard'
>;

/**
 * @param live the live topics (not deleted, and not left empty by a kill) of chats and threads alike
 * @param problems where the lines about what went wrong go
 */
export function threadVerdict(
  run: RunRecord,
  live: readonly FakeTopic[],
  problems: string[],
): { figures: ThreadFigures; mustBeZero: ThreadMustBeZero } {
  const say = (count: number, line: () => string) => {
    if (count <= 20) problems.push(line());
  };
  const topics = run.world.telegram.topics(GROUP_ID);
  const threadOfTopic = new Map(topics.map((t) => [t.threadId, threadOfSku(t.name)]));

  // Every copy of every comment and answer, and every card, in Telegram's order.
  const copies = new Map<number, TopicPost[]>();
  const cards = new Map<number, TopicPost[]>();
  let garbled = 0;
  let wrongTopic = 0;
  for (const p of run.posts) {
    const parsed = parseThreadPost(p.text);
    const topicThread = threadOfTopic.get(p.threadId);
    if (parsed.kind === 'card') {
      cards.set(p.threadId, [...(cards.get(p.threadId) ?? []), p]);
      if (parsed.thread !== topicThread) {
        wrongTopic++;
        say(wrongTopic, () => `the card of thread ${String(parsed.thread)} is in topic ${p.threadId}`);
      }
    }
    if (parsed.kind !== 'post') continue;
    const planned = run.plan.threadPosts[parsed.n];
    if (parsed.body !== planned?.body) {
      garbled++;
      say(
        garbled,
        () => `garbled t${parsed.n}: ${JSON.stringify(parsed.body)} instead of ${JSON.stringify(planned?.body)}`,
      );
    }
    if (planned?.thread !== topicThread) {
      wrongTopic++;
      say(wrongTopic, () => `t${parsed.n} of thread ${String(planned?.thread)} posted in topic ${p.threadId}`);
    }
    copies.set(parsed.n, [...(copies.get(parsed.n) ?? []), p]);
  }

  let lost = 0;
  for (const w of run.threadPosts.values()) {
    if (copies.has(w.n)) continue;
    lost++;
    say(lost, () => `lost t${w.n} (${w.what} in thread ${w.thread}): ${threadPostStory(run, w.n)}`);
  }

  // Order: a post must not come before one the Market shows earlier in its thread.
  const shown = marketOrder(run);
  let outOfOrder = 0;
  const byThread = new Map<number, WrittenPost[]>();
  for (const w of run.threadPosts.values()) byThread.set(w.thread, [...(byThread.get(w.thread) ?? []), w]);
  for (const written of byThread.values()) {
    written.sort((a, b) => a.seq - b.seq);
    const first = (w: WrittenPost) => copies.get(w.n)?.[0]?.messageId;
    for (const [j, later] of written.entries()) {
      const laterId = first(later);
      if (laterId === undefined) continue;
      const earlier = written.slice(0, j).find((e) => {
        const id = first(e);
        return id !== undefined && laterId < id && shown(e, later);
      });
      if (earlier) {
        outOfOrder++;
        say(outOfOrder, () => `t${later.n} came before t${earlier.n}, written earlier in thread ${later.thread}`);
      }
    }
  }

  // Extra copies, each explained by a crash of its own, one repeated post a thread per crash.
  const repeated: Array<{ what: string; thread: number; list: TopicPost[]; arrived: number }> = [];
  const calls = run.world.telegram.calls;
  for (const [n, list] of copies) {
    if (list.length < 2) continue;
    const arrived = calls.find((c) => threadMarkerIn(c) === n)?.at ?? 0;
    repeated.push({ what: `t${n}`, thread: run.plan.threadPosts[n]?.thread ?? -1, list, arrived });
  }
  for (const [topic, list] of cards) {
    if (list.length < 2) continue;
    const arrived = calls.find((c) => isCardCall(c, topic))?.at ?? 0;
    repeated.push({ what: `card of topic ${topic}`, thread: threadOfTopic.get(topic) ?? -1, list, arrived });
  }
  const { duplicates, unexplained, duplicateList } = explainRepeats(run, repeated, problems);

  // Topics: exactly one live topic per review or question, and its card first.
  const firstPost = new Map<number, TopicPost>();
  for (const p of run.posts) if (!firstPost.has(p.threadId)) firstPost.set(p.threadId, p);
  const liveThreadTopics = live.filter((t) => threadOfSku(t.name) !== undefined);
  let withoutOne = 0;
  for (const t of run.threads.values()) {
    const mine = liveThreadTopics.filter((topic) => threadOfSku(topic.name) === t.index);
    if (mine.length === 1) continue;
    withoutOne++;
    say(
      withoutOne,
      () =>
        `${t.kind} ${t.index} (${t.sku}) has ${mine.length} live topics (${mine.map((m) => m.threadId).join(', ')})`,
    );
  }
  let withoutCard = 0;
  for (const t of liveThreadTopics) {
    const first = parseThreadPost(firstPost.get(t.threadId)?.text ?? '');
    if (first.kind === 'card' && first.thread === threadOfSku(t.name)) continue;
    withoutCard++;
    say(withoutCard, () => `topic ${t.threadId} ("${t.name}") does not start with its card`);
  }

  const written = [...run.threadPosts.values()];
  const created = [...run.threads.values()];
  return {
    figures: {
      reviews: created.filter((t) => t.kind === 'review').length,
      questions: created.filter((t) => t.kind === 'question').length,
      late: created.filter((t) => (run.plan.threads[t.index]?.bornAt ?? -1) >= 0).length,
      reviewComments: written.filter((w) => w.what === 'comment').length,
      answers: written.filter((w) => w.what === 'answer').length,
      answerComments: written.filter((w) => w.what === 'answerComment').length,
      repliesToComments: written.filter((w) => {
        const planned = run.plan.threadPosts[w.n];
        return planned !== undefined && 'parent' in planned && planned.parent !== undefined;
      }).length,
      copies: [...copies.values()].reduce((s, l) => s + l.length, 0),
      duplicates,
      duplicateList,
      liveTopics: liveThreadTopics.length,
      faults: run.threadFaults,
      notificationsDoubled: run.notificationQuirks.doubled,
      notificationsLate: run.notificationQuirks.late,
    },
    mustBeZero: {
      threadPostsLost: lost,
      threadPostsOutOfOrder: outOfOrder,
      threadPostsGarbled: garbled,
      threadPostsInWrongTopic: wrongTopic,
      threadPostsDuplicatedWithoutCrash: unexplained,
      threadsWithoutOneLiveTopic: withoutOne,
      threadTopicsWithoutCard: withoutCard,
    },
  };
}

/**
 * Whether the Market shows written post `a` before `b` of the same thread, so that `a` must be posted first: a
 * review's comments are one list in the order they were written; a question's answers are listed in the order
 * they were written, and so are the comments on one answer, each after its answer; otherwise the Market only
 * says when each was written, to the second, so two written within one second may come in either order.
 */
function marketOrder(run: RunRecord): (a: WrittenPost, b: WrittenPost) => boolean {
  const second = new Map<string, number>();
  for (const t of run.threads.values()) {
    if (t.kind !== 'question') continue;
    for (const answer of run.world.market.questions.answersOf(t.marketId)) {
      second.set(`answer:${answer.answerId}`, Math.floor(Date.parse(answer.createdAt) / 1000));
      for (const c of answer.comments) {
        second.set(`answerComment:${c.commentId}`, Math.floor(Date.parse(c.createdAt) / 1000));
      }
    }
  }
  const at = (w: WrittenPost) => second.get(`${w.what}:${w.marketId}`) ?? 0;
  return (a, b) => {
    if (a.what === 'comment' || a.what === b.what) return a.what !== 'answerComment' || a.answer === b.answer;
    if (a.what === 'answer' && b.what === 'answerComment' && b.answer === a.n) return true;
    return at(a) < at(b);
  };
}

/**
 * Matches every extra copy with a crash that explains it: the first request for the post reached Telegram before
 * the restart that followed the crash (plus 250 ms: bytes a killed process wrote are still read after the kill),
 * and the extra copy came after the kill. A crash explains one repeated post a thread — the one in flight, whose
 * bookkeeping the killed process never wrote. Extra copies are matched earliest deadline first (the last crash
 * before the copy), each to the earliest crash still free in its thread, so no match that exists is missed.
 */
function explainRepeats(
  run: RunRecord,
  repeated: ReadonlyArray<{ what: string; thread: number; list: readonly TopicPost[]; arrived: number }>,
  problems: string[],
): { duplicates: number; unexplained: number; duplicateList: ThreadDuplicateRecord[] } {
  const duplicateList: ThreadDuplicateRecord[] = [];
  const extras = new Map<number, Array<{ record: ThreadDuplicateRecord; from: number; to: number }>>();
  let duplicates = 0;
  for (const r of repeated) {
    const record: ThreadDuplicateRecord = {
      what: r.what,
      thread: r.thread,
      copies: r.list.map((p) => p.messageId),
      crashes: [],
    };
    duplicateList.push(record);
    const from = run.crashes.findIndex((_, i) => r.arrived < (run.restartedAt[i] ?? Infinity) + 250);
    const list = extras.get(r.thread) ?? [];
    for (const extra of r.list.slice(1)) {
      duplicates++;
      const to = run.crashes.findLastIndex((c) => c.boundaryMessageId < extra.messageId);
      list.push({ record, from: from < 0 ? run.crashes.length : from, to });
    }
    extras.set(r.thread, list);
  }
  let unexplained = 0;
  const unexplainedOf = new Map<ThreadDuplicateRecord, number>();
  for (const list of extras.values()) {
    const used = new Set<number>();
    list.sort((a, b) => a.to - b.to || a.from - b.from);
    for (const e of list) {
      let k = e.from;
      while (k <= e.to && used.has(k)) k++;
      const crash = run.crashes[k];
      if (k > e.to || !crash) {
        unexplained++;
        unexplainedOf.set(e.record, (unexplainedOf.get(e.record) ?? 0) + 1);
        continue;
      }
      used.add(k);
      e.record.crashes.push(k + 1);
      crash.threadDuplicates++;
    }
  }
  for (const [record, count] of [...unexplainedOf].slice(0, 20)) {
    const story = record.what.startsWith('t') ? `: ${threadPostStory(run, Number(record.what.slice(1)))}` : '';
    problems.push(
      `${record.what} of thread ${record.thread} posted ${record.copies.length} times, ${count} of the extra copies ` +
        `with no crash to explain them (copies ${record.copies.join(', ')})${story}`,
    );
  }
  return { duplicates, unexplained, duplicateList };
}
