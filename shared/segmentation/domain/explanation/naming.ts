/**
 * Gives each cluster a marketer's name from the classic RFM grid and a one-line description in
 * real units. Clusters are scored 1–5 on recency, frequency and monetary value against the
 * training population, exactly like individual shoppers in a classic RFM analysis.
 */

import type { RawFeatures } from '../features/features';
import { lowerQuantileSorted, sortedFinite } from '../features/quantile';
import { RFM_GRID_NAMES } from '../validation/rfm-grid';
import { formatCount, formatDays, formatMoney, formatPercent } from './format';

/** The grid's eleven names, best first: one list for naming and for the evaluation's name order. */
export const RFM_NAMES = RFM_GRID_NAMES;
export type SegmentName = (typeof RFM_NAMES)[number] | string;

/** Percentiles 0, 1, …, 100 of each RFM figure over the training population. */
export interface PopulationScale {
  recencyDays: number[];
  frequency365: number[];
  monetary365: number[];
}

export interface NamedSegment {
  readonly name: string;
  readonly description: string;
  readonly scores: { r: number; f: number; m: number };
}

const PERCENTILES = 100;

/**
 * Lower quantiles (actual data values) rather than interpolated ones, so ties stay visible: when
 * 60% of shoppers ordered once, percentiles 1–60 are all exactly 1.
 */
export const populationScale = (rows: readonly Partial<RawFeatures>[]): PopulationScale => {
  const cuts = (pick: (r: Partial<RawFeatures>) => number | undefined): number[] => {
    const sorted = sortedFinite(rows.map(pick).filter((v): v is number => v !== undefined));
    if (sorted.length === 0) return [];
    return Array.from({ length: PERCENTILES + 1 }, (_, i) => lowerQuantileSorted(sorted, i / PERCENTILES));
  };
  return {
    recencyDays: cuts((r) => r.recencyDays),
    frequency365: cuts((r) => r.frequency365),
    monetary365: cuts((r) => r.monetary365),
  };
};

/**
 * Share of the population strictly below v, linear between distinct cut values. Strictly below
 * puts a tie at its bottom (one-order shoppers score F1, not the middle of their 60%), and the
 * interpolation lets a centroid of 1.3 orders sit near them rather than jump to the 2-order rank.
 * No population → 0.5, a neutral 3.
 */
export const standing = (cuts: readonly number[], v: number): number => {
  if (cuts.length === 0 || !Number.isFinite(v)) return 0.5;
  const last = cuts.length - 1;
  const below = (value: number): number => {
    let i = -1;
    while (i < last && (cuts[i + 1] as number) < value) i++;
    return i < 0 ? 0 : i / last;
  };
  const first = cuts[0] as number;
  if (v <= first) return 0;
  if (v > (cuts[last] as number)) return 1;
  const hiIndex = cuts.findIndex((c) => c >= v);
  const hi = cuts[hiIndex] as number;
  if (hi === v) return below(v);
  const lo = cuts[hiIndex - 1] as number;
  return below(lo) + ((v - lo) / (hi - lo)) * (below(hi) - below(lo));
};

/** Continuous score in [1, 6): its floor is the 1–5 RFM score. */
const continuousScore = (share: number): number => Math.min(5.999, 1 + 5 * share);

interface Position {
  readonly r: number;
  readonly f: number;
  readonly m: number;
}

export const positionOf = (c: Partial<RawFeatures>, scale: PopulationScale): Position => {
  const negated = [...scale.recencyDays].reverse().map((x) => -x);
  return {
    // Recent is good: rank −recency, so the most recent shoppers score 5.
    r: continuousScore(c.recencyDays === undefined ? 0.5 : standing(negated, -c.recencyDays)),
    f: continuousScore(c.frequency365 === undefined ? 0.5 : standing(scale.frequency365, c.frequency365)),
    m: continuousScore(c.monetary365 === undefined ? 0.5 : standing(scale.monetary365, c.monetary365)),
  };
};

type Range = readonly [number, number];
interface Box {
  readonly name: (typeof RFM_NAMES)[number];
  readonly r: Range;
  readonly f: Range;
  readonly m: Range;
}

