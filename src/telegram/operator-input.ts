/**
 * Turns Telegram updates into operator messages for the bridge. Only people who may answer buyers (OPERATORS),
 * writing in a topic of the configured group, reach a buyer: other chats, the General topic, bots, commands,
 * forwarded and service messages never do. A person is told under their message why it was not sent, except
 * for what is plainly not meant for the buyer (service messages, our known commands, other bots' commands).
 */
import type { Bot, Context } from 'grammy';
import type { Message, MessageEntity } from 'grammy/types';
import type { Logger } from 'pino';
import { telegramMessageId, telegramUserId, topicId, type TopicId, type TelegramMessageId } from '../bridge/ids.ts';
import type { Texts } from '../bridge/texts.ts';
import type { Sender } from './operators.ts';
import type { ButtonHost, OperatorMessage, OwnerAction, ReplyAction, SkipAction } from '../bridge/ports.ts';
import { parseAction } from './buttons.ts';

/** What the operator input needs from the bridge. */
export interface OperatorSink {
  operatorMessage(msg: OperatorMessage): Promise<void>;
  operatorEdited(topicId: TopicId, messageId: TelegramMessageId, newText?: string): Promise<void>;
  /** `under`: the message the button sits under. Returns the short answer to show on the button. */
  operatorAction(action: ReplyAction, under: ButtonHost): Promise<string>;
  ownerAction(action: OwnerAction, by: { id: number; name: string }): Promise<string>;
  /** No reply needed, pressed on a review's card. */
  skipAction(action: SkipAction, by: { id: number; name: string }): Promise<string>;
}

/** Content a person can put in a message; a message with none of these is a service message. */
const CONTENT_FIELDS = [
  'text',
  'photo',
  'document',
  'sticker',
  'voice',
  'video',
  'video_note',
  'audio',
  'animation',
  'contact',
  'location',
  'venue',
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
] as const;

/** Why a person's message was not sent to the buyer; each is told under the message. */
export type Refusal = 'not-operator' | 'forwarded' | 'command';

export type Verdict = { ok: true; msg: OperatorMessage } | { ok: false; why: string; refusal?: Refusal };

/** What decides, beyond the group and topic, whether a message goes to the buyer. */
export interface InputRules {
  /** The bot's username: `/cmd@<it>` is a command for us, `/cmd@otherbot` is not. */
  botUsername: string;
  /** Commands the bot answers itself (without the slash); they are neither sent nor refused. */
  commands: readonly string[];
  mayAnswer(sender: Sender): boolean;
}

/** Everyone may answer; the bot knows no commands. */
const OPEN: InputRules = { botUsername: '', commands: [], mayAnswer: () => true };

/** Who sent a group message: anonymous admins post as the group itself (from = GroupAnonymousBot). */
export function senderOf(message: Message, groupId: number): Sender {
  const anonymousAdmin = message.sender_chat?.id === groupId;
  return { userId: anonymousAdmin ? undefined : message.from?.id, anonymousAdmin };
}

/** Decides whether a group message is an operator reply for a buyer, and extracts it. */
export function toOperatorMessage(message: Message, groupId: number, rules: InputRules = OPEN): Verdict {
  if (message.chat.id !== groupId) return { ok: false, why: 'other chat' };
  if (!message.is_topic_message || message.message_thread_id === undefined) return { ok: false, why: 'general topic' };
  // A channel post copied into its discussion group: nobody wrote it here.
  if (message.is_automatic_forward) return { ok: false, why: 'automatic forward' };
  const sender = senderOf(message, groupId);
  if (!sender.anonymousAdmin && (message.from === undefined || message.from.is_bot)) return { ok: false, why: 'bot' };
  if (message.sender_chat && !sender.anonymousAdmin) return { ok: false, why: 'channel or other chat' };
  if (!CONTENT_FIELDS.some((f) => message[f] !== undefined)) return { ok: false, why: 'service message' };
  const command = leadingCommand(message);
  if (command && command.bot !== undefined && command.bot !== rules.botUsername.toLowerCase()) {
    return { ok: false, why: 'command for another bot' };
  }
  if (command && rules.commands.includes(command.name)) return { ok: false, why: 'command' };
  if (!rules.mayAnswer(sender)) return { ok: false, why: 'not an operator', refusal: 'not-operator' };
  if (message.forward_origin !== undefined) return { ok: false, why: 'forwarded', refusal: 'forwarded' };
  if (command) return { ok: false, why: 'unknown command', refusal: 'command' };
  const from = {
    id: telegramUserId(message.from?.id ?? groupId),
    name: sender.anonymousAdmin
      ? (message.author_signature ?? 'admin')
      : [message.from?.first_name, message.from?.last_name].filter(Boolean).join(' '),
  };
  // In a topic, a message that replies to nothing carries the topic's first message as its reply_to_message.
  const repliedTo = message.reply_to_message?.message_id;
  const base = {
    topicId: topicId(message.message_thread_id),
    messageId: telegramMessageId(message.message_id),
    from,
    ...(repliedTo !== undefined &&
      repliedTo !== message.message_thread_id && { replyTo: telegramMessageId(repliedTo) }),
  };
  const file = attachedFile(message);
  if (file) return { ok: true, msg: { ...base, caption: message.caption, file } };
  // Text, or content the Market cannot take (the bridge answers that it was not sent).
  return { ok: true, msg: { ...base, text: message.text } };
}

