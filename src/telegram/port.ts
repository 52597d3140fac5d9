/**
 * The bridge's TelegramPort on grammY, bound to the configured forum supergroup, or to a person's private chat
 * with the bot (solo mode: topics there cannot be closed; everything else is the same). Maps Telegram's answers
 * for deleted topics onto TopicGoneError and its other permanent refusals of a post onto TelegramRefusedError,
 * falls back from photo to document, and downloads operator files.
 */
import { GrammyError, InputFile, type Api } from 'grammy';
import { telegramMessageId, topicId as toTopicId, type TelegramMessageId, type TopicId } from '../bridge/ids.ts';
import {
  TelegramRefusedError,
  MessageGoneError,
  TopicGoneError,
  type Button,
  type Lane,
  type TelegramFile,
  type TelegramPort,
} from '../bridge/ports.ts';
import { TOPIC_TITLE_LIMIT } from '../bridge/format.ts';
import type { Html } from '../bridge/html.ts';
import type { CallBudget } from './budget.ts';
import { encodeAction } from './buttons.ts';
import { safeFileName } from './file-name.ts';
import { isPrivateChat } from './solo.ts';

/**
 * How long one operator file may take to download (5 MB at most): it runs in its chat's queue, so a stalled
 * download must not hold that chat's later replies and syncs.
 */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** Descriptions Telegram gives when the thread a request names no longer exists. */
const TOPIC_GONE = /message thread not found|TOPIC_DELETED|TOPIC_ID_INVALID|thread not found/i;
/** Telegram's answers to an edit of a message that is gone (deleted, or too old to edit). */
export const MESSAGE_GONE = /message to edit not found|MESSAGE_ID_INVALID|message can't be edited/i;

export class TelegramGroup implements TelegramPort {
  constructor(
    private readonly api: Api,
    private readonly chatId: number,
    private readonly fileRoot: string,
    private readonly options: {
      downloadTimeoutMs?: number;
      budget?: CallBudget;
      /** Put before every topic title (the cabinet's name in a group several cabinets share), kept within 128. */
      titlePrefix?: string;
    } = {},
  ) {}

  /** The title as Telegram gets it: with the prefix, cut to Telegram's 128 characters. */
  private title(title: string): string {
    const prefix = this.options.titlePrefix;
    if (!prefix) return title;
    const chars = [...`${prefix}${title}`];
    return chars.length <= TOPIC_TITLE_LIMIT ? chars.join('') : `${chars.slice(0, TOPIC_TITLE_LIMIT - 1).join('')}…`;
  }

  /** Telegram closes topics in supergroups only, never in a private chat. */
  get canCloseTopics(): boolean {
    return !isPrivateChat(this.chatId);
  }

  /** Runs `call` with its Telegram calls in `lane` of the group's budget, for topic `key` (fair across topics). */
  private lane<T>(lane: Lane, key: number, call: () => Promise<T>): Promise<T> {
    return this.options.budget ? this.options.budget.within(lane, key, call) : call();
  }

  async createTopic(title: string, lane: Lane = 'live'): Promise<TopicId> {
    const topic = await this.lane(lane, 0, () => this.api.createForumTopic(this.chatId, this.title(title)));
    return toTopicId(topic.message_thread_id);
  }

  async reserveTurn(topicId: TopicId, lane: Lane): Promise<() => void> {
    return this.options.budget ? this.options.budget.reserve(lane, topicId) : () => {};
  }

  async renameTopic(topicId: TopicId, title: string): Promise<void> {
    try {
      await this.lane('cosmetic', topicId, () =>
        this.api.editForumTopic(this.chatId, topicId, { name: this.title(title) }),
      );
    } catch (err) {
      if (err instanceof GrammyError && /TOPIC_NOT_MODIFIED/i.test(err.description)) return;
      throw this.map(err, topicId);
    }
  }

  async closeTopic(topicId: TopicId): Promise<void> {
    await this.setClosed(topicId, 'cosmetic', () => this.api.closeForumTopic(this.chatId, topicId));
  }

  async reopenTopic(topicId: TopicId, lane: Lane = 'live'): Promise<void> {
    await this.setClosed(topicId, lane, () => this.api.reopenForumTopic(this.chatId, topicId));
  }

  /** Closes or reopens a topic; Telegram's TOPIC_NOT_MODIFIED (it already was) is what was asked for. */
  private async setClosed(topicId: TopicId, lane: Lane, call: () => Promise<true>): Promise<void> {
    try {
      await this.lane(lane, topicId, call);
    } catch (err) {
      if (err instanceof GrammyError && /TOPIC_NOT_MODIFIED/i.test(err.description)) return;
      throw this.map(err, topicId);
    }
  }

  async sendText(
    topicId: TopicId,
    text: Html,
    options?: { replyTo?: TelegramMessageId; buttons?: Button[]; lane?: Lane; preview?: string },
  ): Promise<TelegramMessageId> {
    try {
      const send = () =>
        this.api.sendMessage(this.chatId, text.markup, {
          message_thread_id: topicId,
          parse_mode: 'HTML',
          link_preview_options: options?.preview
            ? { url: options.preview, prefer_large_media: true }
            : { is_disabled: true },
          reply_parameters: options?.replyTo
            ? { message_id: options.replyTo, allow_sending_without_reply: true }
            : undefined,
          reply_markup: keyboard(options?.buttons),
        });
      const msg = await this.lane(options?.lane ?? 'operator', topicId, send);
      return telegramMessageId(msg.message_id);
    } catch (err) {
      throw this.map(err, topicId);
    }
  }

