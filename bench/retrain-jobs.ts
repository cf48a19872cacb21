/**
 * The retrain's job handlers (functions/retrain-*.ts), wired as the stack wires them but on the
 * bench's ports: the benches run exactly what the state machine's states run, with the same
 * settings (the stack's defaults) and payloads.
 */
import { createAssembleHandler } from '#functions/retrain-assemble';
import { createIndexHandler } from '#functions/retrain-index';
import { createPlanHandler } from '#functions/retrain-plan';
import { createPromoteHandler } from '#functions/retrain-promote';
import { createSnapshotHandler } from '#functions/retrain-snapshot';
import { createTrainHandler } from '#functions/retrain-train';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { TrainingSummary } from '#shared/segmentation/domain/features/training-summary';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { DEFAULT_RETRAIN_SETTINGS } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import { trainingSummarySettings } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import type { SnapshotSummary } from '#shared/segmentation/usecases/take-snapshot/snapshot-summary';
import { trainingSnapshotSummary } from '#shared/segmentation/usecases/take-snapshot/training-snapshot-summary';

/** The stack's customer value settings: no CLV_* variable set. */
const STACK_CLV: RuntimeConfig['clv'] = { unit: 'day', calibrationDays: null, clusterFeatures: true };

/** What the stack sets in the job functions' environment (its defaults). */
export const JOB_CONFIG = { ...DEFAULT_RETRAIN_SETTINGS, clv: STACK_CLV };

/** The training summary the stack's segment workers build (functions/retrain-snapshot.ts's default). */
export const stackSummary = (): SnapshotSummary<TrainingSummary> =>
  trainingSnapshotSummary(
    trainingSummarySettings({
      clv: JOB_CONFIG.clv,
      maxTrainingRows: JOB_CONFIG.maxTrainingRows,
      backtestSample: JOB_CONFIG.backtestSample,
    }),
  );

export interface JobPorts {
  readonly objects: ObjectStore;
  readonly scanner: ProfileScanner;
  readonly clock: Clock;
  readonly logger: Logger;
}

export const retrainJobs = (ports: JobPorts, summary: SnapshotSummary<TrainingSummary> = stackSummary()) => ({
  plan: createPlanHandler({ ports, config: JOB_CONFIG, runSuffix: () => 'bench' }),
  snapshot: createSnapshotHandler({ ports, config: JOB_CONFIG, summary }),
  assemble: createAssembleHandler({ ports }),
  train: createTrainHandler({ ports, config: JOB_CONFIG }),
  index: createIndexHandler({ ports }),
  promote: createPromoteHandler({ ports }),
});

export type TrainAnswer = Awaited<ReturnType<ReturnType<typeof retrainJobs>['train']>>;
