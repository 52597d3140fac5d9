/**
 * The Telegram checks: the token, the chat (a forum supergroup, or a private chat with topics), the bot's rights
 * in it and privacy mode, asked with a plain API client (no auto-retry, a short timeout) so that a wrong setting
 * is reported at once instead of being retried forever. The start-up check runs the ones a start cannot do
 * without (token, chat, manage topics); the doctor runs them all.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { ChatFullInfo, ChatMember, UserFromGetMe } from 'grammy/types';
import { fail, pass, problemOf, skip, type CheckResult } from './check.ts';

export const TELEGRAM_CHECKS = {
  token: 'Telegram bot token',
  chat: 'Telegram chat',
  admin: 'bot rights: manage topics',
  pin: 'bot rights: pin messages',
  privacy: 'privacy mode',
} as const;

export interface TelegramCheckOptions {
  token: string;
  apiRoot: string;
  /** TELEGRAM_CHAT_ID: a forum supergroup (negative), or a user's private chat with the bot (positive). */
  chatId: number;
  /** The bot's identity when already known (tests): getMe is skipped. */
  botInfo?: UserFromGetMe;
  /** The deadline of each call (default 20 s). */
  timeoutSeconds?: number;
}

/** What Telegram says about the bot, the chat and the bot in the chat, each asked once, when first needed. */
export class TelegramFacts {
  readonly api: Api;
  private asked: { me?: Promise<UserFromGetMe>; chat?: Promise<ChatFullInfo>; member?: Promise<ChatMember> } = {};

  constructor(readonly o: TelegramCheckOptions) {
    this.api = new Api(o.token, { apiRoot: o.apiRoot, timeoutSeconds: o.timeoutSeconds ?? 20 });
  }

  me(): Promise<UserFromGetMe> {
    return (this.asked.me ??= this.o.botInfo ? Promise.resolve(this.o.botInfo) : this.api.getMe());
  }

  chat(): Promise<ChatFullInfo> {
    return (this.asked.chat ??= this.api.getChat(this.o.chatId));
  }

  member(): Promise<ChatMember> {
    return (this.asked.member ??= this.me().then((me) => this.api.getChatMember(this.o.chatId, me.id)));
  }
}

/** The bot and its chat are usable (`bot` is the bot's identity), or `problem` says what a person must fix. */
export type TelegramPreflight = { ok: true; bot: UserFromGetMe } | { ok: false; problem: string; cause?: unknown };

/** The start-up check: the token, the chat and the right to manage topics. Throws only what it cannot explain. */
export async function checkTelegram(o: TelegramCheckOptions): Promise<TelegramPreflight> {
  const facts = new TelegramFacts(o);
  for (const check of [tokenCheck, chatCheck, adminCheck]) {
    const result = await check(facts);
    if (!result.ok) return { ok: false, problem: problemOf(result), cause: result.cause };
  }
  return { ok: true, bot: await facts.me() };
}

/** Every Telegram check but the webhook's; a check that needs what an earlier one could not get is skipped. */
export async function telegramChecks(facts: TelegramFacts): Promise<CheckResult[]> {
  const token = await tokenCheck(facts);
  const later = [TELEGRAM_CHECKS.chat, TELEGRAM_CHECKS.admin, TELEGRAM_CHECKS.pin, TELEGRAM_CHECKS.privacy];
  if (!token.ok) return [token, ...later.map((name) => skip(name, 'not checked: needs a working bot token'))];
  const chat = await chatCheck(facts);
  const chatKnown = await facts.chat().then(
    () => true,
    () => false,
  );
  if (!chatKnown) return [token, chat, ...later.slice(1).map((name) => skip(name, 'not checked: needs the chat'))];
  return [token, chat, await adminCheck(facts), await pinCheck(facts), await privacyCheck(facts)];
}

/** getMe answers: the token is a bot's. */
export async function tokenCheck(facts: TelegramFacts): Promise<CheckResult> {
  try {
    const me = await facts.me();
    return pass(TELEGRAM_CHECKS.token, `the bot @${me.username} (id ${me.id})`);
  } catch (err) {
    return explain(TELEGRAM_CHECKS.token, err, facts.o);
  }
}

/** The chat exists for the bot and has topics: a forum supergroup, or a private chat with topics turned on. */
export async function chatCheck(facts: TelegramFacts): Promise<CheckResult> {
  const name = TELEGRAM_CHECKS.chat;
  const { chatId } = facts.o;
  try {
    const chat = await facts.chat();
    if (chat.type === 'private') {
      const me = await facts.me();
      if (me.has_topics_enabled) return pass(name, `the private chat with ${chat.first_name}, with topics`);
      return fail(
        name,
        `TELEGRAM_CHAT_ID ${chatId} is a person's private chat with the bot (solo mode), and topics are off for @${me.username} in private chats`,
        `in @BotFather open the Mini App (Open), choose @${me.username}, then Bot Settings → Threads Settings, and turn on Threaded Mode (docs/setup.md, "Solo mode"). For a group, write the forum supergroup's id instead, -100 followed by digits.`,
        { fatal: true },
      );
    }
    if (chat.type === 'group') {
      return fail(
        name,
        `TELEGRAM_CHAT_ID ${chatId} is a basic group, so Topics is still off in it`,
        'turn on Topics in the group settings (Edit → Topics). Telegram then makes it a supergroup with a new id, -100 followed by digits: find it again (docs/setup.md, "Finding the chat id").',
        { fatal: true },
      );
    }
    if (chat.type !== 'supergroup' || !chat.is_forum) {
      return fail(
        name,
        `TELEGRAM_CHAT_ID ${chatId} is not a forum supergroup`,
        'turn on Topics in the group settings (Edit → Topics).',
        { fatal: true },
      );
    }
    return pass(name, `"${chat.title}", a forum supergroup`);
  } catch (err) {
    return explain(name, err, facts.o);
  }
}

