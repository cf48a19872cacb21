/**
 * Does a segment's policy pay? The treatment group (shoppers offered the policy) against its
 * holdout (shoppers offered nothing), on conversion and on revenue per shopper, with 95%
 * intervals, p-values and a verdict. Pure: the groups' sufficient statistics in, figures out.
 *
 * Conversion: difference of proportions with the unpooled (Wald) interval, tested with the
 * pooled two-proportion z-test; relative lift from the log risk ratio's interval. Revenue (or
 * orders) per shopper: Welch's t (unequal variances, Welch–Satterthwaite degrees of freedom),
 * relative lift as the difference's interval over the holdout mean. Distributions from
 * ./distributions.ts (checked against @stdlib's in tests; see there why not @stdlib itself). Checked by simulation with planted effects
 * (test/unit/lift-statistics.test.ts): interval coverage near 95%, false positives near 5%.
 */
import { normalCdf, normalQuantile, tCdf, tQuantile } from './distributions';

export const CONFIDENCE = 0.95;
export const POWER = 0.8;
/** Past this many shoppers per group, an effect this small is called inconclusive, not "not yet". */
export const MAX_NEEDED_PER_GROUP = 10_000_000;

/** A group's conversions: shoppers, and how many of them converted. */
export interface Proportion {
  readonly n: number;
  readonly converted: number;
}

/** A per-shopper amount (revenue, orders) as sufficient statistics: mergeable, constant size. */
export interface Moments {
  readonly n: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

export type Verdict =
  /** The interval excludes no effect: the policy helps (or, with a negative difference, hurts). */
  | { readonly kind: 'significant'; readonly direction: 'positive' | 'negative' }
  /** Not significant yet: about this many shoppers per group would detect the observed effect at 80% power. */
  | { readonly kind: 'not_yet'; readonly neededPerGroup: number }
  /** No effect seen, or one too small to ever detect at a shop's scale. */
  | { readonly kind: 'inconclusive'; readonly reason: string };

export interface Comparison {
  readonly treatment: number;
  readonly holdout: number;
  readonly difference: number;
  readonly interval: readonly [number, number];
  /** Difference over the holdout's value; null when the holdout's is 0. */
  readonly relativeLift: number | null;
  readonly relativeInterval: readonly [number, number] | null;
  readonly pValue: number;
  readonly verdict: Verdict;
  /**
   * An always-valid p-value (mixture SPRT, see sequentialPValue): unlike `pValue`, it stays valid
   * however often the same version is checked, so it is what flags a policy.
   */
  readonly sequentialPValue: number;
}

/**
 * The mixture SPRT's mixing scale, as a share of the groups' average value: the relative effects
 * it is most sensitive to (about ±20%). Fixed in advance, as the test requires.
 */
export const SEQUENTIAL_EFFECT_SCALE = 0.2;

/**
 * Always-valid p-value of an estimated difference Δ̂ ~ N(θ, se²) against θ = 0: 1 / Λ, with Λ the
 * mixture likelihood ratio over θ ~ N(0, τ²), τ = SEQUENTIAL_EFFECT_SCALE × |baseline|
 * (Johari, Pekelis and Walsh, "Always valid inference", 2017: the normal mSPRT). Λ is a
 * martingale under no effect, so by Ville's inequality the chance that it ever reaches 1/α,
 * at any number of checks, is at most α.
 */
export const sequentialPValue = (difference: number, se: number, baseline: number): number => {
  const tau2 = (SEQUENTIAL_EFFECT_SCALE * baseline) ** 2;
  const v = se * se;
  if (v === 0 || tau2 === 0) return difference === 0 || tau2 === 0 ? 1 : 0;
  const logLambda = 0.5 * Math.log(v / (v + tau2)) + (tau2 * difference * difference) / (2 * v * (v + tau2));
  return Math.min(1, Math.exp(-logLambda));
};

const Z = normalQuantile((1 + CONFIDENCE) / 2);
const Z_POWER = normalQuantile(POWER);

const verdictOf = (pValue: number, difference: number, neededPerGroup: number): Verdict => {
  if (pValue < 1 - CONFIDENCE)
    return { kind: 'significant', direction: difference > 0 ? 'positive' : 'negative' };
  if (!Number.isFinite(neededPerGroup) || neededPerGroup > MAX_NEEDED_PER_GROUP)
    return {
      kind: 'inconclusive',
      reason:
        difference === 0
          ? 'no difference between the groups'
          : `the observed effect would need more than ${MAX_NEEDED_PER_GROUP.toLocaleString('en')} shoppers per group`,
    };
  return { kind: 'not_yet', neededPerGroup: Math.ceil(neededPerGroup) };
};

/** Conversion in treatment against holdout. Needs at least one shopper in each group. */
export const compareProportions = (treatment: Proportion, holdout: Proportion): Comparison => {
  const p1 = treatment.converted / treatment.n;
  const p0 = holdout.converted / holdout.n;
  const difference = p1 - p0;
  const se = Math.sqrt((p1 * (1 - p1)) / treatment.n + (p0 * (1 - p0)) / holdout.n);
  const pooled = (treatment.converted + holdout.converted) / (treatment.n + holdout.n);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.n + 1 / holdout.n));
  const pValue = sePooled === 0 ? 1 : 2 * normalCdf(-Math.abs(difference) / sePooled);
  // Risk ratio: log-scale interval, defined while both groups converted at least once.
  const logRatioSe =
    treatment.converted > 0 && holdout.converted > 0
      ? Math.sqrt((1 - p1) / treatment.converted + (1 - p0) / holdout.converted)
      : null;
  const ratio = p0 > 0 ? p1 / p0 : null;
  const relativeInterval =
    ratio !== null && ratio > 0 && logRatioSe !== null
      ? ([
          Math.exp(Math.log(ratio) - Z * logRatioSe) - 1,
          Math.exp(Math.log(ratio) + Z * logRatioSe) - 1,
        ] as const)
      : null;
  // Shoppers per group for a two-sided test at CONFIDENCE to find `difference` with POWER.
  const mean = (p1 + p0) / 2;
  const needed =
    difference === 0
      ? Number.POSITIVE_INFINITY
      : (Z * Math.sqrt(2 * mean * (1 - mean)) + Z_POWER * Math.sqrt(p1 * (1 - p1) + p0 * (1 - p0))) ** 2 /
        difference ** 2;
  return {
    treatment: p1,
    holdout: p0,
    difference,
    interval: [difference - Z * se, difference + Z * se],
    relativeLift: ratio === null ? null : ratio - 1,
    relativeInterval,
    pValue,
    verdict: verdictOf(pValue, difference, needed),
    // Under no effect the pooled variance is the difference's: the test is calibrated there.
    sequentialPValue: sequentialPValue(difference, sePooled, pooled),
  };
};

