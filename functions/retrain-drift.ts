/**
 * Lambda `retrain-drift`, the measure step of the drift check state machine: given the snapshot
 * its first state just took, the population stability of every clustered feature and of segment
 * shares against the current model. Answers whether to retrain, with the snapshot's reference, so the state
 * machine can start the retrain on the very population it measured (trigger "drift").
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { measureDrift } from '#shared/segmentation/usecases/check-drift/check-drift';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import type { RetrainPorts } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { snapshotRefSchema, triggerSchema } from './retrain-payloads';

// The assemble step's answer ({trigger, snapshot}), as the state machine hands it over.
const input = z.object({ trigger: triggerSchema.optional(), snapshot: snapshotRefSchema });

export interface DriftHandlerRuntime {
  readonly ports: Pick<RetrainPorts, 'objects' | 'logger'>;
  /** MAX_TRAINING_ROWS in the stack: the snapshot's sample is training's own. */
  readonly config: Pick<RetrainSettings, 'maxTrainingRows'>;
}

export const createDriftHandler = (runtime: DriftHandlerRuntime) => async (event: unknown) => {
  const { snapshot } = input.parse(event);
  const measured = await measureDrift(runtime.ports, snapshot, {
    maxTrainingRows: runtime.config.maxTrainingRows,
  });
  return { ...measured, trigger: 'drift' as const, snapshot };
};

let cached: ReturnType<typeof createDriftHandler> | undefined;

/** Lambda entry: the adapters and settings of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) {
    const { ports, config } = jobRuntimeFromEnv('retrain-drift');
    cached = createDriftHandler({ ports, config });
  }
  return cached(event);
};
