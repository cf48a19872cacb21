/**
 * Bounded partial indexes (index-partial.ts holds the format): the bounds, their defaults, the
 * pruning, and `mergeIndexPartials`, the reduce step. A partial is pruned each time one is made: a
 * part's own (RecommendationIndexBuilder.toPartial, partialOf) and every merge's.
 *
 * What a pruned partial keeps, ranked by count, ties to the smaller id (so a partial depends only on
 * its counts, never on the order its shoppers came in):
 *   - at most `maxTrackedProducts` products (by buyers) with buyers, recent buyers, re-order counts
 *     and pairs;
 *   - per segment, at most `maxSegmentProducts` products (by buyers in it);
 *   - at most `maxPairs` pairs, both of them tracked: over that, a pair stays while it is among the
 *     `maxPartners` most co-bought partners (by count) of either of its products, and, if those are
 *     still more than maxPairs, the maxPairs most co-bought of them;
 *   - per product held (tracked or in a segment), at most `maxCategories` categories (by votes).
 * Shoppers, overall and per segment, and the shop's re-order counts are never pruned.
 *
 * Defaults (partialBoundsFor, from the index's own caps): 20,000 tracked products (4 × maxProducts),
 * 4,000 per segment (20 × maxProductsPerSegment; a segment row is two numbers), 1,000,000 pairs
 * (10 × maxProducts × maxCoPurchases, the index's own partner bound), 200 partners a product
 * (10 × maxCoPurchases), 4 categories.
 *
 * The error (Space-Saving / Misra–Gries style), kept in the partial so it can be reported: a prune
 * drops the entries of smallest count (each at most the smallest count it keeps; a pair dropped
 * with an untracked product, at most that product's buyers) and adds the largest count it dropped,
 * its threshold, to the partial's error for that kind of count; a merge adds the two partials'
 * errors, then its own prune's. So a count is never over the true count over the partial's
 * shoppers, and is under it by at most the sum of the thresholds of the prunes below it in the
 * merge tree, which is the partial's error; an entry the partial does not hold has a true count of
 * at most that error. Per kind:
 *   - error.buyers: a product's buyers, and its recent buyers (never more than its buyers);
 *   - error.reorders, error.laterOrders: a product's re-orders and later orders (its re-order rate);
 *   - segment.buyersError: a product's buyers in that segment;
 *   - error.pairCount: a pair's shoppers; its weight (Σ 1 / products bought over them, each at most
 *     ½) by at most error.pairCount / 2, so its strength by at most that over √(buyers · buyers);
 *   - error.categoryVotes: a product's votes for a category.
 * All zero (isExactPartial) means no bound was hit: the partial is exact, and its index is the
 * one-pass builder's. Otherwise lists can rank differently where counts are within the error.
 *
 * Measured on Online Retail H1 with the evaluation's own profiles (evaluate/recommendations.ts:
 * 2,718 shoppers, 3,021 products, 382,354 pairs, at most 2,358 products in a segment): in 20
 * parts, merged in order or as a tree, no bound is hit and the index equals the one-pass index.
 * A 20,000-shopper part resampled from it is 8.0 MB of JSON (exact); one from a 25,000-product
 * catalogue hits the pair bound and is 22 MB (1,000,000 pairs). Pure.
 */
import { type IndexOutputOptions, outputCaps } from './index-counts';
import type { CategoryRow, IndexPartial, PairRow, SegmentPartial } from './index-partial';
import { sumIndexPartials } from './index-partial';

export interface IndexPartialBounds {
  /** Products with buyers, recent buyers, re-order counts and pairs: the most bought. */
  readonly maxTrackedProducts: number;
  /** Products with buyers per segment: the most bought in it. */
  readonly maxSegmentProducts: number;
  /** Pairs in all; over it, pairs are pruned as the module comment says. */
  readonly maxPairs: number;
  /** When pairs are pruned, each product keeps its most co-bought partners, this many. */
  readonly maxPartners: number;
  /** Categories (with their votes) per product: the most reported. */
  readonly maxCategories: number;
}

