/**
 * Lambda `retrain-record`, the last state of a promoted retrain, after the Distributed Map: sums
 * the counts every part's reassignment saved with the model and completes the run record with
 * them (`reassigned`: shoppers, changed, shoppers per segment) and `finishedAt`. Its input is the
 * run and the number of parts, never the map's results, so it stays small whatever the
 * population.
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import {
  type RecordRunPorts,
  recordReassignedRun,
} from '#shared/segmentation/usecases/run-retrain/record-run';

// The train function's run and the snapshot's number of parts, as the "Record run" state passes them.
const input = z.object({
  run: z
    .object({
      runId: z.string(),
      outcome: z.literal('promoted'),
      modelVersion: z.string(),
      startedAt: z.string(),
      finishedAt: z.string(),
    })
    .passthrough(),
  parts: z.number().int().min(0),
});

export interface RecordHandlerRuntime {
  readonly ports: RecordRunPorts;
}

export const createRecordHandler = (runtime: RecordHandlerRuntime) => async (event: unknown) => {
  const { run, parts } = input.parse(event);
  return recordReassignedRun(runtime.ports, run as unknown as RetrainRun, parts);
};

let cached: ReturnType<typeof createRecordHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) cached = createRecordHandler({ ports: jobRuntimeFromEnv('retrain-record').ports });
  return cached(event);
};
