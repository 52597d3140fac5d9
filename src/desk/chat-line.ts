/**
 * A waiting chat as the desk's lists show it (/status, /mine, the digest): its title, shortened for a phone and
 * linked to its topic when it has one, and how long it waits.
 */
import { html, type Html } from '../bridge/html.ts';
import type { TopicId } from '../bridge/ids.ts';
import type { DeskStatusTexts } from '../bridge/desk-status-texts.ts';
import type { WaitingChat } from './figures.ts';

/**
 * The link to a topic of the group (telegram/topic-links.ts, handed in by the root); undefined where topics have
 * no links (a private chat, solo mode).
 */
export type TopicLinker = (topicId: TopicId) => string | undefined;

/** Titles longer than this are cut, so a list of 30 chats stays well within one message. */
const TITLE_MAX = 60;

/** `title` linked to topic `topicId` when there is one and it has a link; plain text otherwise. */
export function linkedTitle(title: string, topicId: TopicId | undefined, link: TopicLinker): Html {
  const url = topicId === undefined ? undefined : link(topicId);
  return url === undefined ? html`${title}` : html`<a href="${url}">${title}</a>`;
}

/** The chat's title, cut to TITLE_MAX characters, linked to its topic when it has one. */
export function chatTitle(w: Pick<WaitingChat, 'title' | 'topicId'>, link: TopicLinker): Html {
  const chars = [...w.title];
  const title = chars.length > TITLE_MAX ? `${chars.slice(0, TITLE_MAX - 1).join('')}…` : w.title;
  return linkedTitle(title, w.topicId, link);
}

/** "Order 123 · Ivan — 2 h 5 min", the title linked. */
export function waitingLine(w: WaitingChat, t: DeskStatusTexts, link: TopicLinker): Html {
  return html`${chatTitle(w, link)} — ${t.duration(w.waitedMs)}`;
}
