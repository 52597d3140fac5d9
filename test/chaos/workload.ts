/**
 * The workload of a chaos run: the plan's events played in real time against the fakes — chats created and buyer
 * messages written at the fake Market, reviews and questions created and written in (thread-workload.ts), all
 * announced by notifications in that mode, operator replies typed into topics, topics deleted, faults injected —
 * and the operator pressing Retry under "not delivered" notices.
 */
import { GROUP_ID, OPERATOR, type World } from '../e2e/harness.ts';
import type { QuestionNotification } from '../fakes/market-question-types.ts';
import type { ReviewNotification } from '../fakes/market-review-types.ts';
import type { FakeChatMessage } from '../fakes/market-server.ts';
import { injectFault } from './faults.ts';
import type { Notifier } from './notifier.ts';
import type { ChaosOptions } from './options.ts';
import { prng } from './dice.ts';
import type { Plan, Planned, PlannedFault } from './plan.ts';
import type { ChatState, TypedReply } from './record.ts';
import { THREAD_READS, THREAD_WRITES } from './thread-plan.ts';
import { ThreadReplyTyper } from './thread-replies.ts';
import { ThreadWorkload } from './thread-workload.ts';
import { ORDER_BASE, linkedTopics, type TopicPost } from './topic-posts.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** What the workload reads of the run around it. */
export interface RunClock {
  /** ms since the workload started. */
  elapsed(): number;
  /** True once the run is over. */
  stopping(): boolean;
  say(line: string): void;
}

export class Workload {
  readonly chats: ChatState[];
  /** The Market message id of buyer message n. */
  readonly messageIds = new Map<number, number>();
  readonly typed: TypedReply[] = [];
  /** Bot messages saved from topics just before they were deleted, by message id. */
  readonly archive = new Map<number, TopicPost>();
  /** Faults injected, by side and kind. */
  readonly faults: Record<string, number> = {};
  /** Of those, Market faults on the calls of reviews and questions. */
  threadFaults = 0;
  topicsDeleted = 0;
  /** Highest message id in the deleted topics (their messages are gone from the group). */
  maxDeletedId = 0;
  /** Retry buttons pressed under "not delivered" notices. */
  operatorRetries = 0;
  /** The reviews and questions, and what buyers wrote in them. */
  readonly threads: ThreadWorkload;
  /** The operator's replies in their topics. */
  readonly threadReplies: ThreadReplyTyper;
  /** Review and question notifications posted twice, and posted late. */
  readonly notificationQuirks = { doubled: 0, late: 0 };
  private readonly pressed = new Set<string>();
  private readonly runtime: () => number;
  /** Draws for the reviews' and questions' notifications, apart from the chats' (`runtime`). */
  private readonly quirks: () => number;

  constructor(
    private readonly o: ChaosOptions,
    private readonly plan: Plan,
    private readonly world: World,
    private readonly notifier: Notifier,
    private readonly run: RunClock,
  ) {
    this.chats = Array.from({ length: o.chats }, (_, index) => ({ index, orderId: ORDER_BASE + index }));
    this.runtime = prng(o.seed ^ 0x5eed);
    this.quirks = prng(o.seed ^ 0x9e7e);
    this.threads = new ThreadWorkload(plan, world);
    this.threadReplies = new ThreadReplyTyper(world, this.threads, prng(o.seed ^ 0x7e91));
  }

  /** Creates the chats, reviews and questions that exist before the first start, and what was written in them. */
  createEarly(): void {
    for (const chat of this.chats.slice(0, this.o.chats - this.o.lateChats)) this.createChat(chat);
    for (const event of this.plan.events) if (event.at < 0) this.apply(event);
  }

  /** Plays the plan's events at their times (relative to the start); then retries replies that had to wait. */
  async play(): Promise<void> {
    const deferred: Planned[] = [];
    for (const event of this.plan.events) {
      if (event.at < 0) continue;
      await sleep(event.at - this.run.elapsed());
      if (this.run.stopping()) return;
      if (!this.apply(event)) deferred.push(event);
    }
    // Replies that found no topic yet: more tries for up to 40 s (a short run's kills and faults can hold the first
    // topics of reviews and questions back that long), then they are reported as not typed.
    for (let round = 0; round < 160 && deferred.length > 0 && !this.run.stopping(); round++) {
      await sleep(250);
      for (let i = deferred.length - 1; i >= 0; i--) {
        const event = deferred[i];
        if (event && this.apply(event)) deferred.splice(i, 1);
      }
    }
  }

  /** Applies one planned event; false when it has to wait (a reply with no topic to type into yet). */
  private apply(event: Planned): boolean {
    switch (event.kind) {
      case 'chat': {
        const chat = this.chats[event.chat];
        if (chat) this.createChat(chat);
        return true;
      }
      case 'message': {
        const chat = this.chats[event.chat];
        const text = this.plan.bodies[event.n];
        if (chat?.marketChatId === undefined || text === undefined) return true;
        this.messageIds.set(event.n, this.world.market.addMessage(chat.marketChatId, { sender: 'CUSTOMER', text }));
        return true;
      }
      case 'reply':
        return this.typeReply(event.n);
      case 'delete':
        this.deleteATopic();
        return true;
      case 'fault':
        this.inject(event.fault);
        return true;
      case 'thread':
        this.threads.create(event.thread);
        return true;
      case 'threadPost':
        this.threads.write(event.n);
        return true;
      case 'threadReply':
        return this.threadReplies.type(event.n);
    }
  }

