/**
 * Do the two lookup lists predict the next order? Each customer's last invoice is held out; the
 * product's profiles (its reducer), segment model (its training), recommendation index (the
 * retrain's own function, indexProfiles) and lists (the lookup's own function, listsForProfile)
 * are built from everything else, and a hit is any of the top K products in the held-out invoice.
 *
 * Protocol (on Online Retail H1):
 *   - evaluated: every customer with at least two completed orders; their last (by time, then
 *     message id) is held out. Every other event, the other customers' and the customer's
 *     earlier ones, stays: one set of profiles, one model, one index for all of them.
 *   - discovery (`recommendations`): a hit is a product of the held-out invoice that the customer
 *     had not bought before (a previously bought product in our list never counts).
 *   - buy again (`buyAgain`): a hit is any product of the held-out invoice.
 * Baselines, from the same kept invoices (the full history, not the profile's bounded lists):
 *   - popularity: products by distinct buyers, leaving out what the customer bought; ties by id.
 *   - item co-purchase: for each product not yet bought, the number of kept invoices that hold it
 *     together with each product the customer bought before, summed over those products; ties by
 *     id (popularity fills a short list).
 *   - own most frequent: the customer's products by how many of their earlier invoices hold each;
 *     ties by the latest purchase, then product id.
 */

import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import type { IndexBuilderOptions } from '#shared/recommendations/domain/index-builder';
import { listsForProfile } from '#shared/recommendations/domain/recommend';
import { indexProfiles } from '#shared/recommendations/usecases/build-index/build-recommendation-index';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import type { Dataset, TrackMessage } from './datasets';
import { trainProductModel } from './product-model';
import { asOfDate, normaliseAll, profilesAsOf } from './replay';
import type { Target } from './targets';

const DAY_MS = 86_400_000;
const CUTS = [5, 10] as const;
const TOP = 10;

export interface HitRates {
  readonly at5: number;
  readonly at10: number;
}

