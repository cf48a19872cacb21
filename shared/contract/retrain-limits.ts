/**
 * The retrain's limits: each one's default, its bounds, the CDK context key the stack reads it
 * from (infra/config.ts) and the environment variable the job functions read it from
 * (shared/adapters/runtime-config.ts). They live in the contract because the stack may import
 * nothing else of the code, and its defaults must be the ones the functions and the local
 * service fall back on (DEFAULT_RETRAIN_SETTINGS is DEFAULT_RETRAIN_LIMITS).
 */
import { ENV, type EnvVarName } from './environment';

export interface RetrainLimits {
  /** Parallel Scan segments of a snapshot: at least this many (the plan). */
  readonly snapshotWorkers: number;
  /** A snapshot segment worker scans about this many profiles: the plan cuts the table accordingly. */
  readonly rowsPerSegment: number;
  /** At most this many Scan segments (the segment map's items), however large the table. */
  readonly maxSegments: number;
  /** Rows per snapshot part: one part is one item of the index and reassignment maps. */
  readonly rowsPerPart: number;
  /**
   * Training rows: the k of the snapshot's bottom-k training sample, which every segment worker
   * builds its share of and training and the drift measure read (all shoppers are still assigned).
   */
  readonly maxTrainingRows: number;
  /** Shoppers of the backtest sample, kept beside the training sample (0: no backtest). */
  readonly backtestSample: number;
  /** Items each Distributed Map (segments, index parts, reassignment) runs at once; locally too. */
  readonly mapConcurrency: number;
}

export type RetrainLimitName = keyof RetrainLimits;

export interface RetrainLimit {
  /** The CDK context key (and the field of the stack's resolved configuration). */
  readonly context: string;
  /** The variable the stack sets on the functions that read the limit. */
  readonly env: EnvVarName;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

// The maxima are where a larger value cannot work with the stack as it is, not advice: README
// "Choosing the retrain's limits for a table size" says how to pick values.
export const RETRAIN_LIMITS = {
  // The maximum is DynamoDB's bound on a parallel Scan's TotalSegments.
  snapshotWorkers: {
    context: 'snapshotMinSegments',
    env: ENV.snapshotWorkers,
    default: 4,
    min: 1,
    max: 1_000_000,
  },
  // About 500 000 profiles take a worker a few minutes of its 15; 10 million never fit.
  rowsPerSegment: {
    context: 'snapshotRowsPerSegment',
    env: ENV.snapshotRowsPerSegment,
    default: 500_000,
    min: 1,
    max: 10_000_000,
  },
  maxSegments: {
    context: 'snapshotMaxSegments',
    env: ENV.snapshotMaxSegments,
    default: 1_000,
    min: 1,
    max: 1_000_000,
  },
  // A part is held in memory by the segment, index and assign functions (1024 MB each).
  rowsPerPart: {
    context: 'snapshotRowsPerPart',
    env: ENV.snapshotRowsPerPart,
    default: 20_000,
    min: 1,
    max: 1_000_000,
  },
  // About 0.5 KB of summary JSON per row: 200 000 rows ≈ 100 MB; 2 million ≈ 1 GB, about what
  // the train function's 3008 MB can still parse and cluster.
  maxTrainingRows: {
    context: 'maxTrainingRows',
    env: ENV.maxTrainingRows,
    default: 200_000,
    min: 1,
    max: 2_000_000,
  },
  // BACKTEST_SAMPLE of shared/segmentation/domain/features/training-summary.ts, which the
  // contract may not import (test/unit/segmentation/retrain-limits.test.ts keeps them equal).
  backtestSample: {
    context: 'backtestSample',
    env: ENV.backtestSample,
    default: 20_000,
    min: 0,
    max: 1_000_000,
  },
  // The maximum is Step Functions' bound on a Distributed Map's MaxConcurrency.
  mapConcurrency: {
    context: 'mapConcurrency',
    env: ENV.mapConcurrency,
    default: 20,
    min: 1,
    max: 10_000,
  },
} as const satisfies { readonly [K in RetrainLimitName]: RetrainLimit };

export const RETRAIN_LIMIT_NAMES = Object.keys(RETRAIN_LIMITS) as readonly RetrainLimitName[];

export const DEFAULT_RETRAIN_LIMITS: RetrainLimits = {
  snapshotWorkers: RETRAIN_LIMITS.snapshotWorkers.default,
  rowsPerSegment: RETRAIN_LIMITS.rowsPerSegment.default,
  maxSegments: RETRAIN_LIMITS.maxSegments.default,
  rowsPerPart: RETRAIN_LIMITS.rowsPerPart.default,
  maxTrainingRows: RETRAIN_LIMITS.maxTrainingRows.default,
  backtestSample: RETRAIN_LIMITS.backtestSample.default,
  mapConcurrency: RETRAIN_LIMITS.mapConcurrency.default,
};

/** The variables that carry these limits to a function: each limit's name and value. */
export const retrainLimitEnvironment = (
  limits: RetrainLimits,
  names: readonly RetrainLimitName[],
): Record<string, string> =>
  Object.fromEntries(names.map((name) => [RETRAIN_LIMITS[name].env, String(limits[name])]));
