/**
 * Lambda `retrain-drift`, the measure step of the drift check state machine: given the snapshot
 * its first state just took, the population stability of every clustered feature and of segment
 * shares against the current model. Answers whether to retrain, with the snapshot, so the state
 * machine can start the retrain on the very population it measured (trigger "drift").
 */
import * as z from 'zod';
import { jobRuntimeFromEnv, type RetrainServicePorts } from '#shared/adapters/retrain-ports';
import { measureDrift } from '#shared/segmentation/usecases/check-drift/check-drift';
import type { SnapshotManifest } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

// The snapshot function's output, as the state machine hands it over.
const input = z.object({
  manifest: z
    .object({ runId: z.string(), prefix: z.string(), asOf: z.string(), parts: z.array(z.unknown()) })
    .passthrough(),
});

let ports: RetrainServicePorts | undefined;

export const handler = async (event: unknown) => {
  ports ??= jobRuntimeFromEnv('retrain-drift').ports;
  const manifest = input.parse(event).manifest as unknown as SnapshotManifest;
  const measured = await measureDrift(ports, manifest);
  return { ...measured, trigger: 'drift' as const, manifest };
};
