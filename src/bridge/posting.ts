/**
 * Posting a chat's new Market messages into its topic in as few Telegram posts as the limits allow. Messages
 * waiting together go together: consecutive messages whose texts fit in one post of 4096 characters share it
 * (each keeps its header line: who wrote it and when); a message with attachments ends its post and its files
 * follow; a text longer than one post is split as before. A message with nothing else waiting goes alone, at
 * once: nothing is held back to wait for company. The cursor advances after each post, past every message it
 * carried (and our own echoes among them), so a crash repeats at most the post in flight, never loses one.
 */
import { postAttachment } from './attachments.ts';
import type { Deps } from './deps.ts';
import type { Echoes } from './echo.ts';
import { messageHeader, messageTexts, TEXT_LIMIT, visibleLength } from './format.ts';
import { joinHtml, type Html } from './html.ts';
import type { TopicId } from './ids.ts';
import type { MarketChat, MarketMessage } from './model.ts';
import { laneOf } from './lanes.ts';
import { LANES, TelegramRefusedError, type Lane } from './ports.ts';
import type { PartKind, Refusals } from './refusals.ts';
import type { ChatRecord } from './store-port.ts';
import type { Topics } from './topics.ts';
import { noteMessage } from './waits.ts';

/** Between two messages sharing a post. */
const SEPARATOR = '\n\n';

/** Messages gathered for one post: their text blocks, and every message the post takes the cursor past. */
interface Batch {
  blocks: Array<{ message: MarketMessage; html: Html }>;
  visible: number;
  /** Every message the post covers, echoes included, in order. */
  passed: MarketMessage[];
}

const emptyBatch = (): Batch => ({ blocks: [], visible: 0, passed: [] });

export class Poster {
  constructor(
    private readonly d: Deps,
    private readonly topics: Topics,
    private readonly echoes: Echoes,
    private readonly refusals: Refusals,
  ) {}

  /**
   * Posts `messages` (the chat's history after its cursor, in order); `done(n)` is told after each post how
   * many messages it carried. Stops between posts when the queue stops.
   */
  async postAll(
    rec: ChatRecord,
    chat: MarketChat,
    messages: readonly MarketMessage[],
    triggeredAt: number | undefined,
    done: (n: number) => void,
  ): Promise<void> {
    const { d } = this;
    let batch = emptyBatch();
    const flush = async (partialAfter?: MarketMessage) => {
      const b = batch;
      batch = emptyBatch();
      await this.postBatch(rec, chat, b, triggeredAt, partialAfter);
      done(b.passed.length + (partialAfter ? 1 : 0));
    };
    for (const message of messages) {
      if (d.queue.stopped) return; // finish the post in flight, start no other
      if (this.echoes.isOurs(rec, message)) {
        d.log.debug({ marketChatId: rec.marketChatId, marketMessageId: message.id }, 'ignoring echo of our reply');
        batch.passed.push(message);
        continue;
      }
      const texts = messageTexts(message, chat, d.t);
      const resuming = rec.partial?.messageId === message.id;
      const joins = d.options.coalescePosts !== false && texts.length === 1 && !resuming;
      const single = joins ? texts[0] : undefined;
      if (single === undefined) {
        // A long text, a file without text, or a message half posted before a restart: on its own, as before.
        if (batch.blocks.length > 0 || batch.passed.length > 0) await flush();
        if (d.queue.stopped) return;
        await this.postOne(rec, chat, message, triggeredAt);
        done(1);
        continue;
      }
      const visible = visibleLength(single);
      const room = TEXT_LIMIT - batch.visible - (batch.blocks.length > 0 ? SEPARATOR.length : 0);
      if (batch.blocks.length > 0 && visible > room) {
        await flush();
        if (d.queue.stopped) return;
      }
      batch.blocks.push({ message, html: single });
      batch.visible += visible + (batch.blocks.length > 1 ? SEPARATOR.length : 0);
      if (message.attachments.length > 0) {
        // Its text ends this post; its files follow, each a post of its own (resumable after a crash).
        await flush(message);
        if (d.queue.stopped) return;
        await this.postOne(rec, chat, message, triggeredAt);
        continue;
      }
      batch.passed.push(message);
    }
    if (batch.blocks.length > 0 || batch.passed.length > 0) await flush();
  }

