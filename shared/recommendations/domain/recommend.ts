/**
 * Two lists from a built RecommendationIndex and the shopper's own products:
 *
 * Discovery (`recommend`): products the shopper has not bought.
 *   1. co-purchase: the partners of the shopper's products, each product pulling by its strength
 *      and half as much for every order since the shopper last bought it, times √(1 + the
 *      product's buyers in the last RECENT_DAYS): what goes with what they buy now, leaning to
 *      what shoppers buy now;
 *   2. segment peers, by the share of the segment who bought each product (the same recency lean),
 *      when the shopper's products give too few partners;
 *   3. global popularity, only to fill the list.
 *
 * Buy again (`buyAgain`): the shopper's own products, by the chance the next order includes each:
 * (re-orders + s·r) / (orders since first buying it + s), where r is the product's re-order rate
 * among all its buyers (its re-purchase cycle, in orders) and s = REORDER_PRIOR_WEIGHT. Frequency
 * raises it, every order without the product lowers it (recency), and a product bought once
 * starts at what its buyers usually do.
 *
 * Pure and deterministic: ties go to the more recently bought, then the smaller product id.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ProductStat, RecommendationIndex } from './recommendation-index';
import { boughtProducts, type ShopperItem, shopperItems } from './shopper-items';

export interface Recommendation {
  readonly productId: string;
  readonly score: number;
  readonly reason: string;
  readonly source: 'co-purchase' | 'segment' | 'global' | 'buy-again';
  readonly category?: string;
}

/** What the lists need to know of a shopper's products. */
export type ItemFigures = Pick<
  ShopperItem,
  'productId' | 'orders' | 'first' | 'last' | 'laterOrders' | 'ordersSince'
>;

export interface RecommendInput {
  readonly segmentId: string;
  /** Shown in reasons ("Bought by 32% of Champions"); the id is used when absent. */
  readonly segmentName?: string;
  /** Everything the shopper bought: never recommended. */
  readonly purchased: Iterable<string>;
  /** The shopper's products with their order counts (see shopperItems). */
  readonly items?: readonly Pick<ItemFigures, 'productId' | 'ordersSince'>[];
  /** Without `items`: product ids, newest first, each taken as one order older than the one before. */
  readonly recent?: readonly string[];
  readonly limit: number;
  readonly minSegmentShoppers?: number;
}

export interface BuyAgainInput {
  readonly items: readonly ItemFigures[];
  readonly limit: number;
}

export const MAX_LIMIT = 50;
/** Below this many shoppers a segment's shares are too noisy to rank on. */
export const DEFAULT_MIN_SEGMENT_SHOPPERS = 20;
/** Each order since the shopper last bought a product halves its pull: what goes with the latest order matters most. */
export const RECENCY_DECAY = 0.5;
/**
 * The product's re-order rate counts as two orders of the shopper's own record: after two orders
 * with (or without) it, the shopper's own habit weighs as much as what its buyers usually do.
 */
export const REORDER_PRIOR_WEIGHT = 2;
/** At most this many of the shopper's products pull partners, newest first: a profile holds 100 + 20. */
const MAX_SOURCES = 120;

/** Own properties only: an id such as "constructor" must not reach Object.prototype. */
const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;

const finiteOr = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) ? value : fallback;

const clampLimit = (limit: number): number =>
  Math.min(MAX_LIMIT, Math.max(0, Math.floor(finiteOr(limit, 0))));

const percent = (share: number): string => {
  const rounded = Math.round(share * 100);
  return rounded < 1 ? 'under 1%' : `${Math.min(100, rounded)}%`;
};

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** √(1 + buyers in the last RECENT_DAYS): a product in demand now ranks higher; unknown ones are neutral. */
const trendOf = (index: RecommendationIndex, productId: string): number =>
  Math.sqrt(1 + Math.max(0, finiteOr(own(index.products, productId)?.recentBuyers, 0)));

