/**
 * What a marketer reads about a segment besides its centroid, computed once at training from the
 * training sample (a uniform sample of the buyers, up to `maxTrainingRows`) and stored with the
 * model, so that serving it reads no shopper: each segment's share of the sample's spend in the
 * last 365 days, the median and mean of each readable feature (and the whole sample's, to compare
 * with), and the distribution of predicted 12-month value as histogram buckets. Pure.
 */
import { CLV_FEATURES, FEATURES, type FeatureName, type RawFeatures } from '../features/features';

/** Median and mean of a feature over some buyers, in real units. */
export interface Spread {
  readonly median: number;
  readonly mean: number;
}

/** The whole sample's spread, with its standard deviation (to express a segment's difference in it). */
export interface PopulationSpread extends Spread {
  readonly std: number;
}

/** One bucket of a histogram: [from, to), `to` null for the open last bucket. */
export interface ValueBucket {
  readonly from: number;
  readonly to: number | null;
  /** Share of the values in the bucket. */
  readonly share: number;
}

export interface ValueDistribution {
  /** How many values (sampled buyers with a prediction) the figures are over. */
  readonly sampled: number;
  readonly median: number;
  readonly mean: number;
  readonly buckets: readonly ValueBucket[];
}

/** A membership rule, and how well it matches the clustering on the rules' sample. */
export interface RuleStat {
  readonly rule: string;
  /** Share of the rules' sample matching the rule who are in the segment. */
  readonly precision: number;
  /** Share of the segment's buyers in the rules' sample that the rule matches. */
  readonly coverage: number;
}

export interface SegmentFigures {
  /** The segment's buyers in the training sample. */
  readonly sampled: number;
  /** The segment's share of the training sample's spend in the last 365 days (`monetary365`). */
  readonly revenueShare: number;
  readonly features: Partial<Record<FeatureName, Spread>>;
  /** Predicted value over the CLV model's value months; null without a spend model, absent before it is added. */
  readonly predictedValue?: ValueDistribution | null;
  /** The segment's rules with their agreement, in the order of `rules`. */
  readonly rules?: readonly RuleStat[];
}

/** The same figures over every sampled buyer: what segments are compared with. */
export interface PopulationFigures {
  readonly sampled: number;
  /** Σ monetary365 over the sample, in the model's currency: the revenue shares' basis. */
  readonly revenue365: number;
  readonly features: Partial<Record<FeatureName, PopulationSpread>>;
  readonly predictedValue?: Spread | null;
}

/**
 * The features compared: every feature but the customer value forecasts, which are 0 in rows
 * not clustered on them (the predicted value has its own distribution).
 */
export const FIGURE_FEATURES: readonly FeatureName[] = FEATURES.filter(
  (f) => !(CLV_FEATURES as readonly string[]).includes(f),
);

