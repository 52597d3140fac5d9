/**
 * What the bot says about replies the reply guard holds, in Russian and English (texts.ts carries it as
 * `Texts.guard`). The fragments quoted are the operator's own words, shown as they wrote them.
 */
import type { GuardFinding, GuardFindingKind } from './ports.ts';

export interface GuardTexts {
  kinds: Record<GuardFindingKind, string>;
  /** The notice under a held reply: what was found, why it matters, what to do. */
  held: (findings: readonly GuardFinding[], mode: 'warn' | 'block') => string;
  sendAnywayButton: string;
  /** The answer on a button whose action got held (a corrected text, say). */
  heldAnswer: string;
  /** Shown when Send anyway was pressed, until the reply's outcome replaces it. */
  sendingAnyway: string;
  /** The answer on Send anyway when REPLY_GUARD=block. */
  blocked: string;
  /** The notice under a later reply of a chat whose earlier reply is held. */
  behindHeld: string;
  /** An edit turned a waiting reply into an internal note (starts with //). */
  becameNote: string;
}

/** Findings quoted in one notice; the rest are counted. */
const SHOWN = 5;
/** Longest fragment quoted. */
const FRAGMENT = 80;

function list(findings: readonly GuardFinding[], kinds: Record<GuardFindingKind, string>, more: string): string {
  const quote = (s: string) => (s.length > FRAGMENT ? `${s.slice(0, FRAGMENT - 1)}…` : s).replace(/\s+/g, ' ');
  const lines = findings.slice(0, SHOWN).map((f) => `• ${kinds[f.kind]}: «${quote(f.fragment)}»`);
  if (findings.length > SHOWN) lines.push(`• ${more} ${findings.length - SHOWN}`);
  return lines.join('\n');
}

const ruKinds: Record<GuardFindingKind, string> = {
  phone: 'номер телефона',
  email: 'адрес почты',
  messenger: 'мессенджер или соцсеть',
  link: 'ссылка на другой сайт',
  contactRequest: 'просьба о контактах или о переходе в другой канал',
};

export const ruGuard: GuardTexts = {
  kinds: ruKinds,
  held: (findings, mode) =>
    [
      '🛡 Не отправлено: похоже, это против правил чатов Маркета.',
      list(findings, ruKinds, 'и ещё'),
      '',
      'Маркет читает чаты и скрывает товары магазина, если продавец просит у покупателя контакты или даёт ссылки на другие сайты.',
      mode === 'warn'
        ? 'Отредактируйте сообщение — оно будет проверено снова, — отправьте его всё равно или отмените.'
        : 'Отредактируйте сообщение — оно будет проверено снова — или отмените его: такие сообщения не отправляются.',
      'Следующие ответы в этом чате ждут, пока вы не решите.',
    ].join('\n'),
  sendAnywayButton: '⚠️ Отправить всё равно',
  heldAnswer: '🛡 Задержано проверкой правил — см. сообщение.',
  sendingAnyway: '📤 Отправляется по вашему решению.',
  blocked: 'Такие сообщения не отправляются: отредактируйте его или отмените.',
  behindHeld: '⏸ Ждёт: выше в этом чате задержан ответ, ответы уходят по порядку.',
  becameNote: '✍️ Теперь это заметка: покупателю не отправлено.',
};

const enKinds: Record<GuardFindingKind, string> = {
  phone: 'a phone number',
  email: 'an e-mail address',
  messenger: 'a messenger or social network',
  link: 'a link to another site',
  contactRequest: 'asking for contacts or to talk elsewhere',
};

export const enGuard: GuardTexts = {
  kinds: enKinds,
  held: (findings, mode) =>
    [
      '🛡 Not sent: this looks against the Market’s chat rules.',
      list(findings, enKinds, 'and'),
      '',
      'The Market reads the chats and hides a shop’s goods when a seller asks a buyer for contacts or links to other sites.',
      mode === 'warn'
        ? 'Edit the message (it is checked again), send it anyway, or cancel it.'
        : 'Edit the message (it is checked again) or cancel it: such messages are not sent.',
      'Later replies in this chat wait until you decide.',
    ].join('\n'),
  sendAnywayButton: '⚠️ Send anyway',
  heldAnswer: '🛡 Held by the rules check — see the notice.',
  sendingAnyway: '📤 Sending, as you decided.',
  blocked: 'Such messages are not sent: edit it or cancel it.',
  behindHeld: '⏸ Waiting: an earlier reply in this chat is held, and replies go in order.',
  becameNote: '✍️ Now a note: not sent to the buyer.',
};
