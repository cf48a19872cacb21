import { describe, expect, it } from 'vitest';
import { emptyProfile } from '#shared/ingestion/domain/profile';
import {
  buyAgain,
  type ItemFigures,
  listsForProfile,
  reorderChance,
} from '#shared/recommendations/domain/recommend';
import { emptyIndex, type RecommendationIndex } from '#shared/recommendations/domain/recommendation-index';

/** The shop re-orders in 10% of later orders; a in 50%, b in 20%. */
const INDEX: RecommendationIndex = {
  ...emptyIndex(),
  reorderRate: 0.1,
  products: {
    a: { buyers: 10, recentBuyers: 0, reorderRate: 0.5 },
    b: { buyers: 10, recentBuyers: 0, reorderRate: 0.2 },
  },
  categories: { b: 'Tea' },
};

const item = (
  productId: string,
  orders: number,
  laterOrders: number,
  first: string,
  last: string,
): ItemFigures => ({ productId, orders, laterOrders, first, last, ordersSince: 0 });

/*
 * Chance = (re-orders + 2·rate) / (later orders + 2):
 *   d: bought in 5 of 6 orders, shop rate:   (4 + 0.2) / (5 + 2) = 0.6
 *   a: bought once, in the last order:       (0 + 1.0) / (0 + 2) = 0.5
 *   b: bought in 3 of 5 orders:              (2 + 0.4) / (4 + 2) = 0.4
 *   e, f: bought once in the last order:     (0 + 0.2) / (0 + 2) = 0.1, e more recent
 *   c: bought once, 3 orders without it:     (0 + 0.2) / (3 + 2) = 0.04
 * Own most frequent would say d, b, then the rest by recency: a product bought once but likely
 * re-ordered (a) beats one bought three times, and a stale one (c) sinks.
 */
const ITEMS = [
  item('c', 1, 3, '2025-11-01', '2025-11-01'),
  item('f', 1, 0, '2026-01-20', '2026-01-20'),
  item('b', 3, 4, '2025-10-01', '2026-01-15'),
  item('e', 1, 0, '2026-02-01', '2026-02-01'),
  item('a', 1, 0, '2026-02-01', '2026-02-01'),
  item('d', 5, 5, '2025-09-01', '2026-02-01'),
];

describe('buyAgain', () => {
  it('ranks the shopper’s own products by the chance the next order includes each', () => {
    const result = buyAgain(INDEX, { items: ITEMS, limit: 10 });
    expect(result.map((r) => r.productId)).toEqual(['d', 'a', 'b', 'e', 'f', 'c']);
    result.forEach((r, i) => {
      expect(r.score).toBeCloseTo([0.6, 0.5, 0.4, 0.1, 0.1, 0.04][i] as number, 12);
      expect(r.source).toBe('buy-again');
    });
    expect(result.slice(0, 3)).toEqual([
      { productId: 'd', score: 0.6, reason: 'Bought in 5 of 6 orders since 2025-09-01', source: 'buy-again' },
      {
        productId: 'a',
        score: 0.5,
        reason: 'Bought on 2026-02-01; its buyers re-order it in 50% of later orders',
        source: 'buy-again',
      },
      {
        productId: 'b',
        score: 0.4,
        reason: 'Bought in 3 of 5 orders since 2025-10-01',
        source: 'buy-again',
        category: 'Tea',
      },
    ]);
  });

  it('computes the chance by hand-checkable arithmetic, never below the re-orders it saw', () => {
    expect(reorderChance(INDEX, item('a', 4, 6, '2025-01-01', '2026-01-01'))).toBeCloseTo(
      (3 + 1) / (6 + 2),
      12,
    );
    // Later orders can never be fewer than re-orders (a damaged record): taken as equal.
    expect(reorderChance(INDEX, item('x', 3, 0, '2025-01-01', '2026-01-01'))).toBeCloseTo(
      (2 + 0.2) / (2 + 2),
      12,
    );
    expect(reorderChance(emptyIndex(), item('x', 1, 0, '2026-01-01', '2026-01-01'))).toBe(0);
  });

  it('honours the limit, 0–50, and lists each product once', () => {
    expect(buyAgain(INDEX, { items: ITEMS, limit: 2 }).map((r) => r.productId)).toEqual(['d', 'a']);
    expect(buyAgain(INDEX, { items: ITEMS, limit: 0 })).toEqual([]);
    expect(buyAgain(INDEX, { items: [...ITEMS, ...ITEMS], limit: 50 })).toHaveLength(6);
  });

  it('breaks ties by the latest purchase, then product id, and never returns NaN', () => {
    const tied = [item('z', 1, 0, '2026-01-01', '2026-01-01'), item('y', 1, 0, '2026-01-01', '2026-01-01')];
    expect(buyAgain(INDEX, { items: tied, limit: 5 }).map((r) => r.productId)).toEqual(['y', 'z']);
    const damaged = { ...INDEX, reorderRate: Number.NaN } as RecommendationIndex;
    for (const r of buyAgain(damaged, { items: ITEMS, limit: 10 }))
      expect(Number.isFinite(r.score)).toBe(true);
  });
});

describe('listsForProfile', () => {
  const profile = {
    ...emptyProfile('u', false, '2026-01-01T00:00:00Z'),
    purchasedProducts: ['a', 'b'],
    recentPurchases: [
      { productId: 'b', at: '2026-01-15T09:00:00Z' },
      { productId: 'a', at: '2026-01-01T09:00:00Z' },
    ],
    purchaseHistory: [
      { productId: 'b', orders: 2, first: '2026-01-01', last: '2026-01-15' },
      { productId: 'a', orders: 1, first: '2026-01-01', last: '2026-01-01' },
    ],
    days: {
      '2026-01-01': { e: 1, o: 1, r: 5, u: 2, rf: 0, v: 0, a: 0 },
      '2026-01-15': { e: 1, o: 1, r: 5, u: 1, rf: 0, v: 0, a: 0 },
    },
  };
  const segment = { id: 'seg-1', name: 'Loyal' };

  it('answers only the lists asked for, empty without an index', () => {
    expect(listsForProfile(INDEX, profile, segment, {})).toEqual({});
    expect(listsForProfile(undefined, profile, segment, { recommendations: 5, buyAgain: 5 })).toEqual({
      recommendations: [],
      buyAgain: [],
    });
    expect(Object.keys(listsForProfile(INDEX, profile, segment, { buyAgain: 5 }))).toEqual(['buyAgain']);
  });

  it('reads the counts from the profile: b in both orders, a in the first with one order since', () => {
    // b: (1 + 2·0.2) / (1 + 2) = 0.466667; a: (0 + 2·0.5) / (1 + 2) = 0.333333.
    const { buyAgain: again } = listsForProfile(INDEX, profile, segment, { buyAgain: 5 });
    expect(again?.map((r) => [r.productId, r.score])).toEqual([
      ['b', 0.466667],
      ['a', 0.333333],
    ]);
  });
});
