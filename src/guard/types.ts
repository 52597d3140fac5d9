/**
 * The reply guard's vocabulary: what a finding is, what the guard is told about a chat, and what it can be
 * configured with. Shared by the detector and the code that holds a flagged reply.
 */

/** What kind of contact or outside pointer a fragment of a reply is. */
export type FindingKind = 'phone' | 'email' | 'messenger' | 'link' | 'contactRequest';

/** One fragment of a reply that the Market's chat rules forbid. */
export interface Finding {
  kind: FindingKind;
  /** The matched text exactly as in the input: `text.slice(start, end)`. */
  fragment: string;
  /** Offset of the fragment in the input, in UTF-16 code units (as `String.prototype.slice` counts). */
  start: number;
  end: number;
}

export interface GuardOptions {
  /** Extra allowed domains (REPLY_GUARD_ALLOW), e.g. 'example.com', which also allows its subdomains. */
  allow?: readonly string[];
}

export interface CheckContext {
  /** Numbers the chat knows (order id, return id, shipment ids): never phones. */
  knownNumbers?: readonly string[];
}

/** A compiled guard: `check` answers the forbidden fragments of a text, in text order; empty means clean. */
export interface ReplyGuard {
  check(text: string, context?: CheckContext): Finding[];
}
