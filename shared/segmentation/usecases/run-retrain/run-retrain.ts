/**
 * Use case: training, the heart of a retrain run (the stack's "Train model" state; the local
 * runner runs the same job handler, local/retrain-pipeline.ts).
 * Input: ports, trigger, training configuration, the snapshot to train on.
 * Output: the run record (promoted, rejected or failed, with the reason), also saved to the bucket,
 * and the promoted model, whose reassignment fans out per snapshot part (../reassign-part) before
 * ./record-run.ts completes the record.
 * Steps: read the snapshot and build features and the backtest (reservoir samples past
 * `maxTrainingRows`) → trainSegmentModel (pure) → quality gate → save the model (`trainModel`);
 * then, per snapshot part, its recommendation index partial, and ./promote-model.ts merges them
 * into the index and switches the current pointer (`trainFromSnapshot` runs all three).
 * A run that dies before the pointer switch leaves the current model untouched.
 */

import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { PolicyAlertPublisher } from '#shared/activation/ports/policy-alert-publisher';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { fitStoredClv } from '#shared/customer-value/domain/forecast';
import { type ClvConfig, defaultClvConfig } from '#shared/customer-value/domain/predict';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { writeIndexPart } from '#shared/recommendations/usecases/build-index/index-parts';
import { CLV_FEATURES, usesClvFeatures } from '#shared/segmentation/domain/features/features';
import { trainingDataOf } from '#shared/segmentation/domain/features/training-data';
import { BACKTEST_SAMPLE } from '#shared/segmentation/domain/features/training-summary';
import {
  addCounts,
  type PopulationCounts,
  type RetrainRun,
  type SegmentModel,
  type TrainingConfig,
} from '#shared/segmentation/domain/segment-model';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { trainSegmentModel } from '#shared/segmentation/domain/training/train-segment-model';
import type { AssignmentStore } from '#shared/segmentation/ports/assignment-store';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { ModelRepository } from '../models/model-repository';
import { reassignPart } from '../reassign-part/reassign-part';
import type { SnapshotManifest, SnapshotRef } from '../take-snapshot/snapshot-layout';
import {
  readTrainingSummary,
  type TrainingSummarySettings,
} from '../take-snapshot/training-snapshot-summary';
import { promoteModel } from './promote-model';
import { DEFAULT_RETRAIN_SETTINGS } from './retrain-settings';

