/**
 * /chat: an operator opens the chat with the buyer of an order (`/chat 123456`) or of a return
 * (`/chat return 7890`) and gets the link to its topic. Only in the configured group, only from people who may
 * answer buyers (OPERATORS); the answer comes in the thread the command was sent in, under it. The bridge does
 * the work (Bridge.openChat); it runs beside the update handler, so a topic waiting for its turn in the group's
 * Telegram budget does not hold up the updates after it.
 */
import type { Bot } from 'grammy';
import type { Message } from 'grammy/types';
import type { Logger } from 'pino';
import type { OpenChatOutcome } from '../bridge/bridge.ts';
import { html } from '../bridge/html.ts';
import type { ChatSubject } from '../bridge/model.ts';
import type { Texts } from '../bridge/texts.ts';
import { senderOf } from './operator-input.ts';
import type { Sender } from './operators.ts';
import { topicLink } from './topic-links.ts';

/** What /chat needs from the bridge. */
export interface ChatOpener {
  openChat(subject: ChatSubject): Promise<OpenChatOutcome>;
}

export interface ChatCommandOptions {
  groupId: number;
  texts: Texts;
  logger: Logger;
  /** IANA time zone of the times told to operators. */
  timeZone: string;
  mayAnswer(sender: Sender): boolean;
}

/** The words that say what the number is, in either language. */
const KINDS: Readonly<Record<string, ChatSubject['type']>> = {
  order: 'ORDER',
  заказ: 'ORDER',
  return: 'RETURN',
  возврат: 'RETURN',
};

/**
 * The order or return /chat's words name: `123456` or `order 123456`, `return 7890` (or заказ, возврат; the
 * number may start with # or №). Undefined for anything else.
 */
export function parseChatArgs(args: string): ChatSubject | undefined {
  const words = args.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 2) return undefined;
  const type = words.length === 2 ? KINDS[words[0] ?? ''] : 'ORDER';
  const digits = /^[#№]?(\d{1,16})$/.exec(words.at(-1) ?? '')?.[1];
  if (type === undefined || digits === undefined) return undefined;
  const id = Number(digits);
  return Number.isSafeInteger(id) && id >= 1 ? { type, id } : undefined;
}

/** What the operator is told about an outcome of Bridge.openChat. */
export function chatAnswer(
  outcome: OpenChatOutcome,
  subject: ChatSubject,
  o: Pick<ChatCommandOptions, 'groupId' | 'texts' | 'timeZone'>,
): string {
  const t = o.texts.commands.chat;
  switch (outcome.kind) {
    case 'opened': {
      const link = topicLink(o.groupId, outcome.topicId);
      return outcome.created ? t.opened(subject, link) : t.found(subject, link);
    }
    case 'pending':
      return t.pending(subject);
    case 'not-found':
      return t.notFound(subject, outcome.reason);
    case 'refused':
      return t.refused(subject, outcome.reason);
    case 'rate-limited':
      return t.rateLimited(
        new Intl.DateTimeFormat(o.texts.locale, {
          timeZone: o.timeZone,
          hour: '2-digit',
          minute: '2-digit',
          timeZoneName: 'short',
        }).format(outcome.retryAt),
      );
    case 'failed':
      return t.failed(subject, outcome.reason);
  }
}

/** Registers /chat. Install before the operator input (which leaves the bot's own commands alone anyway). */
export function installChatCommand(bot: Bot, opener: ChatOpener, o: ChatCommandOptions): void {
  const { groupId, logger: log } = o;
  const t = o.texts.commands.chat;

  /** Answers under the command, in its thread (General or a topic). Never throws. */
  const say = async (api: Bot['api'], message: Message, text: string): Promise<void> => {
    try {
      await api.sendMessage(groupId, html`${text}`.markup, {
        parse_mode: 'HTML',
        message_thread_id: message.is_topic_message ? message.message_thread_id : undefined,
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
        link_preview_options: { is_disabled: true },
      });
    } catch (err) {
      log.warn({ err, messageId: message.message_id }, 'could not answer /chat');
    }
  };

  bot.command('chat', async (ctx) => {
    const message = ctx.message;
    if (!message || message.chat.id !== groupId) return;
    const sender = senderOf(message, groupId);
    if (!sender.anonymousAdmin && (message.from === undefined || message.from.is_bot)) return;
    if (!o.mayAnswer(sender)) {
      log.info({ by: sender.userId }, '/chat from someone who may not answer buyers');
      await say(ctx.api, message, t.notOperator);
      return;
    }
    const subject = parseChatArgs(typeof ctx.match === 'string' ? ctx.match : '');
    if (!subject) {
      await say(ctx.api, message, t.usage);
      return;
    }
    log.info({ subject, by: sender.userId }, '/chat');
    const answering = opener
      .openChat(subject)
      .then(
        (outcome) => chatAnswer(outcome, subject, o),
        (err: unknown) => {
          log.error({ err, subject }, '/chat failed');
          return t.failed(subject, err instanceof Error ? err.message : String(err));
        },
      )
      .then((text) => say(ctx.api, message, text));
    void answering;
  });
}
