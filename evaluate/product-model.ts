/**
 * The product's model for a replayed data set, trained by the same functions the retrain runs
 * (TrainingDataBuilder over the profiles as a snapshot would hold them, then trainSegmentModel
 * with the default configuration), so the evaluation measures what a shop would get.
 */
import { fitStoredClv } from '#shared/customer-value/domain/forecast';
import { defaultClvConfig } from '#shared/customer-value/domain/predict';
import { TrainingDataBuilder } from '#shared/segmentation/domain/features/training-data';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { defaultTrainingConfig, type GateResult } from '#shared/segmentation/domain/training/train-model';
import { trainSegmentModel } from '#shared/segmentation/domain/training/train-segment-model';
import type { Replay } from './replay';

export const trainProductModel = (replay: Replay): { model: SegmentModel; gate: GateResult } => {
  const asOf = replay.asOf.toISOString();
  const builder = new TrainingDataBuilder({
    asOf: replay.asOf,
    maxRows: 2_000_000,
    seed: defaultTrainingConfig.seed,
    clv: defaultClvConfig,
  });
  for (const profile of replay.profiles.values()) builder.add(profile);
  const data = builder.finish();
  const { model, gate } = trainSegmentModel(data, {
    config: defaultTrainingConfig,
    clv: fitStoredClv(data.purchases, defaultClvConfig, defaultTrainingConfig.seed),
    previous: undefined,
    asOf,
    version: `evaluate-${replay.dataset.calibrationEnd}`,
    runId: 'evaluate',
    createdAt: asOf,
    snapshot: { key: 'replay', rows: replay.profiles.size },
  });
  return { model, gate };
};
