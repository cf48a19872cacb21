/**
 * The counts a recommendation index is made from, and the index they give. Two producers fill
 * them: RecommendationIndexBuilder (index-builder.ts), one shopper at a time, and a partial index
 * read back for the reduce step (index-partial.ts). Both finish with `indexOfCounts`, so the same
 * counts give the same index, byte for byte once stringified, whichever path made them.
 *
 * Every count is an integer (pair weights too, in units of 2^-20), so sums are exact below 2^53
 * and do not depend on the order they were added in; every list is sorted on a total order
 * (count, then product id), so ties do not depend on it either. Pure.
 */
import {
  type CoPurchase,
  emptyIndex,
  type ProductFacts,
  type ProductStat,
  RECENT_DAYS,
  type RecommendationIndex,
  type SegmentStats,
} from './recommendation-index';

/** The output caps: how much of the counts the index keeps. */
export interface IndexOutputOptions {
  readonly maxProductsPerSegment?: number;
  readonly maxCoPurchases?: number;
  readonly maxGlobal?: number;
  /** Products that carry facts and partners (the most bought). */
  readonly maxProducts?: number;
  /** Pairs seen fewer times are dropped: one-off pairs are noise and would dominate the index size. */
  readonly minCoPurchaseCount?: number;
}

/**
 * A product's re-order rate counts as much as ten later orders of the shop's rate: a product with
 * few buyers takes the shop's rate, one bought again and again by many buyers its own.
 */
export const REORDER_PRIOR_ORDERS = 10;
/** Pair weights are summed as integers in these units (exact, so the order of shoppers cannot matter). */
export const WEIGHT_UNIT = 2 ** 20;

export const limitOf = (value: number | undefined, fallback: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));

/** The output caps with their defaults filled in. */
export const outputCaps = (options: IndexOutputOptions = {}): Required<IndexOutputOptions> => ({
  maxProductsPerSegment: limitOf(options.maxProductsPerSegment, 200),
  maxCoPurchases: limitOf(options.maxCoPurchases, 20),
  maxGlobal: limitOf(options.maxGlobal, 500),
  maxProducts: limitOf(options.maxProducts, 5_000),
  minCoPurchaseCount: Math.max(1, limitOf(options.minCoPurchaseCount, 2)),
});

export const increment = (counts: Map<string, number>, key: string, by = 1): void => {
  counts.set(key, (counts.get(key) ?? 0) + by);
};

export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Highest count first, then product id, so ties never depend on the order shoppers arrived in. */
export const byCountThenId = (a: readonly [string, number], b: readonly [string, number]): number =>
  b[1] - a[1] || compareIds(a[0], b[0]);

export interface SegmentCounts {
  shoppers: number;
  readonly buyers: Map<string, number>;
}

/** Mutable counting state; maps by product id unless said otherwise. */
export interface IndexCounts {
  shoppers: number;
  /** The shop's re-orders and later orders, over every product (the shop's re-order rate). */
  reorders: number;
  laterOrders: number;
  readonly buyers: Map<string, number>;
  readonly recentBuyers: Map<string, number>;
  readonly productReorders: Map<string, number>;
  readonly productLaterOrders: Map<string, number>;
  readonly segments: Map<string, SegmentCounts>;
  /** Per product, how often each category was reported: the index keeps the most frequent. */
  readonly categoryVotes: Map<string, Map<string, number>>;
  /** Product ids as small integers, for the pair maps. */
  readonly ids: Map<string, number>;
  readonly names: string[];
  /** Pair counts and weights (WEIGHT_UNITs) under the smaller integer id of each pair. */
  readonly pairCounts: Map<number, Map<number, number>>;
  readonly pairWeights: Map<number, Map<number, number>>;
}

export const emptyCounts = (): IndexCounts => ({
  shoppers: 0,
  reorders: 0,
  laterOrders: 0,
  buyers: new Map(),
  recentBuyers: new Map(),
  productReorders: new Map(),
  productLaterOrders: new Map(),
  segments: new Map(),
  categoryVotes: new Map(),
  ids: new Map(),
  names: [],
  pairCounts: new Map(),
  pairWeights: new Map(),
});

export const segmentOf = (counts: IndexCounts, segmentId: string): SegmentCounts => {
  let segment = counts.segments.get(segmentId);
  if (!segment) {
    segment = { shoppers: 0, buyers: new Map() };
    counts.segments.set(segmentId, segment);
  }
  return segment;
};

export const addCategoryVotes = (counts: IndexCounts, productId: string, category: string, by = 1): void => {
  let votes = counts.categoryVotes.get(productId);
  if (!votes) {
    votes = new Map();
    counts.categoryVotes.set(productId, votes);
  }
  increment(votes, category, by);
};

export const idOf = (counts: IndexCounts, productId: string): number => {
  let id = counts.ids.get(productId);
  if (id === undefined) {
    id = counts.names.length;
    counts.ids.set(productId, id);
    counts.names.push(productId);
  }
  return id;
};

const pairMap = (maps: Map<number, Map<number, number>>, id: number): Map<number, number> => {
  let map = maps.get(id);
  if (!map) {
    map = new Map();
    maps.set(id, map);
  }
  return map;
};