export interface RecommendationEvaluation {
  readonly dataset: string;
  /** Profiles, model and index as of the data's end. */
  readonly asOf: string;
  /** Customers with at least two orders: one held-out invoice each. */
  readonly customers: number;
  /** Shares of held-out invoices with a product the customer had not bought, and with one they had. */
  readonly heldOutWithNewProduct: number;
  readonly heldOutWithRepeat: number;
  readonly discovery: {
    readonly ours: HitRates;
    readonly popularity: HitRates;
    readonly coPurchase: HitRates;
    /** Products in our discovery lists the customer had in fact bought (beyond the profile's bounds). */
    readonly oursAlreadyBought: number;
  };
  readonly buyAgain: {
    readonly ours: HitRates;
    readonly ownMostFrequent: HitRates;
  };
  readonly index: {
    readonly shoppers: number;
    readonly products: number;
    readonly partners: number;
    readonly jsonBytes: number;
  };
  readonly model: { readonly version: string; readonly segments: number };
  /** Building the index (the retrain's step), and both lists for one shopper (the lookup's). */
  readonly timings: { readonly indexMs: number; readonly listsMicrosPerShopper: number };
  readonly seconds: number;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class Hits {
  private readonly hits = CUTS.map(() => 0);
  private n = 0;
  add(ranked: readonly string[], held: ReadonlySet<string>): void {
    this.n += 1;
    CUTS.forEach((k, i) => {
      if (ranked.slice(0, k).some((p) => held.has(p))) this.hits[i] = (this.hits[i] as number) + 1;
    });
  }
  rates(): HitRates {
    const [at5, at10] = this.hits.map((h) => (this.n === 0 ? 0 : h / this.n)) as [number, number];
    return { at5, at10 };
  }
}

interface Order {
  readonly event: ShopperEvent;
  readonly products: readonly string[];
}

const productsOf = (event: ShopperEvent): string[] => [
  ...new Set(event.products.flatMap((line) => (line.productId ? [line.productId] : []))),
];

/** The first `n` of `ranked` not in `excluded`, then popularity to fill. */
const withFill = (
  ranked: readonly string[],
  popular: readonly string[],
  excluded: ReadonlySet<string>,
  n: number,
): string[] => {
  const out = ranked.slice(0, n);
  const taken = new Set(out);
  for (const p of popular) {
    if (out.length >= n) break;
    if (!excluded.has(p) && !taken.has(p)) {
      out.push(p);
      taken.add(p);
    }
  }
  return out;
};

export interface EvaluateOptions {
  /** The data set's messages, when already loaded. */
  readonly messages?: readonly TrackMessage[];
  /** Index bounds other than the retrain's defaults (to measure what a bound costs). */
  readonly index?: Omit<IndexBuilderOptions, 'asOf'>;
}

export const evaluateRecommendations = async (
  dataset: Dataset,
  options: EvaluateOptions = {},
): Promise<RecommendationEvaluation> => {
  const t0 = performance.now();
  const messages = options.messages ?? dataset.load();
  const end = new Date(asOfDate(dataset.calibrationEnd).getTime() + dataset.horizonDays * DAY_MS);
  const { events, rejected } = normaliseAll(messages, end);

  // Each customer's orders in time order; the last of those with two or more is held out.
  const ordersOf = new Map<string, Order[]>();
  for (const event of events) {
    if (event.behaviour !== 'order_completed') continue;
    const list = ordersOf.get(event.shopperId) ?? [];
    list.push({ event, products: productsOf(event) });
    ordersOf.set(event.shopperId, list);
  }
  const heldOut = new Map<string, Order>();
  for (const [shopperId, orders] of ordersOf) {
    orders.sort(
      (a, b) => a.event.at.localeCompare(b.event.at) || a.event.messageId.localeCompare(b.event.messageId),
    );
    if (orders.length >= 2) heldOut.set(shopperId, orders.pop() as Order);
  }
  const heldIds = new Set([...heldOut.values()].map((o) => o.event.messageId));
  const kept = events.filter((e) => !heldIds.has(e.messageId));

  // The product: profiles, model and index as the service would hold them, then its lists.
  const profiles = profilesAsOf(kept, end, dataset.currency);
  const { model } = trainProductModel({
    dataset,
    asOf: end,
    horizonEnd: end,
    profiles,
    outcomes: new Map(),
    rejected,
  });
  const indexStart = performance.now();
  const { index, shoppers } = await indexProfiles(profiles.values(), model, options.index);
  const indexMs = performance.now() - indexStart;
  let listsMs = 0;

  // Baselines from the kept invoices.
  const buyers = new Map<string, Set<string>>();
  const ids = new Map<string, number>();
  const names: string[] = [];
  const idOf = (p: string): number => {
    let id = ids.get(p);
    if (id === undefined) {
      id = names.length;
      ids.set(p, id);
      names.push(p);
    }
    return id;
  };
  const together: Map<number, number>[] = [];
  for (const orders of ordersOf.values())
    for (const { event, products } of orders) {
      const idsInOrder = products.map(idOf);
      for (const p of products) {
        const set = buyers.get(p) ?? new Set<string>();
        set.add(event.shopperId);
        buyers.set(p, set);
      }
      for (const a of idsInOrder) {
        let row = together[a];
        if (!row) {
          row = new Map();
          together[a] = row;
        }
        for (const b of idsInOrder) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1);
      }
    }
  const popular = [...buyers]
    .map(([p, set]) => [p, set.size] as const)
    .sort((a, b) => b[1] - a[1] || compareIds(a[0], b[0]))
    .map(([p]) => p);

  const ours = new Hits();
  const byPopularity = new Hits();
  const byCoPurchase = new Hits();
  const oursAgain = new Hits();
  const byOwnFrequency = new Hits();
  let withNew = 0;
  let withRepeat = 0;
  let oursAlreadyBought = 0;
  const sums = new Float64Array(names.length);
  for (const [shopperId, held] of heldOut) {
    const earlier = ordersOf.get(shopperId) ?? [];
    const own = new Map<string, { orders: number; last: string }>();
    for (const { event, products } of earlier)
      for (const p of products) {
        const e = own.get(p) ?? { orders: 0, last: '' };
        e.orders += 1;
        if (event.at > e.last) e.last = event.at;
        own.set(p, e);
      }
    const heldSet = new Set(held.products);
    const newInHeld = new Set(held.products.filter((p) => !own.has(p)));
    if (newInHeld.size > 0) withNew += 1;
    if (newInHeld.size < heldSet.size) withRepeat += 1;

    // Ours, through the lookup's own function, scored when the held-out order is placed.
    const profile = profiles.get(shopperId);
    if (!profile) throw new Error(`no profile for ${shopperId}`);
    const score = scoreProfile(model, profile, new Date(held.event.at));
    const listsStart = performance.now();
    const lists = listsForProfile(
      index,
      profile,
      { id: score.segmentId, name: score.segmentName },
      { recommendations: TOP, buyAgain: TOP },
    );
    listsMs += performance.now() - listsStart;
    const discovery = (lists.recommendations ?? []).map((r) => r.productId);
    oursAlreadyBought += discovery.filter((p) => own.has(p)).length;
    ours.add(discovery, newInHeld);
    oursAgain.add(
      (lists.buyAgain ?? []).map((r) => r.productId),
      heldSet,
    );

    // Baselines.
    const excluded = new Set(own.keys());
    byPopularity.add(withFill([], popular, excluded, TOP), heldSet);
    const touched: number[] = [];
    for (const a of own.keys())
      for (const [b, n] of together[ids.get(a) as number] ?? []) {
        if (excluded.has(names[b] as string)) continue;
        if (sums[b] === 0) touched.push(b);
        sums[b] = (sums[b] as number) + n;
      }
    const coRanked = touched
      .sort(
        (x, y) =>
          (sums[y] as number) - (sums[x] as number) || compareIds(names[x] as string, names[y] as string),
      )
      .slice(0, TOP)
      .map((b) => names[b] as string);
    for (const b of touched) sums[b] = 0;
    byCoPurchase.add(withFill(coRanked, popular, excluded, TOP), heldSet);
    byOwnFrequency.add(
      [...own]
        .sort(
          (x, y) => y[1].orders - x[1].orders || y[1].last.localeCompare(x[1].last) || compareIds(x[0], y[0]),
        )
        .map(([p]) => p),
      heldSet,
    );
  }

