/**
 * Setup mode: the service runs without TELEGRAM_CHAT_ID and waits to be given a chat. It logs a one-time code;
 * the person running the server sends it to the bot in a private chat (solo mode: topics in that private chat) or
 * posts it in a group where the bot was added (group mode). The bot checks what it needs there — topics on, its
 * admin rights; or topics in private chats turned on for it — says in that chat what is still missing, and once
 * everything is right writes the binding (store/binding.ts) and ends, so the bridge starts on that chat. Nobody
 * without the code, which only the server's log shows, can bind a chat.
 */
import { randomInt } from 'node:crypto';
import { Bot, GrammyError, type Context } from 'grammy';
import type { Chat, UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { writeBinding, type ChatBinding } from '../store/binding.ts';
import { setupTexts, type SetupTexts } from './setup-texts.ts';

/** Letters and digits that cannot be mistaken for one another when typed from a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
/** `/start CODE` (a t.me link), `/setup CODE` (with the bot's name in a group), or the code alone. */
const ATTEMPT = /^\/(?:start|setup)(?:@\w+)?\s+(\S+)\s*$|^([A-Za-z0-9]{10})$/;

export interface SetupModeOptions {
  token: string;
  apiRoot: string;
  language: 'ru' | 'en';
  dataDir: string;
  logger: Logger;
  /** Tests: a known code instead of a random one. */
  code?: string;
}

export interface SetupMode {
  readonly code: string;
  readonly bot: UserFromGetMe;
  /** Resolves once a chat is bound (and the setup bot has stopped polling). */
  readonly bound: Promise<ChatBinding>;
  /** Stops waiting (a signal): `bound` never resolves then. */
  stop(): Promise<void>;
}

/** A fresh one-time code: 10 characters, about 50 bits. */
export function setupCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** Starts setup mode; throws the grammY error when the token is refused (the caller says what to fix). */
export async function startSetupMode(o: SetupModeOptions): Promise<SetupMode> {
  const bot = new Bot(o.token, { client: { apiRoot: o.apiRoot, timeoutSeconds: 20 } });
  await bot.init();
  const me = bot.botInfo;
  const log = o.logger.child({ side: 'setup' });
  const texts = setupTexts(o.language);
  const code = (o.code ?? setupCode()).toUpperCase();
  // Updates come by long polling while the setup waits; a webhook left registered would keep them away.
  const webhook = await bot.api.getWebhookInfo();
  if (webhook.url) await bot.api.deleteWebhook();

  let done = false;
  let resolveBound: (b: ChatBinding) => void = () => undefined;
  const bound = new Promise<ChatBinding>((resolve) => (resolveBound = resolve));
  bot.on('message', async (ctx) => {
    const attempt = ATTEMPT.exec(ctx.message.text?.trim() ?? '');
    const given = attempt?.[1] ?? attempt?.[2];
    if (done || given === undefined) return;
    if (given.toUpperCase() !== code) {
      log.warn({ chatId: ctx.chat.id, from: ctx.from.id }, 'setup: a wrong code was sent');
      return void (await answer(ctx, texts.wrongCode));
    }
    const verdict = await check(bot, ctx.chat, texts).catch((err: unknown) => {
      log.warn({ err, chatId: ctx.chat.id }, 'setup: the chat could not be checked');
      return { problem: texts.checkFailed };
    });
    if ('problem' in verdict) {
      log.info({ chatId: ctx.chat.id, problem: verdict.problem }, 'setup: the chat is not ready');
      return void (await answer(ctx, verdict.problem));
    }
    done = true;
    const binding: ChatBinding = {
      chatId: ctx.chat.id,
      kind: ctx.chat.type === 'private' ? 'private' : 'group',
      ...('title' in ctx.chat && ctx.chat.title !== undefined && { title: ctx.chat.title }),
      boundBy: ctx.from.id,
      boundAt: new Date().toISOString(),
    };
    await writeBinding(o.dataDir, binding);
    await answer(ctx, verdict.ok);
    log.info({ chatId: binding.chatId, kind: binding.kind }, 'setup: chat bound; starting the bridge');
    // After this handler: stopping inside it would wait for itself.
    setImmediate(() => void bot.stop().then(() => resolveBound(binding)));
  });
  bot.catch((err) => log.error({ err: err.error }, 'setup: handling a message failed'));
  void bot.start({ allowed_updates: ['message'] }).catch((err: unknown) => {
    log.error({ err }, 'setup: receiving messages from Telegram stopped');
  });

  const name = me.username;
  log.warn(
    { code, privateLink: `https://t.me/${name}?start=${code}`, groupLink: `https://t.me/${name}?startgroup=${code}` },
    `setup mode: TELEGRAM_CHAT_ID is not set. To connect a chat, send "/start ${code}" to @${name} in a private ` +
      `chat (buyer chats then come as topics of that chat), or post "/setup@${name} ${code}" in your forum group ` +
      `where @${name} is an administrator with "Manage topics" (or open one of the links). The bot answers there.`,
  );
  return {
    code,
    bot: me,
    bound,
    stop: async () => {
      done = true;
      if (bot.isRunning()) await bot.stop();
    },
  };
}

/** What the chat lacks, or the words to say once it is bound. */
async function check(bot: Bot, chat: Chat, texts: SetupTexts): Promise<{ ok: string } | { problem: string }> {
  const name = bot.botInfo.username;
  if (chat.type === 'private') {
    const me = await bot.api.getMe();
    return me.has_topics_enabled ? { ok: texts.boundPrivate } : { problem: texts.noTopicsInPrivate(name) };
  }
  if (chat.type === 'group') return { problem: texts.basicGroup };
  const full = await bot.api.getChat(chat.id);
  if (full.type !== 'supergroup' || !full.is_forum) return { problem: texts.notForum };
  const member = await bot.api.getChatMember(chat.id, bot.botInfo.id);
  if (member.status !== 'administrator') return { problem: texts.notAdmin(name) };
  if (!member.can_manage_topics) return { problem: texts.noManageTopics(name) };
  return { ok: member.can_pin_messages ? texts.boundGroup : `${texts.boundGroup}\n\n${texts.noPinRight}` };
}

async function answer(ctx: Context, text: string): Promise<void> {
  try {
    await ctx.reply(text, { reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true } });
  } catch (err) {
    if (!(err instanceof GrammyError)) throw err;
  }
}
