/**
 * Seeded randomness for the demo traffic (see demo-data.ts): the product's seeded PRNG, a seed mixer that gives
 * each shopper an independent stream, and the draws the generator makes from them.
 */

import { mulberry32 } from '#shared/kernel/random';

export { mulberry32 };

export type Rng = () => number;

/** Mixes two integers into a seed, so each shopper gets an independent stream. */
export const mixSeed = (a: number, b: number): number => {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
};

export const uniform = (rng: Rng, min: number, max: number): number => min + (max - min) * rng();
export const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
export const chance = (rng: Rng, p: number): boolean => rng() < p;

export const pick = <T>(rng: Rng, items: readonly T[]): T => {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

export const pickWeighted = <T>(rng: Rng, items: readonly T[], weights: readonly number[]): T => {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let r = rng() * total;
  for (const [i, item] of items.entries()) {
    r -= weights[i] ?? 0;
    if (r < 0) return item;
  }
  return pick(rng, items);
};
