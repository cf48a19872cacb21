/**
 * Use case: has the population drifted from what the current model was trained on?
 * `measureDrift` compares a snapshot with the current model: the population stability index
 * (PSI) of every clustered feature, and of segment shares, against the model's reference. It is
 * the "Measure drift" step of the drift check state machine (infra/drift-check.ts), which runs it
 * on the snapshot it just took and starts the retrain (trigger "drift", on that same snapshot)
 * when the largest PSI reaches the threshold; the local runner follows the same steps with the
 * same job handlers (local/retrain-pipeline.ts).
 */

import { defaultClvConfig } from '#shared/customer-value/domain/predict';
import { assignAll } from '#shared/segmentation/domain/clustering/kmeans';
import { toMatrix } from '#shared/segmentation/domain/features/feature-transform';
import {
  clvFeatureValues,
  type FeatureName,
  usesClvFeatures,
} from '#shared/segmentation/domain/features/features';
import type { DriftReport, SegmentModel } from '#shared/segmentation/domain/segment-model';
import { driftAgainst } from '#shared/segmentation/domain/training/drift-reference';
import { ModelRepository } from '../models/model-repository';
import { DEFAULT_RETRAIN_SETTINGS } from '../run-retrain/retrain-settings';
import { loadTrainingData, type RetrainOptions, type RetrainPorts } from '../run-retrain/run-retrain';
import type { SnapshotManifest } from '../take-snapshot/snapshot-layout';

export interface DriftMeasure {
  /** null when there is nothing to compare: no model yet, or no buyer in the snapshot. */
  readonly drift: DriftReport | null;
  /** The current model's gate threshold (0 without a model). */
  readonly threshold: number;
  /** Whether the largest feature PSI, or the segment shares' PSI, reached the threshold. */
  readonly drifted: boolean;
  readonly modelVersion: string | null;
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
    options.maxTrainingRows ?? DEFAULT_RETRAIN_SETTINGS.maxTrainingRows,
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