/** In a group: the bot is an administrator with the "Manage topics" right. A private chat needs no rights. */
export async function adminCheck(facts: TelegramFacts): Promise<CheckResult> {
  const name = TELEGRAM_CHECKS.admin;
  try {
    if ((await facts.chat()).type === 'private') return skip(name, 'not needed in a private chat');
    const [me, member] = await Promise.all([facts.me(), facts.member()]);
    if (member.status !== 'administrator' || !member.can_manage_topics) {
      return fail(
        name,
        `The bot is not an administrator with the "Manage topics" right in ${facts.o.chatId}`,
        `promote @${me.username} to admin and enable "Manage topics".`,
        { fatal: true },
      );
    }
    return pass(name, 'an administrator with "Manage topics"');
  } catch (err) {
    return explain(name, err, facts.o);
  }
}

/** In a group: the bot may pin, so the desk's board stays on top of General. Not fatal: the board works unpinned. */
export async function pinCheck(facts: TelegramFacts): Promise<CheckResult> {
  const name = TELEGRAM_CHECKS.pin;
  try {
    if ((await facts.chat()).type === 'private') return skip(name, 'not needed in a private chat');
    const [me, member] = await Promise.all([facts.me(), facts.member()]);
    if (member.status !== 'administrator' || !member.can_pin_messages) {
      return fail(
        name,
        `@${me.username} may not pin messages in ${facts.o.chatId}, so the waiting board in General stays unpinned`,
        `enable "Pin messages" in the bot's administrator rights.`,
      );
    }
    return pass(name, 'may pin the waiting board in General');
  } catch (err) {
    return explain(name, err, facts.o);
  }
}

/**
 * The bot sees every message in the group: with privacy mode off, or as an administrator (admins see all
 * messages whatever the privacy mode). In a private chat the bot sees everything anyway.
 */
export async function privacyCheck(facts: TelegramFacts): Promise<CheckResult> {
  const name = TELEGRAM_CHECKS.privacy;
  try {
    if ((await facts.chat()).type === 'private') return skip(name, 'does not apply to a private chat');
    const [me, member] = await Promise.all([facts.me(), facts.member()]);
    if (member.status === 'administrator') {
      const mode = me.can_read_all_group_messages ? 'off' : 'on, but the bot is an administrator, so';
      return pass(name, `${mode} it sees every message in the group`);
    }
    if (me.can_read_all_group_messages) {
      return pass(name, 'off: the bot sees every message in groups it joined after privacy was turned off');
    }
    return fail(
      name,
      `privacy mode is on and @${me.username} is not an administrator, so it sees only commands and replies to it`,
      'make the bot an administrator (see "Manage topics" above), or turn privacy off in @BotFather (/setprivacy → Disable) and add the bot to the group again.',
    );
  } catch (err) {
    return explain(name, err, facts.o);
  }
}

/** A refused or failed call as the check's failure; throws what is not Telegram's (a bug). */
function explain(name: string, err: unknown, o: TelegramCheckOptions): CheckResult {
  if (err instanceof GrammyError && err.error_code === 401) {
    return fail(name, 'TELEGRAM_BOT_TOKEN was rejected by Telegram', 'copy the token again from @BotFather.', {
      fatal: true,
    });
  }
  if (err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403)) {
    const fix =
      o.chatId > 0
        ? `open the chat with the bot in Telegram and press Start, and check the id.${groupIdHint(o.chatId)}`
        : 'add the bot to the group as an administrator and check the id.';
    return fail(name, `TELEGRAM_CHAT_ID ${o.chatId}: Telegram says "${err.description}"`, fix, { fatal: true });
  }
  if (err instanceof GrammyError) {
    return fail(
      name,
      `Telegram answered ${err.method} with ${err.error_code}: "${err.description}"`,
      'try again in a minute; if it persists, check TELEGRAM_API_ROOT.',
      { fatal: true, cause: err },
    );
  }
  if (err instanceof HttpError) {
    return fail(
      name,
      `Telegram (${o.apiRoot}) cannot be reached: ${err.message}`,
      'check the network or TELEGRAM_API_ROOT.',
      { fatal: true, cause: err },
    );
  }
  throw err;
}

/**
 * For a positive id Telegram does not know: a group's id is negative, and one copied without its -100 (or its
 * minus) looks like this. A positive id can also be a person's, so this is a hint, not a correction.
 */
function groupIdHint(chatId: number): string {
  const digits = String(chatId);
  // Supergroup ids have 10 digits or more after their -100; a shorter one is a person's.
  if (digits.length < 10) return '';
  const group = digits.startsWith('100') && digits.length >= 13 ? `-${digits}` : `-100${digits}`;
  return ` A group's id is negative: if ${chatId} was meant to be the group, write ${group}.`;
}
