/**
 * Turns Telegram updates into operator messages for the bridge. Only people writing in a topic of the
 * configured group reach a buyer: other chats, the General topic, bots, commands and service messages never do.
 */
import type { Bot, Context } from 'grammy';
import type { Message } from 'grammy/types';
import type { Logger } from 'pino';
import { telegramMessageId, telegramUserId, topicId, type TopicId, type TelegramMessageId } from '../bridge/ids.ts';
import { ACTION_CODES, type OperatorAction, type OperatorMessage } from '../bridge/ports.ts';

/** What the operator input needs from the bridge. */
export interface OperatorSink {
  operatorMessage(msg: OperatorMessage): Promise<void>;
  operatorEdited(topicId: TopicId, messageId: TelegramMessageId, newText?: string): Promise<void>;
  /** Returns the short answer to show on the pressed button. */
  operatorAction(action: OperatorAction): Promise<string>;
}

const ACTIONS = Object.fromEntries(Object.entries(ACTION_CODES).map(([kind, code]) => [code, kind])) as Record<
  string,
  OperatorAction['kind'] | undefined
>;

/** Decodes button data made by actionData(); undefined for anything else. */
export function parseAction(data: string): OperatorAction | undefined {
  const m = /^([rcu]):(\d{1,15}):(\d{1,15})$/.exec(data);
  const kind = m && ACTIONS[m[1] ?? ''];
  if (!m || !kind) return undefined;
  return { kind, topicId: topicId(Number(m[2])), messageId: telegramMessageId(Number(m[3])) };
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

export type Verdict = { ok: true; msg: OperatorMessage } | { ok: false; why: string };

/** Decides whether a group message is an operator reply for a buyer, and extracts it. */
export function toOperatorMessage(message: Message, groupId: number): Verdict {
  if (message.chat.id !== groupId) return { ok: false, why: 'other chat' };
  if (!message.is_topic_message || message.message_thread_id === undefined) return { ok: false, why: 'general topic' };
  // Anonymous admins post as the group itself (from = GroupAnonymousBot); they are people of this group.
  const anonymousAdmin = message.sender_chat?.id === groupId;
  if (!anonymousAdmin && (message.from === undefined || message.from.is_bot)) return { ok: false, why: 'bot' };
  if (message.sender_chat && !anonymousAdmin) return { ok: false, why: 'channel or other chat' };
  if (!CONTENT_FIELDS.some((f) => message[f] !== undefined)) return { ok: false, why: 'service message' };
  const command = message.entities?.[0];
  if (command?.type === 'bot_command' && command.offset === 0) return { ok: false, why: 'command' };
  const from = {
    id: telegramUserId(message.from?.id ?? groupId),
    name: anonymousAdmin
      ? (message.author_signature ?? 'admin')
      : [message.from?.first_name, message.from?.last_name].filter(Boolean).join(' '),
  };
  const base = {
    topicId: topicId(message.message_thread_id),
    messageId: telegramMessageId(message.message_id),
    from,
  };
  const file = attachedFile(message);
  if (file) return { ok: true, msg: { ...base, caption: message.caption, file } };
  // Text, or content the Market cannot take (the bridge answers that it was not sent).
  return { ok: true, msg: { ...base, text: message.text } };
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

/** Registers the group handlers on the bot. */
export function installOperatorInput(bot: Bot, groupId: number, sink: OperatorSink, log: Logger): void {
  bot.on('message', async (ctx: Context) => {
    const message = ctx.message;
    if (!message) return;
    const verdict = toOperatorMessage(message, groupId);
    if (!verdict.ok) {
      log.debug({ chatId: message.chat.id, messageId: message.message_id, why: verdict.why }, 'update ignored');
      return;
    }
    await sink.operatorMessage(verdict.msg);
  });
  bot.on('edited_message', async (ctx: Context) => {
    const message = ctx.editedMessage;
    if (!message || message.chat.id !== groupId || message.message_thread_id === undefined) return;
    if (message.from?.is_bot) return;
    await sink.operatorEdited(
      topicId(message.message_thread_id),
      telegramMessageId(message.message_id),
      message.text ?? message.caption,
    );
  });
  bot.on('callback_query:data', async (ctx) => {
    const q = ctx.callbackQuery;
    const action = parseAction(q.data);
    // Buttons are only honoured in the configured group, pressed by a person.
    if (!action || q.message?.chat.id !== groupId || q.from.is_bot) {
      await ctx.answerCallbackQuery();
      return;
    }
    const text = await sink.operatorAction(action);
    log.info({ action: action.kind, topicId: action.topicId, by: q.from.id }, 'operator action');
    await ctx.answerCallbackQuery({ text });
  });
}
