/**
 * Streaming builder of the "what do this shopper's segment peers buy" index, fed one shopper at a
 * time by the retrain job. Memory grows with distinct products (and co-bought pairs), never with
 * shoppers; the built index is plain JSON, bounded per segment and per product, and deterministic:
 * the same shoppers in any order give the same index, byte for byte once stringified.
 */
import type { Profile } from '../profile';

export interface ShopperBasket {
  readonly segmentId: string;
  /** Distinct product ids bought (the profile keeps the first 100). */
  readonly purchased: readonly string[];
  /** Latest purchases, newest first (the profile keeps 20). */
  readonly recent?: readonly { productId: string; category?: string }[];
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
  readonly count: number;
}

export interface RecommendationIndex {
  readonly schema: 1;
  readonly global: readonly ProductStat[];
  readonly segments: Record<string, SegmentStats>;
  readonly coPurchase: Record<string, readonly CoPurchase[]>;
  /** productId → category when known. */
  readonly categories: Record<string, string>;
}

export interface IndexBuilderOptions {
  readonly maxProductsPerSegment?: number;
  readonly maxCoPurchases?: number;
  readonly maxGlobal?: number;
  /** Pairs seen fewer times are dropped: one-off pairs are noise and would dominate the index size. */
  readonly minCoPurchaseCount?: number;
  /** How many of a shopper's most recent items form pairs: keeps the work O(n²) with n small. */
  readonly maxPairItems?: number;
}

/** Maps one snapshot profile to what the builder needs; the job passes the segment it just assigned. */
export const basketOf = (
  profile: Pick<Profile, 'purchasedProducts' | 'recentPurchases'>,
  segmentId: string,
): ShopperBasket => ({ segmentId, purchased: profile.purchasedProducts, recent: profile.recentPurchases });

const limitOf = (value: number | undefined, fallback: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

/** Highest count first, then product id, so ties never depend on the order shoppers arrived in. */
const byCountThenId = (a: readonly [string, number], b: readonly [string, number]): number =>
  b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

const topStats = (counts: Map<string, number>, shoppers: number, max: number): ProductStat[] =>
  [...counts]
    .sort(byCountThenId)
    .slice(0, max)
    .map(([productId, buyers]) => ({ productId, buyers, share: buyers / shoppers }));

interface SegmentCounts {
  shoppers: number;
  buyers: Map<string, number>;
}

export class RecommendationIndexBuilder {
  private readonly maxProductsPerSegment: number;
  private readonly maxCoPurchases: number;
  private readonly maxGlobal: number;
  private readonly minCoPurchaseCount: number;
  private readonly maxPairItems: number;
  private shoppers = 0;
  private readonly globalBuyers = new Map<string, number>();
  private readonly segments = new Map<string, SegmentCounts>();
  /** Pair counts under the smaller product id of each pair. */
  private readonly pairs = new Map<string, Map<string, number>>();
  /** Per product, how often each category was reported: the index keeps the most frequent. */
  private readonly categoryVotes = new Map<string, Map<string, number>>();

  constructor(options: IndexBuilderOptions = {}) {
    this.maxProductsPerSegment = limitOf(options.maxProductsPerSegment, 200);
    this.maxCoPurchases = limitOf(options.maxCoPurchases, 20);
    this.maxGlobal = limitOf(options.maxGlobal, 500);
    this.minCoPurchaseCount = Math.max(1, limitOf(options.minCoPurchaseCount, 2));
    this.maxPairItems = limitOf(options.maxPairItems, 20);
  }

  add(basket: ShopperBasket): void {
    const recent = basket.recent ?? [];
    // The profile's purchased list stops at 100 products, so recent ones may be missing from it.
    const bought = new Set<string>(basket.purchased);
    for (const item of recent) bought.add(item.productId);

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

    for (const item of recent) {
      if (!item.category) continue;
      let votes = this.categoryVotes.get(item.productId);
      if (!votes) {
        votes = new Map();
        this.categoryVotes.set(item.productId, votes);
      }
      increment(votes, item.category);
    }

    // Pairs come from the newest items (recent is newest first; without it, the tail of `purchased`).
    const source = recent.length > 0 ? recent.map((item) => item.productId) : [...basket.purchased].reverse();
    const paired = [...new Set(source)].slice(0, this.maxPairItems);
    // Each pair is counted once, under its smaller id: half the map updates, which dominate add().
    for (let i = 0; i < paired.length; i++) {
      const a = paired[i] as string;
      for (let j = i + 1; j < paired.length; j++) {
        const b = paired[j] as string;
        if (a < b) increment(this.pairCounts(a), b);
        else increment(this.pairCounts(b), a);
      }
    }
  }

  build(): RecommendationIndex {
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
    const coPurchase = this.coPurchases();

    // Categories only for products the index mentions, so they cannot outgrow it.
    const mentioned = new Set<string>(global.map((p) => p.productId));
    for (const s of Object.values(segments)) for (const p of s.products) mentioned.add(p.productId);
    for (const [productId, partners] of coPurchase) {
      mentioned.add(productId);
      for (const p of partners) mentioned.add(p.productId);
    }
    const categories: [string, string][] = [];
    for (const productId of [...mentioned].sort()) {
      const votes = this.categoryVotes.get(productId);
      const best = votes ? [...votes].sort(byCountThenId)[0] : undefined;
      if (best) categories.push([productId, best[0]]);
    }

    return {
      schema: 1,
      global,
      segments,
      coPurchase: Object.fromEntries(coPurchase),
      categories: Object.fromEntries(categories),
    };
  }

  /**
   * Each product's strongest partners by cosine, count / √(buyers of each): raw counts would rank the
   * best sellers first for every product, whatever was actually bought together.
   */
  private coPurchases(): [string, CoPurchase[]][] {
    const both = new Map<string, { partner: string; count: number; strength: number }[]>();
    const push = (from: string, partner: string, count: number, strength: number) => {
      let list = both.get(from);
      if (!list) {
        list = [];
        both.set(from, list);
      }
      list.push({ partner, count, strength });
    };
    for (const [a, partners] of this.pairs) {
      for (const [b, count] of partners) {
        if (count < this.minCoPurchaseCount) continue;
        const strength = count / Math.sqrt((this.globalBuyers.get(a) ?? 1) * (this.globalBuyers.get(b) ?? 1));
        push(a, b, count, strength);
        push(b, a, count, strength);
      }
    }
    return [...both.keys()].sort().map((productId) => [
      productId,
      (both.get(productId) ?? [])
        .sort((x, y) => y.strength - x.strength || y.count - x.count || (x.partner < y.partner ? -1 : 1))
        .slice(0, this.maxCoPurchases)
        .map(({ partner, count }) => ({ productId: partner, count })),
    ]);
  }

  private pairCounts(productId: string): Map<string, number> {
    let counts = this.pairs.get(productId);
    if (!counts) {
      counts = new Map();
      this.pairs.set(productId, counts);
    }
    return counts;
  }
}