export interface RetrainPorts {
  readonly objects: ObjectStore;
  readonly scanner: ProfileScanner;
  /** A retrain records changes; it never confirms a live stamp (only a live re-score does). */
  readonly assignments: Omit<AssignmentStore, 'confirm'>;
  /** Segment changes from reassignment; policy alerts from the record step's lift check. */
  readonly publisher: SegmentChangePublisher & PolicyAlertPublisher;
  /** What the record step's lift check reads. */
  readonly exposures: ExposureStore;
  readonly profileRecords: ProfileRecords & Pick<ProfileStore, 'getRecord'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RetrainOptions {
  readonly trigger: RetrainRun['trigger'];
  readonly config?: TrainingConfig;
  /** Training rows: a bottom-k sample on a seeded hash of the shopper id past it (all shoppers are still assigned). */
  readonly maxTrainingRows?: number;
  /** Backtest buyers sampled (default BACKTEST_SAMPLE). */
  readonly backtestSample?: number;
  /**
   * The customer value models: time unit and calibration window (defaults: days, all history),
   * and `clusterFeatures` (default true) to offer P(alive), expected orders and predicted value
   * to the backtest as clustering candidates; false keeps them out.
   */
  readonly clv?: Partial<ClvConfig> & { readonly clusterFeatures?: boolean };
}

/**
 * What the snapshot's training summary is built with for this training: its seed, sample sizes
 * and customer value unit and window. The stack's segment workers build it with the same
 * settings (functions/retrain-snapshot.ts), so the train step finds it assembled.
 */
export const trainingSummarySettings = (
  options: Pick<RetrainOptions, 'config' | 'clv' | 'maxTrainingRows' | 'backtestSample'>,
): TrainingSummarySettings => ({
  seed: (options.config ?? defaultTrainingConfig).seed,
  maxRows: options.maxTrainingRows ?? DEFAULT_RETRAIN_SETTINGS.maxTrainingRows,
  backtestSample: options.backtestSample ?? BACKTEST_SAMPLE,
  clv: {
    unit: options.clv?.unit ?? defaultClvConfig.unit,
    calibrationDays:
      options.clv?.calibrationDays === undefined
        ? defaultClvConfig.calibrationDays
        : options.clv.calibrationDays,
  },
});

/** The configured candidates with the customer value forecasts offered, or taken out. */
const withClvCandidates = (config: TrainingConfig, offered: boolean): TrainingConfig => {
  if (!offered)
    return {
      ...config,
      features: config.features.filter((f) => !(CLV_FEATURES as readonly string[]).includes(f)),
    };
  return usesClvFeatures(config.features)
    ? config
    : { ...config, features: [...config.features, ...CLV_FEATURES] };
};

export interface TrainOutcome {
  readonly run: RetrainRun;
  /** The promoted model, when the gate passed. */
  readonly model: SegmentModel | undefined;
}

/**
 * What training answers: the run (saved when rejected; when the gate passed, the record the
 * promotion will complete and save) and, when the gate passed, the candidate (saved, not promoted).
 */
export interface TrainedModel {
  readonly run: RetrainRun;
  readonly candidate: SegmentModel | undefined;
}

const phaseTimer =
  (logger: Logger, timings: Record<string, number>) =>
  async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    timings[phase] = Math.round(performance.now() - t0);
    logger.info('retrain phase done', { phase, ms: timings[phase] });
    return result;
  };

/**
 * The "Train model" step: train on a snapshot, gate, save the candidate. A rejected run is
 * recorded here and ends the run; a candidate that passed is not promoted yet: its index is built
 * per part (../../../recommendations/usecases/build-index/index-parts.ts) and ./promote-model.ts
 * switches the pointer and records the run.
 */
