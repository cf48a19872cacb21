import { describe, expect, it } from 'vitest';
import {
  basketOf,
  type RecommendationIndex,
  RecommendationIndexBuilder,
  type ShopperBasket,
} from '../../../shared/domain/recommendations/index-builder';

/** Newest first, as profiles keep them. */
const recent = (...ids: string[]) => ids.map((productId) => ({ productId }));

const BASKETS: readonly ShopperBasket[] = [
  {
    segmentId: 'seg-a',
    purchased: ['p1', 'p2', 'p3'],
    recent: [{ productId: 'p3' }, { productId: 'p2' }, { productId: 'p1', category: 'Books' }],
  },
  { segmentId: 'seg-a', purchased: ['p1', 'p2'], recent: recent('p2', 'p1') },
  { segmentId: 'seg-a', purchased: ['p1'], recent: recent('p1') },
  { segmentId: 'seg-b', purchased: ['p2', 'p4'], recent: recent('p4', 'p2') },
  { segmentId: 'prospects', purchased: [] },
];

const build = (baskets: readonly ShopperBasket[], options = {}): RecommendationIndex => {
  const builder = new RecommendationIndexBuilder(options);
  for (const basket of baskets) builder.add(basket);
  return builder.build();
};

describe('RecommendationIndexBuilder', () => {
  it('counts buyers and shares per segment and overall', () => {
    const index = build(BASKETS);
    expect(index.schema).toBe(1);
    expect(index.segments).toEqual({
      prospects: { shoppers: 1, products: [] },
      'seg-a': {
        shoppers: 3,
        products: [
          { productId: 'p1', buyers: 3, share: 1 },
          { productId: 'p2', buyers: 2, share: 2 / 3 },
          { productId: 'p3', buyers: 1, share: 1 / 3 },
        ],
      },
      // Tied on buyers: by product id.
      'seg-b': {
        shoppers: 1,
        products: [
          { productId: 'p2', buyers: 1, share: 1 },
          { productId: 'p4', buyers: 1, share: 1 },
        ],
      },
    });
    // Five shoppers in all, the prospect included.
    expect(index.global).toEqual([
      { productId: 'p1', buyers: 3, share: 0.6 },
      { productId: 'p2', buyers: 3, share: 0.6 },
      { productId: 'p3', buyers: 1, share: 0.2 },
      { productId: 'p4', buyers: 1, share: 0.2 },
    ]);
    expect(index.categories).toEqual({ p1: 'Books' });
  });

  it('keeps pairs seen twice by default, in both directions', () => {
    expect(build(BASKETS).coPurchase).toEqual({
      p1: [{ productId: 'p2', count: 2 }],
      p2: [{ productId: 'p1', count: 2 }],
    });
  });

  it('ranks partners by cosine, then count, then id', () => {
    // p1–p2: 2 / √(3·3) = 0.67 beats p1–p3: 1 / √(3·1) = 0.58; p2's p3 and p4 tie exactly, so by id.
    expect(build(BASKETS, { minCoPurchaseCount: 1 }).coPurchase).toEqual({
      p1: [
        { productId: 'p2', count: 2 },
        { productId: 'p3', count: 1 },
      ],
      p2: [
        { productId: 'p1', count: 2 },
        { productId: 'p3', count: 1 },
        { productId: 'p4', count: 1 },
      ],
      p3: [
        { productId: 'p1', count: 1 },
        { productId: 'p2', count: 1 },
      ],
      p4: [{ productId: 'p2', count: 1 }],
    });
  });

  it('respects every cap', () => {
    const index = build(BASKETS, {
      maxProductsPerSegment: 1,
      maxGlobal: 2,
      maxCoPurchases: 1,
      minCoPurchaseCount: 1,
    });
    expect(index.segments['seg-a']?.products).toEqual([{ productId: 'p1', buyers: 3, share: 1 }]);
    expect(index.global.map((p) => p.productId)).toEqual(['p1', 'p2']);
    for (const partners of Object.values(index.coPurchase)) expect(partners).toHaveLength(1);
    expect(index.coPurchase.p2).toEqual([{ productId: 'p1', count: 2 }]);
  });

  it('pairs only the 20 newest items of a shopper', () => {
    const items = Array.from({ length: 25 }, (_, i) => `x${String(i).padStart(2, '0')}`);
    const index = build([{ segmentId: 's', purchased: items, recent: recent(...items) }], {
      minCoPurchaseCount: 1,
      maxCoPurchases: 50,
    });
    expect(Object.keys(index.coPurchase)).toEqual(items.slice(0, 20));
    expect(index.coPurchase.x00).toHaveLength(19);
    expect(index.coPurchase.x24).toBeUndefined();
    // All 25 still count as bought.
    expect(index.segments.s?.products).toHaveLength(25);
  });

  it('counts recent items missing from a full purchased list, and pairs purchased when recent is absent', () => {
    const index = build(
      [
        { segmentId: 's', purchased: ['a'], recent: recent('b', 'a') },
        { segmentId: 's', purchased: ['a', 'b', 'c'] },
      ],
      { minCoPurchaseCount: 1, maxPairItems: 2 },
    );
    expect(index.segments.s?.products.map((p) => [p.productId, p.buyers])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
    // The second shopper's two last purchased, b and c, form its only pair; for b, c (1 / √(2·1)) beats a (1 / √(2·2)).
    expect(index.coPurchase).toEqual({
      a: [{ productId: 'b', count: 1 }],
      b: [
        { productId: 'c', count: 1 },
        { productId: 'a', count: 1 },
      ],
      c: [{ productId: 'b', count: 1 }],
    });
  });

  it('keeps the most reported category, ties to the smaller name', () => {
    const item = (productId: string, category: string) => ({ productId, category });
    const index = build([
      { segmentId: 's', purchased: [], recent: [item('a', 'Toys'), item('b', 'Home')] },
      { segmentId: 's', purchased: [], recent: [item('a', 'Games'), item('b', 'Garden')] },
      { segmentId: 's', purchased: [], recent: [item('a', 'Toys')] },
    ]);
    expect(index.categories).toEqual({ a: 'Toys', b: 'Garden' });
  });

  it('gives the same index whatever the order shoppers arrive in', () => {
    const forward = JSON.stringify(build(BASKETS, { minCoPurchaseCount: 1 }));
    const backward = JSON.stringify(build([...BASKETS].reverse(), { minCoPurchaseCount: 1 }));
    expect(backward).toBe(forward);
  });

  it('survives a JSON round trip unchanged, odd ids included', () => {
    const index = build([
      ...BASKETS,
      {
        segmentId: '__proto__',
        purchased: ['constructor', 'toString'],
        recent: recent('toString', 'constructor'),
      },
    ]);
    const copy = JSON.parse(JSON.stringify(index)) as RecommendationIndex;
    expect(copy).toEqual(index);
    expect(Object.keys(copy.segments)).toContain('__proto__');
    // An own data property, not a prototype swap.
    expect(Object.getOwnPropertyDescriptor(copy.segments, '__proto__')?.value).toEqual({
      shoppers: 1,
      products: [
        { productId: 'constructor', buyers: 1, share: 1 },
        { productId: 'toString', buyers: 1, share: 1 },
      ],
    });
    expect(Object.getPrototypeOf(index.segments)).toBe(Object.prototype);
  });

  it('is empty but valid with no shoppers', () => {
    expect(build([])).toEqual({ schema: 1, global: [], segments: {}, coPurchase: {}, categories: {} });
  });

  it('maps a profile to a basket', () => {
    const profile = {
      purchasedProducts: ['a', 'b'],
      recentPurchases: [{ productId: 'b', at: '2026-01-02T00:00:00Z', category: 'Toys' }],
    };
    expect(basketOf(profile, 'seg-3')).toEqual({
      segmentId: 'seg-3',
      purchased: ['a', 'b'],
      recent: [{ productId: 'b', at: '2026-01-02T00:00:00Z', category: 'Toys' }],
    });
  });
});
