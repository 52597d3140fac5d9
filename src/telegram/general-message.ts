/**
 * One message of the bot's in the group's General topic that it keeps up to date by editing it (the progress
 * of a long first start; the desk's board): posted when there is none, edited afterwards, and posted afresh
 * when someone deleted it. Every call takes its turn in the group's budget, in the lane given.
 */
import { GrammyError, type Api } from 'grammy';
import type { Html } from '../bridge/html.ts';
import type { Lane } from '../bridge/ports.ts';
import type { CallBudget } from './budget.ts';
import { MESSAGE_GONE } from './port.ts';

export interface GeneralMessageOptions {
  api: Api;
  chatId: number;
  lane: Lane;
  /** The group's budget (none: calls are not paced, TELEGRAM_PACING=off). */
  budget?: CallBudget;
  /** A message posted before (kept across restarts by the caller). */
  messageId?: number;
}

export class GeneralMessage {
  private id: number | undefined;

  constructor(private readonly o: GeneralMessageOptions) {
    this.id = o.messageId;
  }

  /** The message's id, once posted. */
  get messageId(): number | undefined {
    return this.id;
  }

  /** Shows `text`: edits the message, or posts it when there is none yet or it was deleted. */
  async show(text: Html): Promise<'posted' | 'edited' | 'unchanged'> {
    const { api, chatId } = this.o;
    const options = { parse_mode: 'HTML' as const, link_preview_options: { is_disabled: true } };
    const id = this.id;
    if (id !== undefined) {
      try {
        await this.call(() => api.editMessageText(chatId, id, text.markup, options));
        return 'edited';
      } catch (err) {
        if (!(err instanceof GrammyError)) throw err;
        if (/message is not modified/i.test(err.description)) return 'unchanged';
        if (!MESSAGE_GONE.test(err.description)) throw err;
      }
    }
    const msg = await this.call(() => api.sendMessage(chatId, text.markup, options));
    this.id = msg.message_id;
    return 'posted';
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return this.o.budget ? this.o.budget.within(this.o.lane, 0, fn) : fn();
  }
}
