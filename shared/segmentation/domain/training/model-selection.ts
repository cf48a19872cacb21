/**
 * Chooses what the retrain clusters on and into how many segments by what segments are for:
 * separating what shoppers do next. On the retrain's backtest (features as of as-of − H, outcome
 * in the last H days) each candidate is trained exactly as the model will be, and scored by the
 * AUC of "buys again" and the η² of log future revenue, relative to the RFM grid on the same
 * shoppers. Silhouette alone rewards isolating outliers; this rewards segments that predict.
 *
 * 1. Recency, frequency and monetary value always take part (the RFM core that names segments);
 *    K is swept over [kMin, kMax] on them.
 * 2. Every other candidate feature is tried on top at that K, in order, and kept only if it
 *    improves the backtest score by at least MIN_GAIN, or brings segments within the share
 *    limits where they were not; a constant feature is dropped at once.
 * 3. If any was kept, K is swept again on the final features.
 * 4. Weights: each scaled feature weighted by how strongly it predicts future revenue on the
 *    backtest (|Pearson r| with log(1 + revenue), mean weight 1), kept only if that improves the
 *    score by MIN_GAIN at the chosen K; K is then swept once more. A weight divides the feature's
 *    scale, so the stored transform carries it and scoring needs nothing else.
 * K: among candidates whose segments all hold between minShare and maxShare of shoppers (and,
 * where any does, that separate the future no worse than the grid), the smallest K scoring
 * within PARSIMONY of the best (fewer segments are easier to act on).
 * The share limits are the gate's, and the gate checks them on the model as trained: on the
 * shoppers as they are now, not as they were at the backtest's cut H days ago. A population can
 * change shape in H days (a cohort that ages into one mass of lapsed buyers), so where the current
 * rows are given (`current`), a candidate is eligible only if the same features, weights and K
 * also hold within the limits when clustered on them: selection chooses among what the gate can
 * pass instead of choosing first and failing the gate after.
 * Pure and deterministic for a seed.
 */
import { trainKMeans } from '../clustering/kmeans';
import {
  constantFeatures,
  type FeatureTransform,
  fitTransform,
  toMatrix,
} from '../features/feature-transform';
import type { FeatureName, RawFeatures } from '../features/features';
import { rfmGridLabels } from '../validation/rfm-grid';
import { aucStandardError, etaSquared, etaSquaredStandardError, segmentAuc } from '../validation/separation';
import type { Backtest } from './backtest';

export const RFM_CORE: readonly FeatureName[] = ['recencyDays', 'frequency365', 'monetary365'];
/** A feature must raise the backtest score by this share to be kept: noise should not add dimensions. */
const MIN_GAIN = 0.01;
/** A K within this share of the best score counts as as good. */
const PARSIMONY = 0.02;

export interface Separation {
  readonly auc: number;
  readonly etaSquared: number;
}

export interface SelectionCandidate extends Separation {
  readonly k: number;
  readonly features: readonly FeatureName[];
  readonly weighted: boolean;
  /** Mean of the AUC's and η²'s gains relative to the RFM grid's: 1 = as good as the grid. */
  readonly score: number;
  readonly largestShare: number;
  readonly smallestShare: number;
  /** The same candidate clustered on the current rows (absent without them): what the gate will see. */
  readonly current?: { readonly largestShare: number; readonly smallestShare: number };
  readonly eligible: boolean;
}

export interface FeatureDecision {
  readonly feature: FeatureName;
  readonly used: boolean;
  readonly reason: string;
}

export interface Selection {
  readonly method: 'backtest';
  readonly horizonDays: number;
  readonly asOf: string;
  readonly shoppers: number;
  readonly baseline: Separation;
  /**
   * One standard error of the chosen candidate's AUC and η² on this backtest: the gate counts the
   * model as losing to the grid only when it is worse by more than chance (absent in older models).
   */
  readonly standardError?: Separation;
  readonly chosen: SelectionCandidate;
  readonly features: readonly FeatureDecision[];
  /** Per used feature, when weighting won on the backtest; null: every feature weighs 1. */
  readonly weights: Partial<Record<FeatureName, number>> | null;
  readonly candidates: readonly SelectionCandidate[];
}