/** The bot command a text or caption starts with: its name and the bot it names (lower case), if any. */
function leadingCommand(message: Message): { name: string; bot?: string } | undefined {
  const [body, entities]: [string | undefined, MessageEntity[] | undefined] =
    message.text !== undefined ? [message.text, message.entities] : [message.caption, message.caption_entities];
  const entity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!entity || body === undefined) return undefined;
  const m = /^\/([^@\s]+)(?:@(\S+))?/.exec(body.slice(0, entity.length));
  return m ? { name: (m[1] ?? '').toLowerCase(), bot: m[2]?.toLowerCase() } : { name: '' };
}

/** The photo (its largest size) or document of a message, if any. */
function attachedFile(message: Message): OperatorMessage['file'] {
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) =>
      (b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a,
    );
    return { fileId: largest.file_id, name: `photo_${message.message_id}.jpg`, size: largest.file_size, kind: 'photo' };
  }
  const d = message.document;
  if (!d) return undefined;
  return { fileId: d.file_id, name: d.file_name ?? `file_${message.message_id}`, size: d.file_size, kind: 'document' };
}

/** After this many remembered "not an operator" notices the memory starts afresh (it only saves repeats). */
const MAX_TOLD = 10_000;

export interface OperatorInputOptions extends InputRules {
  groupId: number;
  texts: Texts;
  logger: Logger;
}

/** Registers the group handlers on the bot. */
export function installOperatorInput(bot: Bot, sink: OperatorSink, options: OperatorInputOptions): void {
  const { groupId, texts: t, logger: log } = options;
  /**
   * `<user>:<topic>` pairs already told that they may not answer buyers. In memory only: after a restart
   * each person is told once more.
   */
  const told = new Set<string>();
  const refusals: Record<Refusal, string> = {
    'not-operator': t.notSent.notOperator,
    forwarded: t.notSent.forwarded,
    command: t.notSent.command,
  };

  const refuse = async (ctx: Context, message: Message, refusal: Refusal): Promise<void> => {
    if (refusal === 'not-operator') {
      const key = `${senderOf(message, groupId).userId ?? groupId}:${message.message_thread_id ?? 0}`;
      if (told.has(key)) return;
      if (told.size >= MAX_TOLD) told.clear();
      told.add(key);
    }
    try {
      await ctx.api.sendMessage(groupId, refusals[refusal], {
        message_thread_id: message.message_thread_id,
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
        link_preview_options: { is_disabled: true },
      });
    } catch (err) {
      log.warn({ err, messageId: message.message_id, refusal }, 'could not tell the sender why a message was not sent');
    }
  };

  bot.on('message', async (ctx: Context) => {
    const message = ctx.message;
    if (!message) return;
    const verdict = toOperatorMessage(message, groupId, options);
    if (!verdict.ok) {
      log.debug({ chatId: message.chat.id, messageId: message.message_id, why: verdict.why }, 'update ignored');
      if (verdict.refusal) await refuse(ctx, message, verdict.refusal);
      return;
    }
    await sink.operatorMessage(verdict.msg);
  });
  bot.on('edited_message', async (ctx: Context) => {
    const message = ctx.editedMessage;
    if (!message || message.chat.id !== groupId || message.message_thread_id === undefined) return;
    if (message.from?.is_bot) return;
    // Someone who may not answer cannot change a reply either (their own messages never became one).
    if (!options.mayAnswer(senderOf(message, groupId))) return;
    await sink.operatorEdited(
      topicId(message.message_thread_id),
      telegramMessageId(message.message_id),
      message.text ?? message.caption,
    );
  });
  bot.on('callback_query:data', async (ctx, next) => {
    const q = ctx.callbackQuery;
    const action = parseAction(q.data);
    // The card's quick replies button is for the quick replies (telegram/quick-replies.ts).
    if (action?.kind === 'templates') return next();
    // Buttons are only honoured in the configured group, pressed by a person.
    if (!action || q.message?.chat.id !== groupId || q.from.is_bot) {
      await ctx.answerCallbackQuery();
      return;
    }
    if (!options.mayAnswer({ userId: q.from.id, anonymousAdmin: false })) {
      log.info({ action: action.kind, topicId: action.topicId, by: q.from.id }, 'button pressed by a non-operator');
      await ctx.answerCallbackQuery({ text: t.notSent.notOperatorButton });
      return;
    }
    if (!('messageId' in action)) {
      const by = { id: q.from.id, name: [q.from.first_name, q.from.last_name].filter(Boolean).join(' ') };
      const answer = action.kind === 'skip' ? await sink.skipAction(action, by) : await sink.ownerAction(action, by);
      log.info({ action: action.kind, topicId: action.topicId, by: q.from.id }, 'operator action');
      await ctx.answerCallbackQuery({ text: answer });
      return;
    }
    const host = q.message;
    const repliesTo = 'reply_to_message' in host ? host.reply_to_message?.message_id : undefined;
    const text = await sink.operatorAction(action, {
      messageId: telegramMessageId(host.message_id),
      botReplyTo:
        'from' in host && host.from?.id === ctx.me.id && repliesTo !== undefined
          ? telegramMessageId(repliesTo)
          : undefined,
    });
    log.info({ action: action.kind, topicId: action.topicId, by: q.from.id }, 'operator action');
    await ctx.answerCallbackQuery({ text });
  });
}
