/**
 * Lambda `retrain-snapshot`, first state of the retrain state machine (and of the drift
 * check): writes all profiles to S3 and returns the manifest for the next states.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { type JobRuntime, jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { takeSnapshot } from '#shared/segmentation/usecases/take-snapshot/take-snapshot';

const input = z
  .object({ trigger: z.enum(['schedule', 'drift', 'manual']).default('schedule') })
  .passthrough();

let runtime: JobRuntime | undefined;

export const handler = async (event: unknown) => {
  runtime ??= jobRuntimeFromEnv('retrain-snapshot');
  const { trigger } = input.parse(event ?? {});
  const manifest = await takeSnapshot(runtime.ports, {
    runSuffix: randomUUID().slice(0, 8),
    workers: runtime.config.snapshotWorkers,
  });
  return { trigger, manifest };
};
