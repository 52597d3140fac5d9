/**
 * Where the process's one bot hands each Telegram update when it serves several cabinets: to the cabinets of the
 * update's chat. In a chat several cabinets share, an update in a topic goes to the cabinet whose store knows the
 * topic (a topic none knows: to the chat's first cabinet, which answers as for any topic that is no chat's);
 * everything else (General: /status, /mine, quick replies; chat_member updates) goes to each of them, and each
 * answers for itself, its name first — except /chat, which opens one buyer chat: there it names its cabinet first
 * (`/chat shop-a 123`) and goes to that cabinet alone, the name taken out; without a cabinet's name the router
 * answers which names there are. Updates of other chats go nowhere.
 */
import type { Bot, Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';

/** `/chat`, `/chat@bot`, then its arguments. */
const CHAT_COMMAND = /^(\/chat(?:@\w+)?)(?:\s+(\S+))?(\s[\s\S]*)?$/;

/** What the router needs of a cabinet. */
export interface RoutedCabinet {
  readonly name: string;
  readonly chatId: number;
  readonly parts: { bot: { handleUpdate(update: Update): Promise<void> } };
  ownsTopic(topicId: number): boolean;
}

/** The cabinets an update is for (see the module's comment). */
export function cabinetsFor<C extends RoutedCabinet>(ctx: Context, cabinets: readonly C[]): C[] {
  const chatId = ctx.chat?.id;
  const ofChat = cabinets.filter((c) => c.chatId === chatId);
  if (ofChat.length <= 1) return ofChat;
  const msg = ctx.msg;
  const topic = msg?.is_topic_message ? msg.message_thread_id : undefined;
  if (topic === undefined) return ofChat;
  const owner = ofChat.find((c) => c.ownsTopic(topic));
  return [owner ?? ofChat[0]!];
}

/**
 * A /chat in General of a chat several cabinets share: the cabinet it names, with the update as that cabinet
 * should see it (the name taken out); `undefined` when it names none of them. Null when it is not such a /chat.
 */
export function chatCommandFor<C extends RoutedCabinet>(
  update: Update,
  ofChat: readonly C[],
): { cabinet: C; update: Update } | undefined | null {
  const msg = update.message;
  const m = msg?.text === undefined || msg.is_topic_message ? null : CHAT_COMMAND.exec(msg.text);
  if (!msg || !m || ofChat.length <= 1) return null;
  const cabinet = ofChat.find((c) => c.name === m[2]);
  if (!cabinet) return undefined;
  const text = `${m[1]}${m[3] ?? ''}`;
  return { cabinet, update: { ...update, message: { ...msg, text } } };
}

/** Installs the routing on the process's bot; `whichCabinet` is what /chat without a cabinet's name answers. */
export function routeUpdates(
  router: Bot,
  cabinets: readonly RoutedCabinet[],
  log: Logger,
  whichCabinet: (names: readonly string[]) => string,
): void {
  router.use(async (ctx) => {
    const ofChat = cabinets.filter((c) => c.chatId === ctx.chat?.id);
    const chat = chatCommandFor(ctx.update, ofChat);
    if (chat === undefined) {
      await ctx
        .reply(whichCabinet(ofChat.map((c) => c.name)), {
          reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true },
        })
        .catch((err: unknown) => log.warn({ err }, 'could not answer a /chat without a cabinet'));
      return;
    }
    if (chat) {
      await chat.cabinet.parts.bot.handleUpdate(chat.update).catch((err: unknown) => {
        log.error({ err, cabinet: chat.cabinet.name, updateId: ctx.update.update_id }, 'update handler failed');
      });
      return;
    }
    const targets = cabinetsFor(ctx, cabinets);
    await Promise.all(
      targets.map((c) =>
        c.parts.bot.handleUpdate(ctx.update).catch((err: unknown) => {
          log.error({ err, cabinet: c.name, updateId: ctx.update.update_id }, 'update handler failed');
        }),
      ),
    );
  });
  router.catch((err) => {
    log.error({ err: err.error, updateId: err.ctx.update.update_id }, 'update routing failed');
  });
}