const make = (
  index: RecommendationIndex,
  productId: string,
  score: number,
  reason: string,
  source: Recommendation['source'],
): Recommendation => {
  const category = own(index.categories, productId);
  // Built field by field: an object spread here cost more than the whole ranking.
  const r: Recommendation =
    category === undefined
      ? { productId, score, reason, source }
      : { productId, score, reason, source, category };
  return r;
};

/** Significant digits enough to order by, without float noise in the answer. */
const round6 = (x: number): number => Number(x.toPrecision(6));

/**
 * A list's products by share × recent demand, best first: it depends on the index alone, so it is
 * sorted once per index and list, not on every lookup.
 */
const demandCache = new WeakMap<RecommendationIndex, Map<readonly ProductStat[], ScoredStat[]>>();
interface ScoredStat {
  readonly p: ProductStat;
  readonly score: number;
}
const byDemand = (index: RecommendationIndex, stats: readonly ProductStat[]): ScoredStat[] => {
  let lists = demandCache.get(index);
  if (!lists) {
    lists = new Map();
    demandCache.set(index, lists);
  }
  let scored = lists.get(stats);
  if (!scored) {
    scored = stats
      .map((p) => ({
        p,
        score: Math.min(1, Math.max(0, finiteOr(p.share, 0))) * trendOf(index, p.productId),
      }))
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || compareIds(a.p.productId, b.p.productId));
    lists.set(stats, scored);
  }
  return scored;
};

interface Candidate {
  readonly productId: string;
  score: number;
  /** The shopper's product that pulled it most, for the reason. */
  strongest: number;
  pulledBy: string;
}

const better = (a: Candidate, b: Candidate): boolean =>
  a.score > b.score || (a.score === b.score && a.productId < b.productId);

