/**
 * The recommendation index as map (a partial per part) → reduce (merged partials): exact while no
 * bound is hit, whatever the split and grouping; within its bounds and its documented error when
 * they are hit; and plain JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type IndexBuilderOptions,
  partialOf,
  RecommendationIndexBuilder,
  type ShopperBasket,
} from '#shared/recommendations/domain/index-builder';
import { type IndexCounts, WEIGHT_UNIT } from '#shared/recommendations/domain/index-counts';
import {
  countsOfPartial,
  type IndexPartial,
  indexOfPartial,
  isExactPartial,
  sumIndexPartials,
} from '#shared/recommendations/domain/index-partial';
import {
  type IndexPartialBounds,
  mergeIndexPartials,
  partialBoundsFor,
  prunePartial,
  UNBOUNDED,
} from '#shared/recommendations/domain/index-partial-bounds';
import type { ShopperItem } from '#shared/recommendations/domain/shopper-items';

const SEED = 20_260_301;
// Odd ids on purpose: the partial and the index must keep them as plain data.
const PRODUCTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', '__proto__', 'constructor', 'Z'];
const SEGMENTS = ['seg-1', 'seg-2', 'prospects', '__proto__'];
const CATEGORIES = ['Toys', 'Books', 'Home', 'toString'];
const AS_OF = new Date('2026-03-01T00:00:00Z');

const dayArbitrary = fc
  .integer({ min: 0, max: 90 })
  .map((n) => new Date(Date.UTC(2025, 11, 1) + n * 86_400_000).toISOString().slice(0, 10));
const categoryArbitrary = fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined });

const itemArbitrary = fc
  .record({
    productId: fc.constantFrom(...PRODUCTS),
    orders: fc.integer({ min: 1, max: 4 }),
    laterOrders: fc.integer({ min: 0, max: 6 }),
    last: dayArbitrary,
    category: categoryArbitrary,
  })
  .map(
    ({ category, ...item }): ShopperItem => ({
      ...item,
      first: '2025-11-01',
      ordersSince: 0,
      ...(category === undefined ? {} : { category }),
    }),
  );

const basketArbitrary: fc.Arbitrary<ShopperBasket> = fc.record({
  segmentId: fc.constantFrom(...SEGMENTS),
  purchased: fc.uniqueArray(fc.constantFrom(...PRODUCTS), { maxLength: 6 }),
  recent: fc.option(
    fc.array(
      fc.record({
        productId: fc.constantFrom(...PRODUCTS),
        at: fc.option(
          dayArbitrary.map((day) => `${day}T10:00:00Z`),
          { nil: undefined },
        ),
        category: categoryArbitrary,
      }),
      { maxLength: 5 },
    ),
    { nil: undefined },
  ),
  items: fc.option(fc.uniqueArray(itemArbitrary, { selector: (item) => item.productId, maxLength: 6 }), {
    nil: undefined,
  }),
});

/** Small output caps, so that the lists' cuts and ties matter. */
const optionsArbitrary: fc.Arbitrary<IndexBuilderOptions> = fc.record({
  asOf: fc.constantFrom(AS_OF, undefined),
  maxProductsPerSegment: fc.integer({ min: 1, max: 6 }),
  maxCoPurchases: fc.integer({ min: 1, max: 4 }),
  maxGlobal: fc.integer({ min: 1, max: 8 }),
  maxProducts: fc.integer({ min: 1, max: 12 }),
  minCoPurchaseCount: fc.integer({ min: 1, max: 3 }),
  maxPairItems: fc.integer({ min: 2, max: 6 }),
});

const smallBoundsArbitrary: fc.Arbitrary<IndexPartialBounds> = fc.record({
  maxTrackedProducts: fc.integer({ min: 0, max: 8 }),
  maxSegmentProducts: fc.integer({ min: 0, max: 6 }),
  maxPairs: fc.integer({ min: 0, max: 14 }),
  maxPartners: fc.integer({ min: 0, max: 3 }),
  maxCategories: fc.integer({ min: 0, max: 2 }),
});

