/**
 * Streaming builder of the recommendation index, fed one shopper at a time by the retrain job:
 *   - per segment and overall, the share of shoppers who bought each product;
 *   - per product, its buyers, its buyers in the last RECENT_DAYS before the snapshot, and its
 *     re-order rate (the share of its buyers' later orders that included it again);
 *   - per product, its strongest co-purchase partners: a cosine over shoppers who bought both,
 *     each shopper weighing 1 / (products they bought), so that a shopper who bought hundreds of
 *     products does not tie everything to everything.
 *
 * Bounded output, whatever the shop's size: at most `maxProducts` (5,000) products carry facts
 * and partners, each with at most `maxCoPurchases` (20) partners, themselves indexed products;
 * `maxGlobal` (500) products overall and `maxProductsPerSegment` (200) per segment; categories only
 * for the products it mentions. With the defaults: at most 5,000 × (1 + 20) + 500 + 200 × segments
 * product entries, about 6.5 MB of JSON with 10-character ids (2.1 MB on Online Retail H1: 3,021
 * products, 34,001 partners). Memory while building grows with distinct products and co-bought
 * pairs, never with shoppers; the work is O(shoppers × maxPairItems²), maxPairItems = 30.
 *
 * Deterministic: the same shoppers in any order give the same index, byte for byte once
 * stringified (every count, pair weights included, is summed as an integer; ties go to the smaller
 * product id).
 *
 * For a snapshot too big for one pass, each part's builder gives a partial index instead
 * (`toPartial`, or `partialOf` its baskets): bounded counts that merge, whose index is this one
 * while no bound is hit (index-partial.ts, index-partial-bounds.ts). The counts and the index they
 * give: index-counts.ts.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import {
  addCategoryVotes,
  addPair,
  emptyCounts,
  type IndexCounts,
  type IndexOutputOptions,
  idOf,
  increment,
  indexOfCounts,
  limitOf,
  outputCaps,
  segmentOf,
  WEIGHT_UNIT,
} from './index-counts';
import { exactPartialOfCounts, type IndexPartial } from './index-partial';
import { type IndexPartialBounds, partialBoundsFor, prunePartial } from './index-partial-bounds';
import { RECENT_DAYS, type RecommendationIndex } from './recommendation-index';
import { boughtProducts, type ShopperItem, shopperItems } from './shopper-items';

export { REORDER_PRIOR_ORDERS } from './index-counts';

export interface ShopperBasket {
  readonly segmentId: string;
  /** Distinct product ids bought. */
  readonly purchased: readonly string[];
  /** Latest purchases, newest first (the profile keeps 20). */
  readonly recent?: readonly { productId: string; at?: string; category?: string }[];
  /** Per-product order counts (see shopperItems), newest first; without them no re-order rate is learnt. */
  readonly items?: readonly ShopperItem[];
}

export interface IndexBuilderOptions extends IndexOutputOptions {
  /** The snapshot's as-of time: recent buyers are counted back from it. */
  readonly asOf?: Date;
  /** How many of a shopper's most recently bought products form pairs: keeps the work O(n²) with n small. */
  readonly maxPairItems?: number;
}

const DAY_MS = 86_400_000;

/** Maps one snapshot profile to what the builder needs; the job passes the segment it just assigned. */
export const basketOf = (
  profile: Pick<
    Profile,
    'purchasedProducts' | 'recentPurchases' | 'purchaseHistory' | 'days' | 'archivedOrderDays'
  >,
  segmentId: string,
): ShopperBasket => ({
  segmentId,
  purchased: [...boughtProducts(profile)],
  recent: profile.recentPurchases,
  items: shopperItems(profile),
});

/** Order counts are whole: a fraction (or worse) would make sums depend on the order of shoppers. */
const whole = (x: number): number => (Number.isFinite(x) ? Math.max(0, Math.floor(x)) : 0);

