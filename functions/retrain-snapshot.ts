/**
 * Lambda `retrain-snapshot`, one item of the "Snapshot segments" Distributed Map (of the retrain
 * and of the drift check): scans one parallel Scan segment of the profiles into gzip parts under
 * the plan's prefix, with its summary, and writes the segment's result beside them. Answers only
 * counts ({segment, rows, parts}), so the map's results stay small.
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import {
  type SegmentPorts,
  snapshotSegment,
} from '#shared/segmentation/usecases/take-snapshot/snapshot-segment';
import {
  SNAPSHOT_SUMMARY,
  type SnapshotSummary,
} from '#shared/segmentation/usecases/take-snapshot/take-snapshot';
import { snapshotPlanSchema } from './retrain-payloads';

// What the map's ItemSelector builds: the item's segment and the plan.
const input = z.object({ segment: z.number().int().min(0), plan: snapshotPlanSchema });

export interface SnapshotHandlerRuntime<Summary> {
  readonly ports: SegmentPorts;
  /** SNAPSHOT_ROWS_PER_PART in the stack. */
  readonly config: Pick<RetrainSettings, 'rowsPerPart'>;
  /**
   * What each segment summarises besides its parts; the assembly merges them with the same
   * summary's `merge` (functions/retrain-assemble.ts). Default: SNAPSHOT_SUMMARY, the stack's.
   */
  readonly summary?: Pick<SnapshotSummary<Summary>, 'summariser'>;
}

export const createSnapshotHandler = <Summary = unknown>(runtime: SnapshotHandlerRuntime<Summary>) => {
  const summary = runtime.summary ?? (SNAPSHOT_SUMMARY as unknown as SnapshotSummary<Summary>);
  return async (event: unknown) => {
    const { segment, plan } = input.parse(event);
    return snapshotSegment(runtime.ports, plan, segment, {
      rowsPerPart: runtime.config.rowsPerPart,
      summariser: summary.summariser(),
    });
  };
};

let cached: ReturnType<typeof createSnapshotHandler> | undefined;

/** Lambda entry: the adapters and settings of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) {
    const { ports, config } = jobRuntimeFromEnv('retrain-snapshot');
    cached = createSnapshotHandler({ ports, config });
  }
  return cached(event);
};
