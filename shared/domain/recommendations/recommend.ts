/**
 * "What else might this shopper buy?" from a built RecommendationIndex, in two tiers:
 *   1. segment peers: the share of the segment who bought the product, plus a boost for products bought
 *      with the shopper's latest items more often than that share explains (the boost alone can bring a
 *      product in, which is how small segments still get personal picks);
 *   2. global popularity, only to fill the list when tier 1 is short or the segment is too small to trust.
 * Pure and deterministic: ties go to the smaller product id.
 */
import type { ProductStat, RecommendationIndex } from './index-builder';

export interface Recommendation {
  readonly productId: string;
  readonly score: number;
  readonly reason: string;
  readonly source: 'segment' | 'co-purchase' | 'global';
  readonly category?: string;
}

export interface RecommendInput {
  readonly segmentId: string;
  /** Shown in reasons ("Bought by 32% of Champions"); the id is used when absent. */
  readonly segmentName?: string;
  readonly purchased: readonly string[];
  /** Product ids, newest first. */
  readonly recent?: readonly string[];
  readonly limit: number;
  readonly minSegmentShoppers?: number;
}

export const MAX_LIMIT = 50;
/** Below this many shoppers a segment's shares are too noisy to rank on. */
export const DEFAULT_MIN_SEGMENT_SHOPPERS = 20;
/**
 * Weight of the co-purchase boost against segment share. A share counts purchases over a whole history,
 * while the boost is about the next purchase, so it weighs more; 2 was chosen on the planted bench
 * (bench/recommendations.ts), and wants re-checking against real purchase logs.
 */
export const CO_PURCHASE_WEIGHT = 2;
/** Each older recent item pulls half as much: what goes with the latest purchase matters most. */
export const RECENCY_DECAY = 0.5;
/**
 * Pseudo-buyers added to a product's buyers before dividing: "2 of 3 buyers also bought X" is mostly
 * chance, and without this the long tail would fill every list.
 */
export const CO_PURCHASE_PRIOR = 20;
/** Only so many recent items are looked up: the profile keeps 20, and older ones weigh next to nothing. */
const MAX_RECENT = 20;

/** Own properties only: an id such as "constructor" must not reach Object.prototype. */
const own = <T>(record: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

const finiteOr = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) ? value : fallback;

const percent = (share: number): string => {
  const rounded = Math.round(share * 100);
  return rounded < 1 ? 'under 1%' : `${Math.min(100, rounded)}%`;
};

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The index is read-only once built, so its per-product lookup is derived once, not on every call. */
const globalCache = new WeakMap<RecommendationIndex, Map<string, ProductStat>>();
const globalStats = (index: RecommendationIndex): Map<string, ProductStat> => {
  let stats = globalCache.get(index);
  if (!stats) {
    stats = new Map(index.global.map((p) => [p.productId, p]));
    globalCache.set(index, stats);
  }
  return stats;
};

interface Candidate {
  readonly productId: string;
  segmentShare: number;
  /** Strongest recency-weighted co-purchase boost, and the recent item that gave it. */
  boost: number;
  boostedBy: string;
  score: number;
}

const candidate = (productId: string, segmentShare: number): Candidate => ({
  productId,
  segmentShare,
  boost: 0,
  boostedBy: '',
  score: 0,
});

/**
 * Boosts products bought with the shopper's recent items beyond what the segment (or, outside the segment
 * list, everyone) explains. The rate is the smoothed share of the recent item's buyers who also bought the
 * partner; buyers come from the global list, or for a product outside it the top partner's count (a lower bound).
 */