export class RecommendationIndexBuilder {
  private readonly caps: Required<IndexOutputOptions>;
  private readonly maxPairItems: number;
  private readonly asOf: Date | undefined;
  private readonly recentSince: string | undefined;
  private readonly counts: IndexCounts = emptyCounts();

  constructor(options: IndexBuilderOptions = {}) {
    this.caps = outputCaps(options);
    this.maxPairItems = limitOf(options.maxPairItems, 30);
    this.asOf = options.asOf && Number.isFinite(options.asOf.getTime()) ? options.asOf : undefined;
    this.recentSince = this.asOf
      ? new Date(this.asOf.getTime() - RECENT_DAYS * DAY_MS).toISOString().slice(0, 10)
      : undefined;
  }

  add(basket: ShopperBasket): void {
    const counts = this.counts;
    const recent = basket.recent ?? [];
    const items = basket.items ?? [];
    // The profile's purchased list stops at 100 products, so recent ones may be missing from it.
    const bought = new Set<string>(basket.purchased);
    for (const item of recent) bought.add(item.productId);
    for (const item of items) bought.add(item.productId);

    counts.shoppers += 1;
    const segment = segmentOf(counts, basket.segmentId);
    segment.shoppers += 1;
    for (const productId of bought) {
      increment(segment.buyers, productId);
      increment(counts.buyers, productId);
    }

    // Last purchase day per product: the purchase history's, else a recent purchase's.
    const lastDay = new Map<string, string>();
    for (const item of recent) if (item.at) lastDay.set(item.productId, item.at.slice(0, 10));
    for (const item of items) {
      lastDay.set(item.productId, item.last);
      const reorders = whole(item.orders - 1);
      const laterOrders = whole(item.laterOrders);
      increment(counts.productReorders, item.productId, reorders);
      increment(counts.productLaterOrders, item.productId, laterOrders);
      counts.reorders += reorders;
      counts.laterOrders += laterOrders;
    }
    if (this.recentSince !== undefined)
      for (const [productId, day] of lastDay)
        if (day >= this.recentSince) increment(counts.recentBuyers, productId);

    for (const item of [...recent, ...items])
      if (item.category) addCategoryVotes(counts, item.productId, item.category);

    // Pairs come from the most recently bought products: the purchase history (newest first), else the
    // recent list, else the tail of `purchased`.
    const source =
      items.length > 0
        ? items.map((item) => item.productId)
        : recent.length > 0
          ? recent.map((item) => item.productId)
          : [...basket.purchased].reverse();
    const paired = [...new Set(source)].slice(0, this.maxPairItems).map((id) => idOf(counts, id));
    const weight = Math.round(WEIGHT_UNIT / Math.max(1, bought.size));
    // Each pair is counted once, under its smaller id: half the map updates, which dominate add().
    for (let i = 0; i < paired.length; i++) {
      const a = paired[i] as number;
      for (let j = i + 1; j < paired.length; j++) addPair(counts, a, paired[j] as number, 1, weight);
    }
  }

  build(): RecommendationIndex {
    return indexOfCounts(this.counts, this.asOf ? this.asOf.toISOString() : null, this.caps);
  }

  /**
   * The partial index of the shoppers added so far, pruned to the bounds (by default a few times
   * this builder's caps): the map step's output, to merge with the other parts' (index-partial.ts).
   */
  toPartial(bounds: IndexPartialBounds = partialBoundsFor(this.caps)): IndexPartial {
    const settings = { asOf: this.asOf ? this.asOf.toISOString() : null, maxPairItems: this.maxPairItems };
    return prunePartial(exactPartialOfCounts(this.counts, settings), bounds);
  }
}

/** The partial index of a set of baskets (one part of the snapshot), pruned to the bounds. */
export const partialOf = (
  baskets: Iterable<ShopperBasket>,
  options: IndexBuilderOptions = {},
  bounds: IndexPartialBounds = partialBoundsFor(options),
): IndexPartial => {
  const builder = new RecommendationIndexBuilder(options);
  for (const basket of baskets) builder.add(basket);
  return builder.toPartial(bounds);
};
