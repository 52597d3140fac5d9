/**
 * What the bot says under an operator's message in a review's or question's topic: the one notice about a reply
 * (edited as its state changes, with Cancel, Send anyway or Retry), and one-off answers. A notice that cannot be
 * posted is logged, never thrown. The final word (published, or not) is remembered as `told` on the reply once it
 * stands in Telegram, so a restart tells what a killed process could not.
 */
import { html } from './html.ts';
import type { Button, OperatorMessage, ReplyAction } from './ports.ts';
import type { ThreadDeps } from './thread-deps.ts';
import type { ThreadReplyRecord } from './thread-store.ts';

export class ThreadReplyNotices {
  constructor(
    private readonly d: ThreadDeps,
    private readonly save: (reply: ThreadReplyRecord) => Promise<void>,
  ) {}

  /** Sets the reply's one notice; true when it stands in Telegram. */
  async notice(reply: ThreadReplyRecord, text: string, buttons: Button[] = []): Promise<boolean> {
    const { d } = this;
    try {
      if (reply.noticeId !== undefined) {
        await d.telegram.editText(reply.noticeId, html`${text}`, buttons);
        return true;
      }
      reply.noticeId = await d.telegram.sendText(reply.topicId, html`${text}`, {
        replyTo: reply.telegramMessageId,
        buttons,
      });
      await this.save(reply);
      return true;
    } catch (err) {
      d.log.warn({ err, thread: reply.thread }, 'could not tell the operator');
      return false;
    }
  }

  /** The final word on a reply, remembered once it stands (a restart says it again until then). */
  async final(reply: ThreadReplyRecord, text: string, buttons: Button[] = []): Promise<void> {
    if (!(await this.notice(reply, text, buttons))) return;
    reply.told = true;
    await this.save(reply);
  }

  /** A one-off answer under an operator's message. */
  async tell(msg: OperatorMessage, text: string): Promise<void> {
    await this.d.telegram
      .sendText(msg.topicId, html`${text}`, { replyTo: msg.messageId })
      .catch((err: unknown) => this.d.log.warn({ err, topicId: msg.topicId }, 'could not tell the operator'));
  }

  action(reply: ThreadReplyRecord, kind: ReplyAction['kind']): ReplyAction {
    return { kind, topicId: reply.topicId, messageId: reply.telegramMessageId };
  }

  button(reply: ThreadReplyRecord, kind: 'cancel' | 'retry'): Button {
    const text = kind === 'cancel' ? this.d.t.cancelButton : this.d.t.retryButton;
    return { text, action: this.action(reply, kind) };
  }

  /** A time of day in the bot's zone, for "queued until". */
  clock(at: Date): string {
    return new Intl.DateTimeFormat(this.d.t.locale, {
      timeZone: this.d.options.timeZone ?? 'Europe/Moscow',
      hour: '2-digit',
      minute: '2-digit',
    }).format(at);
  }
}
