/**
 * A partial recommendation index: the counts behind the index (index-counts.ts) of one set of
 * shoppers, as plain JSON, so that the index can be built as a map over parts of the snapshot and a
 * bounded reduce of their partials. This module holds the format, the exact partial of a builder's
 * counts, the exact sum of two partials and the index of a partial; index-partial-bounds.ts holds
 * the bounds, the pruning, the bounded merge the reduce uses, and the error a pruned count carries.
 *
 * Canonical: product ids are sorted (by UTF-16 code units, as the index sorts them) and every row
 * refers to them by position, sorted by position (pairs by both positions, segments by id,
 * categories by name), so the same counts always give the same JSON, and two partials sum by one
 * linear merge of their sorted rows. Every count is an integer, so sums are exact and do not depend
 * on how the shoppers were split or grouped. Pure.
 */
import {
  addCategoryVotes,
  addPair,
  compareIds,
  emptyCounts,
  type IndexCounts,
  type IndexOutputOptions,
  idOf,
  increment,
  indexOfCounts,
  segmentOf,
} from './index-counts';
import type { RecommendationIndex } from './recommendation-index';

export const INDEX_PARTIAL_FORMAT = 'recommendation-index-partial/1';

/** [position in ids, buyers, recent buyers, re-orders, later orders]. */
export type ProductCountsRow = readonly [number, number, number, number, number];
/** [position in ids, buyers in the segment]. */
export type SegmentBuyersRow = readonly [number, number];
/** [lower position, higher position, shoppers who bought both, Σ of their weights in 2^-20 units]. */
export type PairRow = readonly [number, number, number, number];
/** [category, votes]. */
export type CategoryVotes = readonly [string, number];
/** [position in ids, votes by category]. */
export type CategoryRow = readonly [number, readonly CategoryVotes[]];

export interface SegmentPartial {
  readonly id: string;
  readonly shoppers: number;
  /** How far a product's buyers in this segment may be under (index-partial-bounds.ts). */
  readonly buyersError: number;
  /** By position. */
  readonly products: readonly SegmentBuyersRow[];
}

/** How far a count may be under its true count (index-partial-bounds.ts); all zero when exact. */
export interface IndexPartialError {
  /** A product's buyers, and its recent buyers (never more than its buyers). */
  readonly buyers: number;
  readonly reorders: number;
  readonly laterOrders: number;
  /** A pair's shoppers. */
  readonly pairCount: number;
  readonly categoryVotes: number;
}

export interface IndexPartial {
  readonly format: typeof INDEX_PARTIAL_FORMAT;
  /** The as-of time recent buyers were counted back from (ISO), null without one. Merged partials share it. */
  readonly asOf: string | null;
  /** How many of a shopper's most recent products formed pairs. Merged partials share it. */
  readonly maxPairItems: number;
  readonly shoppers: number;
  /** The shop's re-orders and later orders, over every product (never pruned). */
  readonly reorders: number;
  readonly laterOrders: number;
  /** Every product id the partial holds, sorted; the rows below refer to them by position. */
  readonly ids: readonly string[];
  /** Tracked products, by position. */
  readonly products: readonly ProductCountsRow[];
  /** By segment id. */
  readonly segments: readonly SegmentPartial[];
  /** Pairs of tracked products, by positions. */
  readonly pairs: readonly PairRow[];
  /** By position. */
  readonly categories: readonly CategoryRow[];
  readonly error: IndexPartialError;
}

export interface PartialSettings {
  readonly asOf: string | null;
  readonly maxPairItems: number;
}

export const NO_ERROR: IndexPartialError = {
  buyers: 0,
  reorders: 0,
  laterOrders: 0,
  pairCount: 0,
  categoryVotes: 0,
};

const byPosition = (x: readonly [number, ...unknown[]], y: readonly [number, ...unknown[]]): number =>
  x[0] - y[0];
const byPositions = (x: PairRow, y: PairRow): number => x[0] - y[0] || x[1] - y[1];
const byName = (x: CategoryVotes, y: CategoryVotes): number => compareIds(x[0], y[0]);

