/**
 * Snapshots in the bucket: the manifest that names a run's parts, and run ids. Where they live
 * (`snapshots/dt=YYYY-MM-DD/run=<runId>/part-….jsonl.gz` and `_manifest.json`, written last) is
 * the bucket layout of the contract, which the stack's lifecycle rule and grants use too.
 */
export { MANIFEST_NAME, partKey, SNAPSHOT_ROOT, snapshotPrefix } from '#shared/contract/bucket-layout';

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

/** Run ids sort by time: the clock's as-of time, then a tie-breaker for runs at the same as-of. */
export const newRunId = (asOf: Date, unique: string): string =>
  `${asOf.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${unique}`;
