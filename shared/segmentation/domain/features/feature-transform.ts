/**
 * Raw features → the scaled vectors K-means sees. The fitted transform is plain JSON kept inside
 * the model, so a live profile is scaled exactly as the training rows were.
 */
import type { Matrix } from '../clustering/matrix';
import type { FeatureName, RawFeatures } from './features';
import { quantileSorted, sortedFinite } from './quantile';

export interface FeatureStep {
  readonly feature: FeatureName;
  readonly log: boolean;
  /** Winsorising bounds, in the (log-)transformed space. */
  readonly low: number;
  readonly high: number;
  readonly center: number;
  readonly scale: number;
}

export interface FeatureTransform {
  readonly features: readonly FeatureName[];
  readonly steps: readonly FeatureStep[];
}

/**
 * Counts, days and money are non-negative and heavy-tailed (a few shoppers order weekly, most once):
 * log1p makes 2 vs 4 orders weigh like 20 vs 40. Rates are bounded in [0, 1] and stay linear.
 */
export const LOG_FEATURES: Readonly<Record<FeatureName, boolean>> = {
  recencyDays: true,
  frequency365: true,
  monetary365: true,
  lifetimeOrders: true,
  lifetimeRevenue: true,
  averageOrderValue: true,
  tenureDays: true,
  meanDaysBetweenOrders: true,
  productViews365: true,
  cartAdds365: true,
  categoryBreadth: true,
  cartAbandonment: false,
  viewToPurchase: false,
  refundRate: false,
  discountShare: false,
  pAlive: false,
  expectedOrders: true,
  predictedValue: true,
};

const forward = (log: boolean, x: number): number => (log ? Math.log1p(Math.max(0, x)) : x);

/** IQR of a normal distribution in standard deviations: makes a standard deviation comparable to an IQR. */
const NORMAL_IQR = 1.349;

/**
 * Per feature: optional log1p, winsorising at quantiles of the transformed training values, then
 * robust scaling by median and IQR so that outliers neither set nor dominate the scale. When the
 * IQR is 0 (a sparse feature: most shoppers have no refund and no coupon) the scale is the
 * standard deviation of the winsorised values in IQR units, so the feature weighs about as much
 * over the whole population as any other rather than magnifying its minority (a refund rate of
 * 0.44 with a 0.011 scale sat 39 units out and split the shop on refunds alone). A constant
 * feature gets scale 1 and so contributes 0 to every distance; `constantFeatures` names them.
 */
export const fitTransform = (
  rows: readonly RawFeatures[],
  features: readonly FeatureName[],
  options: { lowQuantile?: number; highQuantile?: number } = {},
): FeatureTransform => {
  const lowQ = options.lowQuantile ?? 0.01;
  const highQ = options.highQuantile ?? 0.99;
  if (!(lowQ >= 0 && lowQ < highQ && highQ <= 1)) throw new Error(`bad quantiles ${lowQ}, ${highQ}`);
  const steps = features.map((feature): FeatureStep => {
    const log = LOG_FEATURES[feature];
    const values = sortedFinite(rows.map((r) => forward(log, r[feature])));
    if (values.length === 0) throw new Error(`no finite training values for ${feature}`);
    const low = quantileSorted(values, lowQ);
    const high = quantileSorted(values, highQ);
    // Clamping is monotone, so quantiles of the winsorised values are the clamped quantiles.
    const at = (p: number) => Math.min(high, Math.max(low, quantileSorted(values, p)));
    const iqr = at(0.75) - at(0.25);
    // The range decides constancy: a deviation summed in floating point is never exactly 0.
    const spread = iqr > 0 ? iqr : high > low ? NORMAL_IQR * winsorisedDeviation(values, low, high) : 0;
    return { feature, log, low, high, center: at(0.5), scale: spread > 0 ? spread : 1 };
  });
  return { features: [...features], steps };
};

const winsorisedDeviation = (
  values: ArrayLike<number> & Iterable<number>,
  low: number,
  high: number,
): number => {
  let sum = 0;
  for (const v of values) sum += Math.min(high, Math.max(low, v));
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (Math.min(high, Math.max(low, v)) - mean) ** 2;
  return Math.sqrt(squares / values.length);
};

/** Features with one value (after winsorising) over the training rows: they cannot separate anyone. */
export const constantFeatures = (t: FeatureTransform): FeatureName[] =>
  t.steps.filter((s) => s.high - s.low <= 0).map((s) => s.feature);

/** One value through one step; a missing or non-finite value lands on the center (0). */
export const scaleFeature = (step: FeatureStep, x: number | undefined): number => {
  if (x === undefined || !Number.isFinite(x)) return 0;
  const t = Math.min(step.high, Math.max(step.low, forward(step.log, x)));
  return (t - step.center) / step.scale;
};

export const applyTransform = (
  t: FeatureTransform,
  raw: RawFeatures,
  out: Float64Array = new Float64Array(t.steps.length),
  offset = 0,
): Float64Array => {
  t.steps.forEach((step, i) => {
    out[offset + i] = scaleFeature(step, raw[step.feature]);
  });
  return out;
};

/** Back to real units, within the winsorised range (a centroid is always inside it). */
export const inverseTransform = (t: FeatureTransform, vector: ArrayLike<number>): Partial<RawFeatures> => {
  const raw: Partial<RawFeatures> = {};
  t.steps.forEach((step, i) => {
    const v = vector[i];
    if (v === undefined || !Number.isFinite(v)) return;
    const x = Math.min(step.high, Math.max(step.low, v * step.scale + step.center));
    raw[step.feature] = step.log ? Math.expm1(x) : x;
  });
  return raw;
};

/** Rows through the transform into one dense matrix, as K-means takes them. */
export const toMatrix = (transform: FeatureTransform, rows: readonly RawFeatures[]): Matrix => {
  const cols = transform.features.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    applyTransform(transform, row, data, i * cols);
  });
  return { rows: rows.length, cols, data };
};