/** The partial of the counts, nothing pruned. */
export const exactPartialOfCounts = (counts: IndexCounts, settings: PartialSettings): IndexPartial => {
  const held = new Set<string>([...counts.buyers.keys(), ...counts.names, ...counts.categoryVotes.keys()]);
  for (const segment of counts.segments.values()) for (const id of segment.buyers.keys()) held.add(id);
  const ids = [...held].sort(compareIds);
  const position = new Map(ids.map((id, i) => [id, i]));
  const at = (id: string): number => position.get(id) as number;
  const pairPosition = counts.names.map(at);
  const pairs: PairRow[] = [];
  for (const [lo, row] of counts.pairCounts) {
    const weights = counts.pairWeights.get(lo);
    const a = pairPosition[lo] as number;
    for (const [hi, count] of row) {
      const b = pairPosition[hi] as number;
      pairs.push([Math.min(a, b), Math.max(a, b), count, weights?.get(hi) ?? 0]);
    }
  }
  return {
    format: INDEX_PARTIAL_FORMAT,
    asOf: settings.asOf,
    maxPairItems: settings.maxPairItems,
    shoppers: counts.shoppers,
    reorders: counts.reorders,
    laterOrders: counts.laterOrders,
    ids,
    products: [...counts.buyers]
      .map(
        ([id, buyers]): ProductCountsRow => [
          at(id),
          buyers,
          counts.recentBuyers.get(id) ?? 0,
          counts.productReorders.get(id) ?? 0,
          counts.productLaterOrders.get(id) ?? 0,
        ],
      )
      .sort(byPosition),
    segments: [...counts.segments]
      .sort((x, y) => compareIds(x[0], y[0]))
      .map(([id, s]) => ({
        id,
        shoppers: s.shoppers,
        buyersError: 0,
        products: [...s.buyers].map(([p, n]): SegmentBuyersRow => [at(p), n]).sort(byPosition),
      })),
    pairs: pairs.sort(byPositions),
    categories: [...counts.categoryVotes]
      .map(([id, votes]): CategoryRow => [at(id), [...votes].sort(byName)])
      .sort(byPosition),
    error: NO_ERROR,
  };
};

const checkFormat = (partial: IndexPartial): void => {
  if (partial?.format !== INDEX_PARTIAL_FORMAT)
    throw new TypeError(`not a ${INDEX_PARTIAL_FORMAT}: ${String(partial?.format)}`);
};

/** One sorted list of two: rows equal under `compare` are added into one. */
const mergeSorted = <T>(
  xs: readonly T[],
  ys: readonly T[],
  compare: (x: T, y: T) => number,
  add: (x: T, y: T) => T,
): T[] => {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < xs.length && j < ys.length) {
    const x = xs[i] as T;
    const y = ys[j] as T;
    const c = compare(x, y);
    if (c <= 0) i++;
    if (c >= 0) j++;
    out.push(c < 0 ? x : c > 0 ? y : add(x, y));
  }
  while (i < xs.length) out.push(xs[i++] as T);
  while (j < ys.length) out.push(ys[j++] as T);
  return out;
};

const addRows = <T extends readonly [number, ...number[]]>(x: T, y: T): T =>
  x.map((v, k) => (k === 0 ? v : v + (y[k] as number))) as unknown as T;

/**
 * The partial of both partials' shoppers, nothing pruned: every count is the sum of the two, and
 * so is the error. Associative and commutative.
 */
