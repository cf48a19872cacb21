/**
 * Lambda `retrain-plan`, first state of the retrain state machine (and of the drift check's
 * snapshot): plans the snapshot — its run id, as-of time and prefix, and how many parallel Scan
 * segments to cut the profiles table into, from the table's approximate size — and writes the
 * segment map's items to the bucket. Answers {trigger, plan}: a few keys and counts.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import { planSnapshot } from '#shared/segmentation/usecases/take-snapshot/plan-snapshot';
import { triggerSchema } from './retrain-payloads';

// The schedule's {trigger: "schedule"}, the drift check's {trigger: "drift"}, or a manual start.
const input = z.object({ trigger: triggerSchema.default('schedule') }).passthrough();

export interface PlanHandlerRuntime {
  readonly ports: {
    readonly scanner: Pick<ProfileScanner, 'approximateCount'>;
    readonly objects: ObjectStore;
    readonly clock: Clock;
    readonly logger: Logger;
  };
  /** SNAPSHOT_WORKERS, SNAPSHOT_ROWS_PER_SEGMENT and SNAPSHOT_MAX_SEGMENTS in the stack. */
  readonly config: Pick<RetrainSettings, 'snapshotWorkers' | 'rowsPerSegment' | 'maxSegments'>;
  /** Makes the run id unique among runs of the same as-of time (default: random). */
  readonly runSuffix?: () => string;
}

export const createPlanHandler = (runtime: PlanHandlerRuntime) => {
  const runSuffix = runtime.runSuffix ?? (() => randomUUID().slice(0, 8));
  return async (event: unknown) => {
    const { trigger } = input.parse(event ?? {});
    const { ports, config } = runtime;
    const approximateRows = await ports.scanner.approximateCount();
    const plan = await planSnapshot(ports, {
      runSuffix: runSuffix(),
      approximateRows,
      segments: {
        minSegments: config.snapshotWorkers,
        rowsPerSegment: config.rowsPerSegment,
        maxSegments: config.maxSegments,
      },
    });
    ports.logger.info('snapshot planned', {
      runId: plan.runId,
      approximateRows,
      segments: plan.totalSegments,
    });
    return { trigger, plan };
  };
};

let cached: ReturnType<typeof createPlanHandler> | undefined;

/** Lambda entry: the adapters and settings of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) {
    const { ports, config } = jobRuntimeFromEnv('retrain-plan');
    cached = createPlanHandler({ ports, config });
  }
  return cached(event);
};
