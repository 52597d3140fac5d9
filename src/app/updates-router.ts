/**
 * Where the process's one bot hands each Telegram update when it serves several cabinets: to the cabinets of the
 * update's chat. In a chat several cabinets share, an update in a topic goes to the cabinet whose store knows the
 * topic (a topic none knows: to the chat's first cabinet, which answers as for any topic that is no chat's);
 * everything else (General: /status, /mine, quick replies; chat_member updates) goes to each of them, and each
 * answers for itself, its name first. Updates of other chats go nowhere.
 */
import type { Bot, Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';

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

/** Installs the routing on the process's bot. */
export function routeUpdates(router: Bot, cabinets: readonly RoutedCabinet[], log: Logger): void {
  router.use(async (ctx) => {
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
