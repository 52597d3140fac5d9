/** Plural forms of the words the bot says, by the rules of its language (Intl.PluralRules). */

/** The words for one, a few and many of something (Russian has three forms; English uses `one` and `many`). */
export interface PluralForms {
  one: string;
  few: string;
  many: string;
}

/** `n` with the right form of the word in the language of `locale`: "1 сообщение", "3 сообщения", "5 сообщений". */
export function plural(locale: string, n: number, forms: PluralForms): string {
  const category = new Intl.PluralRules(locale).select(n);
  const word = category === 'one' ? forms.one : category === 'few' ? forms.few : forms.many;
  return `${n} ${word}`;
}

export const ruPlural = (n: number, one: string, few: string, many: string) => plural('ru-RU', n, { one, few, many });
export const enPlural = (n: number, one: string, many: string) => plural('en-GB', n, { one, few: many, many });