  /**
   * Posts a batch as one message (a batch Telegram refuses is posted message by message, so that only the
   * refused one is replaced by its placeholder), then moves the cursor past it. `partialAfter`: the batch ends
   * with the text of this message, whose files are still to come.
   */
  private async postBatch(
    rec: ChatRecord,
    chat: MarketChat,
    batch: Batch,
    triggeredAt: number | undefined,
    partialAfter?: MarketMessage,
  ): Promise<void> {
    const { d } = this;
    if (batch.blocks.length > 1) {
      try {
        const text = joinHtml(
          batch.blocks.map((b) => b.html),
          SEPARATOR,
        );
        const lane = this.laneOfAll(
          chat,
          batch.blocks.map((b) => b.message),
        );
        await this.topics.within(rec, chat, lane, (topicId) => d.telegram.sendText(topicId, text, { lane }));
      } catch (err) {
        if (!(err instanceof TelegramRefusedError)) throw err;
        d.log.warn(
          { marketChatId: rec.marketChatId, posts: batch.blocks.length },
          'a joint post was refused; posting its messages one by one',
        );
        for (const b of batch.blocks) await this.postText(rec, chat, b.message, b.html);
      }
    } else if (batch.blocks[0]) {
      await this.postText(rec, chat, batch.blocks[0].message, batch.blocks[0].html);
    }
    for (const b of batch.blocks) this.observe(b.message, triggeredAt);
    // The cursor moves only now that Telegram has the post: a crash before this repeats it, never loses it.
    const last = batch.passed.at(-1);
    if (last) rec.cursor = last.id;
    for (const m of batch.passed) noteMessage(d, rec, m);
    rec.partial = partialAfter ? { messageId: partialAfter.id, partsDone: 1 } : undefined;
    d.store.saveChat(rec);
    await d.store.commit();
    if (batch.blocks.length > 0) {
      const ids = batch.blocks.map((b) => b.message.id);
      d.log.debug({ marketChatId: rec.marketChatId, marketMessageIds: ids, topicId: rec.topicId }, 'mirrored');
    }
  }

  /** One text block of one message, replaced by a placeholder when Telegram refuses it for good. */
  private async postText(rec: ChatRecord, chat: MarketChat, message: MarketMessage, text: Html): Promise<void> {
    const part = {
      marketChatId: rec.marketChatId,
      marketMessageId: message.id,
      headerHtml: messageHeader(message, chat, this.d.t),
      what: { kind: 'text' as const, characters: message.text?.length ?? 0 },
    };
    const lane = laneOf(this.d, chat, message);
    await this.topics.within(rec, chat, lane, (topicId) =>
      this.refusals.postOrReplace(topicId, part, (id) => this.d.telegram.sendText(id, text, { lane })),
    );
  }

  /**
   * Posts one Market message on its own: its text (split if needed), then each attachment, resuming a partial
   * post; then moves the cursor past it.
   */
  private async postOne(
    rec: ChatRecord,
    chat: MarketChat,
    message: MarketMessage,
    triggeredAt: number | undefined,
  ): Promise<void> {
    const { d } = this;
    const texts = messageTexts(message, chat, d.t);
    const lane = laneOf(d, chat, message);
    const steps: Array<{ what: PartKind; run: (topicId: TopicId) => Promise<unknown> }> = texts.map((text) => ({
      what: { kind: 'text', characters: message.text?.length ?? 0 },
      run: (topicId) => d.telegram.sendText(topicId, text, { lane }),
    }));
    const headerHtml = messageHeader(message, chat, d.t);
    const caption = texts.length === 0 ? headerHtml : undefined;
    for (const att of message.attachments) {
      steps.push({
        what: { kind: 'file', name: att.name, size: att.size },
        run: (topicId) => postAttachment(d, topicId, att, caption, lane),
      });
    }
    const start = rec.partial?.messageId === message.id ? rec.partial.partsDone : 0;
    for (let i = start; i < steps.length; i++) {
      const step = steps[i];
      if (step) {
        // A part Telegram refuses for good is replaced by a placeholder, so that it cannot block the chat.
        const part = { marketChatId: rec.marketChatId, marketMessageId: message.id, headerHtml, what: step.what };
        await this.topics.within(rec, chat, lane, (topicId) => this.refusals.postOrReplace(topicId, part, step.run));
      }
      if (i < steps.length - 1) {
        rec.partial = { messageId: message.id, partsDone: i + 1 };
        d.store.saveChat(rec);
        await d.store.commit();
      }
    }
    this.observe(message, triggeredAt);
    rec.cursor = message.id;
    rec.partial = undefined;
    noteMessage(d, rec, message);
    d.store.saveChat(rec);
    await d.store.commit();
    d.log.debug({ marketChatId: rec.marketChatId, marketMessageId: message.id, topicId: rec.topicId }, 'mirrored');
  }

  /**
   * Tells the observer a message reached its topic. A message written before marketgram's store was first
   * created is history (copied at a first start, maybe a year old): its age is not a mirroring latency.
   */
  /** The lane of a joint post: the most urgent of its messages'. */
  private laneOfAll(chat: MarketChat, messages: readonly MarketMessage[]): Lane {
    const lanes = messages.map((m) => laneOf(this.d, chat, m));
    return LANES.find((l) => lanes.includes(l)) ?? 'live';
  }

  private observe(message: MarketMessage, triggeredAt: number | undefined): void {
    const now = this.d.now().getTime();
    const created = Date.parse(message.createdAt);
    const history = created < Date.parse(this.d.store.initializedAt);
    this.d.options.observer?.mirrored(
      message.sender,
      history ? undefined : now - created,
      triggeredAt === undefined ? undefined : now - triggeredAt,
    );
  }
}
