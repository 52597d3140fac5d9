/**
 * /mine: an operator asks which of the chats they own wait for an answer. The answer lists them, the longest
 * wait first, each with its wait and a link to its topic, under the command in its thread (General or any
 * topic). Only in the configured group, only for people who may answer buyers (OPERATORS). The chats come from
 * a source function (the desk's figures), not from the store.
 */
import type { Bot } from 'grammy';
import type { Message } from 'grammy/types';
import type { Logger } from 'pino';
import { html, joinHtml, type Html } from '../bridge/html.ts';
import type { Texts } from '../bridge/texts.ts';
import { waitingLine, type TopicLinker } from '../desk/chat-line.ts';
import type { WaitingChat } from '../desk/figures.ts';
import { senderOf } from './operator-input.ts';
import type { Sender } from './operators.ts';
import { topicLink } from './topic-links.ts';

/** Chats listed in one answer; the rest are counted. */
export const MINE_LINES = 30;

export interface MineCommandOptions {
  groupId: number;
  texts: Texts;
  logger: Logger;
  mayAnswer(sender: Sender): boolean;
  /** The chats that wait for the seller now, the longest wait first. */
  waiting(): readonly WaitingChat[];
}

/** The answer for Telegram user `userId` (none: an anonymous admin, who owns nothing). */
export function mineAnswer(
  waiting: readonly WaitingChat[],
  userId: number | undefined,
  t: Texts,
  link: TopicLinker,
): Html {
  const m = t.deskStatus.mine;
  const mine = userId === undefined ? [] : waiting.filter((w) => w.owner?.id === userId);
  if (mine.length === 0) return html`${m.none}`;
  const lines: Html[] = [html`<b>${m.heading(mine.length)}</b>`];
  for (const w of mine.slice(0, MINE_LINES)) lines.push(waitingLine(w, t.deskStatus, link));
  if (mine.length > MINE_LINES) lines.push(html`${m.more(mine.length - MINE_LINES)}`);
  return joinHtml(lines, '\n');
}

/** Registers /mine. Install before the operator input (which leaves the bot's own commands alone anyway). */
export function installMineCommand(bot: Bot, o: MineCommandOptions): void {
  const { groupId, logger: log } = o;
  const link: TopicLinker = (topicId) => topicLink(groupId, topicId);

  /** Answers under the command, in its thread (General or a topic). Never throws. */
  const say = async (api: Bot['api'], message: Message, text: Html): Promise<void> => {
    try {
      await api.sendMessage(groupId, text.markup, {
        parse_mode: 'HTML',
        message_thread_id: message.is_topic_message ? message.message_thread_id : undefined,
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
        link_preview_options: { is_disabled: true },
      });
    } catch (err) {
      log.warn({ err, messageId: message.message_id }, 'could not answer /mine');
    }
  };

  bot.command('mine', async (ctx) => {
    const message = ctx.message;
    if (!message || message.chat.id !== groupId) return;
    const sender = senderOf(message, groupId);
    if (!sender.anonymousAdmin && (message.from === undefined || message.from.is_bot)) return;
    if (!o.mayAnswer(sender)) {
      log.info({ by: sender.userId }, '/mine from someone who may not answer buyers');
      await say(ctx.api, message, html`${o.texts.deskStatus.mine.notOperator}`);
      return;
    }
    await say(ctx.api, message, mineAnswer(o.waiting(), sender.userId, o.texts, link));
  });
}
