/**
 * The verdict of a chaos run: what reached each side compared with what was written. Every buyer message exactly
 * once and in order in its chat's topic (duplicates explained by a crash, at most one per chat per crash), every
 * operator reply exactly once at the Market and into the right chat, one live topic per chat; the reviews and
 * questions (thread-verdict.ts); and what the fakes answered.
 */
import { GROUP_ID } from '../e2e/harness.ts';
import { textOf, type RunRecord } from './record.ts';
import type { ChaosReport, DuplicateRecord } from './report.ts';
import { postStory, replyStory } from './stories.ts';
import { threadOfSku } from './thread-plan.ts';
import { threadReplyVerdict } from './thread-reply-verdict.ts';
import { threadVerdict } from './thread-verdict.ts';
import { markersIn, ORDER_BASE, orderOfTopicName, parseBlocks, parsePost, type TopicPost } from './topic-posts.ts';

export function verdict(run: RunRecord, end: Pick<ChaosReport, 'runS' | 'drainS' | 'drained' | 'stop'>): ChaosReport {
  const problems: string[] = [];
  const topics = run.world.telegram.topics(GROUP_ID);
  const orderOfThread = new Map(topics.map((t) => [t.threadId, orderOfTopicName(t.name)]));
  const posts = run.posts;

  // Buyer messages: every copy, in Telegram order (message ids grow in the group).
  const copies = new Map<number, TopicPost[]>();
  let garbled = 0;
  let wrongTopic = 0;
  let echoed = 0;
  const replyTexts = new Set(run.typed.map((r) => r.text));
  for (const p of posts)
    for (const parsed of parseBlocks(p.text)) {
      if (parsed.kind === 'seller' && replyTexts.has(parsed.body)) {
        echoed++;
        problems.push(`reply echoed into topic ${p.threadId}: "${parsed.body}"`);
      }
      if (parsed.kind !== 'buyer') continue;
      const expected = run.plan.bodies[parsed.n];
      if (parsed.body !== expected) {
        garbled++;
        problems.push(`garbled m${parsed.n}: ${JSON.stringify(parsed.body)} instead of ${JSON.stringify(expected)}`);
      }
      const chat = run.plan.chatOfMessage[parsed.n];
      const order = orderOfThread.get(p.threadId);
      if (chat === undefined || order !== ORDER_BASE + chat) {
        wrongTopic++;
        problems.push(`m${parsed.n} of chat ${String(chat)} posted in topic ${p.threadId} (order ${String(order)})`);
      }
      const list = copies.get(parsed.n) ?? [];
      list.push(p);
      copies.set(parsed.n, list);
    }

  const total = run.plan.bodies.length;
  let lost = 0;
  for (let n = 0; n < total; n++) {
    if (!copies.has(n)) {
      lost++;
      if (lost <= 20) problems.push(`lost m${n} of chat ${String(run.plan.chatOfMessage[n])}`);
    }
  }

  // Order within each chat, by the first copy of each message.
  let outOfOrder = 0;
  const firstCopies = [...copies.entries()]
    .map(([n, list]) => ({ n, id: (list[0] as TopicPost).messageId }))
    .sort((a, b) => a.id - b.id);
  const newest = new Map<number, number>();
  for (const { n } of firstCopies) {
    const chat = run.plan.chatOfMessage[n] ?? -1;
    const marketId = run.messageIds.get(n) ?? 0;
    const before = newest.get(chat) ?? 0;
    if (marketId < before) {
      outOfOrder++;
      if (outOfOrder <= 20) problems.push(`m${n} of chat ${chat} came after a later message of that chat`);
    }
    newest.set(chat, Math.max(before, marketId));
  }

  // Duplicates, each explained by the first crash that came after its first request reached Telegram and
  // before the extra copy was posted.
  const firstArrival = new Map<number, number>();
  for (const c of run.world.telegram.calls) {
    if (c.method !== 'sendMessage' || typeof c.params.text !== 'string') continue;
    for (const n of markersIn(c.params.text)) if (!firstArrival.has(n)) firstArrival.set(n, c.at);
  }
  let duplicates = 0;
  let unexplained = 0;
  /** Per crash and chat: the extra posts (a repost of a post carrying several messages is one). */
  const perChatCrash = new Map<string, Set<number>>();
  const duplicateList: DuplicateRecord[] = [];
  for (const [n, list] of copies) {
    if (list.length < 2) continue;
    const chat = run.plan.chatOfMessage[n] ?? -1;
    const record: DuplicateRecord = { n, chat, copies: list.map((p) => p.messageId) };
    duplicateList.push(record);
    const arrived = firstArrival.get(n) ?? 0;
    // Each extra copy is explained by a crash of its own, the latest first: a kill whose process may have sent
    // the first request (it arrived before the next process was started, plus 250 ms: bytes a process wrote
    // before it died are still read by the fake after the kill, while no new process sends anything that soon
    // after its spawn), and that came before the extra copy landed. A repost that was itself in flight at the
    // next kill lands after it, so its copy is matched to the crash before (a crash explains one copy a message).
    let below = run.crashes.length;
    for (const extra of list.slice(1).reverse()) {
      duplicates++;
      const k = run.crashes.findLastIndex(
        (c, i) =>
          i < below && arrived < (run.restartedAt[i] ?? Infinity) + 250 && c.boundaryMessageId < extra.messageId,
      );
      const crash = run.crashes[k];
      if (!crash) {
        unexplained++;
        problems.push(
          `m${n} of chat ${chat} posted again without a crash in between (copies ${record.copies.join(', ')}): ` +
            postStory(run, n),
        );
        continue;
      }
      below = k;
      record.crash = k + 1;
      record.firstCopyBeforeKill = (list[0]?.messageId ?? 0) <= crash.boundaryMessageId;
      crash.duplicates++;
      const key = `${k}:${chat}`;
      if (!perChatCrash.has(key)) crash.chatsWithDuplicates++;
      perChatCrash.set(key, (perChatCrash.get(key) ?? new Set<number>()).add(extra.messageId));
    }
  }
  // Market sends that were in flight at a kill and took effect after it: more effects of that text after the
  // kill than requests for it made after the kill (each of those makes at most one).
  run.inFlightSends.forEach(({ killedAt, requests }, i) => {
    const crash = run.crashes[i];
    if (!crash) return;
    for (const text of new Set(requests.map(textOf))) {
      const effects = run.world.market.sent.filter((s) => s.text === text && s.at >= killedAt).length;
      const later = run.world.market.requests.filter(
        (r) => r.operationId === 'sendMessageToChat' && r.at > killedAt && textOf(r) === text,
      ).length;
      crash.marketSendsLandedAfterKill += Math.max(0, effects - later);
    }
  });

  // Replies: exactly once each, into the right Market chat.
  let twice = 0;
  let repliesLost = 0;
  let misrouted = 0;
  for (const r of run.typed) {
    const sent = run.world.market.sent.filter((s) => s.text === r.text);
    if (sent.length === 0) {
      repliesLost++;
      problems.push(`reply lost: "${r.text}" (chat ${r.chat}): ${replyStory(run, r.text)}`);
    }
    if (sent.length > 1) {
      twice += sent.length - 1;
      problems.push(`reply delivered ${sent.length} times: "${r.text}" (chat ${r.chat}): ${replyStory(run, r.text)}`);
    }
    const want = run.chats[r.chat]?.marketChatId;
    if (sent.some((s) => s.chatId !== want)) {
      misrouted++;
      problems.push(`reply "${r.text}" sent to another chat`);
    }
  }

  // Topics: exactly one live topic per chat. Telegram cannot list a group's topics, so a topic created by a
  // process killed before it stored the link stays empty: explained by the first kill after its creation
  // (before the next process started, plus 250 ms, as above), one at most per crash (creations go one at a time).
  const posted = new Set(posts.map((p) => p.threadId));
  let emptyTopicsUnexplained = 0;
  const emptyPerCrash = new Map<number, number>();
  const explainedEmpty = new Set<number>();
  for (const t of topics) {
    if (t.deleted || posted.has(t.threadId)) continue;
    const k = run.restartedAt.findIndex((at, i) => i < run.crashes.length && t.createdAt < at + 250);
    if (k < 0) {
      emptyTopicsUnexplained++;
      problems.push(`topic ${t.threadId} ("${t.name}") is empty, and no kill came after its creation`);
      continue;
    }
    explainedEmpty.add(t.threadId);
    emptyPerCrash.set(k, (emptyPerCrash.get(k) ?? 0) + 1);
  }
  const live = topics.filter((t) => !t.deleted && !explainedEmpty.has(t.threadId));
  const liveChatTopics = live.filter((t) => threadOfSku(t.name) === undefined);
  const firstPost = new Map<number, TopicPost>();
  for (const p of posts) if (!firstPost.has(p.threadId)) firstPost.set(p.threadId, p);
  const topicsWithoutCard = liveChatTopics.filter(
    (t) => parsePost(firstPost.get(t.threadId)?.text ?? '').kind !== 'card',
  );
  let chatsWithoutOne = 0;
  for (const chat of run.chats) {
    const mine = liveChatTopics.filter((t) => orderOfTopicName(t.name) === chat.orderId);
    if (mine.length !== 1) {
      chatsWithoutOne++;
      problems.push(`chat ${chat.index} has ${mine.length} live topics (${mine.map((t) => t.threadId).join(', ')})`);
    }
  }

  const threads = threadVerdict(run, live, problems);
  const threadReplies = threadReplyVerdict(run, problems);

  const observed: Record<string, number> = {};
  const count = (key: string) => (observed[key] = (observed[key] ?? 0) + 1);
  for (const r of run.world.market.requests) {
    if (r.status === 420) count('Market 420 answers');
    else if (r.status >= 500) count('Market 5xx answers');
    else if (r.status === 0) count('Market requests never answered');
  }
  for (const c of run.world.telegram.calls) {
    if (c.status === 429) count('Telegram 429 answers');
    else if (c.status >= 500) count('Telegram 5xx answers');
    else if (c.status === 0 && c.method !== 'getUpdates') count('Telegram calls never answered');
  }

  const { progress: _progress, ...options } = run.options;
  return {
    options,
    mode: run.options.notifications ? 'notifications' : 'polling',
    ...end,
    buyerMessages: run.messageIds.size,
    chatsCreated: run.chats.filter((c) => c.marketChatId !== undefined).length,
    repliesTyped: run.typed.length,
    topicsDeleted: run.topicsDeleted,
    crashes: run.crashes,
    faults: run.faults,
    observed,
    ...(run.notifications && { notifications: { ...run.notifications } }),
    operatorRetries: run.operatorRetries,
    mirroredCopies: [...copies.values()].reduce((s, l) => s + l.length, 0),
    duplicates,
    duplicateList,
    maxDuplicatesPerChatPerCrash: Math.max(0, ...[...perChatCrash.values()].map((posts) => posts.size)),
    liveTopics: liveChatTopics.length,
    emptyTopics: explainedEmpty.size,
    maxEmptyTopicsPerCrash: Math.max(0, ...emptyPerCrash.values()),
    topicsWithoutCard: topicsWithoutCard.length,
    threads: threads.figures,
    threadReplies: threadReplies.figures,
    mustBeZero: {
      buyerMessagesLost: lost,
      outOfOrder,
      garbled,
      wrongTopic,
      duplicatesWithoutCrash: unexplained,
      repliesDeliveredTwice: twice,
      repliesLost,
      repliesMisrouted: misrouted,
      repliesEchoedIntoTopic: echoed,
      chatsWithoutOneLiveTopic: chatsWithoutOne,
      emptyTopicsWithoutCrash: emptyTopicsUnexplained,
      unexpectedExits: run.unexpectedExits,
      ...threads.mustBeZero,
      ...threadReplies.mustBeZero,
    },
    problems,
  };
}