/** The median of values sorted ascending (the mean of the two middle ones for an even count); NaN when empty. */
export const medianSorted = (sorted: ArrayLike<number>): number => {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Rearranges `a` so that a[k] is the value sorted order would put there, everything before it
 * ≤ and everything after ≥ (Hoare's selection, median-of-three pivots): O(n), where a sort is
 * O(n log n) — the figures take medians of 15 features over up to 200,000 rows at each retrain.
 */
const select = (a: Float64Array, k: number): number => {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    // The median of the three.
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
};

/** The median of unsorted values (as `medianSorted` of them sorted); reorders `values`. NaN when empty. */
export const medianInPlace = (values: Float64Array): number => {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  const upper = select(values, mid);
  if (n % 2 === 1) return upper;
  // Everything before `mid` is ≤ upper: the lower middle is their largest.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < mid; i++) if ((values[i] as number) > lower) lower = values[i] as number;
  return (lower + upper) / 2;
};

const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const spreadOf = (values: Float64Array): PopulationSpread => {
  if (values.length === 0) return { median: 0, mean: 0, std: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return {
    median: round(medianInPlace(values.slice())),
    mean: round(mean),
    std: round(Math.sqrt(squares / values.length)),
  };
};

/**
 * Per segment (`labels[i]` is row i's segment index, 0 … k − 1) and over all rows: spreads of
 * `FIGURE_FEATURES` and the share of Σ monetary365. A segment with no row has zeros.
 */
export const segmentFigures = (
  rows: readonly Partial<RawFeatures>[],
  labels: ArrayLike<number>,
  k: number,
): { segments: SegmentFigures[]; population: PopulationFigures } => {
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < rows.length; i++) members[labels[i] as number]?.push(i);
  // Each feature read off the rows once; the segments' values are gathered from the column.
  const columns = new Map<FeatureName, Float64Array>(
    FIGURE_FEATURES.map((feature) => {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]?.[feature];
        out[i] = v !== undefined && Number.isFinite(v) ? v : 0;
      }
      return [feature, out];
    }),
  );
  const gather = (column: Float64Array, indices: readonly number[]) =>
    Float64Array.from(indices, (i) => column[i] as number);
  const sumOf = (values: Float64Array) => values.reduce((s, v) => s + v, 0);
  const spend = columns.get('monetary365') as Float64Array;
  const revenue = sumOf(spend);
  const population: PopulationFigures = {
    sampled: rows.length,
    revenue365: round(revenue, 2),
    features: Object.fromEntries([...columns].map(([f, column]) => [f, spreadOf(column)])),
  };
  const segments = members.map((indices): SegmentFigures => {
    const features = Object.fromEntries(
      [...columns].map(([f, column]) => {
        const { median, mean } = spreadOf(gather(column, indices));
        return [f, { median, mean }];
      }),
    );
    return {
      sampled: indices.length,
      revenueShare: revenue > 0 ? round(sumOf(gather(spend, indices)) / revenue, 6) : 0,
      features,
    };
  });
  return { segments, population };
};

/** The smallest of 1, 2, 2.5, 5 × 10^n that is ≥ x (x > 0): a histogram width people read easily. */
export const niceStep = (x: number): number => {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= x * (1 - 1e-12)) return m * power;
  return 10 * power;
};

/** Buckets aimed at: about ten between the smallest value and the 99th percentile. */
const TARGET_BUCKETS = 10;
const clean = (x: number): number => Number(x.toPrecision(12));

/**
 * A histogram of values: equal, round-width buckets from a multiple of the width at or below the
 * smallest value up to the 99th percentile, then one open bucket (`to: null`) for the top tail
 * when any value reaches it. null for no values.
 */
export const valueDistribution = (values: ArrayLike<number>): ValueDistribution | null => {
  const finite = Float64Array.from(Array.from(values).filter((v) => Number.isFinite(v))).sort();
  const n = finite.length;
  if (n === 0) return null;
  const lo = finite[0] as number;
  const hi = finite[Math.min(n - 1, Math.floor(0.99 * (n - 1)))] as number;
  let sum = 0;
  for (const v of finite) sum += v;
  const summary = { sampled: n, median: round(medianSorted(finite), 2), mean: round(sum / n, 2) };
  if (hi <= lo) return { ...summary, buckets: [{ from: clean(lo), to: null, share: 1 }] };
  const step = niceStep((hi - lo) / TARGET_BUCKETS);
  const start = Math.floor(lo / step) * step;
  const regular = Math.max(1, Math.ceil((hi - start) / step - 1e-9));
  const counts = new Array<number>(regular + 1).fill(0);
  for (const v of finite) {
    const at = Math.min(regular, Math.max(0, Math.floor((v - start) / step + 1e-9)));
    counts[at] = (counts[at] as number) + 1;
  }
  const buckets: ValueBucket[] = [];
  for (let i = 0; i < regular; i++)
    buckets.push({
      from: clean(start + i * step),
      to: clean(start + (i + 1) * step),
      share: round((counts[i] as number) / n, 6),
    });
  if ((counts[regular] as number) > 0)
    buckets.push({
      from: clean(start + regular * step),
      to: null,
      share: round((counts[regular] as number) / n, 6),
    });
  return { ...summary, buckets };
};