export interface SelectionOptions {
  readonly features: readonly FeatureName[];
  /** Always clustered with the core, whatever the backtest says. */
  readonly required?: readonly FeatureName[];
  /** Features with one value over the current training rows: never used. */
  readonly constantNow: readonly FeatureName[];
  readonly kMin: number;
  readonly kMax: number;
  readonly seed: number;
  readonly minShare: number;
  readonly maxShare: number;
  readonly restarts: number;
  /**
   * The shoppers the model will be trained on, as of now (or a seeded sample of them): each
   * candidate's segment shares are checked on them too. Absent: on the backtest alone.
   */
  readonly current?: readonly RawFeatures[];
  /** K-means on the current rows seeds from a sample of this many, as the full fit does (default: all). */
  readonly currentSampleSize?: number;
}

const separationScore = (s: Separation, baseline: Separation): number => {
  const auc = (s.auc - 0.5) / Math.max(baseline.auc - 0.5, 1e-3);
  const eta = s.etaSquared / Math.max(baseline.etaSquared, 1e-3);
  return (auc + eta) / 2;
};

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

export const selectSegmentation = (backtest: Backtest, options: SelectionOptions): Selection => {
  const rows = backtest.rows.map((r) => r.features);
  const bought = backtest.rows.map((r) => r.bought);
  const positives = bought.filter(Boolean).length;
  const logRevenue = Float64Array.from(backtest.rows, (r) => Math.log1p(r.revenue));
  const grid = rfmGridLabels(backtest.rows.map((r) => r.rfm));
  const baseline = { auc: segmentAuc(grid, bought), etaSquared: etaSquared(grid, logRevenue) };
  const candidates: SelectionCandidate[] = [];
  const standardErrorOf = (c: SelectionCandidate): Separation => ({
    auc: round(aucStandardError(c.auc, positives, rows.length - positives)),
    etaSquared: round(etaSquaredStandardError(c.etaSquared, rows.length, c.k)),
  });
  const asSelection = (c: SelectionCandidate) => ({
    horizonDays: backtest.horizonDays,
    baseline,
    chosen: c,
    standardError: standardErrorOf(c),
  });

  /** The candidate trained as the final model will be, on the current rows: its largest and smallest shares. */
  const sharesOn = (
    current: readonly RawFeatures[],
    features: readonly FeatureName[],
    weights: Partial<Record<FeatureName, number>> | null,
    k: number,
  ): { largest: number; smallest: number } => {
    const { sizes } = trainKMeans(
      toMatrix(withWeights(fitTransform(current, features), weights), current),
      k,
      {
        seed: options.seed,
        sampleSize: options.currentSampleSize ?? current.length,
        restarts: options.restarts,
      },
    );
    return { largest: Math.max(...sizes) / current.length, smallest: Math.min(...sizes) / current.length };
  };

  const tryCandidate = (
    features: readonly FeatureName[],
    k: number,
    weights: Partial<Record<FeatureName, number>> | null = null,
  ): SelectionCandidate => {
    const transform = withWeights(fitTransform(rows, features), weights);
    const { labels, sizes } = trainKMeans(toMatrix(transform, rows), k, {
      seed: options.seed,
      sampleSize: rows.length,
      restarts: options.restarts,
    });
    const separation = { auc: segmentAuc(labels, bought), etaSquared: etaSquared(labels, logRevenue) };
    const largestShare = Math.max(...sizes) / rows.length;
    const smallestShare = Math.min(...sizes) / rows.length;
    const now = options.current ? sharesOn(options.current, features, weights, k) : null;
    const within = (l: number, sm: number) => l <= options.maxShare && sm >= options.minShare;
    const candidate = {
      k,
      features,
      weighted: weights !== null,
      auc: round(separation.auc),
      etaSquared: round(separation.etaSquared),
      score: round(separationScore(separation, baseline)),
      largestShare: round(largestShare),
      smallestShare: round(smallestShare),
      ...(now ? { current: { largestShare: round(now.largest), smallestShare: round(now.smallest) } } : {}),
      eligible: within(largestShare, smallestShare) && (now === null || within(now.largest, now.smallest)),
    };
    candidates.push(candidate);
    return candidate;
  };

  const required = options.required ?? [];
  const pool = [...new Set([...options.features, ...required])];
  const constantThen = constantFeatures(fitTransform(rows, pool));
  const constant = new Set([...options.constantNow, ...constantThen]);
  const decisions = new Map<FeatureName, FeatureDecision>();
  for (const feature of pool)
    if (constant.has(feature))
      decisions.set(feature, {
        feature,
        used: false,
        reason: 'dropped: one value for (almost) every shopper',
      });

  const kMax = Math.min(options.kMax, Math.floor(rows.length / 2));
  const sweep = (
    features: readonly FeatureName[],
    weights: Partial<Record<FeatureName, number>> | null = null,
  ): SelectionCandidate => {
    const tried: SelectionCandidate[] = [];
    for (let k = options.kMin; k <= kMax; k++) tried.push(tryCandidate(features, k, weights));
    return pickK(tried, (c) => losesToGrid(asSelection(c)) === null);
  };

  const fixed = (f: FeatureName) => RFM_CORE.includes(f) || required.includes(f);
  const core = pool.filter((f) => fixed(f) && !constant.has(f));
  const extras = pool.filter((f) => !fixed(f) && !constant.has(f));
  // A shop where even R, F and M are constant has nothing to separate: cluster on what there is.
  const start = core.length > 0 ? core : extras.slice(0, 1);
  let best = sweep(start);
  for (const feature of start)
    decisions.set(feature, {
      feature,
      used: true,
      reason: RFM_CORE.includes(feature)
        ? 'RFM core'
        : required.includes(feature)
          ? 'required by the configuration'
          : 'only varying feature',
    });
  const kept = [...start];
  for (const feature of extras) {
    if (kept.includes(feature)) continue;
    // With no K within the share limits yet, a feature gets every K to make the split usable.
    const trial = best.eligible ? tryCandidate([...kept, feature], best.k) : sweep([...kept, feature]);
    const gain = best.score !== 0 ? trial.score / best.score - 1 : trial.score;
    const detail = `backtest score ${best.score.toFixed(3)} (K = ${best.k}) → ${trial.score.toFixed(3)} (K = ${trial.k})`;
    // Within the share limits first: a feature that makes the split usable earns its place.
    if (trial.eligible && (!best.eligible || gain >= MIN_GAIN)) {
      kept.push(feature);
      best = trial;
      decisions.set(feature, { feature, used: true, reason: `kept: ${detail}` });
    } else {
      decisions.set(feature, {
        feature,
        used: false,
        reason: `dropped: did not improve the backtest (${detail})`,
      });
    }
  }
  const unweighted = kept.length > start.length ? sweep(kept) : best;
  const learned = predictiveWeights(rows, kept, logRevenue);
  const trial = tryCandidate(kept, unweighted.k, learned);
  const weighted = trial.eligible && trial.score >= unweighted.score * (1 + MIN_GAIN);
  const chosen = weighted ? sweep(kept, learned) : unweighted;
  return {
    method: 'backtest',
    horizonDays: backtest.horizonDays,
    asOf: backtest.asOf,
    shoppers: rows.length,
    baseline: { auc: round(baseline.auc), etaSquared: round(baseline.etaSquared) },
    standardError: standardErrorOf(chosen),
    chosen,
    features: pool.map((f) => decisions.get(f) ?? { feature: f, used: false, reason: 'dropped' }),
    weights: weighted ? learned : null,
    candidates,
  };
};

