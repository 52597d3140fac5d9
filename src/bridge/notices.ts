/**
 * What the bot says to an operator under their message: a one-off answer, or the one notice about a reply
 * that is edited as the reply's state changes (waiting → delivered, failed → retrying). Saying something
 * never fails the caller: a notice that cannot be posted is logged.
 */
import type { Deps } from './deps.ts';
import { html } from './html.ts';
import type { TelegramMessageId, TopicId } from './ids.ts';
import type { Button } from './ports.ts';
import type { ReplyRecord } from './store-port.ts';
import { repliesOf } from './reply-book.ts';

export class Notices {
  constructor(private readonly d: Deps) {}

  /** Answers under an operator's message; the notice's id, or undefined when it could not be posted. */
  async tell(
    topicId: TopicId,
    replyTo: TelegramMessageId,
    text: string,
    buttons?: Button[],
  ): Promise<TelegramMessageId | undefined> {
    try {
      return await this.d.telegram.sendText(topicId, html`${text}`, { replyTo, buttons });
    } catch (err) {
      this.d.log.warn({ err, topicId }, 'could not tell the operator');
      return undefined;
    }
  }

  /** Sets the one notice about the operator message `parts` come from (edited when it exists). */
  async update(parts: ReplyRecord[], text: string, buttons?: Button[]): Promise<void> {
    const { d } = this;
    const first = parts[0];
    if (!first) return;
    const existing = first.noticeId;
    if (existing !== undefined) {
      try {
        await d.telegram.editText(existing, html`${text}`, buttons);
        return;
      } catch (err) {
        d.log.debug({ err }, 'notice could not be edited, sending a new one');
      }
    }
    const id = await this.tell(first.topicId, first.telegramMessageId, text, buttons);
    if (id === undefined) return;
    for (const r of repliesOf(d.store, first.topicId, first.telegramMessageId)) {
      r.noticeId = id;
      d.store.saveReply(r);
    }
    await d.store.commit();
  }

  /** A time told to operators, in the configured time zone and the operators' language. */
  clock(at: Date): string {
    return new Intl.DateTimeFormat(this.d.t.locale, {
      timeZone: this.d.options.timeZone ?? 'Europe/Moscow',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(at);
  }
}
