/**
 * Where snapshots live in the bucket. Data parts sit under Hive-style partitions that Athena
 * reads as they are; the manifest starts with `_`, which Athena and Hive skip as data, and is
 * written last: a run without one is incomplete and never read.
 *
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/part-<worker>-<seq>.jsonl.gz
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_manifest.json
 */
export const SNAPSHOT_ROOT = 'snapshots/';
export const MANIFEST_NAME = '_manifest.json';

export interface SnapshotPart {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface SnapshotManifest {
  readonly schema: 1;
  readonly runId: string;
  readonly dt: string;
  /** The clock's time when the snapshot started: every time-relative feature uses it. */
  readonly asOf: string;
  readonly prefix: string;
  readonly workers: number;
  readonly rows: number;
  readonly parts: readonly SnapshotPart[];
}

export const snapshotPrefix = (dt: string, runId: string): string => `${SNAPSHOT_ROOT}dt=${dt}/run=${runId}/`;

export const partKey = (prefix: string, worker: number, seq: number): string =>
  `${prefix}part-${String(worker).padStart(3, '0')}-${String(seq).padStart(5, '0')}.jsonl.gz`;

/** Run ids sort by time: the clock's as-of time, then a tie-breaker for runs at the same as-of. */
export const newRunId = (asOf: Date, unique: string): string =>
  `${asOf.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${unique}`;