const meanAndVariance = (m: Moments) => {
  const mean = m.sum / m.n;
  // Sample variance (n − 1); a lone shopper's is taken as 0.
  const variance = m.n > 1 ? Math.max(0, (m.sumOfSquares - m.n * mean * mean) / (m.n - 1)) : 0;
  return { mean, variance };
};

/** A per-shopper amount in treatment against holdout (Welch's t). Needs a shopper in each group. */
export const compareMeans = (treatment: Moments, holdout: Moments): Comparison => {
  const t = meanAndVariance(treatment);
  const h = meanAndVariance(holdout);
  const difference = t.mean - h.mean;
  const a = t.variance / treatment.n;
  const b = h.variance / holdout.n;
  const se = Math.sqrt(a + b);
  const df =
    se === 0
      ? Number.POSITIVE_INFINITY
      : (a + b) ** 2 /
        ((treatment.n > 1 ? a ** 2 / (treatment.n - 1) : 0) + (holdout.n > 1 ? b ** 2 / (holdout.n - 1) : 0));
  const critical = Number.isFinite(df) ? tQuantile((1 + CONFIDENCE) / 2, df) : Z;
  // tCdf with an infinite df is the normal CDF.
  const pValue = se === 0 ? (difference === 0 ? 1 : 0) : 2 * tCdf(-Math.abs(difference) / se, df);
  const interval = [difference - critical * se, difference + critical * se] as const;
  // Per group for the observed difference at POWER, with each group's own variance.
  const needed =
    difference === 0
      ? Number.POSITIVE_INFINITY
      : ((Z + Z_POWER) ** 2 * (t.variance + h.variance)) / difference ** 2;
  return {
    treatment: t.mean,
    holdout: h.mean,
    difference,
    interval,
    relativeLift: h.mean === 0 ? null : difference / h.mean,
    relativeInterval: h.mean === 0 ? null : [interval[0] / h.mean, interval[1] / h.mean],
    pValue,
    verdict: verdictOf(pValue, difference, needed),
    sequentialPValue: sequentialPValue(
      difference,
      se,
      (treatment.sum + holdout.sum) / (treatment.n + holdout.n),
    ),
  };
};

/** Adds one shopper's amount to a group's moments. */
export const addToMoments = (m: Moments, value: number): Moments => ({
  n: m.n + 1,
  sum: m.sum + value,
  sumOfSquares: m.sumOfSquares + value * value,
});

export const NO_MOMENTS: Moments = { n: 0, sum: 0, sumOfSquares: 0 };
