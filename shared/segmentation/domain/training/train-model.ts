/**
 * The whole training step as one pure function: features → transform → K by validation →
 * K-means → names, descriptions and rules → ids matched to the previous model → stability,
 * drift and the quality gate. No I/O; the same input and seed give the same model.
 */

import { sampleIndices } from '#shared/kernel/random';
import { adjustedRandIndex, migrationMatrix } from '../clustering/agreement';
import { assignAll, type KMeansModel, trainKMeans } from '../clustering/kmeans';
import type { Matrix } from '../clustering/matrix';
import { chooseK, daviesBouldin, type KCandidate, silhouette } from '../clustering/quality';
import { nameSegments, populationScale } from '../explanation/naming';
import { fitRules } from '../explanation/rules';
import { type SegmentFigures, segmentFigures } from '../explanation/segment-figures';
import { constantFeatures, fitTransform, inverseTransform, toMatrix } from '../features/feature-transform';
import { DEFAULT_CLUSTER_FEATURES, type FeatureName, type RawFeatures } from '../features/features';
import {
  type SegmentDefinition,
  type SegmentModel,
  type StabilityReport,
  sequenceAfter,
  type TrainingConfig,
} from '../segment-model';
import type { Backtest } from './backtest';
import { driftAgainst, referenceOf } from './drift-reference';
import { matchSegments } from './matching';
import { losesToGrid, RFM_CORE, type Selection, selectSegmentation, withWeights } from './model-selection';

export const defaultTrainingConfig: TrainingConfig & { readonly maxShare: number } = {
  features: DEFAULT_CLUSTER_FEATURES,
  kMin: 3,
  kMax: 10,
  seed: 42,
  minShare: 0.02,
  maxShare: 0.5,
  sampleSize: 20_000,
  silhouetteSample: 2_000,
  restarts: 8,
  gate: { minShare: 0.01, silhouetteRatio: 0.8, minAri: 0.5, driftPsi: 0.25 },
};

export interface TrainingInput {
  /** Shoppers with at least one order, and their raw features in the same order. */
  readonly rows: readonly RawFeatures[];
  /** Shoppers with no order yet: a rule-based segment, not clustered. */
  readonly prospects: number;
  /**
   * Buyers in the whole population (default: `rows.length`). Past the training sample `rows`
   * holds only some of them: sizes are then the sample's scaled up, an estimate that the
   * reassignment's population counts replace (see withPopulation).
   */
  readonly buyers?: number;
  readonly asOf: string;
  readonly currency: string;
  readonly previous: SegmentModel | undefined;
  readonly config: TrainingConfig;
  readonly version: string;
  readonly runId: string;
  readonly createdAt: string;
  readonly snapshot: { readonly key: string; readonly rows: number };
  /**
   * The retrain's backtest (features as of as-of − H, outcome since): K and features are chosen on
   * it. null, with the reason, when the shop's history is too short for one; K then falls back to
   * silhouette.
   */
  readonly backtest: Backtest | { readonly unavailable: string };
}

export interface GateResult {
  readonly passed: boolean;
  readonly reason: string;
}

export interface TrainingOutput {
  readonly model: SegmentModel;
  /** Per input row: index into model.segments. */
  readonly labels: Int32Array;
  readonly gate: GateResult;
}

const TRANSFORM_FIT_ROWS = 200_000;

/** Models trained before the limit have none in their config: the default applies. */
const maxShareOf = (config: TrainingConfig): number => config.maxShare ?? defaultTrainingConfig.maxShare;
const RULE_ROWS = 5_000;

const pick = <T>(items: readonly T[], indices: ArrayLike<number>): T[] =>
  Array.from(indices, (i) => items[i] as T);

