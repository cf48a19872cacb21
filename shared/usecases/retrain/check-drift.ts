/**
 * Use case: has the population drifted from what the current model was trained on?
 * Takes a fresh snapshot, measures the population stability index per feature and of segment
 * shares against the model's reference, and retrains early (trigger "drift", reusing the same
 * snapshot) when the largest PSI passes the threshold.
 */
import { assignAll } from '../../domain/clustering/kmeans';
import { defaultClvConfig } from '../../domain/clv/predict';
import type { DriftReport, RetrainRun } from '../../domain/segment-model';
import { toMatrix } from '../../domain/segmentation/feature-transform';
import { clvFeatureValues, usesClvFeatures } from '../../domain/segmentation/features';
import { driftAgainst } from '../../domain/train-model';
import { ModelRepository } from '../models/model-repository';
import { takeSnapshot } from '../snapshot/take-snapshot';
import { loadTrainingData, type RetrainOptions, type RetrainPorts, runRetrain } from './run-retrain';

export interface DriftCheck {
  readonly drift: DriftReport | null;
  readonly threshold: number;
  readonly retrain: RetrainRun | null;
}

export const checkDrift = async (
  ports: RetrainPorts,
  options: Omit<RetrainOptions, 'trigger' | 'snapshot'>,
): Promise<DriftCheck> => {
  const model = await new ModelRepository(ports.objects).current();
  if (!model) return { drift: null, threshold: 0, retrain: null };
  const threshold = model.config.gate.driftPsi;
  const manifest = await takeSnapshot(ports, { runSuffix: `${options.runSuffix}d` });
  const data = await loadTrainingData(
    ports.objects,
    manifest,
    options.maxTrainingRows ?? 2_000_000,
    model.config.seed,
    model.clv?.config ?? defaultClvConfig,
    // Drift compares distributions only: no backtest to build.
    0,
  );
  if (data.rows.length === 0) return { drift: null, threshold, retrain: null };
  // Exactly the features training computed: the forecasts from the model's own fit, not 0.
  const rows = usesClvFeatures(model.transform.features)
    ? data.rows.map((row, i) => ({ ...row, ...clvFeatureValues(model.clv, data.purchases[i] ?? null) }))
    : data.rows;
  const labels = assignAll(
    toMatrix(model.transform, rows),
    model.segments.map((s) => s.centroid),
  ).labels;
  const drift = driftAgainst(model, rows, labels);
  ports.logger.info('drift checked', {
    maxFeaturePsi: drift.maxFeaturePsi,
    segmentSharesPsi: drift.segmentSharesPsi,
    threshold,
  });
  const drifted = drift.maxFeaturePsi >= threshold || (drift.segmentSharesPsi ?? 0) >= threshold;
  const retrain = drifted
    ? await runRetrain(ports, { ...options, trigger: 'drift', snapshot: manifest })
    : null;
  return { drift, threshold, retrain };
};
