/**
 * A review's or question's topic: created once (in the thread's queue, and one creation at a time across
 * threads, so a kill leaves at most one empty topic behind), named after the product when the catalogue knows it
 * (one look-up before the topic is created, kept on the record; without it, the SKU), opened by its card, renamed
 * when its state changes (the icon: waiting, answered, skipped), closed when the seller said no reply is needed and
 * reopened before anything new is posted (where Telegram closes topics: not in a private chat, where the icon alone
 * says it), and recreated when someone deleted it.
 */
import { questionCard, questionTitle, reviewCard, reviewTitle } from './feedback-format.ts';
import { html, type Html } from './html.ts';
import type { TopicId } from './ids.ts';
import { TopicGoneError, type Button, type Lane } from './ports.ts';
import type { Product } from './product-port.ts';
import type { ThreadDeps } from './thread-deps.ts';
import type { ThreadRecord } from './thread-store.ts';

export class ThreadTopics {
  private creating: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: ThreadDeps) {}

  title(rec: ThreadRecord): string {
    const t = this.d.t.feedback;
    if (rec.review) return reviewTitle(rec.review, rec.state, t, productOf(rec));
    if (rec.question) return questionTitle(rec.question, rec.state, t, productOf(rec));
    return rec.key;
  }

  private card(rec: ThreadRecord): Html {
    const t = this.d.t.feedback;
    if (rec.review) return reviewCard(rec.review, t, productOf(rec));
    if (rec.question) return questionCard(rec.question, t, productOf(rec));
    return html`${rec.key}`;
  }

  /** Before a topic is created: the product's name and link, from memory or one look-up; nothing when it fails. */
  private async nameProduct(rec: ThreadRecord): Promise<void> {
    const offerId = rec.review?.offerId ?? rec.question?.offerId;
    if (offerId === undefined || productOf(rec) !== undefined) return;
    const product = await this.d.products.find(offerId);
    // Saved with the topic below.
    if (product !== undefined) rec.product = { ...product, offerId };
  }

  /** A review that waits for the seller has No reply needed on its card. */
  private buttons(rec: ThreadRecord): Button[] {
    if (rec.kind !== 'review' || rec.state !== 'waiting' || rec.topicId === undefined) return [];
    return [{ text: this.d.t.feedback.skipButton, action: { kind: 'skip', topicId: rec.topicId } }];
  }

  /** The lane of what is posted for the thread: one that waits for the seller goes before other messages. */
  lane(rec: ThreadRecord): Lane {
    return rec.state === 'waiting' ? 'waiting' : 'live';
  }

  /** The thread's topic, created with its card when it has none; a card still pending is posted first. */
  async getOrCreate(rec: ThreadRecord, recreated = false): Promise<TopicId> {
    const { d } = this;
    if (rec.topicId !== undefined && !rec.cardPending) return rec.topicId;
    if (rec.topicId === undefined) {
      await this.nameProduct(rec);
      const title = this.title(rec);
      const create = this.creating.then(async () => {
        const id = await d.telegram.createTopic(title, this.lane(rec));
        rec.topicId = id;
        rec.title = title;
        rec.cardPending = true;
        rec.closed = undefined;
        d.store.saveThread(rec);
        await d.store.commit();
        return id;
      });
      this.creating = create.catch(() => undefined);
      const id = await create;
      d.log.info({ thread: rec.key, topicId: id, recreated }, 'topic created');
    }
    const topicId = rec.topicId!;
    try {
      const buttons = this.buttons(rec);
      // A review's first photo is shown large under its card, at no extra call.
      const photo = rec.review?.photos[0];
      rec.cardId = await d.telegram.sendText(topicId, this.card(rec), {
        lane: this.lane(rec),
        buttons,
        ...(photo !== undefined && { preview: photo }),
      });
      rec.cardButtons = buttons.length > 0 || undefined;
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      return this.recreate(rec);
    }
    rec.cardPending = undefined;
    d.store.saveThread(rec);
    await d.store.commit();
    if (recreated) await d.telegram.sendText(topicId, html`${d.t.topicRecreated}`, { lane: this.lane(rec) });
    return topicId;
  }

  /** Runs `post` in the thread's topic (reopened first if the bridge closed it), recreating a deleted topic once. */
  async within<T>(rec: ThreadRecord, post: (topicId: TopicId) => Promise<T>): Promise<T> {
    const topicId = await this.getOrCreate(rec);
    try {
      await this.reopen(rec, topicId);
      return await post(topicId);
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      return post(await this.recreate(rec));
    }
  }

  private async recreate(rec: ThreadRecord): Promise<TopicId> {
    this.d.log.warn({ thread: rec.key, topicId: rec.topicId }, 'topic was deleted, recreating it');
    rec.topicId = undefined;
    rec.cardId = undefined;
    this.d.store.saveThread(rec);
    return this.getOrCreate(rec, true);
  }

  private async reopen(rec: ThreadRecord, topicId: TopicId): Promise<void> {
    if (!rec.closed) return;
    if (this.d.telegram.canCloseTopics) await this.d.telegram.reopenTopic(topicId, this.lane(rec));
    rec.closed = undefined;
    this.d.store.saveThread(rec);
    await this.d.store.commit();
  }

  /**
   * After a sync: the title follows the state, and a skipped thread's topic is closed (reopened when something
   * new comes). Run in the thread's queue, in the cosmetic lane; a deleted topic waits for the next post.
   */
  async settle(rec: ThreadRecord): Promise<void> {
    const { d } = this;
    if (rec.topicId === undefined) return;
    try {
      const title = this.title(rec);
      if (title !== rec.title) {
        await d.telegram.renameTopic(rec.topicId, title);
        rec.title = title;
        d.store.saveThread(rec);
      }
      const buttons = this.buttons(rec);
      if (rec.cardId !== undefined && buttons.length > 0 !== (rec.cardButtons === true)) {
        await d.telegram.editText(rec.cardId, this.card(rec), buttons, 'cosmetic').catch((err: unknown) => {
          d.log.debug({ err, thread: rec.key }, 'could not update the card');
        });
        rec.cardButtons = buttons.length > 0 || undefined;
        d.store.saveThread(rec);
      }
      if (rec.state === 'skipped' && !rec.closed && d.telegram.canCloseTopics) {
        await d.telegram.closeTopic(rec.topicId);
        rec.closed = true;
        d.store.saveThread(rec);
      }
      await d.store.commit();
    } catch (err) {
      if (!(err instanceof TopicGoneError)) throw err;
      d.log.debug({ thread: rec.key }, 'topic gone; it is recreated with the next post');
    }
  }
}

/** The product of the thread's SKU, when the catalogue named it. */
function productOf(rec: ThreadRecord): Product | undefined {
  const offerId = rec.review?.offerId ?? rec.question?.offerId;
  return rec.product !== undefined && rec.product.offerId === offerId ? rec.product : undefined;
}
