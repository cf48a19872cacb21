/**
 * Use case: has the population drifted from what the current model was trained on?
 * `measureDrift` compares a snapshot with the current model: the population stability index
 * (PSI) of every clustered feature, and of segment shares, against the model's reference; the
 * stack's drift check state machine runs it on the snapshot it just took and starts the retrain
 * state machine when it says so. `checkDrift` is the whole check in one process (the local
 * server): a fresh snapshot, the measure, and a retrain (trigger "drift", reusing the same
 * snapshot) when the largest PSI passes the threshold.
 */

import { defaultClvConfig } from '#shared/customer-value/domain/predict';
import { assignAll } from '#shared/segmentation/domain/clustering/kmeans';
import { toMatrix } from '#shared/segmentation/domain/features/feature-transform';
import {
  clvFeatureValues,
  type FeatureName,
  usesClvFeatures,
} from '#shared/segmentation/domain/features/features';
import type { DriftReport, RetrainRun, SegmentModel } from '#shared/segmentation/domain/segment-model';
import { driftAgainst } from '#shared/segmentation/domain/training/train-model';
import { ModelRepository } from '../models/model-repository';
import {
  loadTrainingData,
  type RetrainOptions,
  type RetrainPorts,
  runRetrain,
} from '../run-retrain/run-retrain';
import type { SnapshotManifest } from '../take-snapshot/snapshot-layout';
import { takeSnapshot } from '../take-snapshot/take-snapshot';

export interface DriftMeasure {
  /** null when there is nothing to compare: no model yet, or no buyer in the snapshot. */
  readonly drift: DriftReport | null;
  /** The current model's gate threshold (0 without a model). */
  readonly threshold: number;
  /** Whether the largest feature PSI, or the segment shares' PSI, reached the threshold. */
  readonly drifted: boolean;
  readonly modelVersion: string | null;
}

export interface DriftCheck {
  readonly drift: DriftReport | null;
  readonly threshold: number;
  readonly retrain: RetrainRun | null;
}

type MeasureOptions = Pick<RetrainOptions, 'maxTrainingRows'>;

/**
 * The snapshot's drift from `model`. Its rows are built exactly as training builds them: the same
 * TrainingDataBuilder (features as of the snapshot's as-of time, the model's seed, the customer
 * value summaries in the model's own time unit and calibration window) and, where the model
 * clusters the forecasts, P(alive), expected orders and predicted value from the model's own fit,
 * never 0. Segment shares come from the model's transform (log, winsorising limits, scaling).
 */
const driftOf = async (
  ports: Pick<RetrainPorts, 'objects' | 'logger'>,
  manifest: SnapshotManifest,
  model: SegmentModel,
  options: MeasureOptions,
): Promise<DriftMeasure> => {
  const threshold = model.config.gate.driftPsi;
  const data = await loadTrainingData(
    ports.objects,
    manifest,
    options.maxTrainingRows ?? 2_000_000,
    model.config.seed,
    model.clv?.config ?? defaultClvConfig,
    // Drift compares distributions only: no backtest to build.
    0,
  );
  if (data.rows.length === 0) return { drift: null, threshold, drifted: false, modelVersion: model.version };
  // What is compared decides what must be computed: the reference's features.
  const compared = Object.keys(model.reference.features) as FeatureName[];
  const rows = usesClvFeatures([...compared, ...model.transform.features])
    ? data.rows.map((row, i) => ({ ...row, ...clvFeatureValues(model.clv, data.purchases[i] ?? null) }))
    : data.rows;
  const labels = assignAll(
    toMatrix(model.transform, rows),
    model.segments.map((s) => s.centroid),
  ).labels;
  const drift = driftAgainst(model, rows, labels);
  const drifted = drift.maxFeaturePsi >= threshold || (drift.segmentSharesPsi ?? 0) >= threshold;
  ports.logger.info('drift checked', {
    modelVersion: model.version,
    snapshot: manifest.runId,
    maxFeaturePsi: drift.maxFeaturePsi,
    segmentSharesPsi: drift.segmentSharesPsi,
    threshold,
    drifted,
  });
  return { drift, threshold, drifted, modelVersion: model.version };
};

/** The drift of a snapshot already taken from the current model; nothing to compare without one. */
export const measureDrift = async (
  ports: Pick<RetrainPorts, 'objects' | 'logger'>,
  manifest: SnapshotManifest,
  options: MeasureOptions = {},
): Promise<DriftMeasure> => {
  const model = await new ModelRepository(ports.objects).current();
  if (!model) {
    ports.logger.info('drift not checked: no model yet', { snapshot: manifest.runId });
    return { drift: null, threshold: 0, drifted: false, modelVersion: null };
  }
  return driftOf(ports, manifest, model, options);
};

export const checkDrift = async (
  ports: RetrainPorts,
  options: Omit<RetrainOptions, 'trigger' | 'snapshot'>,
): Promise<DriftCheck> => {
  const model = await new ModelRepository(ports.objects).current();
  // No snapshot without a model to compare it with.
  if (!model) return { drift: null, threshold: 0, retrain: null };
  const manifest = await takeSnapshot(ports, { runSuffix: `${options.runSuffix}d` });
  const { drift, threshold, drifted } = await driftOf(ports, manifest, model, options);
  const retrain = drifted
    ? await runRetrain(ports, { ...options, trigger: 'drift', snapshot: manifest })
    : null;
  return { drift, threshold, retrain };
};
