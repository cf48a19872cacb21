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
import { trainingDataOf } from '#shared/segmentation/domain/features/training-data';
import type { DriftReport, SegmentModel } from '#shared/segmentation/domain/segment-model';
import { driftAgainst } from '#shared/segmentation/domain/training/drift-reference';
import { ModelRepository } from '../models/model-repository';
import { DEFAULT_RETRAIN_SETTINGS } from '../run-retrain/retrain-settings';
import { type RetrainOptions, type RetrainPorts, trainingSummarySettings } from '../run-retrain/run-retrain';
import type { SnapshotRef } from '../take-snapshot/snapshot-layout';
import { readTrainingSummary } from '../take-snapshot/training-snapshot-summary';

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

type SnapshotToMeasure = Pick<SnapshotRef, 'runId' | 'asOf' | 'summaryKey' | 'partsKey'>;

/**
 * The snapshot's drift from `model`. Its rows are training's own: the snapshot's training summary
 * (features as of the snapshot's as-of time, sampled with the model's seed, the customer value
 * summaries in the model's own time unit and calibration window: the summary the segment workers
 * built when the model was trained with today's settings, else rebuilt from the parts) and, where the model
 * clusters the forecasts, P(alive), expected orders and predicted value from the model's own fit,
 * never 0. Segment shares come from the model's transform (log, winsorising limits, scaling).
 */
const driftOf = async (
  ports: Pick<RetrainPorts, 'objects' | 'logger'>,
  snapshot: SnapshotToMeasure,
  model: SegmentModel,
  options: MeasureOptions,
): Promise<DriftMeasure> => {
  const threshold = model.config.gate.driftPsi;
  const settings = trainingSummarySettings({
    config: model.config,
    clv: model.clv?.config ?? defaultClvConfig,
    maxTrainingRows: options.maxTrainingRows ?? DEFAULT_RETRAIN_SETTINGS.maxTrainingRows,
  });
  // Drift compares distributions only: the summary's backtest is not read.
  const data = trainingDataOf(await readTrainingSummary(ports, snapshot, settings, { backtest: false }));
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
    snapshot: snapshot.runId,
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
  snapshot: SnapshotToMeasure,
  options: MeasureOptions = {},
): Promise<DriftMeasure> => {
  const model = await new ModelRepository(ports.objects).current();
  if (!model) {
    ports.logger.info('drift not checked: no model yet', { snapshot: snapshot.runId });
    return { drift: null, threshold: 0, drifted: false, modelVersion: null };
  }
  return driftOf(ports, snapshot, model, options);
};
