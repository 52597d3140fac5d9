/**
 * The seeded randomness of a chaos run: a small PRNG, the draws the plans make with it, and the words buyer texts
 * are made of.
 */

/** A small deterministic PRNG (mulberry32), so workloads are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded draws: a number in a range, an item, an item by weight. */
export interface Dice {
  random: () => number;
  between: (a: number, b: number) => number;
  pick: <T>(items: readonly T[]) => T;
  weighted: <T>(items: ReadonlyArray<readonly [T, number]>) => T;
}

export function dice(random: () => number): Dice {
  return {
    random,
    between: (a, b) => a + (b - a) * random(),
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T,
    weighted: <T>(items: ReadonlyArray<readonly [T, number]>): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let x = random() * total;
      for (const [item, w] of items) {
        x -= w;
        if (x < 0) return item;
      }
      return (items[items.length - 1] as readonly [T, number])[0];
    },
  };
}

/** What buyers write after a text's marker: HTML-like text, entities, quotes and emoji included. */
export const WORDS = [
  'hello',
  'is it',
  'in stock?',
  '<b>bold</b>',
  'a & b',
  '"quoted"',
  '😀',
  'size 42',
  'ok',
  'thanks',
  '—',
];