const ANY: Range = [1, 5];

/**
 * The classic R × F grid; monetary value only splits lapsed frequent buyers into those too
 * valuable to lose and the rest. Every (r, f, m) cell lies in exactly one box.
 *
 *   R\F  1               2                    3                    4          5
 *   5    New             Potential loyalists  Potential loyalists  Champions  Champions
 *   4    Promising       Potential loyalists  Potential loyalists  Champions  Champions
 *   3    About to sleep  About to sleep       Need attention       Loyal      Loyal
 *   2    Hibernating     Hibernating          At risk              At risk (M 1–3) / Can't lose (M 4–5)
 *   1    Lost            Lost                 At risk              At risk (M 1–3) / Can't lose (M 4–5)
 */
export const RFM_GRID: readonly Box[] = [
  { name: 'Champions', r: [4, 5], f: [4, 5], m: ANY },
  { name: 'Loyal', r: [3, 3], f: [4, 5], m: ANY },
  { name: 'Potential loyalists', r: [4, 5], f: [2, 3], m: ANY },
  { name: 'New', r: [5, 5], f: [1, 1], m: ANY },
  { name: 'Promising', r: [4, 4], f: [1, 1], m: ANY },
  { name: 'Need attention', r: [3, 3], f: [3, 3], m: ANY },
  { name: 'About to sleep', r: [3, 3], f: [1, 2], m: ANY },
  { name: 'At risk', r: [1, 2], f: [3, 3], m: ANY },
  { name: 'At risk', r: [1, 2], f: [4, 5], m: [1, 3] },
  { name: "Can't lose", r: [1, 2], f: [4, 5], m: [4, 5] },
  { name: 'Hibernating', r: [2, 2], f: [1, 2], m: ANY },
  { name: 'Lost', r: [1, 1], f: [1, 2], m: ANY },
];

/**
 * Fit of a position to a name: distance outside its box first, then distance to the box's most
 * typical point. That point is the box center on an inner axis but the grid edge on an axis the
 * box reaches (the most recent, most frequent cluster is the truest Champion, not the one in the
 * middle of the box); an axis the box spans entirely does not count.
 */
interface Fit {
  readonly outside: number;
  readonly typical: number;
}

const fitTo = (p: Position, name: string): Fit => {
  let best: Fit = { outside: Number.POSITIVE_INFINITY, typical: Number.POSITIVE_INFINITY };
  for (const box of RFM_GRID) {
    if (box.name !== name) continue;
    let outside = 0;
    let typical = 0;
    for (const axis of ['r', 'f', 'm'] as const) {
      const [lo, hi] = box[axis];
      const x = p[axis];
      // Score k covers [k, k + 1) on the continuous scale.
      outside += Math.max(0, lo - x, x - (hi + 1)) ** 2;
      if (lo === 1 && hi === 5) continue;
      const target = hi === 5 ? 6 : lo === 1 ? 1 : (lo + hi + 1) / 2;
      typical += (x - target) ** 2;
    }
    const fit = { outside: Math.sqrt(outside), typical: Math.sqrt(typical) };
    if (compareFit(fit, best) < 0) best = fit;
  }
  return best;
};

const compareFit = (a: Fit, b: Fit): number => a.outside - b.outside || a.typical - b.typical;

/** A name more than one score step away from a cluster would mislead; a suffixed name is better. */
const MAX_STRETCH = 1;

/**
 * Each centroid gets a unique name: all (centroid, name) pairs are taken best fit first, so when
 * two centroids want the same name the better-fitting one keeps it and the other gets its next
 * best within one score step. A centroid with no such name left takes its best name with a word
 * saying how it differs from the cluster holding that name.
 */
