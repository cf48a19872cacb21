import { describe, expect, it } from 'vitest';
import { emptyProfile } from '#shared/ingestion/domain/profile';
import {
  basketOf,
  RecommendationIndexBuilder,
  type ShopperBasket,
} from '#shared/recommendations/domain/index-builder';
import {
  emptyIndex,
  type RecommendationIndex,
  readIndex,
} from '#shared/recommendations/domain/recommendation-index';
import type { ShopperItem } from '#shared/recommendations/domain/shopper-items';

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

const item = (productId: string, orders: number, laterOrders: number, last: string): ShopperItem => ({
  productId,
  orders,
  first: '2025-12-01',
  last,
  laterOrders,
  ordersSince: 0,
});

/*
 * Pair weights: the first shopper bought 3 products (1/3 each pair), the second and fourth 2 (1/2).
 * p1–p2: (1/3 + 1/2) / √(3·3) = 0.277778; p1–p3 and p2–p3: (1/3) / √(3·1) = 0.19245;
 * p2–p4: (1/2) / √(3·1) = 0.288675.
 */
describe('RecommendationIndexBuilder', () => {
  it('counts buyers and shares per segment and overall', () => {
    const index = build(BASKETS);
    expect(index.schema).toBe(2);
    expect(index.shoppers).toBe(5);
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

  it('keeps pairs seen twice by default, in both directions, with their weighted cosine', () => {
    expect(build(BASKETS).coPurchase).toEqual({
      p1: [{ productId: 'p2', count: 2, strength: 0.277778 }],
      p2: [{ productId: 'p1', count: 2, strength: 0.277778 }],
    });
  });

  it('ranks partners by strength, where a shopper of few products ties them more, then count, then id', () => {
    // p2–p4 (one shopper of two products) outranks p2–p1 (two shoppers, one of them of three).
    expect(build(BASKETS, { minCoPurchaseCount: 1 }).coPurchase).toEqual({
      p1: [
        { productId: 'p2', count: 2, strength: 0.277778 },
        { productId: 'p3', count: 1, strength: 0.19245 },
      ],
      p2: [
        { productId: 'p4', count: 1, strength: 0.288675 },
        { productId: 'p1', count: 2, strength: 0.277778 },
        { productId: 'p3', count: 1, strength: 0.19245 },
      ],
      p3: [
        { productId: 'p1', count: 1, strength: 0.19245 },
        { productId: 'p2', count: 1, strength: 0.19245 },
      ],
      p4: [{ productId: 'p2', count: 1, strength: 0.288675 }],
    });
  });

  it('learns re-order rates, shrunk towards the shop rate, and recent buyers, from purchase histories', () => {
    // Re-orders: a 2 + 0, b 0; later orders: a 4 + 0, b 2; shop rate 2 / 6.
    // a: (2 + 10·⅓) / (4 + 10) = 0.380952; b: (0 + 10·⅓) / (2 + 10) = 0.277778.
    // Recent since 2026-01-30 (30 days before 2026-03-01): a's two buyers; b's last purchase is older.
    const index = build(
      [
        {
          segmentId: 's',
          purchased: ['a', 'b'],
          items: [item('a', 3, 4, '2026-02-20'), item('b', 1, 2, '2026-01-10')],
        },
        { segmentId: 's', purchased: ['a'], items: [item('a', 1, 0, '2026-01-30')] },
      ],
      { asOf: new Date('2026-03-01T00:00:00Z') },
    );
    expect(index.asOf).toBe('2026-03-01T00:00:00.000Z');
    expect(index.reorderRate).toBe(0.333333);
    expect(index.products).toEqual({
      a: { buyers: 2, recentBuyers: 2, reorderRate: 0.380952 },
      b: { buyers: 1, recentBuyers: 0, reorderRate: 0.277778 },
    });
    // Without an as-of time nothing counts as recent.
    expect(
      build([{ segmentId: 's', purchased: ['a'], items: [item('a', 1, 0, '2026-02-20')] }]).products,
    ).toEqual({
      a: { buyers: 1, recentBuyers: 0, reorderRate: 0 },
    });
  });

  it('respects every cap, partners only among the indexed products', () => {
    const index = build(BASKETS, {
      maxProductsPerSegment: 1,
      maxGlobal: 2,
      maxProducts: 2,
      maxCoPurchases: 1,
      minCoPurchaseCount: 1,
    });
    expect(index.segments['seg-a']?.products).toEqual([{ productId: 'p1', buyers: 3, share: 1 }]);
    expect(index.global.map((p) => p.productId)).toEqual(['p1', 'p2']);
    expect(Object.keys(index.products)).toEqual(['p1', 'p2']);
    expect(index.coPurchase).toEqual({
      p1: [{ productId: 'p2', count: 2, strength: 0.277778 }],
      p2: [{ productId: 'p1', count: 2, strength: 0.277778 }],
    });
  });

  it('pairs only the 30 most recently bought products of a shopper', () => {
    const items = Array.from({ length: 35 }, (_, i) => `x${String(i).padStart(2, '0')}`);
    const index = build(
      [{ segmentId: 's', purchased: items, items: items.map((id) => item(id, 1, 0, '2026-01-01')) }],
      { minCoPurchaseCount: 1, maxCoPurchases: 50 },
    );
    expect(Object.keys(index.coPurchase)).toEqual(items.slice(0, 30));
    expect(index.coPurchase.x00).toHaveLength(29);
    expect(index.coPurchase.x34).toBeUndefined();
    // All 35 still count as bought.
    expect(index.segments.s?.products).toHaveLength(35);
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
    // The first shopper's a–b weighs ½ (two products): ½ / √(2·2) = 0.25. The second shopper's two last
    // purchased, b and c, form its only pair, weighing ⅓ (three products): ⅓ / √(2·1) = 0.235702.
    expect(index.coPurchase).toEqual({
      a: [{ productId: 'b', count: 1, strength: 0.25 }],
      b: [
        { productId: 'a', count: 1, strength: 0.25 },
        { productId: 'c', count: 1, strength: 0.235702 },
      ],
      c: [{ productId: 'b', count: 1, strength: 0.235702 }],
    });
  });

  it('keeps the most reported category, ties to the smaller name', () => {
    const bought = (productId: string, category: string) => ({ productId, category });
    const index = build([
      { segmentId: 's', purchased: [], recent: [bought('a', 'Toys'), bought('b', 'Home')] },
      { segmentId: 's', purchased: [], recent: [bought('a', 'Games'), bought('b', 'Garden')] },
      { segmentId: 's', purchased: [], recent: [bought('a', 'Toys')] },
    ]);
    expect(index.categories).toEqual({ a: 'Toys', b: 'Garden' });
  });

  it('gives the same index whatever the order shoppers arrive in', () => {
    const withItems: ShopperBasket[] = BASKETS.map((b, i) => ({
      ...b,
      items: b.purchased.map((p, j) => item(p, 1 + ((i + j) % 3), 2, `2026-02-0${1 + j}`)),
    }));
    const options = { minCoPurchaseCount: 1, asOf: new Date('2026-02-20T00:00:00Z') };
    const forward = JSON.stringify(build(withItems, options));
    const backward = JSON.stringify(build([...withItems].reverse(), options));
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
    expect(Object.getPrototypeOf(index.products)).toBe(Object.prototype);
  });

  it('is empty but valid with no shoppers', () => {
    expect(build([])).toEqual(emptyIndex());
  });

  it('maps a profile to a basket: everything bought, the recent list, and the per-product counts', () => {
    const profile = {
      ...emptyProfile('u', false, '2026-01-01T00:00:00Z'),
      purchasedProducts: ['a'],
      recentPurchases: [{ productId: 'b', at: '2026-01-02T10:00:00Z', category: 'Toys' }],
      purchaseHistory: [{ productId: 'b', orders: 1, first: '2026-01-02', last: '2026-01-02' }],
      days: { '2026-01-02': { e: 1, o: 1, r: 5, u: 1, rf: 0, v: 0, a: 0 } },
    };
    expect(basketOf(profile, 'seg-3')).toEqual({
      segmentId: 'seg-3',
      purchased: ['a', 'b'],
      recent: profile.recentPurchases,
      items: [
        {
          productId: 'b',
          orders: 1,
          first: '2026-01-02',
          last: '2026-01-02',
          laterOrders: 0,
          ordersSince: 0,
          category: 'Toys',
        },
      ],
    });
  });

  it('reads an index stored before schema 2 with its shares, and no partners or facts', () => {
    const old = {
      schema: 1,
      global: [{ productId: 'g', buyers: 5, share: 0.5 }],
      segments: { s: { shoppers: 10, products: [{ productId: 'g', buyers: 5, share: 0.5 }] } },
      coPurchase: { g: [{ productId: 'h', count: 3 }] },
      categories: { g: 'Toys' },
    };
    expect(readIndex(old)).toEqual({
      ...emptyIndex(),
      global: old.global,
      segments: old.segments,
      categories: old.categories,
    });
    expect(readIndex(null)).toEqual(emptyIndex());
    const current = build(BASKETS);
    expect(readIndex(JSON.parse(JSON.stringify(current)))).toEqual(current);
  });
});
