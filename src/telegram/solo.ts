/**
 * Solo mode: TELEGRAM_CHAT_ID is a person's own Telegram id, and marketgram works in the bot's private chat with
 * that person instead of a group, one topic per conversation (Bot API 9.4, with the bot's Threaded Mode on in
 * @BotFather). Telegram gives people positive ids and groups negative ones, so the id alone tells the two apart.
 * What differs in such a chat: topics cannot be closed, there are no administrators or rights, links to topics
 * do not exist, and only that person can write there.
 */

/** Whether `chatId` is a person's private chat with the bot (solo mode) rather than a group. */
export function isPrivateChat(chatId: number): boolean {
  return chatId > 0;
}