/** No bound: the partial keeps every count (exact, for tests and small shops). */
export const UNBOUNDED: IndexPartialBounds = {
  maxTrackedProducts: Number.POSITIVE_INFINITY,
  maxSegmentProducts: Number.POSITIVE_INFINITY,
  maxPairs: Number.POSITIVE_INFINITY,
  maxPartners: Number.POSITIVE_INFINITY,
  maxCategories: Number.POSITIVE_INFINITY,
};

/** The default bounds for an index with these output caps (see the module comment). */
export const partialBoundsFor = (options: IndexOutputOptions = {}): IndexPartialBounds => {
  const caps = outputCaps(options);
  return {
    maxTrackedProducts: 4 * caps.maxProducts,
    maxSegmentProducts: 20 * caps.maxProductsPerSegment,
    maxPairs: 10 * caps.maxProducts * caps.maxCoPurchases,
    maxPartners: 10 * caps.maxCoPurchases,
    maxCategories: 4,
  };
};

const checkBounds = (bounds: IndexPartialBounds): void => {
  for (const name of Object.keys(UNBOUNDED) as (keyof IndexPartialBounds)[]) {
    const value = bounds[name];
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
      throw new RangeError(`partial bound ${name} must be a non-negative number, got ${String(value)}`);
  }
};

/** Rows kept: the `max` greatest by count (at `count`), ties to the smaller position; the threshold. */
const keepTop = <T extends readonly [number, ...unknown[]]>(
  rows: readonly T[],
  max: number,
  count: (row: T) => number,
): { kept: readonly T[]; dropped: readonly T[]; threshold: number } => {
  if (rows.length <= max) return { kept: rows, dropped: [], threshold: 0 };
  const ranked = [...rows].sort((x, y) => count(y) - count(x) || x[0] - y[0]);
  const keep = new Set(ranked.slice(0, max));
  const kept = rows.filter((row) => keep.has(row));
  const dropped = rows.filter((row) => !keep.has(row));
  return { kept, dropped, threshold: count(ranked[max] as T) };
};

const maxOf = <T>(rows: readonly T[], value: (row: T) => number): number =>
  rows.reduce((max, row) => Math.max(max, value(row)), 0);

/** Pairs within the bounds (in their order), and the largest count dropped. */
const keptPairs = (
  pairs: readonly PairRow[],
  tracked: Uint8Array,
  bounds: IndexPartialBounds,
): { kept: readonly PairRow[]; threshold: number } => {
  const both = (p: PairRow): boolean => tracked[p[0]] === 1 && tracked[p[1]] === 1;
  const candidates = pairs.filter(both);
  const untracked = candidates.length < pairs.length ? maxOf(pairs, (p) => (both(p) ? 0 : p[2])) : 0;
  if (candidates.length <= bounds.maxPairs) return { kept: candidates, threshold: untracked };

  // Each product's most co-bought partners, ties to the smaller position.
  const degree = new Uint32Array(tracked.length);
  for (const [a, b] of candidates) {
    degree[a] = (degree[a] as number) + 1;
    degree[b] = (degree[b] as number) + 1;
  }
  const heavy = (p: number): boolean => (degree[p] as number) > bounds.maxPartners;
  const start = new Uint32Array(tracked.length + 1);
  for (let p = 0; p < tracked.length; p++)
    start[p + 1] = (start[p] as number) + (heavy(p) ? (degree[p] as number) : 0);
  const edges = new Uint32Array(start[tracked.length] as number);
  const filled = start.slice(0, tracked.length);
  const place = (p: number, i: number): void => {
    const slot = filled[p] as number;
    edges[slot] = i;
    filled[p] = slot + 1;
  };
  candidates.forEach(([a, b], i) => {
    if (heavy(a)) place(a, i);
    if (heavy(b)) place(b, i);
  });
  const keep = new Uint8Array(candidates.length);
  candidates.forEach(([a, b], i) => {
    if (!heavy(a) || !heavy(b)) keep[i] = 1;
  });
  for (let p = 0; p < tracked.length; p++) {
    if (!heavy(p)) continue;
    const other = (i: number): number => {
      const pair = candidates[i] as PairRow;
      return pair[0] === p ? pair[1] : pair[0];
    };
    const list = edges.subarray(start[p], start[p + 1]);
    list.sort((i, j) => (candidates[j] as PairRow)[2] - (candidates[i] as PairRow)[2] || other(i) - other(j));
    for (const i of list.subarray(0, bounds.maxPartners)) keep[i] = 1;
  }
  let kept = candidates.filter((_, i) => keep[i]);
  if (kept.length > bounds.maxPairs) {
    // The most co-bought; ties keep their order, by positions.
    const order = kept.map((_, i) => i);
    order.sort((i, j) => (kept[j] as PairRow)[2] - (kept[i] as PairRow)[2] || i - j);
    const top = new Uint8Array(kept.length);
    for (const i of order.slice(0, bounds.maxPairs)) top[i] = 1;
    kept = kept.filter((_, i) => top[i]);
  }
  const keptSet = new Set(kept);
  return {
    kept,
    threshold: Math.max(
      untracked,
      maxOf(candidates, (p) => (keptSet.has(p) ? 0 : p[2])),
    ),
  };
};

