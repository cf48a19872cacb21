/**
 * The demo shop's catalogue as the generator uses it: the products of demo-catalogue.data.ts with
 * their sku ids, and how a shopper's category taste and price leaning pick one.
 */
import { CATEGORIES, type Category, PRODUCTS_BY_CATEGORY } from './demo-catalogue.data';
import { chance, pick, pickWeighted, type Rng } from './demo-random';

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly category: Category;
  readonly price: number;
}

export const CATALOGUE: readonly Product[] = CATEGORIES.flatMap((category) =>
  PRODUCTS_BY_CATEGORY[category].map(([name, price]) => ({ name, price, category })),
).map((p, i) => ({ id: `sku-${String(i + 1).padStart(3, '0')}`, ...p }));

/** Each category's products, cheapest first, so price tastes can take a half of the list. */
const byCategory = new Map<Category, readonly Product[]>(
  CATEGORIES.map((c) => [c, CATALOGUE.filter((p) => p.category === c).sort((a, b) => a.price - b.price)]),
);

export type PriceTaste = 'cheap' | 'any' | 'premium';

export const pickProduct = (rng: Rng, taste: readonly number[], price: PriceTaste): Product => {
  const products = byCategory.get(pickWeighted(rng, CATEGORIES, taste)) ?? CATALOGUE;
  const half = Math.ceil(products.length / 2);
  // Tastes are leanings, not rules: a bargain hunter still buys the odd dear thing.
  if (price === 'cheap' && chance(rng, 0.85)) return pick(rng, products.slice(0, half));
  if (price === 'premium' && chance(rng, 0.6)) return pick(rng, products.slice(half));
  return pick(rng, products);
};
