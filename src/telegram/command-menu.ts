/**
 * The bot's commands in Telegram's command menu (setMyCommands), for the configured group: in English for every
 * language without a list of its own, and in Russian for people whose Telegram speaks it. Set once at start-up;
 * it posts nothing, so it does not count against the group's flood limit, and a failure is only logged: the
 * commands work when typed.
 */
import type { Api } from 'grammy';
import type { BotCommand, LanguageCode } from 'grammy/types';
import type { Logger } from 'pino';
import { BOT_COMMANDS } from '../bridge/command-texts.ts';
import { textsFor, type Language } from '../bridge/texts.ts';

/** The menu in one language: every command of BOT_COMMANDS with its line. */
export function menuCommands(language: Language): BotCommand[] {
  const menu = textsFor(language).commands.menu;
  return BOT_COMMANDS.map((command) => ({ command, description: menu[command] }));
}

/** The menus set, and the language_code each goes with (none: the default, English). */
const MENUS: ReadonlyArray<{ language: Language; languageCode?: LanguageCode }> = [
  { language: 'en' },
  { language: 'ru', languageCode: 'ru' },
];

/** Sets the menu of group `groupId` in both languages. Never rejects: a refusal is logged and the rest goes on. */
export async function registerCommandMenu(
  api: Pick<Api, 'setMyCommands'>,
  groupId: number,
  log: Logger,
): Promise<void> {
  for (const { language, languageCode } of MENUS) {
    try {
      await api.setMyCommands(menuCommands(language), {
        scope: { type: 'chat', chat_id: groupId },
        ...(languageCode !== undefined && { language_code: languageCode }),
      });
      log.debug({ groupId, language }, 'command menu set');
    } catch (err) {
      log.warn({ err, language }, 'could not set the command menu; the commands still work when typed');
    }
  }
}
