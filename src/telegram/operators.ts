/**
 * Who may answer buyers (the OPERATORS setting): everyone in the group, the group's administrators, or a
 * list of Telegram user ids. The administrators are read with getChatAdministrators at start, kept up to date
 * from `chat_member` updates, and read again every few minutes as a safety net, so that the check on every
 * message is synchronous and never waits for Telegram. In a person's private chat with the bot (solo mode) only
 * that person answers, whatever OPERATORS says.
 */
import type { Bot } from 'grammy';
import type { ChatMember, ChatMemberUpdated } from 'grammy/types';
import type { Logger } from 'pino';
import { isPrivateChat } from './solo.ts';

/** Default interval of the safety-net refresh of the administrators. */
export const ADMINS_REFRESH_MS = 5 * 60_000;

/** Who wrote a message or pressed a button, as far as Telegram tells. */
export interface Sender {
  /** The person's Telegram user id; for an anonymous admin it is unknown (undefined). */
  userId?: number;
  /** Posted as the group itself: only an administrator can do that. */
  anonymousAdmin: boolean;
}

/** Who may answer buyers: everyone in the group, its administrators, or the listed Telegram user ids. */
export type OperatorPolicy = { kind: 'all' } | { kind: 'admins' } | { kind: 'ids'; ids: readonly number[] };

const ADMIN_STATUSES = new Set<ChatMember['status']>(['creator', 'administrator']);

export class Operators {
  private admins = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly ids: ReadonlySet<number>;
  /** What applies: OPERATORS in a group; in a private chat, its person alone. */
  private readonly setting: OperatorPolicy;

  /**
   * `setting` is OPERATORS. In a private chat (`groupId` is a person's id: solo mode) it does not apply: only that
   * person may answer buyers. Nobody else can write there anyway, and a private chat has no administrators to
   * read (getChatAdministrators fails in it), so `admins` would leave nobody.
   */
  constructor(
    setting: OperatorPolicy,
    private readonly deps: {
      api: { getChatAdministrators(chatId: number): Promise<readonly ChatMember[]> };
      groupId: number;
      logger: Logger;
      refreshMs?: number;
    },
  ) {
    const solo = isPrivateChat(deps.groupId);
    if (solo && setting.kind !== 'all') {
      deps.logger.info(
        { operators: setting.kind },
        'OPERATORS does not apply in a private chat: only the person the chat is with answers buyers',
      );
    }
    this.setting = solo ? { kind: 'ids', ids: [deps.groupId] } : setting;
    this.ids = new Set(this.setting.kind === 'ids' ? this.setting.ids : []);
  }

  /** Whether the bot must ask Telegram for `chat_member` updates (allowed_updates). */
  get watchesMembers(): boolean {
    return this.setting.kind === 'admins';
  }

  /**
   * Reads the administrators (OPERATORS=admins) and starts the periodic refresh. Throws when Telegram does
   * not answer: without the list the bot could not tell operators from viewers.
   */
  async start(): Promise<void> {
    if (this.setting.kind !== 'admins') return;
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'could not refresh the group administrators; keeping the last list'),
      );
    }, this.deps.refreshMs ?? ADMINS_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the group's administrators afresh. */
  async refresh(): Promise<void> {
    const members = await this.deps.api.getChatAdministrators(this.deps.groupId);
    this.admins = new Set(members.filter((m) => ADMIN_STATUSES.has(m.status)).map((m) => m.user.id));
    this.deps.logger.debug({ admins: this.admins.size }, 'group administrators read');
  }

  /** Whether this sender may answer buyers. */
  mayAnswer(sender: Sender): boolean {
    switch (this.setting.kind) {
      case 'all':
        return true;
      case 'admins':
        return sender.anonymousAdmin || (sender.userId !== undefined && this.admins.has(sender.userId));
      case 'ids':
        // An anonymous admin cannot be told apart from the other admins, so a list never matches them.
        return sender.userId !== undefined && this.ids.has(sender.userId);
    }
  }

  /** A member of the group was promoted, demoted, left or was removed (a `chat_member` update). */
  memberChanged(update: ChatMemberUpdated): void {
    if (update.chat.id !== this.deps.groupId) return;
    const userId = update.new_chat_member.user.id;
    const admin = ADMIN_STATUSES.has(update.new_chat_member.status);
    if (admin === this.admins.has(userId)) return;
    if (admin) this.admins.add(userId);
    else this.admins.delete(userId);
    this.deps.logger.info({ userId, status: update.new_chat_member.status }, 'group administrators changed');
  }

  /** Follows `chat_member` updates (they arrive only when allowed_updates lists them; see watchesMembers). */
  install(bot: Bot): void {
    bot.on('chat_member', (ctx, next) => {
      this.memberChanged(ctx.chatMember);
      return next();
    });
  }
}