  private createChat(chat: ChatState): void {
    chat.marketChatId = this.world.market.addChat({
      contextType: 'ORDER',
      orderId: chat.orderId,
      customer: { name: `Buyer ${chat.index}` },
    });
    if (this.o.notifications) this.notifier.chatCreated(chat.marketChatId);
  }

  private typeReply(n: number): boolean {
    const linked = [...linkedTopics(this.world.telegram)];
    if (linked.length === 0) return false;
    const [chat, threadId] = linked[Math.floor(this.runtime() * linked.length)] as [number, number];
    const text = `reply ${n}`;
    const msg = this.world.telegram.userSends(GROUP_ID, { from: OPERATOR, threadId, text });
    this.typed.push({ n, text, chat, threadId, telegramMessageId: msg.message_id });
    return true;
  }

  /** Whether a reply text has taken effect at the Market. */
  delivered(text: string | undefined): boolean {
    return text !== undefined && this.world.market.sent.some((s) => s.text === text);
  }

  /**
   * Deletes the topic of a chat with no reply on its way (a reply typed into a topic deleted before the bridge
   * read it has nowhere to go: Telegram deletes the operator's message with the topic). Its bot messages are
   * saved first: Telegram drops them with the topic, and they count as delivered.
   */
  private deleteATopic(): void {
    const pending = new Set(this.typed.filter((r) => !this.delivered(r.text)).map((r) => r.chat));
    const candidates = [...linkedTopics(this.world.telegram)].filter(([chat]) => !pending.has(chat));
    if (candidates.length === 0) return;
    const [chat, threadId] = candidates[Math.floor(this.runtime() * candidates.length)] as [number, number];
    for (const m of this.world.telegram.messages(GROUP_ID, { threadId, includeService: true })) {
      this.maxDeletedId = Math.max(this.maxDeletedId, m.message_id);
      if (m.from.id === OPERATOR.id || m.isService) continue;
      this.archive.set(m.message_id, {
        messageId: m.message_id,
        threadId,
        text: m.text ?? m.caption ?? '',
      });
    }
    this.world.telegram.deleteTopic(GROUP_ID, threadId);
    this.topicsDeleted++;
    this.run.say(`deleted the topic of chat ${chat}`);
  }

  /**
   * Injects a planned fault; while an earlier one still waits for its call, tries again a little later (for
   * about 15 s at most), so every planned kind of fault happens in the run rather than depending on timing.
   */
  private inject(f: PlannedFault, tries = 60): void {
    const key = injectFault(this.world, f);
    if (key !== undefined) {
      this.faults[key] = (this.faults[key] ?? 0) + 1;
      if (f.side === 'market' && [...THREAD_READS, ...THREAD_WRITES].includes(f.operation)) this.threadFaults++;
    } else if (tries > 1 && !this.run.stopping()) {
      setTimeout(() => this.inject(f, tries - 1), 250).unref();
    }
  }

  // --- notifications (MARKET_NOTIFICATIONS=on) ------------------------------------------------------

  /** Every message written at the Market (buyer messages and our replies' echoes) is announced. */
  marketMessage(m: FakeChatMessage): void {
    if (this.o.notifications) this.notifier.messageSent(m);
  }

  /**
   * Every review, question, comment and answer is announced as the fake Market makes it; one in five is posted
   * again 0.5–5 s later, one in eight only 1–4 s late, as a Market that retries or queues might.
   */
  feedbackNotification(n: ReviewNotification | QuestionNotification): void {
    if (!this.o.notifications) return;
    if (this.quirks() < 0.125) {
      this.notificationQuirks.late++;
      this.notifier.feedback(n, 1_000 + 3_000 * this.quirks());
    } else {
      this.notifier.feedback(n);
    }
    if (this.quirks() < 0.2) {
      this.notificationQuirks.doubled++;
      this.notifier.feedback(n, 500 + 4_500 * this.quirks());
    }
  }

  // --- the operator ---------------------------------------------------------------------------------

  /**
   * Presses Retry under a "not delivered" notice, as an operator would, until the run stops: whenever one of
   * their messages gets a notice with a Retry button (a new one, or one edited since the last press). The
   * operator cannot know better than the notice, so they press it even if the Market did take the message.
   */
  async operatorLoop(): Promise<void> {
    while (!this.run.stopping()) {
      await sleep(500);
      const mine = new Set([...this.typed, ...this.threadReplies.typed].map((r) => r.telegramMessageId));
      for (const m of this.world.telegram.messages(GROUP_ID, { fromBot: true })) {
        if (m.replyToMessageId === undefined || !mine.has(m.replyToMessageId)) continue;
        const button = m.replyMarkup?.inline_keyboard
          .flat()
          .find((b) => 'callback_data' in b && b.callback_data.startsWith('r:'));
        if (!button || !('callback_data' in button)) continue;
        const key = `${m.message_id}:${m.editHistory.length}`;
        if (this.pressed.has(key)) continue;
        this.pressed.add(key);
        this.world.telegram.userPressesButton(GROUP_ID, m.message_id, button.callback_data, OPERATOR);
        this.operatorRetries++;
      }
    }
  }
}
