/**
 * The product's model for a replayed data set, trained by the same functions the retrain runs
 * (the training summary of the profiles as a snapshot would hold them, with the stack's default
 * sample sizes, then trainSegmentModel with the default configuration), so the evaluation
 * measures what a shop would get: the summary's rows are in key order, so the stack's segment
 * workers, whatever the cut, give this very training data.
 */
import { fitStoredClv } from '#shared/customer-value/domain/forecast';
import { defaultClvConfig } from '#shared/customer-value/domain/predict';
import { TrainingDataBuilder } from '#shared/segmentation/domain/features/training-data';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { defaultTrainingConfig, type GateResult } from '#shared/segmentation/domain/training/train-model';
import { trainSegmentModel } from '#shared/segmentation/domain/training/train-segment-model';
import { DEFAULT_RETRAIN_SETTINGS } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import type { Replay } from './replay';

/** `seed` (default: the configuration's) seeds the samples and the clustering, as TrainingConfig.seed does. */
export const trainProductModel = (
  replay: Replay,
  seed = defaultTrainingConfig.seed,
): { model: SegmentModel; gate: GateResult } => {
  const asOf = replay.asOf.toISOString();
  const builder = new TrainingDataBuilder({
    asOf: replay.asOf,
    maxRows: DEFAULT_RETRAIN_SETTINGS.maxTrainingRows,
    backtestSample: DEFAULT_RETRAIN_SETTINGS.backtestSample,
    seed,
    clv: defaultClvConfig,
  });
  for (const profile of replay.profiles.values()) builder.add(profile);
  const data = builder.finish();
  const { model, gate } = trainSegmentModel(data, {
    config: { ...defaultTrainingConfig, seed },
    clv: fitStoredClv(data.purchases, defaultClvConfig, seed),
    previous: undefined,
    asOf,
    version: `evaluate-${replay.dataset.calibrationEnd}`,
    runId: 'evaluate',
    createdAt: asOf,
    snapshot: { key: 'replay', rows: replay.profiles.size },
  });
  return { model, gate };
};
