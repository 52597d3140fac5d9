/**
 * The verdict on the operator's replies to reviews and questions: each published at the Market exactly once —
 * kills mid-publication and lost answers included — on the review or question of its topic and under what it
 * answered, never mirrored back into a topic, and the operator told under their message that it was published.
 */
import { GROUP_ID } from '../e2e/harness.ts';
import type { RunRecord } from './record.ts';
import type { MustBeZero, ThreadReplyFigures } from './report.ts';
import { shopWrites, type ShopWrite, type TypedThreadReply } from './thread-replies.ts';
import { parseThreadPost } from './thread-posts.ts';

type ThreadReplyMustBeZero = Pick<
  MustBeZero,
  | 'threadRepliesPublishedTwice'
  | 'threadRepliesLost'
  | 'threadRepliesMisplaced'
  | 'threadRepliesEchoedIntoTopic'
  | 'threadRepliesWithoutReceipt'
>;

/** What the Market must have taken for a reply: the review and parent comment, or the question write's parent. */
function expected(run: RunRecord, r: TypedThreadReply): Omit<ShopWrite, 'text'> | undefined {
  const thread = run.threads.get(r.thread);
  if (!thread) return undefined;
  const parent = r.parent === undefined ? undefined : run.threadPosts.get(r.parent);
  if (thread.kind === 'review') {
    return { kind: 'review', reviewId: thread.marketId, ...(parent && { parentId: parent.marketId }) };
  }
  if (!parent) return { kind: 'question', parentId: thread.marketId, parentType: 'QUESTION' };
  const answer = parent.what === 'answer' ? parent : run.threadPosts.get(parent.answer ?? -1);
  return { kind: 'question', parentId: answer?.marketId, parentType: 'ANSWER' };
}

export function threadReplyVerdict(
  run: RunRecord,
  problems: string[],
): { figures: ThreadReplyFigures; mustBeZero: ThreadReplyMustBeZero } {
  const say = (count: number, line: () => string) => {
    if (count <= 20) problems.push(line());
  };
  // Buyer posts mirrored more than once (a crash): a reply to one copy may not be known to the bridge as such.
  const copies = new Map<number, number>();
  for (const p of run.posts) {
    const parsed = parseThreadPost(p.text);
    if (parsed.kind === 'post') copies.set(parsed.n, (copies.get(parsed.n) ?? 0) + 1);
  }
  const botMessages = run.world.telegram.messages(GROUP_ID, { fromBot: true });

  let twice = 0;
  let lost = 0;
  let misplaced = 0;
  let echoed = 0;
  let withoutReceipt = 0;
  for (const r of run.threadTyped) {
    const writes = shopWrites(run.world, r.text);
    if (writes.length === 0) {
      lost++;
      say(lost, () => `reply "${r.text}" in the topic of thread ${r.thread} was never published`);
    }
    if (writes.length > 1) {
      twice += writes.length - 1;
      say(twice, () => `reply "${r.text}" was published ${writes.length} times`);
    }
    const want = expected(run, r);
    const parentAmbiguous = r.parent !== undefined && (copies.get(r.parent) ?? 0) > 1;
    for (const w of writes) {
      const { text: _text, ...got } = w;
      const same =
        want !== undefined &&
        got.kind === want.kind &&
        (got.kind === 'review' ? got.reviewId === want.reviewId : true) &&
        (parentAmbiguous || (got.parentId === want.parentId && got.parentType === want.parentType));
      if (!same) {
        misplaced++;
        say(misplaced, () => `reply "${r.text}" went to ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
      }
    }
    if (run.posts.some((p) => p.text.split('\n').some((line) => line.trim() === r.text))) {
      echoed++;
      say(echoed, () => `reply "${r.text}" was mirrored back into a topic`);
    }
    const notice = botMessages.filter((m) => m.replyToMessageId === r.telegramMessageId).at(-1);
    if (writes.length > 0 && !notice?.text?.startsWith('✅')) {
      withoutReceipt++;
      say(withoutReceipt, () => `reply "${r.text}" was published, and its notice says ${JSON.stringify(notice?.text)}`);
    }
  }

  return {
    figures: {
      typed: run.threadTyped.length,
      answeringAPost: run.threadTyped.filter((r) => r.parent !== undefined).length,
      killsDuringPublication: run.crashes.filter((c) => c.publicationsInFlight > 0).length,
    },
    mustBeZero: {
      threadRepliesPublishedTwice: twice,
      threadRepliesLost: lost,
      threadRepliesMisplaced: misplaced,
      threadRepliesEchoedIntoTopic: echoed,
      threadRepliesWithoutReceipt: withoutReceipt,
    },
  };
}
