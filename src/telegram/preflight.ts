/**
 * The Telegram side's start-up check: the token, the group (a forum supergroup) and the bot's rights in it, or,
 * in solo mode, the person's private chat with the bot and the bot's topic mode there (getMe's
 * `has_topics_enabled`). Asked with a plain API client (no auto-retry, short timeout), so a wrong setting is
 * reported at once instead of being retried forever. Used at start and by anything that diagnoses a set-up.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';

export interface TelegramPreflightOptions {
  token: string;
  apiRoot: string;
  /** The forum supergroup the bridge posts into, or a person's private chat with the bot (a positive id). */
  chatId: number;
  /** The bot's identity when already known (tests): getMe is skipped. */
  botInfo?: UserFromGetMe;
}

/** The bot and its group are usable (`bot` is the bot's identity), or `problem` says what a person must fix. */
export type TelegramPreflight = { ok: true; bot: UserFromGetMe } | { ok: false; problem: string; cause?: unknown };

/** Checks the bot, the group and the bot's rights. Throws only what it cannot explain. */
export async function checkTelegram(o: TelegramPreflightOptions): Promise<TelegramPreflight> {
  const { chatId } = o;
  const api = new Api(o.token, { apiRoot: o.apiRoot, timeoutSeconds: 20 });
  try {
    const me = o.botInfo ?? (await api.getMe());
    const chat = await api.getChat(chatId);
    if (chat.type === 'private') {
      if (me.has_topics_enabled) return { ok: true, bot: me };
      return {
        ok: false,
        problem: `TELEGRAM_CHAT_ID ${chatId} is a person's private chat with the bot (solo mode), and topics are off for @${me.username} in private chats: in @BotFather open the Mini App (Open), choose @${me.username}, then Bot Settings → Threads Settings, and turn on Threaded Mode (docs/setup.md, "Solo mode"). For a group, write the forum supergroup's id instead, -100 followed by digits.`,
      };
    }
    if (chat.type === 'group') {
      return {
        ok: false,
        problem: `TELEGRAM_CHAT_ID ${chatId} is a basic group, so Topics is still off in it: turn on Topics in the group settings (Edit → Topics). Telegram then makes it a supergroup with a new id, -100 followed by digits: find it again (docs/setup.md, "Finding the chat id").`,
      };
    }
    if (chat.type !== 'supergroup' || !chat.is_forum) {
      return {
        ok: false,
        problem: `TELEGRAM_CHAT_ID ${chatId} is not a forum supergroup: turn on Topics in the group settings (Edit → Topics).`,
      };
    }
    const member = await api.getChatMember(chatId, me.id);
    if (member.status !== 'administrator' || !member.can_manage_topics) {
      return {
        ok: false,
        problem: `The bot is not an administrator with the "Manage topics" right in ${chatId}: promote @${me.username} to admin and enable "Manage topics".`,
      };
    }
    return { ok: true, bot: me };
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 401) {
      return {
        ok: false,
        problem: 'TELEGRAM_BOT_TOKEN was rejected by Telegram: copy the token again from @BotFather.',
      };
    }
    if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403)) {
      return {
        ok: false,
        problem: `TELEGRAM_CHAT_ID ${chatId}: Telegram says "${err.description}". Add the bot to the group as an administrator and check the id.${groupIdHint(chatId)}`,
      };
    }
    if (err instanceof HttpError) {
      return {
        ok: false,
        problem: `Telegram (${o.apiRoot}) cannot be reached: ${err.message}. Check the network or TELEGRAM_API_ROOT.`,
        cause: err,
      };
    }
    throw err;
  }
}

/**
 * For a positive id Telegram does not know: a group's id is negative, and one copied without its -100 (or its
 * minus) looks like this. A positive id can also be a person's, so this is a hint, not a correction.
 */
function groupIdHint(chatId: number): string {
  if (chatId <= 0) return '';
  const digits = String(chatId);
  const group = digits.startsWith('100') && digits.length >= 13 ? `-${digits}` : `-100${digits}`;
  return ` A group's id is negative: if ${chatId} was meant to be the group, write ${group}. If it is your own user id (solo mode), open your chat with the bot in Telegram and press Start first.`;
}

/** What Telegram said about a refused call, or the error's message. */
export function telegramReason(err: unknown): string {
  return err instanceof GrammyError ? err.description : (err as Error).message;
}
