/**
 * Lambda `retrain-train`: trains on the snapshot, gates, writes the model and its recommendation
 * index, and promotes. Returns the run and,
 * when promoted, the parts the Distributed Map fans out over for reassignment.
 */
import * as z from 'zod';
import { retrainPorts } from '../shared/adapters/retrain-ports';
import { type RuntimeConfig, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { trainFromSnapshot } from '../shared/usecases/retrain/run-retrain';
import type { SnapshotManifest } from '../shared/usecases/snapshot/snapshot-layout';

const input = z.object({
  trigger: z.enum(['schedule', 'drift', 'manual']),
  manifest: z
    .object({ runId: z.string(), prefix: z.string(), asOf: z.string(), parts: z.array(z.unknown()) })
    .passthrough(),
});

let wired: { ports: ReturnType<typeof retrainPorts>; clv: RuntimeConfig['clv'] } | undefined;

export const handler = async (event: unknown) => {
  wired ??= (() => {
    const config = runtimeConfigFromEnv();
    return { ports: retrainPorts(config, 'retrain-train'), clv: config.clv };
  })();
  const { ports, clv } = wired;
  const { trigger, manifest } = input.parse(event);
  const snapshot = manifest as unknown as SnapshotManifest;
  const { run, model } = await trainFromSnapshot(ports, snapshot, {
    trigger,
    runId: snapshot.runId,
    runSuffix: '',
    clv,
  });
  return {
    run,
    promoted: model !== undefined,
    assign: model
      ? snapshot.parts.map((part) => ({ part, modelVersion: model.version, at: run.startedAt }))
      : [],
  };
};