/** No feature is weighted to nothing: a weak predictor still orders shoppers it alone tells apart. */
const MIN_WEIGHT = 0.1;

/** |Pearson r| of each scaled feature with the outcome, normalised to a mean weight of 1. */
export const predictiveWeights = (
  rows: readonly RawFeatures[],
  features: readonly FeatureName[],
  outcome: ArrayLike<number>,
): Partial<Record<FeatureName, number>> => {
  const matrix = toMatrix(fitTransform(rows, features), rows);
  const n = matrix.rows;
  const cols = matrix.cols;
  let my = 0;
  for (let i = 0; i < n; i++) my += outcome[i] as number;
  my /= n;
  const strength = features.map((_, j) => {
    let mx = 0;
    for (let i = 0; i < n; i++) mx += matrix.data[i * cols + j] as number;
    mx /= n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const dx = (matrix.data[i * cols + j] as number) - mx;
      const dy = (outcome[i] as number) - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? Math.abs(sxy) / Math.sqrt(sxx * syy) : 0;
  });
  const mean = strength.reduce((a, b) => a + b, 0) / Math.max(1, strength.length);
  return Object.fromEntries(
    features.map((f, j) => [f, round(mean > 0 ? Math.max(MIN_WEIGHT, (strength[j] as number) / mean) : 1)]),
  );
};

