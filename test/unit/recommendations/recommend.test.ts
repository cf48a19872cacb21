import { describe, expect, it } from 'vitest';
import {
  type RecommendationIndex,
  RecommendationIndexBuilder,
} from '../../../shared/domain/recommendations/index-builder';
import { recommend } from '../../../shared/domain/recommendations/recommend';

const stat = (productId: string, buyers: number, shoppers: number) => ({
  productId,
  buyers,
  share: buyers / shoppers,
});

/** Hand-made, so every score below is simple arithmetic on these figures. */
const INDEX: RecommendationIndex = {
  schema: 1,
  // 200 shoppers in all.
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
      products: [stat('p1', 60, 100), stat('p2', 40, 100), stat('p3', 20, 100), stat('p4', 10, 100)],
    },
    'seg-small': { shoppers: 5, products: [stat('p9', 5, 5)] },
    prospects: { shoppers: 40, products: [] },
  },
  coPurchase: {
    r1: [
      { productId: 'p4', count: 30 },
      { productId: 'c1', count: 20 },
      { productId: 'p1', count: 10 },
    ],
  },
  categories: { p1: 'Books' },
};

const ids = (list: readonly { productId: string }[]) => list.map((r) => r.productId);

describe('recommend', () => {
  it('ranks by segment share, leaving out what the shopper bought', () => {
    expect(
      recommend(INDEX, { segmentId: 'seg-1', segmentName: 'Champions', purchased: ['p2'], limit: 3 }),
    ).toEqual([
      {
        productId: 'p1',
        score: 0.6,
        reason: 'Bought by 60% of Champions',
        source: 'segment',
        category: 'Books',
      },
      { productId: 'p3', score: 0.2, reason: 'Bought by 20% of Champions', source: 'segment' },
      { productId: 'p4', score: 0.1, reason: 'Bought by 10% of Champions', source: 'segment' },
    ]);
  });

  it('boosts what goes with recent items beyond the segment share', () => {
    // Buyers of r1: 80 (+20 smoothing) = 100. p4: 30/100 − its 10% share = 0.2 → 0.1 + 2·0.2 = 0.5.
    // c1 (unlisted, baseline 0): 20/100 → 2·0.2 = 0.4. p1: 10/100 is below its 60%, so no boost.
    const result = recommend(INDEX, {
      segmentId: 'seg-1',
      segmentName: 'Champions',
      purchased: ['p2'],
      recent: ['r1'],
      limit: 4,
    });
    expect(ids(result)).toEqual(['p1', 'p4', 'c1', 'p3']);
    [0.6, 0.5, 0.4, 0.2].forEach((score, i) => {
      expect(result[i]?.score).toBeCloseTo(score, 12);
    });
    expect(result[1]).toMatchObject({
      source: 'co-purchase',
      reason: 'Often bought with r1; bought by 10% of Champions',
    });
    expect(result[2]).toMatchObject({ source: 'co-purchase', reason: 'Often bought with r1' });
    expect(result[0]?.reason).toBe('Bought by 60% of Champions');
  });

  it('fills from global popularity when the segment runs out, scores never rising', () => {
    const result = recommend(INDEX, { segmentId: 'seg-1', purchased: ['p2'], limit: 6 });
    expect(ids(result)).toEqual(['p1', 'p3', 'p4', 'g1', 'r1', 'g2']);
    expect(result.slice(3).map((r) => [r.source, r.reason])).toEqual([
      ['global', 'Popular with all shoppers'],
      ['global', 'Popular with all shoppers'],
      ['global', 'Popular with all shoppers'],
    ]);
    // Global shares scaled by the last segment score (0.1).
    expect(result[3]?.score).toBeCloseTo(0.05, 15);
    expect(result[5]?.score).toBeCloseTo(0.02, 15);
    for (let i = 1; i < result.length; i++)
      expect(result[i]?.score).toBeLessThanOrEqual(result[i - 1]?.score ?? 0);
    // Without a name, reasons use the segment id.
    expect(result[0]?.reason).toBe('Bought by 60% of seg-1');
  });

  it('falls back to global for a small, unknown or prospects segment', () => {
    const global = [
      { productId: 'g1', score: 0.5, reason: 'Popular with all shoppers', source: 'global' },
      { productId: 'r1', score: 0.4, reason: 'Popular with all shoppers', source: 'global' },
      {
        productId: 'p1',
        score: 0.35,
        reason: 'Popular with all shoppers',
        source: 'global',
        category: 'Books',
      },
    ];
    for (const segmentId of ['seg-small', 'seg-unknown', 'prospects', 'constructor', '__proto__'])
      expect(recommend(INDEX, { segmentId, purchased: [], limit: 3 })).toEqual(global);
    // Trusted once the threshold allows it.
    expect(
      ids(recommend(INDEX, { segmentId: 'seg-small', purchased: [], limit: 2, minSegmentShoppers: 5 })),
    ).toEqual(['p9', 'g1']);
  });

  it('still uses co-purchase when the segment is too small', () => {
    const result = recommend(INDEX, { segmentId: 'seg-small', purchased: [], recent: ['r1'], limit: 4 });
    // p4: 0.3 over a global baseline of 0 → 0.6; c1 → 0.4; p1: 0.1 − 0.35 → none; then global × 0.4.
    expect(ids(result)).toEqual(['p4', 'c1', 'g1', 'p1']);
    expect(result.map((r) => r.source)).toEqual(['co-purchase', 'co-purchase', 'global', 'global']);
    expect(result[2]?.score).toBeCloseTo(0.2, 15);
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
      segments: {
        s: { shoppers: 50, products: [stat('zz', 10, 50), stat('aa', 10, 50), stat('mm', 10, 50)] },
      },
    };
    const input = { segmentId: 's', purchased: [], recent: ['r1'], limit: 10 };
    expect(ids(recommend(tied, input)).slice(0, 5)).toEqual(['p4', 'c1', 'aa', 'mm', 'zz']);
    expect(recommend(tied, input)).toEqual(recommend(tied, input));
  });

  it('never returns NaN, even from a damaged index', () => {
    const damaged = {
      ...INDEX,
      global: [{ productId: 'x', buyers: Number.NaN, share: Number.NaN }, ...INDEX.global],
      coPurchase: { r1: [{ productId: 'y', count: Number.NaN }] },
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
    const result = recommend(index, { segmentId: 'fans', segmentName: 'Fans', purchased: ['a'], limit: 3 });
    expect(result.map((r) => [r.productId, r.reason])).toEqual([
      ['b', 'Bought by 75% of Fans'],
      ['c', 'Bought by 25% of Fans'],
      ['d', 'Popular with all shoppers'],
    ]);
  });
});
