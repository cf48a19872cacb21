/**
 * Lambda `retrain-snapshot`, first state of the retrain state machine (and of the drift
 * check): writes all profiles to S3 and returns the manifest for the next states.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { retrainPorts } from '../shared/adapters/retrain-ports';
import { runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { takeSnapshot } from '../shared/usecases/snapshot/take-snapshot';

const input = z
  .object({ trigger: z.enum(['schedule', 'drift', 'manual']).default('schedule') })
  .passthrough();

let ports: ReturnType<typeof retrainPorts> | undefined;

export const handler = async (event: unknown) => {
  ports ??= retrainPorts(runtimeConfigFromEnv(), 'retrain-snapshot');
  const { trigger } = input.parse(event ?? {});
  const manifest = await takeSnapshot(ports, {
    runSuffix: randomUUID().slice(0, 8),
    workers: Number(process.env.SNAPSHOT_WORKERS ?? 4),
  });
  return { trigger, manifest };
};