/** Adds to the pair of two distinct integer ids, whichever order they come in. */
export const addPair = (counts: IndexCounts, a: number, b: number, count: number, weight: number): void => {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const pairCounts = pairMap(counts.pairCounts, lo);
  pairCounts.set(hi, (pairCounts.get(hi) ?? 0) + count);
  const pairWeights = pairMap(counts.pairWeights, lo);
  pairWeights.set(hi, (pairWeights.get(hi) ?? 0) + weight);
};

const topStats = (counts: Map<string, number>, shoppers: number, max: number): ProductStat[] =>
  [...counts]
    .sort(byCountThenId)
    .slice(0, max)
    .map(([productId, buyers]) => ({ productId, buyers, share: buyers / shoppers }));

/** Six significant digits: plenty to rank on, and a third of the JSON of full doubles. */
const round6 = (x: number): number => Number(x.toPrecision(6));

/** The index of the counts, as of `asOf` (an ISO time, or null without one). */
export const indexOfCounts = (
  counts: IndexCounts,
  asOf: string | null,
  options: IndexOutputOptions = {},
): RecommendationIndex => {
  if (counts.shoppers === 0) return emptyIndex();
  const caps = outputCaps(options);
  const global = topStats(counts.buyers, counts.shoppers, caps.maxGlobal);
  // Sorted keys and Object.fromEntries: stable JSON, and ids like "__proto__" stay plain data.
  const segments = Object.fromEntries(
    [...counts.segments.keys()].sort().map((id) => {
      const s = counts.segments.get(id) as SegmentCounts;
      const stats: SegmentStats = {
        shoppers: s.shoppers,
        products: topStats(s.buyers, s.shoppers, caps.maxProductsPerSegment),
      };
      return [id, stats];
    }),
  );

  const shopRate = counts.laterOrders > 0 ? counts.reorders / counts.laterOrders : 0;
  const indexed = [...counts.buyers].sort(byCountThenId).slice(0, caps.maxProducts);
  const indexedIds = new Set(indexed.map(([productId]) => productId));
  const products = Object.fromEntries(
    indexed
      .map(([productId, buyers]): [string, ProductFacts] => [
        productId,
        {
          buyers,
          recentBuyers: counts.recentBuyers.get(productId) ?? 0,
          reorderRate: round6(
            ((counts.productReorders.get(productId) ?? 0) + REORDER_PRIOR_ORDERS * shopRate) /
              ((counts.productLaterOrders.get(productId) ?? 0) + REORDER_PRIOR_ORDERS),
          ),
        },
      ])
      .sort((a, b) => compareIds(a[0], b[0])),
  );
  const coPurchase = coPurchases(counts, indexedIds, caps);

  // Categories only for products the index mentions, so they cannot outgrow it.
  const mentioned = new Set<string>(indexedIds);
  for (const p of global) mentioned.add(p.productId);
  for (const s of Object.values(segments)) for (const p of s.products) mentioned.add(p.productId);
  const categories: [string, string][] = [];
  for (const productId of [...mentioned].sort()) {
    const votes = counts.categoryVotes.get(productId);
    const best = votes ? [...votes].sort(byCountThenId)[0] : undefined;
    if (best) categories.push([productId, best[0]]);
  }

  return {
    schema: 2,
    asOf,
    recentDays: RECENT_DAYS,
    shoppers: counts.shoppers,
    reorderRate: round6(shopRate),
    global,
    segments,
    products,
    coPurchase: Object.fromEntries(coPurchase),
    categories: Object.fromEntries(categories),
  };
};

/** Each indexed product's strongest partners among the indexed products, by weighted cosine. */
const coPurchases = (
  counts: IndexCounts,
  indexed: ReadonlySet<string>,
  caps: Required<IndexOutputOptions>,
): [string, CoPurchase[]][] => {
  const both = new Map<string, CoPurchase[]>();
  const push = (from: string, partner: CoPurchase) => {
    let list = both.get(from);
    if (!list) {
      list = [];
      both.set(from, list);
    }
    list.push(partner);
  };
  for (const [lo, pairCounts] of counts.pairCounts) {
    const a = counts.names[lo] as string;
    if (!indexed.has(a)) continue;
    const weights = counts.pairWeights.get(lo);
    for (const [hi, count] of pairCounts) {
      if (count < caps.minCoPurchaseCount) continue;
      const b = counts.names[hi] as string;
      if (!indexed.has(b)) continue;
      const weight = (weights?.get(hi) ?? 0) / WEIGHT_UNIT;
      const strength = round6(weight / Math.sqrt((counts.buyers.get(a) ?? 1) * (counts.buyers.get(b) ?? 1)));
      push(a, { productId: b, count, strength });
      push(b, { productId: a, count, strength });
    }
  }
  return [...both.keys()]
    .sort()
    .map((productId) => [
      productId,
      (both.get(productId) ?? [])
        .sort((x, y) => y.strength - x.strength || y.count - x.count || compareIds(x.productId, y.productId))
        .slice(0, caps.maxCoPurchases),
    ]);
};