  async editText(messageId: TelegramMessageId, text: Html, buttons?: Button[], lane?: Lane): Promise<void> {
    const edit = () =>
      this.api.editMessageText(this.chatId, messageId, text.markup, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: keyboard(buttons) ?? { inline_keyboard: [] },
      });
    try {
      // Counted for the message, not its topic: an edit never takes the turn a topic's sync reserved for its post
      // (a topic's id is the id of the service message that created it, never that of a message the bot sent).
      await (lane === undefined ? edit() : this.lane(lane, messageId, edit));
    } catch (err) {
      if (err instanceof GrammyError && /message is not modified/i.test(err.description)) return;
      if (err instanceof GrammyError && MESSAGE_GONE.test(err.description)) {
        throw new MessageGoneError(messageId);
      }
      throw err;
    }
  }

  async sendGeneral(text: Html, options?: { buttons?: Button[]; lane?: Lane }): Promise<TelegramMessageId> {
    const reply_markup = keyboard(options?.buttons);
    const send = () =>
      this.api.sendMessage(this.chatId, text.markup, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(reply_markup && { reply_markup }),
      });
    try {
      const msg = await this.lane(options?.lane ?? 'operator', 0, send);
      return telegramMessageId(msg.message_id);
    } catch (err) {
      if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 413)) {
        throw new TelegramRefusedError(err.method, err.error_code, err.description);
      }
      throw err;
    }
  }

  async pin(messageId: TelegramMessageId, lane: Lane = 'cosmetic'): Promise<void> {
    try {
      await this.lane(lane, 0, () => this.api.pinChatMessage(this.chatId, messageId, { disable_notification: true }));
    } catch (err) {
      if (err instanceof GrammyError && /message to pin not found|MESSAGE_ID_INVALID/i.test(err.description)) {
        throw new MessageGoneError(messageId);
      }
      throw err;
    }
  }

  async pinned(): Promise<{ messageId: TelegramMessageId; sentAtMs: number } | undefined> {
    const chat = await this.api.getChat(this.chatId);
    const msg = 'pinned_message' in chat ? chat.pinned_message : undefined;
    return msg ? { messageId: telegramMessageId(msg.message_id), sentAtMs: msg.date * 1000 } : undefined;
  }

  async deleteMessage(messageId: TelegramMessageId): Promise<void> {
    try {
      await this.api.deleteMessage(this.chatId, messageId);
    } catch (err) {
      if (err instanceof GrammyError && /message to delete not found/i.test(err.description)) return;
      throw err;
    }
  }

  async sendFile(
    topicId: TopicId,
    file: TelegramFile,
    caption?: Html,
    lane: Lane = 'live',
  ): Promise<TelegramMessageId> {
    return this.lane(lane, topicId, () => this.postFile(topicId, file, caption));
  }

  private async postFile(topicId: TopicId, file: TelegramFile, caption?: Html): Promise<TelegramMessageId> {
    const other = { message_thread_id: topicId, caption: caption?.markup, parse_mode: 'HTML' as const };
    const name = safeFileName(file.name);
    try {
      if (file.kind === 'photo') {
        try {
          const msg = await this.api.sendPhoto(this.chatId, new InputFile(file.data, name), other);
          return telegramMessageId(msg.message_id);
        } catch (err) {
          // Telegram refuses some images as photos (dimensions, format): post them as documents instead.
          if (!(err instanceof GrammyError) || err.error_code !== 400 || TOPIC_GONE.test(err.description)) throw err;
        }
      }
      const msg = await this.api.sendDocument(this.chatId, new InputFile(file.data, name), other);
      return telegramMessageId(msg.message_id);
    } catch (err) {
      throw this.map(err, topicId);
    }
  }

  async react(messageId: TelegramMessageId, emoji: string): Promise<void> {
    await this.api.setMessageReaction(this.chatId, messageId, [{ type: 'emoji', emoji: emoji as '👍' }]);
  }

  async downloadFile(fileId: string, maxBytes: number): Promise<{ data: Uint8Array; path?: string }> {
    const file = await this.api.getFile(fileId);
    if (!file.file_path) throw new Error('Telegram gave no file path for this file');
    if (file.file_size !== undefined && file.file_size > maxBytes) {
      throw new Error(`the file is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB`);
    }
    const timeoutMs = this.options.downloadTimeoutMs ?? DOWNLOAD_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(`${this.fileRoot}/${file.file_path}`, { signal });
      if (!res.ok || !res.body) throw new Error(`Telegram file download failed with HTTP ${res.status}`);
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > maxBytes) throw new Error(`the file is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB`);
        chunks.push(chunk);
      }
      return { data: Buffer.concat(chunks), path: file.file_path };
    } catch (err) {
      if (signal.aborted) throw new Error(`the download took longer than ${timeoutMs / 1000} s`, { cause: err });
      throw err;
    }
  }

  private map(err: unknown, topicId: TopicId): unknown {
    if (err instanceof GrammyError && err.error_code === 400 && TOPIC_GONE.test(err.description)) {
      return new TopicGoneError(topicId);
    }
    // Any other 400 (or 413, too large) is about this request: sending it again cannot help.
    if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 413)) {
      return new TelegramRefusedError(err.method, err.error_code, err.description);
    }
    return err;
  }
}

function keyboard(
  buttons: Button[] | undefined,
): { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  return { inline_keyboard: [buttons.map((b) => ({ text: b.text, callback_data: encodeAction(b.action) }))] };
}