export const trainModel = (input: TrainingInput): TrainingOutput => {
  const { rows, config, previous } = input;
  if (rows.length < config.kMin * 2)
    throw new Error(`too few shoppers with orders to train (${rows.length})`);
  const seed = config.seed;
  const fitRows = pick(rows, sampleIndices(rows.length, TRANSFORM_FIT_ROWS, seed));
  const { features, k, selection, candidates, initial } = chooseSegmentation(input, fitRows);
  const transform = withWeights(
    fitTransform(fitRows, features),
    selection.method === 'backtest' ? selection.weights : null,
  );
  const matrix = toMatrix(transform, rows);
  const km = fitWithinShares(matrix, k, config, initial);
  const centroidsReal = km.centroids.map((c) => inverseTransform(transform, c));
  const scale = populationScale(fitRows);
  const named = nameSegments(centroidsReal, scale, { currency: input.currency });

  const matched = previous
    ? matchSegments(
        previous.segments.map((s) => ({ id: s.id, name: s.name, centroid: s.centroidReal })),
        centroidsReal,
        transform,
        { nextSequence: previous.nextSequence },
      )
    : {
        ids: km.centroids.map((_, i) => `seg-${i + 1}`),
        inheritedNames: km.centroids.map(() => undefined),
        retired: [] as string[],
        nextSequence: km.centroids.length + 1,
        distances: km.centroids.map(() => null),
      };
  const names = uniqueNames(
    named.map((n) => n.name),
    matched.inheritedNames,
  );

  const ruleSample = sampleIndices(rows.length, RULE_ROWS, seed + 1);
  const rules = fitRules(
    pick(rows, ruleSample),
    Int32Array.from(ruleSample, (i) => km.labels[i] ?? 0),
    features,
  );

  const buyers = input.buyers ?? rows.length;
  const total = buyers + input.prospects;
  const estimate = (sampled: number) => Math.round((sampled * buyers) / rows.length);
  const figures = segmentFigures(rows, km.labels, km.centroids.length);
  const segments: SegmentDefinition[] = km.centroids.map((centroid, i) => ({
    id: matched.ids[i] as string,
    name: names[i] as string,
    description: named[i]?.description ?? '',
    scores: named[i]?.scores ?? { r: 0, f: 0, m: 0 },
    centroid,
    centroidReal: centroidsReal[i] ?? {},
    size: estimate(km.sizes[i] ?? 0),
    share: total > 0 ? estimate(km.sizes[i] ?? 0) / total : 0,
    rules: rules.rules[i] ?? [],
    figures: { ...(figures.segments[i] as SegmentFigures), rules: rules.details[i] ?? [] },
  }));

  const metrics = {
    k: km.centroids.length,
    silhouette: silhouette(matrix, km.labels, km.centroids.length, {
      seed,
      sampleSize: config.silhouetteSample,
    }),
    daviesBouldin: daviesBouldin(matrix, km.labels, km.centroids),
    inertia: km.inertia,
    rulesAgreement: rules.agreement,
    candidates,
    selection,
  };

  const previousLabels = previous
    ? assignAll(
        toMatrix(previous.transform, rows),
        previous.segments.map((s) => s.centroid),
      ).labels
    : undefined;
  const stability: StabilityReport | null =
    previous && previousLabels
      ? {
          ari: adjustedRandIndex(previousLabels, km.labels),
          migration: migrationById(previousLabels, km.labels, previous.segments, segments),
          matched: matched.ids.filter((id) => previous.segments.some((s) => s.id === id)).length,
          retired: matched.retired,
          added: matched.ids.filter((id) => !previous.segments.some((s) => s.id === id)),
        }
      : null;
  const drift = previous && previousLabels ? driftAgainst(previous, rows, previousLabels) : null;

  const model: SegmentModel = {
    schema: 1,
    version: input.version,
    sequence: sequenceAfter(previous),
    createdAt: input.createdAt,
    asOf: input.asOf,
    currency: input.currency,
    lineage: {
      snapshot: input.snapshot.key,
      snapshotRows: input.snapshot.rows,
      previousVersion: previous?.version ?? null,
      runId: input.runId,
    },
    config,
    transform,
    scale,
    segments,
    prospects: { size: input.prospects, share: total > 0 ? input.prospects / total : 0 },
    metrics,
    stability,
    drift,
    reference: referenceOf(fitRows, features, segments),
    nextSequence: matched.nextSequence,
    figures: figures.population,
  };
  return { model, labels: km.labels, gate: qualityGate(model, previous) };
};

/**
 * The full-data fit at K; if a segment then holds more than `maxShare` of buyers (a sample can
 * split where the whole population does not), the next K up, while K ≤ kMax and no segment falls
 * under `minShare`. Otherwise the fit at K is kept, and the gate reports it.
 */
const fitWithinShares = (
  matrix: Matrix,
  k: number,
  config: TrainingConfig,
  initial: number[][] | undefined,
): KMeansModel => {
  const maxShare = maxShareOf(config);
  const fitAt = (kk: number) =>
    trainKMeans(matrix, kk, {
      seed: config.seed,
      sampleSize: config.sampleSize,
      restarts: config.restarts,
      ...(initial && kk === k ? { initial } : {}),
    });
  const first = fitAt(k);
  let km = first;
  for (let kk = k; ; ) {
    if (Math.min(...km.sizes) / matrix.rows < config.minShare) return first;
    if (Math.max(...km.sizes) / matrix.rows <= maxShare) return km;
    if (++kk > config.kMax) return first;
    km = fitAt(kk);
  }
};

interface SegmentationChoice {
  readonly features: readonly FeatureName[];
  readonly k: number;
  readonly selection: Selection | { readonly method: 'silhouette'; readonly reason: string };
  readonly candidates: KCandidate[];
  /** The silhouette search's fit of the chosen K, to start the full fit from. */
  readonly initial?: number[][];
}

/**
 * By the backtest where the shop has the history for one. Otherwise K by silhouette on the RFM
 * core (and any required feature) alone: with nothing to validate against, no other feature has
 * earned a place (the core is what names segments); if the core is constant too, on whatever varies.
 */
