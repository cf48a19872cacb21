/**
 * Lambda `retrain-snapshot`, one item of the "Snapshot segments" Distributed Map (of the retrain
 * and of the drift check): scans one parallel Scan segment of the profiles into gzip parts under
 * the plan's prefix, with the segment's training summary (its share of the samples and counts),
 * and writes the segment's result beside them. Answers only counts ({segment, rows, parts}), so
 * the map's results stay small.
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import type { TrainingConfig } from '#shared/segmentation/domain/segment-model';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import { trainingSummarySettings } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import {
  type SegmentPorts,
  snapshotSegment,
} from '#shared/segmentation/usecases/take-snapshot/snapshot-segment';
import type { SnapshotSummary } from '#shared/segmentation/usecases/take-snapshot/snapshot-summary';
import { trainingSnapshotSummary } from '#shared/segmentation/usecases/take-snapshot/training-snapshot-summary';
import { snapshotPlanSchema } from './retrain-payloads';

// What the map's ItemSelector builds: the item's segment and the plan.
const input = z.object({ segment: z.number().int().min(0), plan: snapshotPlanSchema });

export interface SnapshotHandlerRuntime<Summary> {
  readonly ports: SegmentPorts;
  /**
   * SNAPSHOT_ROWS_PER_PART, and what the training summary is built with (MAX_TRAINING_ROWS,
   * BACKTEST_SAMPLE, CLV_*): the same settings as the train step's, so it finds the summary its own.
   */
  readonly config: Pick<RetrainSettings, 'rowsPerPart' | 'maxTrainingRows' | 'backtestSample'> &
    Pick<RuntimeConfig, 'clv'>;
  /** The training configuration whose seed keys the samples (default: the service's, as the train step's). */
  readonly training?: TrainingConfig;
  /** What each segment summarises besides its parts (default: the training summary). */
  readonly summary?: Pick<SnapshotSummary<Summary>, 'summariser'>;
}

export const createSnapshotHandler = <Summary = unknown>(runtime: SnapshotHandlerRuntime<Summary>) => {
  const { config } = runtime;
  const summary =
    runtime.summary ??
    (trainingSnapshotSummary(
      trainingSummarySettings({
        ...(runtime.training ? { config: runtime.training } : {}),
        clv: config.clv,
        maxTrainingRows: config.maxTrainingRows,
        backtestSample: config.backtestSample,
      }),
    ) as unknown as SnapshotSummary<Summary>);
  return async (event: unknown) => {
    const { segment, plan } = input.parse(event);
    return snapshotSegment(runtime.ports, plan, segment, {
      rowsPerPart: config.rowsPerPart,
      summariser: summary.summariser(plan),
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
