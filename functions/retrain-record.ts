/**
 * Lambda `retrain-record`, the last state of a promoted retrain, after the Distributed Map: checks
 * the lift of every policy in force with a holdout (flags and "Policy Underperforming" events,
 * shared/activation/usecases/lift/check-policies.ts), then sums the counts every part's
 * reassignment saved with the model and completes the run record with them (`reassigned`:
 * shoppers, changed, shoppers per segment), the checks and `finishedAt`. Its input is the run and
 * the number of parts, never the map's results, so it stays small whatever the population.
 */
import * as z from 'zod';
import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { PolicyAlertPublisher } from '#shared/activation/ports/policy-alert-publisher';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import { checkPolicies } from '#shared/activation/usecases/lift/check-policies';
import { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
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

/** What the lift check reads and where it announces. */
export interface PolicyCheckPorts {
  readonly exposures: ExposureStore;
  readonly profileRecords: ProfileRecords & Pick<ProfileStore, 'getRecord'>;
  readonly publisher: PolicyAlertPublisher;
}

export interface RecordHandlerRuntime {
  readonly ports: RecordRunPorts & PolicyCheckPorts;
}

export const createRecordHandler = (runtime: RecordHandlerRuntime) => async (event: unknown) => {
  const { run, parts } = input.parse(event);
  const { ports } = runtime;
  const model = await new ModelRepository(ports.objects).load(run.modelVersion);
  if (!model) throw new Error(`model ${run.modelVersion} of run ${run.runId} is not saved`);
  const checks = await checkPolicies(model, {
    // Uncached: the check reads the policies as they are now.
    policies: new PolicyOverrides(ports.objects, 0),
    exposures: ports.exposures,
    profiles: ports.profileRecords,
    alerts: ports.publisher,
    clock: ports.clock,
    logger: ports.logger,
  });
  return recordReassignedRun(ports, run as unknown as RetrainRun, parts, checks);
};

let cached: ReturnType<typeof createRecordHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) {
    const runtime = jobRuntimeFromEnv('retrain-record');
    cached = createRecordHandler({
      ports: { ...runtime.ports, publisher: segmentChangeBus(runtime.config) },
    });
  }
  return cached(event);
};
