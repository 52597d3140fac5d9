/**
 * What the bot says about who owns a chat (the card's owner line and buttons, the answers to Take and Release),
 * in Russian and English; texts.ts carries it as `Texts.owner`.
 */
export interface OwnerTexts {
  takeButton: string;
  releaseButton: string;
  /** The card's owner line. */
  label: string;
  nobody: string;
  /** "Olga (took it over from Ivan)". */
  tookOver: (owner: string, from: string) => string;
  /** Answers on the buttons. */
  taken: string;
  takenOver: (from: string) => string;
  alreadyYours: string;
  released: string;
  notYours: (owner: string) => string;
  notOwned: string;
  noChat: string;
}

export const ruOwner: OwnerTexts = {
  takeButton: '✋ Беру',
  releaseButton: '↩️ Отпустить',
  label: 'Ответственный',
  nobody: 'не назначен',
  tookOver: (owner, from) => `${owner} (взял(а) у ${from})`,
  taken: 'Чат ваш.',
  takenOver: (from) => `Чат ваш (был у ${from}).`,
  alreadyYours: 'Этот чат уже ваш.',
  released: 'Вы больше не отвечаете за этот чат.',
  notYours: (owner) => `Чат ведёт ${owner}: отпустить его может только он(а). Нажмите «Беру», чтобы забрать.`,
  notOwned: 'У этого чата нет ответственного.',
  noChat: 'Эта тема не связана с чатом Маркета.',
};

export const enOwner: OwnerTexts = {
  takeButton: '✋ Take',
  releaseButton: '↩️ Release',
  label: 'Owner',
  nobody: 'nobody',
  tookOver: (owner, from) => `${owner} (took it over from ${from})`,
  taken: 'This chat is yours now.',
  takenOver: (from) => `This chat is yours now (it was ${from}'s).`,
  alreadyYours: 'This chat is already yours.',
  released: 'You no longer own this chat.',
  notYours: (owner) => `${owner} owns this chat: only they can release it. Press Take to take it over.`,
  notOwned: 'Nobody owns this chat.',
  noChat: 'This topic belongs to no Market chat.',
};
