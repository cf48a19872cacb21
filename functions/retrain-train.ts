/**
 * Lambda `retrain-train`: trains on the snapshot's merged training summary (read by the reference's key),
 * gates and writes the candidate model, not yet promoted. Returns the snapshot's reference, the
 * run (recorded when rejected) and, when the gate passed, the model version and the time the
 * "Index parts" map, the promotion and the reassignment stamp (the maps read their items, the
 * parts, from the snapshot's parts list).
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import type { TrainingConfig } from '#shared/segmentation/domain/segment-model';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import { type RetrainPorts, trainModel } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { snapshotRefSchema, triggerSchema } from './retrain-payloads';

// The assemble step's answer, or the retrain's input when a drift check gives the snapshot.
const input = z.object({ trigger: triggerSchema, snapshot: snapshotRefSchema });

export interface TrainHandlerRuntime {
  readonly ports: Pick<RetrainPorts, 'objects' | 'clock' | 'logger'>;
  /** The CLV_* settings, MAX_TRAINING_ROWS and BACKTEST_SAMPLE in the stack. */
  readonly config: Pick<RuntimeConfig, 'clv'> & Pick<RetrainSettings, 'maxTrainingRows' | 'backtestSample'>;
  /**
   * The training configuration; absent, the service's default (what the stack trains with).
   * Tests and the local service set it to train otherwise (another seed, required features).
   */
  readonly training?: TrainingConfig;
}

export const createTrainHandler = (runtime: TrainHandlerRuntime) => async (event: unknown) => {
  const { ports, config } = runtime;
  const { trigger, snapshot } = input.parse(event);
  const { run, candidate } = await trainModel(ports, snapshot, {
    trigger,
    runId: snapshot.runId,
    clv: config.clv,
    maxTrainingRows: config.maxTrainingRows,
    backtestSample: config.backtestSample,
    ...(runtime.training ? { config: runtime.training } : {}),
  });
  return {
    trigger,
    snapshot,
    run,
    passed: candidate !== undefined,
    ...(candidate ? { modelVersion: candidate.version, at: run.startedAt } : {}),
  };
};

let cached: ReturnType<typeof createTrainHandler> | undefined;

/** Lambda entry: the adapters and settings of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) {
    const { ports, config } = jobRuntimeFromEnv('retrain-train');
    cached = createTrainHandler({ ports, config });
  }
  return cached(event);
};
