/**
 * Use case: one retrain run, start to finish.
 * Input: ports, trigger, training configuration, the snapshot to use (or take a new one).
 * Output: the run record (promoted, rejected or failed, with the reason), also saved to the bucket.
 * Steps: snapshot → read and build features (reservoir sample past `maxTrainingRows`) →
 * trainModel (pure) → quality gate → save the model, then switch the current pointer →
 * re-assign every shopper of the snapshot, part by part, writing only changes → build the
 * recommendation index for the new model.
 * A run that dies before the pointer switch leaves the current model untouched.
 */

import { mulberry32 } from '../../domain/clustering/random';
import { fitStoredClv, forecastSentence, type StoredClv, segmentForecasts } from '../../domain/clv/forecast';
import { type ClvConfig, defaultClvConfig } from '../../domain/clv/predict';
import { purchaseSummaryOfProfile } from '../../domain/clv/profile-summary';
import type { PurchaseSummary } from '../../domain/clv/summary';
import type { RetrainRun, SegmentModel, TrainingConfig } from '../../domain/segment-model';
import type { RawFeatures } from '../../domain/segmentation/features';
import {
  CLV_FEATURES,
  clvFeatureValues,
  rawFeatures,
  usesClvFeatures,
} from '../../domain/segmentation/features';
import { defaultTrainingConfig, trainModel } from '../../domain/train-model';
import type { AssignmentStore } from '../../ports/assignment-store';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { ObjectStore } from '../../ports/object-store';
import type { ProfileScanner } from '../../ports/profile-scanner';
import type { SegmentChangePublisher } from '../../ports/segment-change-publisher';
import { ModelRepository } from '../models/model-repository';
import { buildRecommendationIndex } from '../recommendations/build-recommendation-index';
import { readSnapshot } from '../snapshot/read-snapshot';
import type { SnapshotManifest } from '../snapshot/snapshot-layout';
import { MANIFEST_NAME } from '../snapshot/snapshot-layout';
import { takeSnapshot } from '../snapshot/take-snapshot';
import { reassignPart } from './reassign-part';

export interface RetrainPorts {
  readonly objects: ObjectStore;
  readonly scanner: ProfileScanner;
  readonly assignments: AssignmentStore;
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
   * and `clusterFeatures` to also cluster on P(alive), expected orders and predicted value.
   */
  readonly clv?: Partial<ClvConfig> & { readonly clusterFeatures?: boolean };
}

export interface TrainingData {
  readonly rows: RawFeatures[];
  /** Row i's purchase summary for the customer value models, in `clvUnit`. */
  readonly purchases: (PurchaseSummary | null)[];
  readonly prospects: number;
  readonly total: number;
  readonly currency: string;
}

/** Streams the snapshot once into raw features, holding at most `maxRows` of them. */
export const loadTrainingData = async (
  objects: ObjectStore,
  manifest: SnapshotManifest,
  maxRows: number,
  seed: number,
  clv: Pick<ClvConfig, 'unit' | 'calibrationDays'> = defaultClvConfig,
): Promise<TrainingData> => {
  const asOf = new Date(manifest.asOf);
  const rows: RawFeatures[] = [];
  const purchases: (PurchaseSummary | null)[] = [];
  const currencies = new Map<string, number>();
  const rand = mulberry32(seed);
  let prospects = 0;
  let seen = 0;
  for await (const profile of readSnapshot(objects, manifest)) {
    const features = rawFeatures(profile, asOf);
    if (!features) {
      prospects += 1;
      continue;
    }
    if (profile.currency) currencies.set(profile.currency, (currencies.get(profile.currency) ?? 0) + 1);
    seen += 1;
    const purchase = purchaseSummaryOfProfile(profile, asOf, clv.unit, clv.calibrationDays);
    if (rows.length < maxRows) {
      rows.push(features);
      purchases.push(purchase);
    } else {
      const slot = Math.floor(rand() * seen);
      if (slot < maxRows) {
        rows[slot] = features;
        purchases[slot] = purchase;
      }
    }
  }
  const currency =
    [...currencies.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'USD';
  return { rows, purchases, prospects, total: seen + prospects, currency };
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
 * Train on a snapshot, gate, and promote: everything but the reassignment, which fans out
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
  const { clusterFeatures = false, ...clvOverrides } = options.clv ?? {};
  const clvConfig: ClvConfig = { ...defaultClvConfig, ...clvOverrides };
  const chosen = options.config ?? defaultTrainingConfig;
  const config =
    clusterFeatures && !usesClvFeatures(chosen.features)
      ? { ...chosen, features: [...chosen.features, ...CLV_FEATURES] }
      : chosen;
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
  // Fitted before clustering, so that its forecasts can be clustering features when asked for.
  const clv = await timed('clv', () => fitStoredClv(data.purchases, clvConfig, config.seed));
  const rows = usesClvFeatures(config.features)
    ? data.rows.map((row, i) => ({ ...row, ...clvFeatureValues(clv, data.purchases[i] ?? null) }))
    : data.rows;
  const {
    model: clustered,
    labels,
    gate,
  } = await timed('train', () =>
    trainModel({
      rows,
      prospects: data.prospects,
      asOf: manifest.asOf,
      currency: data.currency,
      previous,
      config,
      version,
      runId,
      createdAt: ports.clock.now().toISOString(),
      snapshot: { key: base.snapshot, rows: manifest.rows },
    }),
  );
  const model = withCustomerValue(clustered, clv, data.purchases, labels, config.seed);
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
  await timed('promote', () => models.promote(version, ports.clock.now()));
  return finish(
    { outcome: 'promoted', reason: gate.reason, modelVersion: version, ...summary, reassigned: null },
    model,
  );
};

/**
 * Fits the customer value models on the same snapshot and adds them to the model: the fit, each
 * segment's mean forecast, and a sentence in the description where the forecast says something
 * to act on. A fit that fails leaves the model without predictions and with the reason.
 */
const withCustomerValue = (
  model: SegmentModel,
  clv: StoredClv,
  purchases: readonly (PurchaseSummary | null)[],
  labels: ArrayLike<number>,
  seed: number,
): SegmentModel => {
  const forecasts = segmentForecasts(clv, purchases, labels, model.segments.length, seed);
  return {
    ...model,
    clv,
    segments: model.segments.map((segment, i) => {
      const forecast = forecasts[i] ?? null;
      const sentence = forecastSentence(clv, forecast, model.currency);
      return {
        ...segment,
        forecast,
        description: sentence
          ? `${segment.description.replace(/[.\s]*$/, '')}. ${sentence}`
          : segment.description,
      };
    }),
  };
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
  await timed('recommendations', () => buildRecommendationIndex(ports.objects, manifest, model));
  const record: RetrainRun = { ...run, reassigned, timings, finishedAt: ports.clock.now().toISOString() };
  await new ModelRepository(ports.objects).saveRun(record);
  return record;
};

/** Sequential locally; in the stack each part is one Distributed Map item. */
export const reassignAll = async (
  ports: Pick<RetrainPorts, 'objects' | 'assignments' | 'publisher'>,
  manifest: SnapshotManifest,
  model: SegmentModel,
  at: string,
): Promise<{ shoppers: number; changed: number }> => {
  let shoppers = 0;
  let changed = 0;
  for (const part of manifest.parts) {
    const result = await reassignPart(ports, part, model, at);
    shoppers += result.shoppers;
    changed += result.changed;
  }
  return { shoppers, changed };
};