  const customers = heldOut.size;
  return {
    dataset: dataset.name,
    asOf: end.toISOString(),
    customers,
    heldOutWithNewProduct: customers === 0 ? 0 : withNew / customers,
    heldOutWithRepeat: customers === 0 ? 0 : withRepeat / customers,
    discovery: {
      ours: ours.rates(),
      popularity: byPopularity.rates(),
      coPurchase: byCoPurchase.rates(),
      oursAlreadyBought,
    },
    buyAgain: { ours: oursAgain.rates(), ownMostFrequent: byOwnFrequency.rates() },
    index: {
      shoppers,
      products: Object.keys(index.products).length,
      partners: Object.values(index.coPurchase).reduce((n, list) => n + list.length, 0),
      jsonBytes: Buffer.byteLength(JSON.stringify(index)),
    },
    model: { version: model.version, segments: model.segments.length },
    timings: {
      indexMs: Math.round(indexMs),
      listsMicrosPerShopper: customers === 0 ? 0 : Math.round((1000 * listsMs) / customers),
    },
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
};

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The bars: discovery above item co-purchase, buy-again above own most frequent (hit@10). */
export const recommendationTargets = (e: RecommendationEvaluation): Target[] => [
  {
    target: 'discovery hit@10 > item co-purchase',
    value: `${pct(e.discovery.ours.at10)} vs ${pct(e.discovery.coPurchase.at10)}`,
    met: e.discovery.ours.at10 > e.discovery.coPurchase.at10,
  },
  {
    target: 'buy-again hit@10 > own most frequent',
    value: `${pct(e.buyAgain.ours.at10)} vs ${pct(e.buyAgain.ownMostFrequent.at10)}`,
    met: e.buyAgain.ours.at10 > e.buyAgain.ownMostFrequent.at10,
  },
];

export const formatRecommendationsTable = (e: RecommendationEvaluation): string =>
  [
    `Held-out last invoices of ${e.customers.toLocaleString('en')} customers with two or more ` +
      `(${pct(e.heldOutWithNewProduct)} hold a product the customer had not bought, ${pct(e.heldOutWithRepeat)} one they had).`,
    '',
    '| list | method | hit@10 | hit@5 |',
    '|---|---|---|---|',
    `| discovery (not yet bought) | **ours** (\`recommendations\`) | **${pct(e.discovery.ours.at10)}** | ${pct(e.discovery.ours.at5)} |`,
    `| | item co-purchase | ${pct(e.discovery.coPurchase.at10)} | ${pct(e.discovery.coPurchase.at5)} |`,
    `| | popularity | ${pct(e.discovery.popularity.at10)} | ${pct(e.discovery.popularity.at5)} |`,
    `| buy again (own products) | **ours** (\`buyAgain\`) | **${pct(e.buyAgain.ours.at10)}** | ${pct(e.buyAgain.ours.at5)} |`,
    `| | own most frequent | ${pct(e.buyAgain.ownMostFrequent.at10)} | ${pct(e.buyAgain.ownMostFrequent.at5)} |`,
    '',
    `Index: ${e.index.products.toLocaleString('en')} products, ${e.index.partners.toLocaleString('en')} ` +
      `co-purchase partners, ${(e.index.jsonBytes / 1024).toFixed(0)} KiB as JSON, from ` +
      `${e.index.shoppers.toLocaleString('en')} shoppers; model ${e.model.version} (${e.model.segments} segments).`,
  ].join('\n');
