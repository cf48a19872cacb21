/**
 * The product's model for a replayed data set, trained by the same functions the retrain runs
 * (TrainingDataBuilder over the profiles as a snapshot would hold them, then trainSegmentModel
 * with the default configuration), so the evaluation measures what a shop would get.
 */
import { fitStoredClv } from '../shared/domain/clv/forecast';
import { defaultClvConfig } from '../shared/domain/clv/predict';
import type { SegmentModel } from '../shared/domain/segment-model';
import { defaultTrainingConfig, type GateResult } from '../shared/domain/train-model';
import { trainSegmentModel } from '../shared/domain/train-segment-model';
import { TrainingDataBuilder } from '../shared/domain/training-data';
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
