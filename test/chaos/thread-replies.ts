/**
 * The operator's replies in review and question topics during a chaos run: typed into the live topic of a random
 * review or question that has one, every other one as a reply to a buyer's mirrored comment or answer there (so they
 * become a reply to that comment, or a comment on that answer), and looked for among the writes the fake Market
 * took — the shop's comments on reviews and its answers and comments on answers.
 */
import { GROUP_ID, OPERATOR, type World } from '../e2e/harness.ts';
import { threadOfSku } from './thread-plan.ts';
import { parseThreadPost, REVIEW_CARD, QUESTION_CARD } from './thread-posts.ts';
import type { ThreadWorkload } from './thread-workload.ts';

/** An operator reply typed into a review's or question's topic. */
export interface TypedThreadReply {
  n: number;
  /** `s<n> …`: unique in the run. */
  text: string;
  /** The thread's index. */
  thread: number;
  threadId: number;
  telegramMessageId: number;
  /** The buyer's comment or answer (its n) whose post the reply answers. */
  parent?: number;
}

/** A write the fake Market took that created the shop's comment or answer, as the verdict compares them. */
export interface ShopWrite {
  kind: 'review' | 'question';
  /** The review the comment is on; the question, answer or comment a question write names as its parent. */
  reviewId?: number;
  parentId?: number;
  parentType?: string;
  text: string;
}

const WORDS = ['thank you', 'we will check', 'sorry', 'yes', 'it is', 'a new one is on its way'];

export class ThreadReplyTyper {
  readonly typed: TypedThreadReply[] = [];
  /** How often each reply was tried (it is tried again every 250 ms while it has to wait). */
  private readonly tries = new Map<number, number>();

  constructor(
    private readonly world: World,
    private readonly threads: ThreadWorkload,
    private readonly random: () => number,
  ) {}

  /** Types reply n; false when no review or question has a live topic with its card yet. */
  type(n: number): boolean {
    const { telegram } = this.world;
    const open = telegram
      .topics(GROUP_ID)
      .filter((t) => !t.deleted && !t.closed)
      .map((t) => ({ topic: t, thread: threadOfSku(t.name) }))
      .filter(({ thread }) => thread !== undefined && this.threads.threads.has(thread));
    const withCard = open.filter(({ topic }) =>
      telegram
        .messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })
        .some((m) => (m.text ?? '').startsWith(REVIEW_CARD) || (m.text ?? '').startsWith(QUESTION_CARD)),
    );
    if (withCard.length === 0) return false;
    const postsIn = (threadId: number) =>
      telegram
        .messages(GROUP_ID, { threadId, fromBot: true })
        .map((m) => ({ m, parsed: parseThreadPost(m.text ?? '') }))
        .flatMap(({ m, parsed }) => (parsed.kind === 'post' ? [{ messageId: m.message_id, n: parsed.n }] : []));
    // Every other reply answers a buyer's post, in a topic that has one: it waits for one (for 20 s at most, then
    // it is typed without) while no topic has any yet — a loaded run mirrors the first posts late.
    const wantPost = n % 2 === 1;
    const withPosts = wantPost ? withCard.filter(({ topic }) => postsIn(topic.threadId).length > 0) : [];
    const tries = (this.tries.get(n) ?? 0) + 1;
    this.tries.set(n, tries);
    if (wantPost && withPosts.length === 0 && tries < 80) return false;
    const pool = withPosts.length > 0 ? withPosts : withCard;
    const { topic, thread } = pool[Math.floor(this.random() * pool.length)]!;
    const posts = postsIn(topic.threadId);
    const answering = wantPost && posts.length > 0 ? posts[Math.floor(this.random() * posts.length)] : undefined;
    const text = `s${n} ${WORDS[Math.floor(this.random() * WORDS.length)]}`;
    const msg = telegram.userSends(GROUP_ID, {
      from: OPERATOR,
      threadId: topic.threadId,
      text,
      ...(answering && { replyTo: answering.messageId }),
    });
    this.typed.push({
      n,
      text,
      thread: thread!,
      threadId: topic.threadId,
      telegramMessageId: msg.message_id,
      ...(answering && { parent: answering.n }),
    });
    return true;
  }

  /** The shop's comments and answers the fake Market created with this text. */
  published(text: string): ShopWrite[] {
    return shopWrites(this.world, text);
  }

  /** Every typed reply has been published at least once. */
  allPublished(): boolean {
    return this.typed.every((r) => this.published(r.text).length > 0);
  }
}

/** The shop's comments and answers the fake Market created with this text. */
export function shopWrites(world: World, text: string): ShopWrite[] {
  const { reviews, questions } = world.market;
  return [
    ...reviews.writes.flatMap((w) =>
      w.operation === 'updateGoodsFeedbackComment' && w.kind === 'create' && w.text === text
        ? [
            {
              kind: 'review' as const,
              reviewId: w.reviewId,
              ...(w.parentId !== undefined && { parentId: w.parentId }),
              text,
            },
          ]
        : [],
    ),
    ...questions.writes.flatMap((w) =>
      w.operation === 'CREATE' && w.text === text
        ? [{ kind: 'question' as const, parentId: w.parent?.id, parentType: w.parent?.type, text }]
        : [],
    ),
  ];
}
