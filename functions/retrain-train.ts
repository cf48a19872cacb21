/**
 * Lambda `retrain-train`: trains on the snapshot, gates, writes the model and its recommendation
 * index, and promotes. Returns the run and,
 * when promoted, the parts the Distributed Map fans out over for reassignment.
 */
import * as z from 'zod';
import { type JobRuntime, jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { trainFromSnapshot } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import type { SnapshotManifest } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

const input = z.object({
  trigger: z.enum(['schedule', 'drift', 'manual']),
  manifest: z
    .object({ runId: z.string(), prefix: z.string(), asOf: z.string(), parts: z.array(z.unknown()) })
    .passthrough(),
});

let runtime: JobRuntime | undefined;

export const handler = async (event: unknown) => {
  runtime ??= jobRuntimeFromEnv('retrain-train');
  const { ports, config } = runtime;
  const { trigger, manifest } = input.parse(event);
  const snapshot = manifest as unknown as SnapshotManifest;
  const { run, model } = await trainFromSnapshot(ports, snapshot, {
    trigger,
    runId: snapshot.runId,
    runSuffix: '',
    clv: config.clv,
  });
  return {
    run,
    promoted: model !== undefined,
    assign: model
      ? snapshot.parts.map((part) => ({ part, modelVersion: model.version, at: run.startedAt }))
      : [],
  };
};