const scenarioArbitrary = fc.record({
  baskets: fc.array(basketArbitrary, { maxLength: 40 }),
  options: optionsArbitrary,
  /** Where the snapshot is cut into consecutive parts. */
  cuts: fc.uniqueArray(fc.integer({ min: 1, max: 39 }), { maxLength: 8 }),
  /** Which neighbours merge first: any binary tree over the parts, in order. */
  grouping: fc.array(fc.nat(), { maxLength: 10 }),
});

const partsOf = <T>(items: readonly T[], cuts: readonly number[]): T[][] => {
  const at = [0, ...cuts.filter((c) => c < items.length).sort((a, b) => a - b), items.length];
  return at.slice(1).map((end, i) => items.slice(at[i], end));
};

const built = (baskets: readonly ShopperBasket[], options: IndexBuilderOptions) => {
  const builder = new RecommendationIndexBuilder(options);
  for (const basket of baskets) builder.add(basket);
  return builder.build();
};

const foldInOrder = (
  partials: readonly IndexPartial[],
  merge: (a: IndexPartial, b: IndexPartial) => IndexPartial,
) => partials.slice(1).reduce(merge, partials[0] as IndexPartial);

const mergeAsTree = (
  partials: readonly IndexPartial[],
  grouping: readonly number[],
  merge: (a: IndexPartial, b: IndexPartial) => IndexPartial,
): IndexPartial => {
  const queue = [...partials];
  let pick = 0;
  while (queue.length > 1) {
    const at = (grouping[pick++ % Math.max(1, grouping.length)] ?? 0) % (queue.length - 1);
    queue.splice(at, 2, merge(queue[at] as IndexPartial, queue[at + 1] as IndexPartial));
  }
  return queue[0] as IndexPartial;
};

