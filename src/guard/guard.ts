/**
 * The reply guard's detector: finds what the Market's chat rules forbid in a text that is about to reach a buyer
 * — phone numbers, e-mail addresses, messenger handles and names, links to other sites, requests for contacts or
 * to move elsewhere. The Market reads seller–buyer chats and hides a shop's goods for these. Pure: no I/O, no
 * state between checks; what to do with a finding (hold, send anyway, cancel) is the caller's.
 */
import { findAddresses, isDomainName } from './links.ts';
import { findMessengerNames } from './messengers.ts';
import { findSpelledPhones } from './numerals.ts';
import { findPhones } from './phones.ts';
import { findRequests } from './requests.ts';
import { fold } from './text.ts';
import type { CheckContext, Finding, FindingKind, GuardOptions, ReplyGuard } from './types.ts';

export type { CheckContext, Finding, FindingKind, GuardOptions, ReplyGuard } from './types.ts';

/** When two findings overlap, the more concrete one is kept. */
const PRIORITY: Readonly<Record<FindingKind, number>> = {
  email: 0,
  link: 1,
  phone: 2,
  messenger: 3,
  contactRequest: 4,
};

/**
 * Builds a guard. `options.allow` are extra allowed domains (REPLY_GUARD_ALLOW): each a bare domain such as
 * `shop.example.ru`, which allows its subdomains too; anything else throws an Error that names the entry.
 */
export function createGuard(options: GuardOptions = {}): ReplyGuard {
  const allow = (options.allow ?? []).map(checkedDomain);
  return {
    check(text: string, context: CheckContext = {}): Finding[] {
      const folded = fold(text);
      const known = new Set((context.knownNumbers ?? []).map((n) => n.replace(/\D/g, '')).filter((n) => n !== ''));
      const candidates: Array<{ kind: FindingKind; start: number; end: number }> = [];

      const addresses = findAddresses(text, folded, allow);
      for (const a of addresses) if (!a.allowed) candidates.push(a);
      for (const [start, end] of findPhones(folded, known, addresses)) candidates.push({ kind: 'phone', start, end });
      for (const [start, end] of findSpelledPhones(folded, known)) candidates.push({ kind: 'phone', start, end });
      const paired = candidates.length > 0;
      for (const [start, end] of findMessengerNames(folded, paired)) candidates.push({ kind: 'messenger', start, end });
      for (const [start, end] of findRequests(folded)) candidates.push({ kind: 'contactRequest', start, end });

      return withoutOverlaps(candidates).map(({ kind, start, end }) => ({
        kind,
        fragment: text.slice(start, end),
        start,
        end,
      }));
    },
  };
}

/** The candidates that do not overlap a more concrete (or, for equals, an earlier and longer) one, in text order. */
function withoutOverlaps<T extends { kind: FindingKind; start: number; end: number }>(candidates: T[]): T[] {
  const ranked = [...candidates].sort(
    (a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || a.start - b.start || b.end - a.end,
  );
  const kept: T[] = [];
  for (const c of ranked) if (!kept.some((k) => c.start < k.end && c.end > k.start)) kept.push(c);
  return kept.sort((a, b) => a.start - b.start);
}

/** A REPLY_GUARD_ALLOW entry as a lower-case domain, or an Error that says what is wrong with it. */
function checkedDomain(entry: string): string {
  const domain = entry.trim().toLowerCase().replace(/\.$/, '');
  if (!isDomainName(domain)) {
    throw new Error(
      `Reply guard: allowed domain ${JSON.stringify(entry)} is not a domain name; ` +
        'give a bare domain such as shop.example.ru (no scheme, path, port or wildcard; subdomains are allowed with it)',
    );
  }
  return domain;
}
