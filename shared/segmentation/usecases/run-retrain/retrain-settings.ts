/**
 * The retrain jobs' settings, with their defaults. In the stack each job function reads them from
 * its environment (shared/adapters/runtime-config.ts, names in shared/contract/environment.ts);
 * the local service takes them as start-up options and hands them to the same job handlers.
 */
export interface RetrainSettings {
  /** Parallel Scan segments of a snapshot: at least this many (SNAPSHOT_WORKERS). */
  readonly snapshotWorkers: number;
  /** A snapshot segment worker scans about this many profiles: the plan cuts the table accordingly. */
  readonly rowsPerSegment: number;
  /** At most this many Scan segments (the segment map's items), however large the table. */
  readonly maxSegments: number;
  /** Rows per snapshot part: one part is one reassignment item of the fan-out. */
  readonly rowsPerPart: number;
  /** Training rows kept in memory; beyond it a seeded reservoir sample (all shoppers are still assigned). */
  readonly maxTrainingRows: number;
  /** Backtest buyers sampled. */
  readonly backtestSample: number;
}

export const DEFAULT_RETRAIN_SETTINGS: RetrainSettings = {
  snapshotWorkers: 4,
  rowsPerSegment: 500_000,
  maxSegments: 1_000,
  rowsPerPart: 20_000,
  maxTrainingRows: 200_000,
  backtestSample: 20_000,
};
