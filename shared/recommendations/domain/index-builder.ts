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
 * stringified (pair weights are summed as integers; ties go to the smaller product id).
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import { boughtProducts, type ShopperItem, shopperItems } from './shopper-items';

export interface ShopperBasket {
  readonly segmentId: string;
  /** Distinct product ids bought. */
  readonly purchased: readonly string[];
  /** Latest purchases, newest first (the profile keeps 20). */
  readonly recent?: readonly { productId: string; at?: string; category?: string }[];
  /** Per-product order counts (see shopperItems), newest first; without them no re-order rate is learnt. */
  readonly items?: readonly ShopperItem[];
}

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

export interface IndexBuilderOptions {
  /** The snapshot's as-of time: recent buyers are counted back from it. */
  readonly asOf?: Date;
  readonly maxProductsPerSegment?: number;
  readonly maxCoPurchases?: number;
  readonly maxGlobal?: number;
  /** Products that carry facts and partners (the most bought). */
  readonly maxProducts?: number;
  /** Pairs seen fewer times are dropped: one-off pairs are noise and would dominate the index size. */
  readonly minCoPurchaseCount?: number;
  /** How many of a shopper's most recently bought products form pairs: keeps the work O(n²) with n small. */
  readonly maxPairItems?: number;
}

/**
 * "Recent" is the last 30 days: a month, the profile's shortest window. On Online Retail H1 any
 * window from 26 to 60 days gives the same hit rate within a point.
 */
export const RECENT_DAYS = 30;
/**
 * A product's re-order rate counts as much as ten later orders of the shop's rate: a product with
 * few buyers takes the shop's rate, one bought again and again by many buyers its own.
 */
export const REORDER_PRIOR_ORDERS = 10;
/** Pair weights are summed as integers in these units (exact, so the order of shoppers cannot matter). */
const WEIGHT_UNIT = 2 ** 20;
const DAY_MS = 86_400_000;

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

const limitOf = (value: number | undefined, fallback: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));

const increment = (counts: Map<string, number>, key: string, by = 1): void => {
  counts.set(key, (counts.get(key) ?? 0) + by);
};

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Highest count first, then product id, so ties never depend on the order shoppers arrived in. */
const byCountThenId = (a: readonly [string, number], b: readonly [string, number]): number =>
  b[1] - a[1] || compareIds(a[0], b[0]);

const topStats = (counts: Map<string, number>, shoppers: number, max: number): ProductStat[] =>
  [...counts]
    .sort(byCountThenId)
    .slice(0, max)
    .map(([productId, buyers]) => ({ productId, buyers, share: buyers / shoppers }));

/** Six significant digits: plenty to rank on, and a third of the JSON of full doubles. */
const round6 = (x: number): number => Number(x.toPrecision(6));

interface SegmentCounts {
  shoppers: number;
  buyers: Map<string, number>;
}

export class RecommendationIndexBuilder {
  private readonly maxProductsPerSegment: number;
  private readonly maxCoPurchases: number;
  private readonly maxGlobal: number;
  private readonly maxProducts: number;
  private readonly minCoPurchaseCount: number;
  private readonly maxPairItems: number;
  private readonly asOf: Date | undefined;
  private readonly recentSince: string | undefined;
  private shoppers = 0;
  private readonly globalBuyers = new Map<string, number>();
  private readonly recentBuyers = new Map<string, number>();
  private readonly reorders = new Map<string, number>();
  private readonly laterOrders = new Map<string, number>();
  private readonly segments = new Map<string, SegmentCounts>();
  /** Product ids as small integers, for the pair maps. */
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  /** Pair counts and weights under the smaller integer id of each pair. */
  private readonly pairCounts = new Map<number, Map<number, number>>();
  private readonly pairWeights = new Map<number, Map<number, number>>();
  /** Per product, how often each category was reported: the index keeps the most frequent. */
  private readonly categoryVotes = new Map<string, Map<string, number>>();

