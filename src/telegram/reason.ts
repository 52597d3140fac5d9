/** Why Telegram refused a call, for a message to a person. */
import { GrammyError } from 'grammy';

/** What Telegram said about a refused call, or the error's message. */
export function telegramReason(err: unknown): string {
  return err instanceof GrammyError ? err.description : (err as Error).message;
}
