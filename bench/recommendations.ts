/**
 * Offline check that segment recommendations beat plain popularity, on seeded data with planted tastes:
 * a long-tail catalogue, segments with their own favourite products, and complementary products that
 * tend to be bought next. Leave-last-purchase-out: each shopper's last purchase is hidden, the index is
 * built from everything else, and a hit is the hidden product in the top 10.
 */
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '../shared/domain/clustering/random';
import {
  type RecommendationIndex,
  RecommendationIndexBuilder,
  type ShopperBasket,
} from '../shared/domain/recommendations/index-builder';
import { recommend } from '../shared/domain/recommendations/recommend';

const CATALOGUE = 500;
const SEGMENTS = 6;
const FAVOURITES = 30;
const CATEGORIES = 20;
/** Share of picks from the segment's favourites; the rest follow global popularity. */
const TASTE = 0.6;
/** Chance that a pick is a complement of the previous item (a case for a phone, say). */
const COMPLEMENT = 0.2;
const TOP = 10;

interface Shopper {
  readonly segment: number;
  /** Oldest first. */
  readonly items: readonly string[];
}

/**
 * Product ids made once and shared, like the flat strings JSON.parse gives the job: ids built per shopper
 * by concatenation are V8 ropes, whose Map look-ups cost ten times more and would skew the timings.
 */
const SKUS = Array.from({ length: CATALOGUE }, (_, i) => `sku-${String(i).padStart(3, '0')}`);
const sku = (i: number): string => SKUS[i] as string;

/** Draws an index with probability proportional to `weights`, via their running totals. */
const weighted = (weights: readonly number[], uniform: () => number): (() => number) => {
  const cumulative: number[] = [];
  for (const w of weights) cumulative.push((cumulative.at(-1) ?? 0) + w);
  const total = cumulative.at(-1) ?? 0;
  return () => {
    const x = uniform() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < (cumulative[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
};

const syntheticShoppers = (count: number, seed: number): Shopper[] => {
  const uniform = mulberry32(seed);
  const int = (n: number) => Math.floor(uniform() * n);
  // Zipf-like global popularity over a shuffled catalogue, so popular ids are spread out.
  const order = Array.from({ length: CATALOGUE }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const popularity = Array.from({ length: CATALOGUE }, () => 0);
  order.forEach((product, rank) => {
    popularity[product] = 1 / (rank + 1);
  });
  const popular = weighted(popularity, uniform);
  const tastes = Array.from({ length: SEGMENTS }, () => {
    const favourites = Array.from({ length: FAVOURITES }, () => int(CATALOGUE));
    return {
      favourites,
      pick: weighted(
        favourites.map((_, r) => 1 / Math.sqrt(r + 1)),
        uniform,
      ),
    };
  });
  const complements = Array.from({ length: CATALOGUE }, () => [int(CATALOGUE), int(CATALOGUE)] as const);
  const segmentOf = weighted([3, 2, 2, 1.5, 1, 0.5], uniform);

  return Array.from({ length: count }, () => {
    const segment = segmentOf();
    const taste = tastes[segment] as (typeof tastes)[number];
    const size = 3 + int(13);
    const items: number[] = [];
    for (let tries = 0; items.length < size && tries < size * 10; tries++) {
      const last = items.at(-1);
      const roll = uniform();
      const next =
        last !== undefined && roll < COMPLEMENT
          ? ((complements[last] as readonly [number, number])[int(2)] as number)
          : roll < COMPLEMENT + TASTE * (1 - COMPLEMENT)
            ? (taste.favourites[taste.pick()] as number)
            : popular();
      if (!items.includes(next)) items.push(next);
    }
    return { segment, items: items.map(sku) };
  });
};

const basket = (segment: number, items: readonly string[]): ShopperBasket => ({
  segmentId: `seg-${segment}`,
  purchased: items.slice(0, 100),
  recent: items
    .slice(-20)
    .reverse()
    .map((productId) => ({ productId, category: `cat-${Number(productId.slice(4)) % CATEGORIES}` })),
});

const globalTop = (index: RecommendationIndex, bought: ReadonlySet<string>): string[] =>
  index.global
    .filter((p) => !bought.has(p.productId))
    .slice(0, TOP)
    .map((p) => p.productId);

export const runRecommendationBench = async (options: {
  shoppers?: number;
  seed?: number;
}): Promise<void> => {
  const { shoppers: count = 20_000, seed = 7 } = options;
  const shoppers = syntheticShoppers(count, seed);
  const evaluated = shoppers.filter((s) => s.items.length >= 2);

  // Baskets are made before the clock starts: the job gets them from the snapshot for free.
  const baskets = shoppers.map((s) =>
    basket(s.segment, s.items.length >= 2 ? s.items.slice(0, -1) : s.items),
  );
  const addStart = performance.now();
  const builder = new RecommendationIndexBuilder();
  for (const b of baskets) builder.add(b);
  const buildStart = performance.now();
  const index = builder.build();
  const addMs = buildStart - addStart;
  const buildMs = performance.now() - buildStart;

  let ours = 0;
  let segmentOnly = 0;
  let global = 0;
  let recommendMs = 0;
  for (const s of evaluated) {
    const hidden = s.items.at(-1) as string;
    const kept = s.items.slice(0, -1);
    const recent = kept.slice(-20).reverse();
    const input = {
      segmentId: `seg-${s.segment}`,
      segmentName: `Segment ${s.segment}`,
      purchased: kept,
      limit: TOP,
    };
    const t = performance.now();
    const top = recommend(index, { ...input, recent });
    recommendMs += performance.now() - t;
    if (top.some((r) => r.productId === hidden)) ours += 1;
    // Same ranking without the shopper's recent items: what co-purchase adds.
    if (recommend(index, input).some((r) => r.productId === hidden)) segmentOnly += 1;
    if (globalTop(index, new Set(kept)).includes(hidden)) global += 1;
  }

  const rate = (hits: number) => hits / evaluated.length;
  const pct = (hits: number) => `${(100 * rate(hits)).toFixed(1)} %`;
  console.log(
    `recommendations bench: ${count.toLocaleString('en')} shoppers, ${SEGMENTS} planted segments, ` +
      `${CATALOGUE} products, seed ${seed}; ${evaluated.length.toLocaleString('en')} evaluated (leave last out)`,
  );
  console.table({
    'recommend (segment + co-purchase)': { [`hit rate @${TOP}`]: pct(ours) },
    'recommend, no recent items': { [`hit rate @${TOP}`]: pct(segmentOnly) },
    'global popularity': { [`hit rate @${TOP}`]: pct(global) },
  });
  console.log(`hit-rate ratio, ours / global: ${(rate(ours) / rate(global)).toFixed(2)}×`);
  console.log(
    `index: add ${addMs.toFixed(0)} ms for ${count.toLocaleString('en')} shoppers, build() ${buildMs.toFixed(0)} ms ` +
      `(index ${(JSON.stringify(index).length / 1024).toFixed(0)} KiB as JSON); ` +
      `recommend: ${((1000 * recommendMs) / evaluated.length).toFixed(1)} µs per call`,
  );
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runRecommendationBench({});