/** The partial within the bounds, its error grown by each prune's threshold (the module comment). */
export const prunePartial = (partial: IndexPartial, bounds: IndexPartialBounds): IndexPartial => {
  checkBounds(bounds);
  const size = partial.ids.length;
  const products = keepTop(partial.products, bounds.maxTrackedProducts, (row) => row[1]);
  const tracked = new Uint8Array(size);
  for (const [p] of products.kept) tracked[p] = 1;
  const held = tracked.slice();

  const segments = partial.segments.map((s): SegmentPartial => {
    const { kept, threshold } = keepTop(s.products, bounds.maxSegmentProducts, (row) => row[1]);
    for (const [p] of kept) held[p] = 1;
    return { ...s, buyersError: s.buyersError + threshold, products: kept };
  });

  let votesThreshold = 0;
  const categories: CategoryRow[] = [];
  for (const [p, votes] of partial.categories) {
    if (!held[p]) {
      votesThreshold = Math.max(
        votesThreshold,
        maxOf(votes, ([, n]) => n),
      );
      continue;
    }
    if (votes.length <= bounds.maxCategories) {
      categories.push([p, votes]);
      continue;
    }
    const ranked = [...votes].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const keep = new Set(ranked.slice(0, bounds.maxCategories));
    votesThreshold = Math.max(votesThreshold, (ranked[bounds.maxCategories] as [string, number])[1]);
    categories.push([p, votes.filter((v) => keep.has(v))]);
  }

  const pairs = keptPairs(partial.pairs, tracked, bounds);

  // Positions of the products still held, in the same order, so every list stays sorted.
  const moved = new Int32Array(size);
  let next = 0;
  for (let p = 0; p < size; p++) moved[p] = held[p] ? next++ : -1;
  const at = (p: number): number => moved[p] as number;
  const move = <T extends readonly [number, ...unknown[]]>(row: T): T =>
    (next === size ? row : [at(row[0]), ...row.slice(1)]) as T;
  const { error } = partial;
  return {
    ...partial,
    ids: next === size ? partial.ids : partial.ids.filter((_, p) => held[p]),
    products: products.kept.map(move),
    segments: segments.map((s) => ({ ...s, products: s.products.map(move) })),
    pairs: next === size ? pairs.kept : pairs.kept.map(([a, b, n, w]) => [at(a), at(b), n, w]),
    categories: categories.map(move),
    error: {
      buyers: error.buyers + products.threshold,
      reorders: error.reorders + maxOf(products.dropped, (row) => row[3]),
      laterOrders: error.laterOrders + maxOf(products.dropped, (row) => row[4]),
      pairCount: error.pairCount + pairs.threshold,
      categoryVotes: error.categoryVotes + votesThreshold,
    },
  };
};

/**
 * The reduce step: the partial of both partials' shoppers, pruned to the bounds. While no bound is
 * hit it is their exact sum (associative and commutative); otherwise within the documented error.
 */
export const mergeIndexPartials = (
  a: IndexPartial,
  b: IndexPartial,
  bounds: IndexPartialBounds = partialBoundsFor(),
): IndexPartial => prunePartial(sumIndexPartials(a, b), bounds);
