import { describe, expect, it } from 'vitest';
import { RecommendationIndexBuilder } from '#shared/recommendations/domain/index-builder';
import { recommend } from '#shared/recommendations/domain/recommend';
import { emptyIndex, type RecommendationIndex } from '#shared/recommendations/domain/recommendation-index';

const stat = (productId: string, buyers: number, shoppers: number) => ({
  productId,
  buyers,
  share: buyers / shoppers,
});

const facts = (buyers: number, recentBuyers: number) => ({ buyers, recentBuyers, reorderRate: 0.1 });

/** Hand-made, so every score below is simple arithmetic on these figures. */
const INDEX: RecommendationIndex = {
  ...emptyIndex(),
  shoppers: 200,
  global: [
    stat('g1', 100, 200),
    stat('r1', 80, 200),
    stat('p1', 70, 200),
    stat('p2', 50, 200),
    stat('g2', 40, 200),
  ],
  segments: {
    'seg-1': {
      shoppers: 100,
      products: [stat('p1', 60, 100), stat('p2', 40, 100), stat('p3', 20, 100), stat('p5', 10, 100)],
    },
    'seg-small': { shoppers: 5, products: [stat('p9', 5, 5)] },
    prospects: { shoppers: 40, products: [] },
  },
  // Trend factors √(1 + recent buyers): r1 and p5 2, p4 3, the others 1.
  products: {
    r1: facts(80, 3),
    p1: facts(70, 0),
    p4: facts(30, 8),
    p5: facts(10, 3),
    c1: facts(20, 0),
  },
  coPurchase: {
    r1: [
      { productId: 'p4', count: 30, strength: 0.3 },
      { productId: 'c1', count: 20, strength: 0.4 },
      { productId: 'p1', count: 10, strength: 0.1 },
    ],
    r2: [
      { productId: 'c1', count: 5, strength: 0.2 },
      { productId: 'p3', count: 4, strength: 0.5 },
    ],
  },
  categories: { p1: 'Books' },
};

const ids = (list: readonly { productId: string }[]) => list.map((r) => r.productId);
const scores = (list: readonly { score: number }[]) => list.map((r) => r.score);
/** Bought r1 in the last order and r2 one order before. */
const ITEMS = [
  { productId: 'r1', ordersSince: 0 },
  { productId: 'r2', ordersSince: 1 },
];

