/**
 * Which topic methods the fake Telegram allows in which chat, as the Bot API documents them: in a forum
 * supergroup the bot needs the administrator right "Manage topics" (or to be the topic's creator, for edits and
 * closes); in a private chat with a user (Bot API 9.3/9.4) it needs forum topic mode turned on for the bot in
 * @BotFather (getMe's `has_topics_enabled`), and then creates, renames and deletes topics without any right, but
 * cannot close or reopen them (closeForumTopic and reopenForumTopic are for forum supergroups only).
 *
 * Descriptions come without Telegram's "Bad Request: " prefix. "the chat is not a forum" is what Telegram answers
 * createForumTopic in a private chat of a bot whose topic mode is off; "method is available only for supergroups"
 * is its answer to supergroup-only methods elsewhere, used here for closing a private chat's topic (a guess at the
 * exact wording for these two methods).
 */
import type { UserFromGetMe } from 'grammy/types';

export const NOT_A_FORUM = 'the chat is not a forum';
export const SUPERGROUPS_ONLY = 'method is available only for supergroups';

/** What the rules look at in a chat of the fake. */
export interface TopicChat {
  type: 'supergroup' | 'private';
  isForum: boolean;
  botIsAdmin: boolean;
  canManageTopics: boolean;
}

/** The bot's own settings that decide topics in private chats, as getMe reports them. */
export type BotTopicSettings = Pick<UserFromGetMe, 'has_topics_enabled' | 'allows_users_to_create_topics'>;

/** Whether the chat has topics: a forum supergroup, or a private chat of a bot with topic mode on. */
export function hasTopics(chat: TopicChat, bot: BotTopicSettings): boolean {
  return chat.type === 'supergroup' ? chat.isForum : bot.has_topics_enabled;
}

/** Why createForumTopic is refused in the chat; undefined when the bot may create a topic there. */
export function creationRefusal(chat: TopicChat, bot: BotTopicSettings): string | undefined {
  if (!hasTopics(chat, bot)) return NOT_A_FORUM;
  if (chat.type === 'supergroup' && !(chat.botIsAdmin && chat.canManageTopics)) {
    return 'not enough rights to create a topic';
  }
  return undefined;
}

/**
 * Whether the bot may rename (or, in a supergroup, close) a topic: in a private chat always, in a supergroup with
 * "Manage topics" or as the topic's creator.
 */
export function mayChangeTopic(chat: TopicChat, createdByBot: boolean): boolean {
  return chat.type === 'private' || (chat.botIsAdmin && chat.canManageTopics) || createdByBot;
}

/** Why deleteForumTopic is refused for rights; undefined when the bot may delete topics there. */
export function deletionRefusal(chat: TopicChat): string | undefined {
  return chat.type === 'supergroup' && !chat.botIsAdmin ? 'not enough rights to delete a topic' : undefined;
}

/** Why closeForumTopic / reopenForumTopic is refused before anything else is looked at. */
export function closingRefusal(chat: TopicChat): string | undefined {
  return chat.type === 'private' ? SUPERGROUPS_ONLY : undefined;
}

/** Why a user cannot create a topic in the app (for the fake's `userCreatesTopic`); undefined when they can. */
export function userCreationRefusal(chat: TopicChat, bot: BotTopicSettings): string | undefined {
  if (!hasTopics(chat, bot)) return 'is not a forum';
  if (chat.type === 'private' && !bot.allows_users_to_create_topics) return 'lets only the bot create topics';
  return undefined;
}
