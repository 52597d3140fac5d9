/**
 * Recognising our own replies in a chat's history: the one place where the two directions meet. A PARTNER
 * message that is a reply we sent (or may have sent: its answer was lost) is linked to that reply and not
 * mirrored again; a reply of unknown fate found this way counts as delivered.
 */
import type { Log } from './log.ts';
import type { MarketMessage } from './model.ts';
import type { ChatRecord, ReplyRecord, StorePort } from './store-port.ts';

export class Echoes {
  constructor(
    private readonly store: StorePort,
    private readonly log: Log,
    /** A reply that had not been seen as sent turned up in the history. */
    private readonly found: (reply: ReplyRecord) => void,
  ) {}

  /** Whether `message` is one of our own replies; links it to the reply when so. */
  isOurs(rec: ChatRecord, message: MarketMessage): boolean {
    if (message.sender !== 'PARTNER') return false;
    const replies = this.store.replies(rec.marketChatId);
    // Matched before a crash kept the cursor from moving past it: still ours.
    if (replies.some((r) => r.echoMessageId === message.id)) return true;
    const text = normalise(message.text ?? '');
    const fileName = message.attachments[0]?.name;
    const reply = replies.find(
      (r) =>
        r.echoMessageId === undefined &&
        // A queued reply that was attempted before may have landed late (its answer, or its sender, lost).
        (r.state === 'sent' ||
          r.state === 'sending' ||
          r.state === 'unknown' ||
          (r.state === 'queued' && r.attempts > 0)) &&
        (r.file ? r.file.name === fileName : r.text !== undefined && normalise(r.text) === text),
    );
    if (!reply) return false;
    reply.echoMessageId = message.id;
    this.store.saveReply(reply);
    if (reply.state !== 'sent') {
      this.log.info({ replyId: reply.id, marketMessageId: message.id }, 'reply of unknown fate found in history');
      this.found(reply);
    }
    return true;
  }
}

/** The Market keeps a reply's text, but not its exact line endings and runs of blanks. */
function normalise(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