  constructor(options: IndexBuilderOptions = {}) {
    this.maxProductsPerSegment = limitOf(options.maxProductsPerSegment, 200);
    this.maxCoPurchases = limitOf(options.maxCoPurchases, 20);
    this.maxGlobal = limitOf(options.maxGlobal, 500);
    this.maxProducts = limitOf(options.maxProducts, 5_000);
    this.minCoPurchaseCount = Math.max(1, limitOf(options.minCoPurchaseCount, 2));
    this.maxPairItems = limitOf(options.maxPairItems, 30);
    this.asOf = options.asOf && Number.isFinite(options.asOf.getTime()) ? options.asOf : undefined;
    this.recentSince = this.asOf
      ? new Date(this.asOf.getTime() - RECENT_DAYS * DAY_MS).toISOString().slice(0, 10)
      : undefined;
  }

  add(basket: ShopperBasket): void {
    const recent = basket.recent ?? [];
    const items = basket.items ?? [];
    // The profile's purchased list stops at 100 products, so recent ones may be missing from it.
    const bought = new Set<string>(basket.purchased);
    for (const item of recent) bought.add(item.productId);
    for (const item of items) bought.add(item.productId);

    this.shoppers += 1;
    let segment = this.segments.get(basket.segmentId);
    if (!segment) {
      segment = { shoppers: 0, buyers: new Map() };
      this.segments.set(basket.segmentId, segment);
    }
    segment.shoppers += 1;
    for (const productId of bought) {
      increment(segment.buyers, productId);
      increment(this.globalBuyers, productId);
    }

    // Last purchase day per product: the purchase history's, else a recent purchase's.
    const lastDay = new Map<string, string>();
    for (const item of recent) if (item.at) lastDay.set(item.productId, item.at.slice(0, 10));
    for (const item of items) {
      lastDay.set(item.productId, item.last);
      increment(this.reorders, item.productId, Math.max(0, item.orders - 1));
      increment(this.laterOrders, item.productId, Math.max(0, item.laterOrders));
    }
    if (this.recentSince !== undefined)
      for (const [productId, day] of lastDay)
        if (day >= this.recentSince) increment(this.recentBuyers, productId);

    for (const item of [...recent, ...items]) {
      if (!item.category) continue;
      let votes = this.categoryVotes.get(item.productId);
      if (!votes) {
        votes = new Map();
        this.categoryVotes.set(item.productId, votes);
      }
      increment(votes, item.category);
    }

    // Pairs come from the most recently bought products: the purchase history (newest first), else the
    // recent list, else the tail of `purchased`.
    const source =
      items.length > 0
        ? items.map((item) => item.productId)
        : recent.length > 0
          ? recent.map((item) => item.productId)
          : [...basket.purchased].reverse();
    const paired = [...new Set(source)].slice(0, this.maxPairItems).map((id) => this.idOf(id));
    const weight = Math.round(WEIGHT_UNIT / Math.max(1, bought.size));
    // Each pair is counted once, under its smaller id: half the map updates, which dominate add().
    for (let i = 0; i < paired.length; i++) {
      const a = paired[i] as number;
      for (let j = i + 1; j < paired.length; j++) {
        const b = paired[j] as number;
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const counts = this.pairMap(this.pairCounts, lo);
        counts.set(hi, (counts.get(hi) ?? 0) + 1);
        const weights = this.pairMap(this.pairWeights, lo);
        weights.set(hi, (weights.get(hi) ?? 0) + weight);
      }
    }
  }

