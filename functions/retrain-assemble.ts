/**
 * Lambda `retrain-assemble`, after the "Snapshot segments" map: reads every segment's result,
 * writes the parts list (the reassignment map's items), the merged training summary and the
 * manifest, last. Answers {trigger, snapshot}: the snapshot's reference (keys and counts), never
 * its parts.
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { assembleSnapshot } from '#shared/segmentation/usecases/take-snapshot/assemble-snapshot';
import type { SnapshotSummary } from '#shared/segmentation/usecases/take-snapshot/snapshot-summary';
import { trainingSummaryMerger } from '#shared/segmentation/usecases/take-snapshot/training-snapshot-summary';
import { snapshotPlanSchema, triggerSchema } from './retrain-payloads';

// The plan step's answer, which the segment map passes on unchanged (its results are discarded).
const input = z.object({ trigger: triggerSchema, plan: snapshotPlanSchema });

export interface AssembleHandlerRuntime<Summary> {
  readonly ports: { readonly objects: ObjectStore; readonly logger: Logger };
  /** How the segments' summaries merge (default: the training summary's, as the stack's workers build it). */
  readonly summary?: Pick<SnapshotSummary<Summary>, 'merger'>;
}

export const createAssembleHandler = <Summary = unknown>(runtime: AssembleHandlerRuntime<Summary>) => {
  const merger =
    runtime.summary?.merger ?? (trainingSummaryMerger as unknown as SnapshotSummary<Summary>['merger']);
  return async (event: unknown) => {
    const { trigger, plan } = input.parse(event);
    const snapshot = await assembleSnapshot(runtime.ports, plan, merger(plan));
    return { trigger, snapshot };
  };
};

let cached: ReturnType<typeof createAssembleHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) cached = createAssembleHandler({ ports: jobRuntimeFromEnv('retrain-assemble').ports });
  return cached(event);
};
