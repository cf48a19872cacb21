/**
 * Lambda `retrain-promote`, after the "Index parts" map: merges the parts' index partials into the
 * trained model's recommendation index (one partial per snapshot part, or it fails: a run never
 * promotes without its index), switches the current-model pointer (rejected if another model was
 * promoted meanwhile) and records the run. Answers the snapshot's reference, the run and whether
 * it was promoted, with the model version and time the reassignment map stamps on every item.
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import {
  type PromoteModelPorts,
  promoteModel,
} from '#shared/segmentation/usecases/run-retrain/promote-model';
import { snapshotRefSchema, triggerSchema } from './retrain-payloads';

// The train function's answer for a model that passed the gate, as the "Promote model" state passes it.
const input = z.object({
  trigger: triggerSchema,
  snapshot: snapshotRefSchema,
  run: z
    .object({
      runId: z.string(),
      outcome: z.literal('promoted'),
      modelVersion: z.string(),
      previousVersion: z.string().nullable(),
      startedAt: z.string(),
    })
    .passthrough(),
  modelVersion: z.string(),
  at: z.string(),
});

export interface PromoteHandlerRuntime {
  readonly ports: PromoteModelPorts;
}

export const createPromoteHandler = (runtime: PromoteHandlerRuntime) => async (event: unknown) => {
  const { ports } = runtime;
  const { trigger, snapshot, run: trained, modelVersion, at } = input.parse(event);
  const { run, promoted } = await promoteModel(ports, {
    run: trained as unknown as RetrainRun,
    modelVersion,
    parts: snapshot.parts,
  });
  return { trigger, snapshot, run, promoted, modelVersion, at };
};

let cached: ReturnType<typeof createPromoteHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) cached = createPromoteHandler({ ports: jobRuntimeFromEnv('retrain-promote').ports });
  return cached(event);
};