/** A weight w makes a feature's distances w times larger: its scale is divided by w. */
export const withWeights = (
  transform: FeatureTransform,
  weights: Partial<Record<FeatureName, number>> | null,
): FeatureTransform =>
  weights === null
    ? transform
    : {
        ...transform,
        steps: transform.steps.map((s) => ({ ...s, scale: s.scale / (weights[s.feature] ?? 1) })),
      };

/** Smallest eligible K within PARSIMONY of the best eligible score; with none eligible, the most even split. */
const pickK = (
  tried: readonly SelectionCandidate[],
  holdsUp: (c: SelectionCandidate) => boolean,
): SelectionCandidate => {
  const eligible = tried.filter((c) => c.eligible);
  const largest = (c: SelectionCandidate) => Math.max(c.largestShare, c.current?.largestShare ?? 0);
  if (eligible.length === 0) return tried.reduce((a, b) => (largest(b) < largest(a) ? b : a));
  // The gate's test first: a K that separates the future no worse than the grid, where one does.
  const passing = eligible.filter(holdsUp);
  const pool = passing.length > 0 ? passing : eligible;
  const top = Math.max(...pool.map((c) => c.score));
  const floor = top > 0 ? top * (1 - PARSIMONY) : top;
  return pool.find((c) => c.score >= floor) as SelectionCandidate;
};

/**
 * The model loses to the RFM grid when it separates the backtest's future worse on either
 * measure by more than one standard error: a difference inside chance says nothing.
 */
export const losesToGrid = (
  selection: Pick<Selection, 'horizonDays' | 'baseline' | 'chosen' | 'standardError'>,
): string | null => {
  const { chosen, baseline } = selection;
  const se = selection.standardError ?? { auc: 0, etaSquared: 0 };
  const worse = [
    ...(chosen.auc < baseline.auc - se.auc
      ? [
          `AUC ${chosen.auc.toFixed(3)} < ${baseline.auc.toFixed(3)} by more than its standard error ${se.auc.toFixed(3)}`,
        ]
      : []),
    ...(chosen.etaSquared < baseline.etaSquared - se.etaSquared
      ? [
          `η² ${chosen.etaSquared.toFixed(3)} < ${baseline.etaSquared.toFixed(3)} by more than its standard error ${se.etaSquared.toFixed(3)}`,
        ]
      : []),
  ];
  return worse.length > 0
    ? `segments separate the backtest's next ${selection.horizonDays} days worse than the RFM grid (${worse.join(', ')})`
    : null;
};