const chooseSegmentation = (input: TrainingInput, fitRows: readonly RawFeatures[]): SegmentationChoice => {
  const { config } = input;
  const required = config.required ?? [];
  const all = [...new Set([...config.features, ...required])];
  const constantNow = constantFeatures(fitTransform(fitRows, all));
  if ('rows' in input.backtest) {
    const selection = selectSegmentation(input.backtest, {
      features: config.features,
      required,
      constantNow,
      kMin: config.kMin,
      kMax: config.kMax,
      seed: config.seed,
      minShare: config.minShare,
      maxShare: maxShareOf(config),
      restarts: config.restarts,
      // The rows the transform is fitted on (every buyer up to TRANSFORM_FIT_ROWS), clustered as the
      // full fit clusters them: the shares each candidate would have in the model the gate checks.
      current: fitRows,
      currentSampleSize: config.sampleSize,
    });
    return { features: selection.chosen.features, k: selection.chosen.k, selection, candidates: [] };
  }
  const usable = all.filter((f) => !constantNow.includes(f));
  const core = usable.filter((f) => RFM_CORE.includes(f) || required.includes(f));
  const features = core.length > 0 ? core : usable.length > 0 ? usable : config.features;
  const transform = fitTransform(fitRows, features);
  const choice = chooseK(toMatrix(transform, input.rows), {
    kMin: config.kMin,
    kMax: config.kMax,
    seed: config.seed,
    minShare: config.minShare,
    maxShare: maxShareOf(config),
    sampleSize: config.sampleSize,
    silhouetteSample: config.silhouetteSample,
    restarts: config.restarts,
  });
  return {
    features,
    k: choice.k,
    selection: { method: 'silhouette', reason: input.backtest.unavailable },
    candidates: choice.candidates,
    initial: choice.centroids,
  };
};

/** Matched clusters keep their previous name; a new cluster never takes a name already in use. */
const uniqueNames = (computed: readonly string[], inherited: readonly (string | undefined)[]): string[] => {
  const taken = new Set(inherited.filter((n): n is string => n !== undefined));
  return computed.map((name, i) => {
    const kept = inherited[i];
    if (kept) return kept;
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name} (${n})`;
    taken.add(candidate);
    return candidate;
  });
};

const migrationById = (
  from: Int32Array,
  to: Int32Array,
  fromSegments: readonly SegmentDefinition[],
  toSegments: readonly SegmentDefinition[],
): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {};
  for (const [f, row] of migrationMatrix(from, to)) {
    const fromId = fromSegments[f]?.id ?? String(f);
    const target: Record<string, number> = {};
    for (const [t, count] of row) target[toSegments[t]?.id ?? String(t)] = count;
    out[fromId] = target;
  }
  return out;
};

export const qualityGate = (model: SegmentModel, previous: SegmentModel | undefined): GateResult => {
  const gate = model.config.gate;
  const clustered = model.segments.reduce((n, s) => n + s.size, 0);
  const tiny = model.segments.find((s) => clustered === 0 || s.size / clustered < gate.minShare);
  if (tiny)
    return {
      passed: false,
      reason: `segment ${tiny.id} (${tiny.name}) holds ${tiny.size} shoppers, under the ${gate.minShare * 100}% minimum`,
    };
  const maxShare = maxShareOf(model.config);
  const huge = model.segments.find((s) => clustered > 0 && s.size / clustered > maxShare);
  if (huge)
    return {
      passed: false,
      reason: `segment ${huge.id} (${huge.name}) holds ${((huge.size / clustered) * 100).toFixed(1)}% of buyers, over the ${maxShare * 100}% maximum`,
    };
  const selection = model.metrics.selection;
  const lost = selection?.method === 'backtest' ? losesToGrid(selection) : null;
  if (lost) return { passed: false, reason: lost };
  if (!previous) return { passed: true, reason: 'first model' };
  // An operator changed what is clustered (e.g. turned on the CLV features): silhouette and
  // stability against a model of other features compare nothing, so only the size check holds.
  const before = previous.transform.features.join(',');
  if (before !== model.transform.features.join(','))
    return {
      passed: true,
      reason: `passed; clustered features changed (${before} → ${model.transform.features.join(',')}), so silhouette and stability are not compared with the previous model`,
    };
  const floor = previous.metrics.silhouette * gate.silhouetteRatio;
  // A K chosen on the backtest is judged by the grid check above: silhouette favours fewer,
  // outlier-isolating clusters and would reject the very K the backtest found better.
  if (selection?.method !== 'backtest' && model.metrics.silhouette < floor)
    return {
      passed: false,
      reason: `silhouette ${model.metrics.silhouette.toFixed(3)} is below ${floor.toFixed(3)} (previous ${previous.metrics.silhouette.toFixed(3)} × ${gate.silhouetteRatio})`,
    };
  const ari = model.stability?.ari ?? 1;
  const drifted = (model.drift?.maxFeaturePsi ?? 0) >= gate.driftPsi;
  if (ari < gate.minAri && !drifted)
    return {
      passed: false,
      reason: `stability collapsed (ARI ${ari.toFixed(3)} < ${gate.minAri}) without drift (max feature PSI ${(model.drift?.maxFeaturePsi ?? 0).toFixed(3)} < ${gate.driftPsi})`,
    };
  return {
    passed: true,
    reason: drifted
      ? `passed; data drifted (max feature PSI ${(model.drift?.maxFeaturePsi ?? 0).toFixed(3)})`
      : 'passed',
  };
};