describe('partial indexes, no bound hit', () => {
  it('merged over any split into consecutive parts, in order or as a tree, give the one-pass index byte for byte', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ baskets, options, cuts, grouping }) => {
        const whole = built(baskets, options);
        for (const bounds of [UNBOUNDED, partialBoundsFor()]) {
          const merge = (a: IndexPartial, b: IndexPartial) => mergeIndexPartials(a, b, bounds);
          const partials = partsOf(baskets, cuts).map((part) => partialOf(part, options, bounds));
          for (const merged of [foldInOrder(partials, merge), mergeAsTree(partials, grouping, merge)]) {
            expect(isExactPartial(merged)).toBe(true);
            // The counts themselves: the partial of all the baskets at once.
            expect(merged).toEqual(partialOf(baskets, options, bounds));
            const index = indexOfPartial(merged, options);
            expect(index).toEqual(whole);
            expect(JSON.stringify(index)).toBe(JSON.stringify(whole));
          }
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('merge is associative and commutative for the counts', () => {
    fc.assert(
      fc.property(
        fc.array(basketArbitrary, { maxLength: 12 }),
        fc.array(basketArbitrary, { maxLength: 12 }),
        fc.array(basketArbitrary, { maxLength: 12 }),
        optionsArbitrary,
        (x, y, z, options) => {
          const [a, b, c] = [x, y, z].map((baskets) => partialOf(baskets, options, UNBOUNDED)) as [
            IndexPartial,
            IndexPartial,
            IndexPartial,
          ];
          const merge = (p: IndexPartial, q: IndexPartial) => mergeIndexPartials(p, q, UNBOUNDED);
          expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
          expect(merge(a, b)).toEqual(merge(b, a));
          expect(sumIndexPartials(a, b)).toEqual(merge(a, b));
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});

/** The bounds hold: sizes, and pairs only among tracked products, ids only those still used. */
const expectWithinBounds = (partial: IndexPartial, bounds: IndexPartialBounds): void => {
  expect(partial.products.length).toBeLessThanOrEqual(bounds.maxTrackedProducts);
  expect(partial.pairs.length).toBeLessThanOrEqual(bounds.maxPairs);
  const tracked = new Set(partial.products.map(([p]) => p));
  for (const [a, b] of partial.pairs) expect(tracked.has(a) && tracked.has(b) && a < b).toBe(true);
  const held = new Set(tracked);
  for (const s of partial.segments) {
    expect(s.products.length).toBeLessThanOrEqual(bounds.maxSegmentProducts);
    for (const [p] of s.products) held.add(p);
  }
  for (const [p, votes] of partial.categories) {
    expect(held.has(p)).toBe(true);
    expect(votes.length).toBeLessThanOrEqual(bounds.maxCategories);
  }
  expect(held.size).toBe(partial.ids.length);
  expect([...partial.ids].sort()).toEqual(partial.ids);
};

/** When pairs were pruned, each kept pair is among its products' `maxPartners` most co-bought of the sum. */
const expectPartnersByCount = (sum: IndexPartial, merged: IndexPartial, bounds: IndexPartialBounds): void => {
  const tracked = new Set(merged.products.map(([p]) => merged.ids[p]));
  const candidates = sum.pairs
    .map(([a, b, n]) => [sum.ids[a] as string, sum.ids[b] as string, n] as const)
    .filter(([a, b]) => tracked.has(a) && tracked.has(b));
  if (candidates.length <= bounds.maxPairs) return;
  const rankOf = (product: string, partner: string): number =>
    candidates
      .filter(([a, b]) => a === product || b === product)
      .map(([a, b, n]) => [a === product ? b : a, n] as const)
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .findIndex(([other]) => other === partner);
  for (const [a, b] of merged.pairs) {
    const [x, y] = [merged.ids[a] as string, merged.ids[b] as string];
    expect(Math.min(rankOf(x, y), rankOf(y, x))).toBeLessThan(bounds.maxPartners);
  }
};

/** `count` is the exact count, or under it by at most `error`. */
const expectWithin = (count: number, exact: number, error: number): void => {
  expect(count).toBeLessThanOrEqual(exact);
  expect(count).toBeGreaterThanOrEqual(exact - error);
};

const pairOf = (counts: IndexCounts, x: string, y: string): { count: number; weight: number } => {
  const [i, j] = [counts.ids.get(x), counts.ids.get(y)];
  if (i === undefined || j === undefined) return { count: 0, weight: 0 };
  const [lo, hi] = i < j ? [i, j] : [j, i];
  return { count: counts.pairCounts.get(lo)?.get(hi) ?? 0, weight: counts.pairWeights.get(lo)?.get(hi) ?? 0 };
};

describe('partial indexes with small bounds', () => {
  it('stay within their bounds and every count within the documented error of the exact one', () => {
    fc.assert(
      fc.property(scenarioArbitrary, smallBoundsArbitrary, ({ baskets, options, cuts, grouping }, bounds) => {
        const merge = (a: IndexPartial, b: IndexPartial): IndexPartial => {
          const sum = sumIndexPartials(a, b);
          const merged = mergeIndexPartials(a, b, bounds);
          expect(merged).toEqual(prunePartial(sum, bounds));
          expectWithinBounds(merged, bounds);
          expectPartnersByCount(sum, merged, bounds);
          return merged;
        };
        const partials = partsOf(baskets, cuts).map((part) => partialOf(part, options, bounds));
        for (const partial of partials) expectWithinBounds(partial, bounds);
        const merged = mergeAsTree(partials, grouping, merge);
        const exact = countsOfPartial(partialOf(baskets, options, UNBOUNDED));
        const counts = countsOfPartial(merged);
        const { error } = merged;

        expect([counts.shoppers, counts.reorders, counts.laterOrders]).toEqual([
          exact.shoppers,
          exact.reorders,
          exact.laterOrders,
        ]);
        for (const [id, buyers] of exact.buyers) {
          expectWithin(counts.buyers.get(id) ?? 0, buyers, error.buyers);
          expectWithin(counts.recentBuyers.get(id) ?? 0, exact.recentBuyers.get(id) ?? 0, error.buyers);
          expectWithin(
            counts.productReorders.get(id) ?? 0,
            exact.productReorders.get(id) ?? 0,
            error.reorders,
          );
          const later = exact.productLaterOrders.get(id) ?? 0;
          expectWithin(counts.productLaterOrders.get(id) ?? 0, later, error.laterOrders);
          for (const [category, votes] of exact.categoryVotes.get(id) ?? [])
            expectWithin(counts.categoryVotes.get(id)?.get(category) ?? 0, votes, error.categoryVotes);
          for (const other of exact.buyers.keys()) {
            if (other <= id) continue;
            const [got, want] = [pairOf(counts, id, other), pairOf(exact, id, other)];
            expectWithin(got.count, want.count, error.pairCount);
            expectWithin(got.weight, want.weight, (error.pairCount * WEIGHT_UNIT) / 2);
          }
        }
        for (const s of merged.segments) {
          const want = exact.segments.get(s.id);
          expect(s.shoppers).toBe(want?.shoppers);
          for (const [id, buyers] of want?.buyers ?? [])
            expectWithin(counts.segments.get(s.id)?.buyers.get(id) ?? 0, buyers, s.buyersError);
        }
        expect(merged.segments.map((s) => s.id)).toEqual([...exact.segments.keys()].sort());

        // And so is every count the index shows.
        const index = indexOfPartial(merged, options);
        expect(index.shoppers).toBe(exact.shoppers);
        for (const p of index.global)
          expectWithin(p.buyers, exact.buyers.get(p.productId) ?? 0, error.buyers);
        for (const [segmentId, stats] of Object.entries(index.segments)) {
          const s = merged.segments.find((x) => x.id === segmentId);
          for (const p of stats.products)
            expectWithin(
              p.buyers,
              exact.segments.get(segmentId)?.buyers.get(p.productId) ?? 0,
              s?.buyersError ?? 0,
            );
        }
        for (const [id, facts] of Object.entries(index.products)) {
          expectWithin(facts.buyers, exact.buyers.get(id) ?? 0, error.buyers);
          expectWithin(facts.recentBuyers, exact.recentBuyers.get(id) ?? 0, error.buyers);
        }
        for (const [id, partners] of Object.entries(index.coPurchase))
          for (const p of partners)
            expectWithin(p.count, pairOf(exact, id, p.productId).count, error.pairCount);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('prune to the most bought and most co-bought, ties to the smaller id, and report the threshold', () => {
    const baskets: ShopperBasket[] = [
      { segmentId: 's', purchased: [], recent: [{ productId: 'a' }, { productId: 'b' }, { productId: 'c' }] },
      { segmentId: 's', purchased: [], recent: [{ productId: 'a' }, { productId: 'b' }] },
      { segmentId: 's', purchased: [], recent: [{ productId: 'a' }, { productId: 'd' }] },
    ];
    const bounds = { ...UNBOUNDED, maxTrackedProducts: 3, maxPairs: 1, maxPartners: 1 };
    const partial = partialOf(baskets, {}, bounds);
    // a 3 buyers, b 2, then c and d 1 each: c stays (smaller id), d goes with one buyer.
    expect(partial.ids).toEqual(['a', 'b', 'c', 'd']);
    expect(partial.products.map(([p, n]) => [partial.ids[p], n])).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ]);
    // The segment still holds d. Of the pairs a–b (2), a–c, b–c (1): a–b, the most co-bought of each.
    expect(partial.segments[0]?.products).toHaveLength(4);
    expect(partial.pairs.map(([a, b, n]) => [partial.ids[a], partial.ids[b], n])).toEqual([['a', 'b', 2]]);
    expect(partial.error).toEqual({ buyers: 1, reorders: 0, laterOrders: 0, pairCount: 1, categoryVotes: 0 });
    expect(isExactPartial(partial)).toBe(false);
  });
});

describe('partial index format', () => {
  it('survives a JSON round trip: the same partial, the same index, the same merges', () => {
    fc.assert(
      fc.property(scenarioArbitrary, smallBoundsArbitrary, ({ baskets, options, cuts }, bounds) => {
        for (const b of [UNBOUNDED, bounds]) {
          const partials = partsOf(baskets, cuts).map((part) => partialOf(part, options, b));
          const copies = partials.map((p) => JSON.parse(JSON.stringify(p)) as IndexPartial);
          expect(copies).toEqual(partials);
          const merge = (x: IndexPartial, y: IndexPartial) => mergeIndexPartials(x, y, b);
          const [merged, mergedCopies] = [foldInOrder(partials, merge), foldInOrder(copies, merge)];
          expect(mergedCopies).toEqual(merged);
          expect(JSON.stringify(indexOfPartial(mergedCopies, options))).toBe(
            JSON.stringify(indexOfPartial(merged, options)),
          );
        }
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('holds ids once, sorted, and rows by position', () => {
    const builder = new RecommendationIndexBuilder({ asOf: AS_OF });
    builder.add({
      segmentId: 'seg-1',
      purchased: ['b', 'a'],
      items: [
        {
          productId: 'b',
          orders: 3,
          first: '2026-01-02',
          last: '2026-02-20',
          laterOrders: 4,
          ordersSince: 0,
        },
        {
          productId: 'a',
          orders: 1,
          first: '2026-01-02',
          last: '2026-01-02',
          laterOrders: 2,
          ordersSince: 2,
          category: 'Toys',
        },
      ],
    });
    expect(builder.toPartial()).toEqual({
      format: 'recommendation-index-partial/1',
      asOf: '2026-03-01T00:00:00.000Z',
      maxPairItems: 30,
      shoppers: 1,
      reorders: 2,
      laterOrders: 6,
      ids: ['a', 'b'],
      // [position, buyers, recent buyers, re-orders, later orders]: b was last bought 9 days before.
      products: [
        [0, 1, 0, 0, 2],
        [1, 1, 1, 2, 4],
      ],
      segments: [
        {
          id: 'seg-1',
          shoppers: 1,
          buyersError: 0,
          products: [
            [0, 1],
            [1, 1],
          ],
        },
      ],
      // Two products bought: the pair weighs ½ (2^19 in 2^-20 units).
      pairs: [[0, 1, 1, 2 ** 19]],
      categories: [[0, [['Toys', 1]]]],
      error: { buyers: 0, reorders: 0, laterOrders: 0, pairCount: 0, categoryVotes: 0 },
    });
  });

  it('refuses to merge partials of different settings, bad bounds, and what is not a partial', () => {
    const a = partialOf([{ segmentId: 's', purchased: ['x'] }], { asOf: AS_OF });
    const b = partialOf([{ segmentId: 's', purchased: ['x'] }], {});
    expect(() => mergeIndexPartials(a, b)).toThrow(RangeError);
    expect(() => mergeIndexPartials(a, a, { ...UNBOUNDED, maxPairs: -1 })).toThrow(RangeError);
    expect(() => indexOfPartial({ ...a, format: 'x' } as unknown as IndexPartial)).toThrow(TypeError);
  });

  it('leaves the builder as it was: a part can be indexed after its partial is taken', () => {
    const builder = new RecommendationIndexBuilder({ minCoPurchaseCount: 1 });
    const baskets: ShopperBasket[] = [
      { segmentId: 's', purchased: ['a', 'b', 'c'] },
      { segmentId: 't', purchased: ['c', 'd'] },
    ];
    for (const basket of baskets) builder.add(basket);
    const before = builder.build();
    builder.toPartial({ ...UNBOUNDED, maxTrackedProducts: 1, maxPairs: 0, maxSegmentProducts: 1 });
    expect(builder.build()).toEqual(before);
    expect(indexOfPartial(builder.toPartial(), { minCoPurchaseCount: 1 })).toEqual(before);
  });

  it('is empty but valid with no shoppers', () => {
    const empty = partialOf([], { asOf: AS_OF });
    expect(indexOfPartial(empty)).toEqual(new RecommendationIndexBuilder({ asOf: AS_OF }).build());
    expect(mergeIndexPartials(empty, empty)).toEqual(empty);
  });
});
