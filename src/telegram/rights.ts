/**
 * The bot's standing in the group: still in it, still an administrator with the "Manage topics" right.
 * Telegram is asked (getChatMember, one cheap read) every minute and soon after a call was refused for
 * lack of rights. A lost right makes readiness fail with the reason, is logged at error level with what to
 * fix, and is said once per episode in the General topic when the bot can still post there. A person's private
 * chat with the bot (solo mode) has no administrators and no rights to lose: there nothing is watched.
 */
import { GrammyError, type Api } from 'grammy';
import type { Logger } from 'pino';
import type { Texts } from '../bridge/texts.ts';
import { isPrivateChat } from './solo.ts';

/** 400 descriptions Telegram gives when the bot lacks a right in the chat (403 always means it is not in it). */
const RIGHTS_REFUSED =
  /not enough rights|CHAT_ADMIN_REQUIRED|have no rights|need administrator rights|CHAT_WRITE_FORBIDDEN/i;

/**
 * Whether Telegram refused a call because of the bot's place in the group (kicked, not an administrator,
 * no "Manage topics" right), as opposed to a bad request, a missing topic, flood control or an outage.
 * The bot only calls methods about its own group, so every 403 is about the group.
 */
export function isRightsError(code: number | undefined, description = ''): boolean {
  return code === 403 || (code === 400 && RIGHTS_REFUSED.test(description));
}

export interface GroupRightsOptions {
  /** A plain client (no auto-retry, short timeout): a check never waits behind retries. */
  api: Api;
  chatId: number;
  bot: { id: number; username: string };
  /** How often the rights are checked without a reason (default a minute). */
  intervalMs?: number;
  /**
   * At most one check this often when calls are refused; while the rights are missing, they are checked this
   * often, so their return shows soon (default 15 s).
   */
  minGapMs?: number;
  log: Logger;
  texts: Pick<Texts, 'rightsLost' | 'rightsBack'>;
  /** Posts a text into the General topic; throws when it could not. */
  announce: (text: string) => Promise<void>;
  now?: () => number;
}

export class GroupRights {
  private current?: string;
  /** The General topic was told about the current episode. */
  private told = false;
  private lastCheck: number;
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly o: GroupRightsOptions) {
    this.now = o.now ?? Date.now;
    // The start checked the rights already.
    this.lastCheck = this.now();
  }

  /** What is wrong with the bot's rights, with what to do; undefined while they are fine. */
  get problem(): string | undefined {
    return this.current;
  }

  /** Starts the watch; in a private chat (solo mode) there is nothing to watch, and it never asks Telegram. */
  start(): void {
    if (isPrivateChat(this.o.chatId)) return;
    this.timer ??= setInterval(() => void this.check(), this.o.intervalMs ?? 60_000).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = this.soon = undefined;
  }

  /** Sees a Telegram answer: a refusal for lack of rights brings the next check forward. */
  answered(code: number | undefined, description: string | undefined): void {
    if (isRightsError(code, description)) this.checkSoon();
  }

  private checkSoon(): void {
    if (this.soon || !this.timer) return;
    const wait = Math.max(0, this.lastCheck + (this.o.minGapMs ?? 15_000) - this.now());
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.check();
    }, wait).unref();
  }

  /** Asks Telegram about the bot's membership; concurrent calls share one request. Never throws. */
  check(): Promise<void> {
    if (isPrivateChat(this.o.chatId)) return Promise.resolve();
    this.running ??= this.ask().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async ask(): Promise<void> {
    this.lastCheck = this.now();
    const bot = `@${this.o.bot.username}`;
    let problem: string | undefined;
    try {
      const member = await this.o.api.getChatMember(this.o.chatId, this.o.bot.id);
      if (member.status === 'left' || member.status === 'kicked') {
        problem = `the bot was removed from the group: add ${bot} to the group again as an administrator with the "Manage topics" right`;
      } else if (member.status !== 'administrator') {
        problem = `the bot is no longer an administrator of the group: promote ${bot} to administrator with the "Manage topics" right`;
      } else if (!member.can_manage_topics) {
        problem = `the bot lost the "Manage topics" right: edit ${bot}'s administrator rights in the group and enable "Manage topics"`;
      }
    } catch (err) {
      // An outage or a timeout says nothing about the rights: keep what we know.
      if (!(err instanceof GrammyError) || !isRightsError(err.error_code, err.description)) return;
      problem = `the bot was removed from the group (Telegram says "${err.description}"): add ${bot} to the group again as an administrator with the "Manage topics" right`;
    }
    await this.settle(problem);
    if (problem !== undefined) this.checkSoon();
  }

  private async settle(problem: string | undefined): Promise<void> {
    const was = this.current;
    this.current = problem;
    if (problem !== undefined) {
      if (problem !== was) this.o.log.error({ chatId: this.o.chatId }, `Telegram: ${problem}`);
      if (!this.told) this.told = await this.say(this.o.texts.rightsLost(this.o.bot.username));
      return;
    }
    if (was === undefined) return;
    this.o.log.info({ chatId: this.o.chatId }, 'Telegram: the bot has its rights in the group again');
    if (this.told) await this.say(this.o.texts.rightsBack);
    this.told = false;
  }

  private async say(text: string): Promise<boolean> {
    try {
      await this.o.announce(text);
      return true;
    } catch (err) {
      this.o.log.debug({ err }, 'could not post into the General topic');
      return false;
    }
  }
}
