/**
 * The demo shoppers' personas: the mix of them in the population, each persona's shopping style
 * (category taste, basket size, price leaning, coupon and wishlist habits), and their assignment
 * to shoppers in exact quotas.
 */
import type { PriceTaste } from './demo-catalogue';
import type { Rng } from './demo-random';

export type Persona =
  | 'champion'
  | 'bargain_hunter'
  | 'window_shopper'
  | 'lapsed'
  | 'new_buyer'
  | 'loyal_regular'
  | 'one_time';

export const PERSONA_MIX: Readonly<Record<Persona, number>> = {
  champion: 0.1,
  loyal_regular: 0.15,
  bargain_hunter: 0.15,
  window_shopper: 0.2,
  lapsed: 0.15,
  new_buyer: 0.1,
  one_time: 0.15,
};

export interface PersonaStyle {
  /** Weight of each entry of CATEGORIES. */
  readonly taste: readonly number[];
  /** Distinct products in a basket, min and max. */
  readonly lines: readonly [number, number];
  readonly maxQuantity: number;
  readonly price: PriceTaste;
  /** Chance that an order uses a coupon. */
  readonly coupon: number;
  /** Chance that a visit ends a product in the wishlist. */
  readonly wishlist: number;
}

export const STYLES: Readonly<Record<Persona, PersonaStyle>> = {
  // taste order: Electronics, Books, Home & Kitchen, Fashion, Beauty, Sports, Toys, Grocery.
  champion: {
    taste: [3, 1, 3, 2, 2, 2, 1, 2],
    lines: [2, 4],
    maxQuantity: 3,
    price: 'premium',
    coupon: 0.05,
    wishlist: 0.2,
  },
  loyal_regular: {
    taste: [1, 2, 2, 1, 2, 1, 1, 4],
    lines: [1, 3],
    maxQuantity: 2,
    price: 'any',
    coupon: 0.05,
    wishlist: 0.1,
  },
  bargain_hunter: {
    taste: [2, 1, 2, 3, 2, 1, 2, 2],
    lines: [1, 3],
    maxQuantity: 2,
    price: 'cheap',
    coupon: 0.85,
    wishlist: 0.35,
  },
  window_shopper: {
    taste: [4, 1, 2, 4, 2, 2, 1, 0.5],
    lines: [1, 3],
    maxQuantity: 1,
    price: 'premium',
    coupon: 0.1,
    wishlist: 0.4,
  },
  lapsed: {
    taste: [2, 2, 2, 2, 2, 2, 2, 1],
    lines: [1, 3],
    maxQuantity: 2,
    price: 'any',
    coupon: 0.1,
    wishlist: 0.1,
  },
  new_buyer: {
    taste: [2, 1, 2, 2, 3, 2, 1, 1],
    lines: [1, 2],
    maxQuantity: 2,
    price: 'any',
    coupon: 0.3,
    wishlist: 0.15,
  },
  one_time: {
    taste: [2, 2, 2, 1, 1, 1, 3, 1],
    lines: [1, 2],
    maxQuantity: 1,
    price: 'any',
    coupon: 0.15,
    wishlist: 0.05,
  },
};

/** Exact quotas by largest remainder, so 300 shoppers give exactly the intended mix. */
const personaQuotas = (shoppers: number): Persona[] => {
  const entries = Object.entries(PERSONA_MIX) as [Persona, number][];
  const counts = entries.map(([persona, share]) => ({
    persona,
    exact: share * shoppers,
    n: Math.floor(share * shoppers),
  }));
  let left = shoppers - counts.reduce((sum, c) => sum + c.n, 0);
  for (const c of [...counts].sort((a, b) => b.exact - b.n - (a.exact - a.n))) {
    if (left-- <= 0) break;
    c.n++;
  }
  return counts.flatMap((c) => Array.from({ length: c.n }, () => c.persona));
};

/** Shuffled so that user ids do not give the persona away. */
export const assignPersonas = (rng: Rng, shoppers: number): Persona[] => {
  const personas = personaQuotas(shoppers);
  for (let i = personas.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [personas[i], personas[j]] = [personas[j] as Persona, personas[i] as Persona];
  }
  return personas;
};