/** The best `limit` candidates, best first, by insertion: far cheaper than sorting hundreds to keep ten. */
const topCandidates = (candidates: Iterable<Candidate>, limit: number): Candidate[] => {
  const top: Candidate[] = [];
  for (const c of candidates) {
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
  const limit = clampLimit(input.limit);
  if (limit === 0) return [];
  const sources =
    input.items ?? [...new Set(input.recent ?? [])].map((productId, i) => ({ productId, ordersSince: i }));
  const excluded = new Set<string>(input.purchased);
  for (const item of sources) excluded.add(item.productId);
  const segmentName = input.segmentName ?? input.segmentId;

  // 1. Partners of the shopper's products.
  const candidates = new Map<string, Candidate>();
  for (const item of sources.slice(0, MAX_SOURCES)) {
    const pull = RECENCY_DECAY ** Math.max(0, finiteOr(item.ordersSince, 0));
    for (const partner of own(index.coPurchase, item.productId) ?? []) {
      if (excluded.has(partner.productId)) continue;
      const add = pull * Math.max(0, finiteOr(partner.strength, 0));
      if (!(add > 0)) continue;
      let c = candidates.get(partner.productId);
      if (!c) {
        c = { productId: partner.productId, score: 0, strongest: 0, pulledBy: item.productId };
        candidates.set(partner.productId, c);
      }
      c.score += add;
      // Strictly greater: on a tie the newer product (seen first) stays the one named.
      if (add > c.strongest) {
        c.strongest = add;
        c.pulledBy = item.productId;
      }
    }
  }
  for (const c of candidates.values()) c.score *= trendOf(index, c.productId);
  const ranked: Recommendation[] = topCandidates(candidates.values(), limit).map((c) =>
    make(index, c.productId, round6(c.score), `Often bought with ${c.pulledBy}`, 'co-purchase'),
  );

  // 2 and 3. Segment peers, then everyone: scaled down to the last score when needed, so scores never rise.
  const taken = new Set(ranked.map((r) => r.productId));
  const fill = (
    stats: readonly ProductStat[],
    reason: (p: ProductStat) => string,
    source: Recommendation['source'],
  ) => {
    if (ranked.length >= limit) return;
    const last = ranked.at(-1)?.score;
    let scale: number | undefined;
    for (const { p, score } of byDemand(index, stats)) {
      if (ranked.length >= limit) break;
      if (excluded.has(p.productId) || taken.has(p.productId)) continue;
      // Set by the best product the shopper can be shown.
      scale ??= last === undefined ? 1 : Math.min(1, last / score);
      taken.add(p.productId);
      ranked.push(make(index, p.productId, round6(score * scale), reason(p), source));
    }
  };
  const segment = own(index.segments, input.segmentId);
  if (segment && segment.shoppers >= finiteOr(input.minSegmentShoppers, DEFAULT_MIN_SEGMENT_SHOPPERS))
    fill(segment.products, (p) => `Bought by ${percent(finiteOr(p.share, 0))} of ${segmentName}`, 'segment');
  fill(index.global, () => 'Popular with all shoppers', 'global');
  return ranked;
};

/** The chance the shopper's next order includes the product (see the file's docblock). */
export const reorderChance = (index: RecommendationIndex, item: ItemFigures): number => {
  const rate = Math.min(
    1,
    Math.max(0, finiteOr(own(index.products, item.productId)?.reorderRate, finiteOr(index.reorderRate, 0))),
  );
  const reorders = Math.max(0, finiteOr(item.orders, 1) - 1);
  const chances = Math.max(reorders, finiteOr(item.laterOrders, 0));
  return (reorders + REORDER_PRIOR_WEIGHT * rate) / (chances + REORDER_PRIOR_WEIGHT);
};

const buyAgainReason = (index: RecommendationIndex, item: ItemFigures): string => {
  if (item.orders >= 2)
    return `Bought in ${item.orders} of ${item.laterOrders + 1} orders since ${item.first}`;
  const rate = finiteOr(own(index.products, item.productId)?.reorderRate, finiteOr(index.reorderRate, 0));
  return `Bought on ${item.last}; its buyers re-order it in ${percent(rate)} of later orders`;
};

export const buyAgain = (index: RecommendationIndex, input: BuyAgainInput): Recommendation[] => {
  const limit = clampLimit(input.limit);
  if (limit === 0) return [];
  const seen = new Set<string>();
  return input.items
    .filter((item) => !seen.has(item.productId) && seen.add(item.productId))
    .map((item) => ({ item, chance: reorderChance(index, item) }))
    .sort(
      (a, b) =>
        b.chance - a.chance ||
        b.item.last.localeCompare(a.item.last) ||
        compareIds(a.item.productId, b.item.productId),
    )
    .slice(0, limit)
    .map(({ item, chance }) =>
      make(index, item.productId, round6(chance), buyAgainReason(index, item), 'buy-again'),
    );
};

export interface ShopperLists {
  readonly recommendations?: Recommendation[];
  readonly buyAgain?: Recommendation[];
}

/**
 * Both lists for one profile, as the lookup answers them (and the evaluation measures them): each
 * present when asked for, empty without an index.
 */
export const listsForProfile = (
  index: RecommendationIndex | undefined,
  profile: Pick<
    Profile,
    'purchasedProducts' | 'recentPurchases' | 'purchaseHistory' | 'days' | 'archivedOrderDays'
  >,
  segment: { readonly id: string; readonly name: string },
  wanted: { readonly recommendations?: number; readonly buyAgain?: number },
): ShopperLists => {
  if (wanted.recommendations === undefined && wanted.buyAgain === undefined) return {};
  const items = index ? shopperItems(profile) : [];
  return {
    ...(wanted.recommendations === undefined
      ? {}
      : {
          recommendations: index
            ? recommend(index, {
                segmentId: segment.id,
                segmentName: segment.name,
                purchased: boughtProducts(profile),
                items,
                limit: wanted.recommendations,
              })
            : [],
        }),
    ...(wanted.buyAgain === undefined
      ? {}
      : { buyAgain: index ? buyAgain(index, { items, limit: wanted.buyAgain }) : [] }),
  };
};
