/**
 * The recommendation index as it is stored with a model and ranked from: each segment's and the
 * whole shop's most bought products, per-product facts (buyers, recent buyers, re-order rate),
 * co-purchase partners and categories; the empty index; and reading a stored one safely, whatever
 * release wrote it. RecommendationIndexBuilder (index-builder.ts) builds it. Pure.
 */

export interface ProductStat {
  readonly productId: string;
  readonly buyers: number;
  /** buyers / shoppers of the list's population: the segment, or every shopper for `global`. */
  readonly share: number;
}

export interface SegmentStats {
  readonly shoppers: number;
  readonly products: readonly ProductStat[];
}

export interface CoPurchase {
  readonly productId: string;
  /** Shoppers who bought both. */
  readonly count: number;
  /** Σ 1 / (products each of them bought), over √(buyers of one × buyers of the other). */
  readonly strength: number;
}

export interface ProductFacts {
  readonly buyers: number;
  /** Buyers whose last purchase of it was in the RECENT_DAYS before the index's as-of time. */
  readonly recentBuyers: number;
  /** Its buyers' re-orders over their orders after first buying it, shrunk towards the shop's rate. */
  readonly reorderRate: number;
}

export interface RecommendationIndex {
  readonly schema: 2;
  /** The snapshot time "recent" is counted back from; null when built without one. */
  readonly asOf: string | null;
  readonly recentDays: number;
  readonly shoppers: number;
  /** The shop's re-order rate: re-orders of any product over the later orders of its buyers. */
  readonly reorderRate: number;
  readonly global: readonly ProductStat[];
  readonly segments: Record<string, SegmentStats>;
  /** The `maxProducts` most bought products. */
  readonly products: Record<string, ProductFacts>;
  readonly coPurchase: Record<string, readonly CoPurchase[]>;
  /** productId → category when known. */
  readonly categories: Record<string, string>;
}

/**
 * "Recent" is the last 30 days: a month, the profile's shortest window. On Online Retail H1 any
 * window from 26 to 60 days gives the same hit rate within a point.
 */
export const RECENT_DAYS = 30;

/** An index with nothing in it: what an empty shop, or a damaged stored index, reads as. */
export const emptyIndex = (): RecommendationIndex => ({
  schema: 2,
  asOf: null,
  recentDays: RECENT_DAYS,
  shoppers: 0,
  reorderRate: 0,
  global: [],
  segments: {},
  products: {},
  coPurchase: {},
  categories: {},
});

/**
 * An index as stored, made safe to rank with: one built before schema 2 (the previous model's,
 * serving until the new one is built) keeps its shares; its partners, which had no strength, and
 * the product facts it lacked read as absent.
 */
export const readIndex = (stored: unknown): RecommendationIndex => {
  if (typeof stored !== 'object' || stored === null) return emptyIndex();
  const index = stored as Partial<RecommendationIndex> & { schema?: number };
  if (index.schema === 2) return index as RecommendationIndex;
  return {
    ...emptyIndex(),
    global: index.global ?? [],
    segments: index.segments ?? {},
    categories: index.categories ?? {},
  };
};
