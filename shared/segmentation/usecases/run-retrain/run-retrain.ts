/**
 * Use case: one retrain run, start to finish.
 * Input: ports, trigger, training configuration, the snapshot to use (or take a new one).
 * Output: the run record (promoted, rejected or failed, with the reason), also saved to the bucket.
 * Steps: snapshot → read and build features and the backtest (reservoir samples past
 * `maxTrainingRows`) → trainSegmentModel (pure) → quality gate → save the model and its
 * recommendation index, then switch the current pointer → re-assign every shopper of the
 * snapshot, part by part, writing only changes.
 * A run that dies before the pointer switch leaves the current model untouched.
 */

import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { fitStoredClv } from '#shared/customer-value/domain/forecast';
import { type ClvConfig, defaultClvConfig } from '#shared/customer-value/domain/predict';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { buildRecommendationIndex } from '#shared/recommendations/usecases/build-index/build-recommendation-index';
import { CLV_FEATURES, usesClvFeatures } from '#shared/segmentation/domain/features/features';
import { type TrainingData, TrainingDataBuilder } from '#shared/segmentation/domain/features/training-data';
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
import { ModelRepository, PromotionConflictError } from '../models/model-repository';
import { reassignPart } from '../reassign-part/reassign-part';
import { readSnapshot } from '../take-snapshot/read-snapshot';
import type { SnapshotManifest } from '../take-snapshot/snapshot-layout';
import { MANIFEST_NAME } from '../take-snapshot/snapshot-layout';
import { takeSnapshot } from '../take-snapshot/take-snapshot';

export interface RetrainPorts {
  readonly objects: ObjectStore;
  readonly scanner: ProfileScanner;
  /** A retrain records changes; it never confirms a live stamp (only a live re-score does). */
  readonly assignments: Omit<AssignmentStore, 'confirm'>;
  readonly publisher: SegmentChangePublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RetrainOptions {
  readonly trigger: RetrainRun['trigger'];
  readonly runSuffix: string;
  readonly config?: TrainingConfig;
  /** Use this snapshot instead of taking a new one. */
  readonly snapshot?: SnapshotManifest;
  readonly workers?: number;
  readonly rowsPerPart?: number;
  /** Training rows kept in memory; beyond it a seeded reservoir sample (all shoppers are still assigned). */
  readonly maxTrainingRows?: number;
  /**
   * The customer value models: time unit and calibration window (defaults: days, all history),
   * and `clusterFeatures` (default true) to offer P(alive), expected orders and predicted value
   * to the backtest as clustering candidates; false keeps them out.
   */
  readonly clv?: Partial<ClvConfig> & { readonly clusterFeatures?: boolean };
}

/** Streams the snapshot once into training data (see TrainingDataBuilder), holding at most `maxRows` buyers. */
export const loadTrainingData = async (
  objects: ObjectStore,
  manifest: SnapshotManifest,
  maxRows: number,
  seed: number,
  clv: Pick<ClvConfig, 'unit' | 'calibrationDays'> = defaultClvConfig,
  backtestSample?: number,
): Promise<TrainingData> => {
  const builder = new TrainingDataBuilder({
    asOf: new Date(manifest.asOf),
    maxRows,
    seed,
    clv,
    ...(backtestSample === undefined ? {} : { backtestSample }),
  });
  for await (const profile of readSnapshot(objects, manifest)) builder.add(profile);
  return builder.finish();
};

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
  readonly manifest: SnapshotManifest;
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
 * Train on a snapshot, gate, build the recommendation index and promote: everything but the
 * reassignment, which fans out
 * per snapshot part. The run record is saved either way.
 */
export const trainFromSnapshot = async (
  ports: Pick<RetrainPorts, 'objects' | 'clock' | 'logger'>,
  manifest: SnapshotManifest,
  options: Omit<RetrainOptions, 'snapshot'> & {
    runId: string;
    timings?: Record<string, number>;
    startedAt?: Date;
  },
): Promise<TrainOutcome> => {
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
    startedAt: (options.startedAt ?? ports.clock.now()).toISOString(),
    trigger: options.trigger,
    previousVersion: previous?.version ?? null,
    snapshot: `${manifest.prefix}${MANIFEST_NAME}`,
    timings,
  };
  const finish = async (
    run: Omit<RetrainRun, keyof typeof base | 'finishedAt'>,
    model?: SegmentModel,
  ): Promise<TrainOutcome> => {
    const record: RetrainRun = { ...base, ...run, finishedAt: ports.clock.now().toISOString() };
    await models.saveRun(record);
    ports.logger.info('retrain trained', {
      runId,
      outcome: record.outcome,
      reason: record.reason,
      k: record.k,
    });
    return { run: record, model, manifest };
  };

  const data = await timed('read', () =>
    loadTrainingData(ports.objects, manifest, options.maxTrainingRows ?? 2_000_000, config.seed, clvConfig),
  );
  if (data.rows.length < Math.max(config.kMin * 10, 30)) {
    return finish({
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
      asOf: manifest.asOf,
      version,
      runId,
      createdAt: ports.clock.now().toISOString(),
      snapshot: { key: base.snapshot, rows: manifest.rows },
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
    return finish({
      outcome: 'rejected',
      reason: gate.reason,
      modelVersion: version,
      ...summary,
      reassigned: null,
    });
  // Part of the model's artefacts: a lookup that reads the new pointer finds the new index.
  await timed('recommendations', () => buildRecommendationIndex(ports.objects, manifest, model));
  try {
    await timed('promote', () => models.promote(version, ports.clock.now(), previous?.version ?? null));
  } catch (error) {
    if (!(error instanceof PromotionConflictError)) throw error;
    return finish({
      outcome: 'rejected',
      reason: error.message,
      modelVersion: version,
      ...summary,
      reassigned: null,
    });
  }
  return finish(
    { outcome: 'promoted', reason: gate.reason, modelVersion: version, ...summary, reassigned: null },
    model,
  );
};

export const runRetrain = async (ports: RetrainPorts, options: RetrainOptions): Promise<RetrainRun> => {
  const startedAt = ports.clock.now();
  const timings: Record<string, number> = {};
  const timed = phaseTimer(ports.logger, timings);
  const manifest =
    options.snapshot ??
    (await timed('snapshot', () =>
      takeSnapshot(ports, {
        runSuffix: options.runSuffix,
        ...(options.workers ? { workers: options.workers } : {}),
        ...(options.rowsPerPart ? { rowsPerPart: options.rowsPerPart } : {}),
      }),
    ));
  const runId = options.snapshot ? `${manifest.runId}-${options.runSuffix}` : manifest.runId;
  const { run, model } = await trainFromSnapshot(ports, manifest, { ...options, runId, timings, startedAt });
  if (!model) return run;
  const reassigned = await timed('reassign', () =>
    reassignAll(ports, manifest, model, startedAt.toISOString()),
  );
  const record: RetrainRun = { ...run, reassigned, timings, finishedAt: ports.clock.now().toISOString() };
  await new ModelRepository(ports.objects).saveRun(record);
  return record;
};

/** Sequential locally; in the stack each part is one Distributed Map item. */
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