const addCoPurchases = (
  index: RecommendationIndex,
  recent: readonly string[],
  excluded: ReadonlySet<string>,
  candidates: Map<string, Candidate>,
): void => {
  const global = globalStats(index);
  let weight = 1;
  for (const recentId of recent) {
    const partners = own(index.coPurchase, recentId) ?? [];
    let buyers = finiteOr(global.get(recentId)?.buyers, 0);
    for (const p of partners) buyers = Math.max(buyers, finiteOr(p.count, 0));
    for (const { productId, count } of partners) {
      if (excluded.has(productId)) continue;
      const rate = Math.min(1, Math.max(0, finiteOr(count, 0)) / (buyers + CO_PURCHASE_PRIOR));
      let c = candidates.get(productId);
      const baseline = c?.segmentShare || finiteOr(global.get(productId)?.share, 0);
      const boost = weight * (rate - baseline);
      if (boost <= 0) continue;
      if (!c) {
        c = candidate(productId, 0);
        candidates.set(productId, c);
      }
      // Strictly greater: on a tie the newer recent item (seen first) stays the one named.
      if (boost > c.boost) {
        c.boost = boost;
        c.boostedBy = recentId;
      }
    }
    weight *= RECENCY_DECAY;
  }
};

const better = (a: Candidate, b: Candidate): boolean =>
  a.score > b.score || (a.score === b.score && a.productId < b.productId);

/** The best `limit` candidates, best first, by insertion: far cheaper than sorting hundreds to keep ten. */
const topCandidates = (candidates: Iterable<Candidate>, limit: number): Candidate[] => {
  const top: Candidate[] = [];
  for (const c of candidates) {
    c.score = c.segmentShare + CO_PURCHASE_WEIGHT * c.boost;
    if (!(c.score > 0)) continue;
    const last = top.at(-1);
    if (top.length >= limit && last && !better(c, last)) continue;
    let at = top.length;
    while (at > 0 && better(c, top[at - 1] as Candidate)) at--;
    top.splice(at, 0, c);
    if (top.length > limit) top.pop();
  }
  return top;
};

export const recommend = (index: RecommendationIndex, input: RecommendInput): Recommendation[] => {
  const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(finiteOr(input.limit, 0))));
  if (limit === 0) return [];
  const recent = [...new Set(input.recent ?? [])].slice(0, MAX_RECENT);
  const excluded = new Set<string>([...input.purchased, ...recent]);
  const minShoppers = finiteOr(input.minSegmentShoppers, DEFAULT_MIN_SEGMENT_SHOPPERS);
  const segment = own(index.segments, input.segmentId);
  const segmentName = input.segmentName ?? input.segmentId;

  const candidates = new Map<string, Candidate>();
  if (segment && segment.shoppers >= minShoppers) {
    for (const p of segment.products) {
      if (excluded.has(p.productId)) continue;
      candidates.set(p.productId, candidate(p.productId, Math.min(1, Math.max(0, finiteOr(p.share, 0)))));
    }
  }
  // Co-purchase depends on the shopper's own items, not the segment, so it applies to small segments too.
  addCoPurchases(index, recent, excluded, candidates);

  const make = (productId: string, score: number, reason: string, source: Recommendation['source']) => {
    const category = own(index.categories, productId);
    // Built field by field: an object spread here cost more than the whole ranking.
    const r: Recommendation =
      category === undefined
        ? { productId, score, reason, source }
        : { productId, score, reason, source, category };
    return r;
  };
  const ranked = topCandidates(candidates.values(), limit).map((c) => {
    const bySegment = `bought by ${percent(c.segmentShare)} of ${segmentName}`;
    const byCo = `often bought with ${c.boostedBy}`;
    const fromSegment = c.segmentShare >= CO_PURCHASE_WEIGHT * c.boost;
    const [first, second] = fromSegment ? [bySegment, byCo] : [byCo, bySegment];
    const reason = capitalise(c.segmentShare > 0 && c.boost > 0 ? `${first}; ${second}` : first);
    return make(c.productId, c.score, reason, fromSegment ? 'segment' : 'co-purchase');
  });

  // Fill from global popularity, scaled by the weakest tier-1 score so scores never rise down the list.
  const floor = ranked.at(-1)?.score ?? 1;
  const taken = new Set(ranked.map((r) => r.productId));
  for (const p of index.global) {
    if (ranked.length >= limit) break;
    if (excluded.has(p.productId) || taken.has(p.productId)) continue;
    taken.add(p.productId);
    const score = Math.min(1, Math.max(0, finiteOr(p.share, 0))) * floor;
    ranked.push(make(p.productId, score, 'Popular with all shoppers', 'global'));
  }
  return ranked;
};
