/**
 * Chats an operator opens (/chat): the Market starts the chat about an order or a return, or gives the one there
 * is (createChat), and the chat gets its topic the way every chat does, through its queue (Mirror.open): described,
 * its topic created with its card, its history posted. A chat that already has a topic is only pointed at.
 */
import type { Deps } from './deps.ts';
import type { MarketChatId, TopicId } from './ids.ts';
import type { Mirror } from './mirror.ts';
import type { ChatSubject } from './model.ts';
import { FatalError, type NewChatOutcome } from './ports.ts';

/** What came of opening a chat: its topic, or why there is none (the Market's answer). */
export type OpenChatOutcome =
  /** `created`: the topic was made by this call; otherwise it was there already. */
  | { kind: 'opened'; marketChatId: MarketChatId; topicId: TopicId; created: boolean }
  /** The Market opened the chat, but its topic could not be made yet: its sync is retried until it is. */
  | { kind: 'pending'; marketChatId: MarketChatId }
  | Exclude<NewChatOutcome, { kind: 'opened' }>;

export class NewChats {
  constructor(
    private readonly d: Deps,
    private readonly mirror: Mirror,
  ) {}

  /** See Bridge.openChat. */
  async open(subject: ChatSubject): Promise<OpenChatOutcome> {
    const { d } = this;
    let answer: NewChatOutcome;
    try {
      answer = await d.market.createChat(subject);
    } catch (err) {
      if (!(err instanceof FatalError)) throw err;
      d.log.fatal({ err }, 'stopping: the Market refused our credentials');
      d.options.onFatal?.(err);
      return { kind: 'failed', reason: err.message };
    }
    if (answer.kind !== 'opened') {
      d.log.info({ subject, outcome: answer.kind, reason: answer.reason }, 'the Market did not open a chat');
      return answer;
    }
    const marketChatId = answer.chatId;
    const known = d.store.findChat(marketChatId)?.topicId;
    if (known !== undefined) return { kind: 'opened', marketChatId, topicId: known, created: false };
    await this.mirror.open(marketChatId);
    const topicId = d.store.findChat(marketChatId)?.topicId;
    if (topicId === undefined) {
      d.log.warn({ subject, marketChatId }, 'chat opened at the Market; its topic is not there yet');
      return { kind: 'pending', marketChatId };
    }
    d.log.info({ subject, marketChatId, topicId }, 'chat opened by an operator');
    return { kind: 'opened', marketChatId, topicId, created: true };
  }
}
