/**
 * The stack's snapshot summary: the training summary (the sampled rows and counts training and
 * the drift check take), built by each segment worker over its share of the shoppers and merged
 * by the assembly. So the train step and the drift check read `_summary.json`, whose size is
 * bounded by the sample sizes, never the parts: their time and memory do not grow with the shop.
 */
import type { ClvConfig } from '#shared/customer-value/domain/predict';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import {
  optionsOfSummary,
  summaryBuiltWith,
  type TrainingSummary,
  TrainingSummaryBuilder,
  type TrainingSummaryOptions,
} from '#shared/segmentation/domain/features/training-summary';
import { readParts, readSummary } from './assemble-snapshot';
import { readPart } from './read-snapshot';
import type { SnapshotRef } from './snapshot-layout';
import type { SnapshotSummary, SummaryMerger } from './snapshot-summary';

/** What the log says when a summary is rebuilt from the parts (a full read): the benches check for it. */
export const SUMMARY_REBUILT = 'training summary rebuilt from the snapshot parts';

/** What a training summary is built with, besides the snapshot's as-of time. */
export interface TrainingSummarySettings {
  /** The training configuration's seed: it keys both samples. */
  readonly seed: number;
  /** Training rows sampled (MAX_TRAINING_ROWS). */
  readonly maxRows: number;
  /** Backtest buyers sampled (BACKTEST_SAMPLE). */
  readonly backtestSample: number;
  readonly clv: Pick<ClvConfig, 'unit' | 'calibrationDays'>;
}

const optionsAt = (settings: TrainingSummarySettings, asOf: string, shareOf = 1): TrainingSummaryOptions => ({
  asOf: new Date(asOf),
  seed: settings.seed,
  maxRows: settings.maxRows,
  backtestSample: settings.backtestSample,
  clv: { unit: settings.clv.unit, calibrationDays: settings.clv.calibrationDays },
  shareOf,
});

/**
 * The assembly's side: the segments' summaries folded into one, with the options they were built
 * with (a segment built otherwise is refused), so the assembly needs no settings of its own.
 */
export const trainingSummaryMerger = (): SummaryMerger<TrainingSummary> => {
  let merged: TrainingSummaryBuilder | undefined;
  return {
    add: (summary) => {
      merged ??= new TrainingSummaryBuilder(optionsOfSummary(summary));
      merged.addSummary(summary);
    },
    summary: () => {
      if (!merged) throw new Error('no segment summary to merge: a snapshot has at least one segment');
      return merged.summary();
    },
  };
};

export const trainingSnapshotSummary = (
  settings: TrainingSummarySettings,
): SnapshotSummary<TrainingSummary> => ({
  // A segment is one of the plan's totalSegments random shares: it keeps only its part of each sample.
  summariser: (plan) => new TrainingSummaryBuilder(optionsAt(settings, plan.asOf, plan.totalSegments)),
  merger: trainingSummaryMerger,
});

/**
 * The snapshot's training summary for these settings: the assembled one when it was built with
 * them; otherwise (a snapshot taken without it, or under other settings, e.g. a drift check
 * against a model trained with another seed) rebuilt by reading every part, which is the same
 * summary at the cost of a full read, and says so in the log.
 */
export const readTrainingSummary = async (
  ports: { readonly objects: ObjectStore; readonly logger: Logger },
  snapshot: Pick<SnapshotRef, 'runId' | 'asOf' | 'summaryKey' | 'partsKey'>,
  settings: TrainingSummarySettings,
  { backtest = true }: { readonly backtest?: boolean } = {},
): Promise<TrainingSummary> => {
  const options = optionsAt(settings, snapshot.asOf);
  const stored = await readSummary<TrainingSummary | null>(ports.objects, snapshot);
  if (stored && summaryBuiltWith(stored, options, { backtest })) return stored;
  ports.logger.warn(SUMMARY_REBUILT, {
    runId: snapshot.runId,
    reason: stored ? 'built with other settings' : 'the snapshot has none',
  });
  const builder = new TrainingSummaryBuilder(backtest ? options : { ...options, backtestSample: 0 });
  for (const part of await readParts(ports.objects, snapshot))
    for await (const profile of readPart(ports.objects, part)) builder.add(profile);
  return builder.summary();
};