describe('recommend (discovery)', () => {
  it("ranks the partners of the shopper's products, by strength, recency of the source and recent demand", () => {
    // p4: 1·0.3 × 3 = 0.9; c1: (1·0.4 + ½·0.2) × 1 = 0.5, named after r1 (0.4 > 0.1);
    // p3: ½·0.5 × 1 = 0.25; p1 is bought, r1 and r2 too.
    const result = recommend(INDEX, { segmentId: 'seg-1', purchased: ['p1'], items: ITEMS, limit: 3 });
    expect(result).toEqual([
      { productId: 'p4', score: 0.9, reason: 'Often bought with r1', source: 'co-purchase' },
      { productId: 'c1', score: 0.5, reason: 'Often bought with r1', source: 'co-purchase' },
      { productId: 'p3', score: 0.25, reason: 'Often bought with r2', source: 'co-purchase' },
    ]);
  });

  it('fills from segment peers, then everyone, scaled so that scores never rise', () => {
    // After p4, c1, p3 (last 0.25): segment p2 0.4 and p5 0.1 × 2 = 0.2, scaled by 0.25 / 0.4 → 0.25, 0.125;
    // then global g1 0.5 and g2 0.2 (r1 bought), scaled by 0.125 / 0.5 → 0.125.
    const result = recommend(INDEX, {
      segmentId: 'seg-1',
      segmentName: 'Champions',
      purchased: ['p1'],
      items: ITEMS,
      limit: 6,
    });
    expect(ids(result)).toEqual(['p4', 'c1', 'p3', 'p2', 'p5', 'g1']);
    expect(scores(result)).toEqual([0.9, 0.5, 0.25, 0.25, 0.125, 0.125]);
    expect(result.slice(3).map((r) => [r.source, r.reason])).toEqual([
      ['segment', 'Bought by 40% of Champions'],
      ['segment', 'Bought by 10% of Champions'],
      ['global', 'Popular with all shoppers'],
    ]);
  });

  it('ranks segment peers by share times recent demand when the shopper has no products yet', () => {
    // p1 0.6; p3 0.2 and p5 0.1 × 2 = 0.2 tie: by id. Without a name, reasons use the segment id.
    const result = recommend(INDEX, { segmentId: 'seg-1', purchased: ['p2'], limit: 3 });
    expect(result).toEqual([
      { productId: 'p1', score: 0.6, reason: 'Bought by 60% of seg-1', source: 'segment', category: 'Books' },
      { productId: 'p3', score: 0.2, reason: 'Bought by 20% of seg-1', source: 'segment' },
      { productId: 'p5', score: 0.2, reason: 'Bought by 10% of seg-1', source: 'segment' },
    ]);
  });

  it('falls back to global for a small, unknown or prospects segment', () => {
    // Share × trend: r1 0.4 × 2 = 0.8, g1 0.5, p1 0.35.
    for (const segmentId of ['seg-small', 'seg-unknown', 'prospects', 'constructor', '__proto__']) {
      const result = recommend(INDEX, { segmentId, purchased: [], limit: 3 });
      expect(ids(result)).toEqual(['r1', 'g1', 'p1']);
      expect(scores(result)).toEqual([0.8, 0.5, 0.35]);
      expect(result[2]).toMatchObject({
        source: 'global',
        reason: 'Popular with all shoppers',
        category: 'Books',
      });
    }
    // Trusted once the threshold allows it.
    expect(
      ids(recommend(INDEX, { segmentId: 'seg-small', purchased: [], limit: 2, minSegmentShoppers: 5 })),
    ).toEqual(['p9', 'r1']);
  });

  it('takes recent product ids, newest first, as one order apart when the counts are not given', () => {
    expect(
      recommend(INDEX, { segmentId: 'prospects', purchased: [], recent: ['r1', 'r2'], limit: 3 }),
    ).toEqual(recommend(INDEX, { segmentId: 'prospects', purchased: [], items: ITEMS, limit: 3 }));
  });

  it('clamps the limit to 0–50', () => {
    const big: RecommendationIndex = {
      ...INDEX,
      global: Array.from({ length: 80 }, (_, i) => stat(`q${String(i).padStart(2, '0')}`, 80 - i, 100)),
    };
    const input = { segmentId: 'seg-1', purchased: [] };
    expect(recommend(big, { ...input, limit: 1000 })).toHaveLength(50);
    expect(recommend(big, { ...input, limit: 2.7 })).toHaveLength(2);
    for (const limit of [0, -3, Number.NaN]) expect(recommend(big, { ...input, limit })).toEqual([]);
  });

  it('breaks ties by product id and repeats itself exactly', () => {
    const tied: RecommendationIndex = {
      ...INDEX,
      products: {},
      coPurchase: {
        r1: [
          { productId: 'zz', count: 1, strength: 0.2 },
          { productId: 'aa', count: 1, strength: 0.2 },
          { productId: 'mm', count: 1, strength: 0.2 },
        ],
      },
    };
    const input = { segmentId: 's', purchased: [], recent: ['r1'], limit: 3 };
    expect(ids(recommend(tied, input))).toEqual(['aa', 'mm', 'zz']);
    expect(recommend(tied, input)).toEqual(recommend(tied, input));
  });

  it('never returns NaN, even from a damaged index', () => {
    const damaged = {
      ...INDEX,
      global: [{ productId: 'x', buyers: Number.NaN, share: Number.NaN }, ...INDEX.global],
      products: { y: { buyers: 1, recentBuyers: Number.NaN, reorderRate: Number.NaN } },
      coPurchase: {
        r1: [{ productId: 'y', count: Number.NaN, strength: Number.NaN }, ...(INDEX.coPurchase.r1 ?? [])],
      },
    } as RecommendationIndex;
    const result = recommend(damaged, { segmentId: 'seg-1', purchased: [], recent: ['r1'], limit: 20 });
    expect(result.length).toBeGreaterThan(0);
    for (const r of result) expect(Number.isFinite(r.score)).toBe(true);
  });

  it('works end to end on a built index, through JSON', () => {
    const builder = new RecommendationIndexBuilder({ minCoPurchaseCount: 1 });
    const basket = (segmentId: string, ...purchased: string[]) => ({
      segmentId,
      purchased,
      recent: [...purchased].reverse().map((productId) => ({ productId })),
    });
    for (let i = 0; i < 20; i++) builder.add(basket('fans', 'a', i < 15 ? 'b' : 'c'));
    for (let i = 0; i < 30; i++) builder.add(basket('others', 'd', 'e'));
    const index = JSON.parse(JSON.stringify(builder.build())) as RecommendationIndex;
    // a's partners: b (15 shoppers) before c (5); then the segment has nothing new, so everyone: d.
    const result = recommend(index, {
      segmentId: 'fans',
      segmentName: 'Fans',
      purchased: ['a'],
      recent: ['a'],
      limit: 3,
    });
    expect(result.map((r) => [r.productId, r.reason])).toEqual([
      ['b', 'Often bought with a'],
      ['c', 'Often bought with a'],
      ['d', 'Popular with all shoppers'],
    ]);
  });
});
