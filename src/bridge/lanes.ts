/**
 * Which turn a mirrored post takes in the group's Telegram budget (ports.ts `Lane`): a chat that waits for the
 * seller goes first, its topic and card included; then new messages of other chats; then history (messages, and
 * the topics and cards of chats, older than marketgram's store: a first start's backlog). Operator notices go
 * before all of them (the TelegramPort's default for a text).
 */
import type { Deps } from './deps.ts';
import type { MarketChat, MarketMessage } from './model.ts';
import type { Lane } from './ports.ts';
import type { ChatRecord } from './store-port.ts';

/** Whether the Market says the chat waits for the seller (a new chat waits for its first answer). */
export function waitsForSeller(chat: MarketChat): boolean {
  return chat.status === 'WAITING_FOR_PARTNER' || chat.status === 'NEW';
}

/** The lane of a chat's topic and card, or of one of its messages. */
export function laneOf(d: Deps, chat: MarketChat, message?: MarketMessage): Lane {
  if (waitsForSeller(chat)) return 'waiting';
  const since = Date.parse(d.store.initializedAt);
  const at = Date.parse(message ? message.createdAt : chat.createdAt);
  return at < since ? 'history' : 'live';
}

/**
 * The lane a chat's sync waits in before it reads what to post (Mirror.sync reserves the turn first): a chat
 * read before holds new messages, at least `live`; a first read, history as its chat's age says.
 */
export function readLane(d: Deps, rec: ChatRecord, chat: MarketChat): Lane {
  if (waitsForSeller(chat)) return 'waiting';
  return rec.backfilled ? 'live' : laneOf(d, chat);
}