export const nameSegments = (
  centroids: readonly Partial<RawFeatures>[],
  scale: PopulationScale,
  options: { currency?: string } = {},
): NamedSegment[] => {
  const positions = centroids.map((c) => positionOf(c, scale));
  const names = [...new Set(RFM_GRID.map((b) => b.name))];
  const pairs = positions.flatMap((p, ci) => names.map((name, ni) => ({ ci, ni, fit: fitTo(p, name) })));
  pairs.sort((a, b) => compareFit(a.fit, b.fit) || a.ci - b.ci || a.ni - b.ni);

  const chosen: (string | undefined)[] = positions.map(() => undefined);
  const holder = new Map<string, number>();
  for (const { ci, ni, fit } of pairs) {
    const name = names[ni] as string;
    if (chosen[ci] !== undefined || holder.has(name) || fit.outside > MAX_STRETCH) continue;
    chosen[ci] = name;
    holder.set(name, ci);
  }

  const taken = new Set(holder.keys());
  positions.forEach((p, ci) => {
    if (chosen[ci] !== undefined) return;
    const best = names.reduce((a, b) => (compareFit(fitTo(p, b), fitTo(p, a)) < 0 ? b : a));
    const rival = positions[holder.get(best) ?? ci] ?? p;
    let name = taken.has(best) ? suffixed(best, p, rival, taken) : best;
    for (let n = 2; taken.has(name); n++) name = `${best} (${n})`;
    chosen[ci] = name;
    taken.add(name);
  });

  return centroids.map((c, i) => {
    const p = positions[i] as Position;
    return {
      name: chosen[i] as string,
      description: describe(c, options.currency ?? 'USD'),
      scores: { r: Math.floor(p.r), f: Math.floor(p.f), m: Math.floor(p.m) },
    };
  });
};

const AXIS_WORDS = {
  m: ['high value', 'low value'],
  f: ['frequent', 'occasional'],
  r: ['recent', 'lapsing'],
} as const;

/** "Loyal (high value)": a word for the axis on which p differs most from the rival (then the next). */
const suffixed = (name: string, p: Position, rival: Position, taken: ReadonlySet<string>): string => {
  const axes = (['m', 'f', 'r'] as const)
    .map((axis) => ({ axis, diff: p[axis] - rival[axis] }))
    .sort((a, b) => Math.abs(b.diff) - Math.abs(a.diff));
  for (const { axis, diff } of axes) {
    // Too alike to tell apart in words: the caller numbers it instead.
    if (Math.abs(diff) < 0.1) break;
    const [up, down] = AXIS_WORDS[axis];
    const candidate = `${name} (${diff >= 0 ? up : down})`;
    if (!taken.has(candidate)) return candidate;
  }
  return name;
};

/** Thresholds for calling out behaviour in a description. */
const NOTABLE = { refundRate: 0.2, discountShare: 0.5, categoryBreadth: 4, newTenureDays: 60 } as const;

/** "6 orders in the last year, last order 12 days ago, about $54 an order", plus what stands out. */
export const describe = (c: Partial<RawFeatures>, currency: string): string => {
  const parts: string[] = [];
  if (c.frequency365 !== undefined) {
    const n = formatCount(c.frequency365);
    parts.push(`${n} order${n === '1' ? '' : 's'} in the last year`);
  }
  if (c.recencyDays !== undefined) parts.push(`last order ${formatDays(c.recencyDays)} ago`);
  const aov =
    c.averageOrderValue ??
    (c.monetary365 !== undefined && c.frequency365 ? c.monetary365 / c.frequency365 : undefined);
  if (aov !== undefined) parts.push(`about ${formatMoney(aov, currency)} an order`);
  if (c.tenureDays !== undefined && c.tenureDays < NOTABLE.newTenureDays)
    parts.push(`first seen ${formatDays(c.tenureDays)} ago`);
  if ((c.refundRate ?? 0) >= NOTABLE.refundRate)
    parts.push(`high refund rate (${formatPercent(c.refundRate ?? 0)} of spend)`);
  if ((c.discountShare ?? 0) >= NOTABLE.discountShare)
    parts.push(`mostly coupon orders (${formatPercent(c.discountShare ?? 0)})`);
  if ((c.categoryBreadth ?? 0) >= NOTABLE.categoryBreadth)
    parts.push(`buys across ${formatCount(c.categoryBreadth ?? 0)} categories`);
  return parts.join(', ');
};
