/**
 * Links to the group's topics, as Telegram makes them for a private supergroup: `https://t.me/c/<id>/<topic>`,
 * where `<id>` is the group's chat id without its `-100` prefix. They open for members of the group only.
 * Telegram has no such links into a person's private chat with the bot (solo mode): there a topic is named, not
 * linked.
 */
import type { TopicId } from '../bridge/ids.ts';
import { isPrivateChat } from './solo.ts';

/**
 * The link to topic `topicId` of supergroup `groupId` (a chat id like -1001234567890); undefined for a private
 * chat (a positive id), whose topics have no links.
 */
export function topicLink(groupId: number, topicId: TopicId): string | undefined {
  if (isPrivateChat(groupId)) return undefined;
  const id = /^-100(\d+)$/.exec(String(groupId))?.[1];
  if (id === undefined) throw new Error(`${groupId} is not a supergroup id (they start with -100)`);
  return `https://t.me/c/${id}/${topicId}`;
}