  build(): RecommendationIndex {
    if (this.shoppers === 0) return emptyIndex();
    const global = topStats(this.globalBuyers, this.shoppers, this.maxGlobal);
    // Sorted keys and Object.fromEntries: stable JSON, and ids like "__proto__" stay plain data.
    const segments = Object.fromEntries(
      [...this.segments.keys()].sort().map((id) => {
        const s = this.segments.get(id) as SegmentCounts;
        const stats: SegmentStats = {
          shoppers: s.shoppers,
          products: topStats(s.buyers, s.shoppers, this.maxProductsPerSegment),
        };
        return [id, stats];
      }),
    );

    let allReorders = 0;
    let allLater = 0;
    for (const n of this.reorders.values()) allReorders += n;
    for (const n of this.laterOrders.values()) allLater += n;
    const shopRate = allLater > 0 ? allReorders / allLater : 0;
    const indexed = [...this.globalBuyers].sort(byCountThenId).slice(0, this.maxProducts);
    const indexedIds = new Set(indexed.map(([productId]) => productId));
    const products = Object.fromEntries(
      indexed
        .map(([productId, buyers]): [string, ProductFacts] => [
          productId,
          {
            buyers,
            recentBuyers: this.recentBuyers.get(productId) ?? 0,
            reorderRate: round6(
              ((this.reorders.get(productId) ?? 0) + REORDER_PRIOR_ORDERS * shopRate) /
                ((this.laterOrders.get(productId) ?? 0) + REORDER_PRIOR_ORDERS),
            ),
          },
        ])
        .sort((a, b) => compareIds(a[0], b[0])),
    );
    const coPurchase = this.coPurchases(indexedIds);

    // Categories only for products the index mentions, so they cannot outgrow it.
    const mentioned = new Set<string>(indexedIds);
    for (const p of global) mentioned.add(p.productId);
    for (const s of Object.values(segments)) for (const p of s.products) mentioned.add(p.productId);
    const categories: [string, string][] = [];
    for (const productId of [...mentioned].sort()) {
      const votes = this.categoryVotes.get(productId);
      const best = votes ? [...votes].sort(byCountThenId)[0] : undefined;
      if (best) categories.push([productId, best[0]]);
    }

    return {
      schema: 2,
      asOf: this.asOf ? this.asOf.toISOString() : null,
      recentDays: RECENT_DAYS,
      shoppers: this.shoppers,
      reorderRate: round6(shopRate),
      global,
      segments,
      products,
      coPurchase: Object.fromEntries(coPurchase),
      categories: Object.fromEntries(categories),
    };
  }

  /** Each indexed product's strongest partners among the indexed products, by weighted cosine. */
  private coPurchases(indexed: ReadonlySet<string>): [string, CoPurchase[]][] {
    const both = new Map<string, CoPurchase[]>();
    const push = (from: string, partner: CoPurchase) => {
      let list = both.get(from);
      if (!list) {
        list = [];
        both.set(from, list);
      }
      list.push(partner);
    };
    for (const [lo, counts] of this.pairCounts) {
      const a = this.names[lo] as string;
      if (!indexed.has(a)) continue;
      const weights = this.pairWeights.get(lo);
      for (const [hi, count] of counts) {
        if (count < this.minCoPurchaseCount) continue;
        const b = this.names[hi] as string;
        if (!indexed.has(b)) continue;
        const weight = (weights?.get(hi) ?? 0) / WEIGHT_UNIT;
        const strength = round6(
          weight / Math.sqrt((this.globalBuyers.get(a) ?? 1) * (this.globalBuyers.get(b) ?? 1)),
        );
        push(a, { productId: b, count, strength });
        push(b, { productId: a, count, strength });
      }
    }
    return [...both.keys()]
      .sort()
      .map((productId) => [
        productId,
        (both.get(productId) ?? [])
          .sort(
            (x, y) => y.strength - x.strength || y.count - x.count || compareIds(x.productId, y.productId),
          )
          .slice(0, this.maxCoPurchases),
      ]);
  }

  private idOf(productId: string): number {
    let id = this.ids.get(productId);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(productId, id);
      this.names.push(productId);
    }
    return id;
  }

  private pairMap(maps: Map<number, Map<number, number>>, id: number): Map<number, number> {
    let map = maps.get(id);
    if (!map) {
      map = new Map();
      maps.set(id, map);
    }
    return map;
  }
}