export const sumIndexPartials = (a: IndexPartial, b: IndexPartial): IndexPartial => {
  checkFormat(a);
  checkFormat(b);
  if (a.asOf !== b.asOf || a.maxPairItems !== b.maxPairItems)
    throw new RangeError(
      `cannot merge partials of different settings: asOf ${a.asOf} and ${b.asOf}, maxPairItems ${a.maxPairItems} and ${b.maxPairItems}`,
    );
  const ids = mergeSorted(a.ids, b.ids, compareIds, (x) => x);
  // Both id lists are sorted, so the positions map in order and every sorted list stays sorted.
  const positions = (from: readonly string[]): Int32Array => {
    const map = new Int32Array(from.length);
    let k = 0;
    from.forEach((id, i) => {
      while (ids[k] !== id) k++;
      map[i] = k;
    });
    return map;
  };
  const [inA, inB] = [positions(a.ids), positions(b.ids)];
  const move =
    (map: Int32Array) =>
    <T extends readonly [number, ...unknown[]]>(row: T): T =>
      [map[row[0]] as number, ...row.slice(1)] as unknown as T;
  const [fromA, fromB] = [move(inA), move(inB)];
  const movePair =
    (map: Int32Array) =>
    (row: PairRow): PairRow => [map[row[0]] as number, map[row[1]] as number, row[2], row[3]];
  const segments = mergeSorted<SegmentPartial>(
    a.segments.map((s) => ({ ...s, products: s.products.map(fromA) })),
    b.segments.map((s) => ({ ...s, products: s.products.map(fromB) })),
    (x, y) => compareIds(x.id, y.id),
    (x, y) => ({
      id: x.id,
      shoppers: x.shoppers + y.shoppers,
      buyersError: x.buyersError + y.buyersError,
      products: mergeSorted(x.products, y.products, byPosition, addRows),
    }),
  );
  return {
    format: INDEX_PARTIAL_FORMAT,
    asOf: a.asOf,
    maxPairItems: a.maxPairItems,
    shoppers: a.shoppers + b.shoppers,
    reorders: a.reorders + b.reorders,
    laterOrders: a.laterOrders + b.laterOrders,
    ids,
    products: mergeSorted(a.products.map(fromA), b.products.map(fromB), byPosition, addRows),
    segments,
    pairs: mergeSorted(a.pairs.map(movePair(inA)), b.pairs.map(movePair(inB)), byPositions, (x, y) => [
      x[0],
      x[1],
      x[2] + y[2],
      x[3] + y[3],
    ]),
    categories: mergeSorted(a.categories.map(fromA), b.categories.map(fromB), byPosition, (x, y) => [
      x[0],
      mergeSorted(x[1], y[1], byName, (v, w) => [v[0], v[1] + w[1]]),
    ]),
    error: {
      buyers: a.error.buyers + b.error.buyers,
      reorders: a.error.reorders + b.error.reorders,
      laterOrders: a.error.laterOrders + b.error.laterOrders,
      pairCount: a.error.pairCount + b.error.pairCount,
      categoryVotes: a.error.categoryVotes + b.error.categoryVotes,
    },
  };
};

/** A partial's counts, to finish. */
export const countsOfPartial = (partial: IndexPartial): IndexCounts => {
  checkFormat(partial);
  const { ids } = partial;
  const id = (position: number): string => ids[position] as string;
  const counts = emptyCounts();
  counts.shoppers = partial.shoppers;
  counts.reorders = partial.reorders;
  counts.laterOrders = partial.laterOrders;
  for (const [p, buyers, recentBuyers, reorders, laterOrders] of partial.products) {
    counts.buyers.set(id(p), buyers);
    if (recentBuyers > 0) counts.recentBuyers.set(id(p), recentBuyers);
    counts.productReorders.set(id(p), reorders);
    counts.productLaterOrders.set(id(p), laterOrders);
  }
  for (const s of partial.segments) {
    const segment = segmentOf(counts, s.id);
    segment.shoppers += s.shoppers;
    for (const [p, buyers] of s.products) increment(segment.buyers, id(p), buyers);
  }
  const pairIds = ids.map((productId) => idOf(counts, productId));
  for (const [a, b, count, weight] of partial.pairs)
    addPair(counts, pairIds[a] as number, pairIds[b] as number, count, weight);
  for (const [p, votes] of partial.categories)
    for (const [category, n] of votes) addCategoryVotes(counts, id(p), category, n);
  return counts;
};

/**
 * The index of a partial (of every shopper, once the reduce is done) with the index's output caps:
 * what RecommendationIndexBuilder.build() gives for the same shoppers while no bound was hit.
 */
export const indexOfPartial = (
  partial: IndexPartial,
  options: IndexOutputOptions = {},
): RecommendationIndex => indexOfCounts(countsOfPartial(partial), partial.asOf, options);

/** True when no bound was ever hit: the partial's counts are exact. */
export const isExactPartial = (partial: IndexPartial): boolean =>
  Object.values(partial.error).every((e) => e === 0) && partial.segments.every((s) => s.buyersError === 0);