export const trainModel = async (
  ports: Pick<RetrainPorts, 'objects' | 'clock' | 'logger'>,
  snapshot: SnapshotRef,
  options: RetrainOptions & {
    runId: string;
    timings?: Record<string, number>;
  },
): Promise<TrainedModel> => {
  const { clusterFeatures = true, ...clvOverrides } = options.clv ?? {};
  const clvConfig: ClvConfig = { ...defaultClvConfig, ...clvOverrides };
  const config = withClvCandidates(options.config ?? defaultTrainingConfig, clusterFeatures);
  const models = new ModelRepository(ports.objects);
  const timings = options.timings ?? {};
  const timed = phaseTimer(ports.logger, timings);
  const runId = options.runId;
  const previous = await models.current();
  const base = {
    runId,
    startedAt: ports.clock.now().toISOString(),
    trigger: options.trigger,
    previousVersion: previous?.version ?? null,
    snapshot: snapshot.manifestKey,
    timings,
  };
  const reject = async (run: Omit<RetrainRun, keyof typeof base | 'finishedAt'>): Promise<TrainedModel> => {
    const record: RetrainRun = { ...base, ...run, finishedAt: ports.clock.now().toISOString() };
    await models.saveRun(record);
    ports.logger.info('retrain trained', {
      runId,
      outcome: record.outcome,
      reason: record.reason,
      k: record.k,
    });
    return { run: record, candidate: undefined };
  };

  // The summary is bounded by the sample sizes: reading it costs the same at 1M shoppers or 50M.
  const data = await timed('read', async () =>
    trainingDataOf(
      await readTrainingSummary(
        ports,
        snapshot,
        trainingSummarySettings({ ...options, config, clv: clvConfig }),
      ),
    ),
  );
  if (data.rows.length < Math.max(config.kMin * 10, 30)) {
    return reject({
      outcome: 'rejected',
      reason: `too few shoppers with orders to train (${data.rows.length})`,
      modelVersion: null,
      k: null,
      metrics: null,
      stability: null,
      drift: null,
      reassigned: null,
    });
  }

  const version = `m-${runId}`;
  const clv = await timed('clv', () => fitStoredClv(data.purchases, clvConfig, config.seed));
  const { model, gate } = await timed('train', () =>
    trainSegmentModel(data, {
      config,
      clv,
      previous,
      asOf: snapshot.asOf,
      version,
      runId,
      createdAt: ports.clock.now().toISOString(),
      snapshot: { key: base.snapshot, rows: snapshot.rows },
    }),
  );
  const summary = {
    k: model.metrics.k,
    metrics: model.metrics,
    stability: model.stability,
    drift: model.drift,
  };
  // The candidate is saved either way (for inspection); only the pointer decides what serves.
  await timed('save', () => models.save(model));
  if (!gate.passed)
    return reject({
      outcome: 'rejected',
      reason: gate.reason,
      modelVersion: version,
      ...summary,
      reassigned: null,
    });
  ports.logger.info('retrain trained', { runId, outcome: 'passed', reason: gate.reason, k: summary.k });
  // The record the promotion completes (its outcome and finishedAt are set, and it is saved, there).
  const pending: RetrainRun = {
    ...base,
    outcome: 'promoted',
    reason: gate.reason,
    modelVersion: version,
    ...summary,
    reassigned: null,
    finishedAt: ports.clock.now().toISOString(),
  };
  return { run: pending, candidate: model };
};

/**
 * Train on a snapshot, gate, build the recommendation index and promote: everything but the
 * reassignment, which fans out per snapshot part. The same steps as the stack's "Train model",
 * "Index parts" and "Promote model" states, in one process (tests and the bench). The run record
 * is saved either way.
 */
export const trainFromSnapshot = async (
  ports: Pick<RetrainPorts, 'objects' | 'clock' | 'logger'>,
  manifest: SnapshotManifest & { readonly ref: SnapshotRef },
  options: RetrainOptions & {
    runId: string;
    timings?: Record<string, number>;
  },
): Promise<TrainOutcome> => {
  const timings = options.timings ?? {};
  const trained = await trainModel(ports, manifest.ref, { ...options, timings });
  const { candidate } = trained;
  if (!candidate) return { run: trained.run, model: undefined };
  const timed = phaseTimer(ports.logger, timings);
  await timed('index parts', async () => {
    for (const part of manifest.parts) await writeIndexPart(ports.objects, part, candidate);
  });
  const { run, promoted } = await promoteModel(ports, {
    run: trained.run,
    modelVersion: candidate.version,
    parts: manifest.parts.length,
  });
  // The caller's timings get the promotion's phases too (the bench prints them).
  Object.assign(timings, run.timings);
  return { run, model: promoted ? candidate : undefined };
};

/**
 * Every part in turn, in one process (the retrain bench's reassignment). The stack runs each part
 * as one Distributed Map item, and the local runner does the same with the same job handler.
 */
export const reassignAll = async (
  ports: Pick<RetrainPorts, 'objects' | 'assignments' | 'publisher' | 'clock'>,
  manifest: SnapshotManifest,
  model: SegmentModel,
  at: string,
): Promise<NonNullable<RetrainRun['reassigned']>> => {
  let changed = 0;
  let counts: PopulationCounts = { shoppers: 0, segments: {} };
  for (const part of manifest.parts) {
    const result = await reassignPart(ports, part, model, at);
    changed += result.changed;
    counts = addCounts(counts, result);
  }
  return { shoppers: counts.shoppers, changed, segments: counts.segments };
};
