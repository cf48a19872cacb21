/**
 * Snapshots in the bucket: the manifest that names a run's parts, and run ids. Where they live
 * (`snapshots/dt=YYYY-MM-DD/run=<runId>/part-….jsonl.gz` and `_manifest.json`, written last) is
 * the bucket layout of the contract, which the stack's lifecycle rule and grants use too.
 */
import { manifestKey, snapshotPartsKey, snapshotSummaryKey } from '#shared/contract/bucket-layout';

export {
  MANIFEST_NAME,
  manifestKey,
  partKey,
  SNAPSHOT_ROOT,
  segmentResultKey,
  segmentResultPrefix,
  snapshotPartsKey,
  snapshotPrefix,
  snapshotSegmentsKey,
  snapshotSummaryKey,
} from '#shared/contract/bucket-layout';

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

/** A snapshot run before its segments are scanned: what the plan step hands the segment map. */
export interface SnapshotPlan {
  readonly runId: string;
  readonly dt: string;
  readonly asOf: string;
  readonly prefix: string;
  /** DynamoDB parallel Scan segments: one segment worker each. */
  readonly totalSegments: number;
  /** The map's items, one `{segment}` per Scan segment. */
  readonly segmentsKey: string;
}

/** One segment worker's result, written under `_segments/`: its parts and its training summary. */
export interface SegmentResult<Summary = unknown> {
  readonly segment: number;
  readonly rows: number;
  readonly parts: readonly SnapshotPart[];
  readonly summary: Summary;
}

/**
 * A complete snapshot, as the steps after it are handed it: keys to read, and its size. Its size
 * does not grow with the number of shoppers (the parts are listed in `partsKey`).
 */
export interface SnapshotRef {
  readonly runId: string;
  readonly dt: string;
  readonly asOf: string;
  readonly prefix: string;
  readonly rows: number;
  readonly parts: number;
  readonly manifestKey: string;
  /** A JSON array of the parts: the Distributed Maps' item reader reads it. */
  readonly partsKey: string;
  /** The merged training summary. */
  readonly summaryKey: string;
}

/** The reference to a complete snapshot, from its manifest (the keys are the layout's). */
export const snapshotRefOf = (manifest: SnapshotManifest): SnapshotRef => ({
  runId: manifest.runId,
  dt: manifest.dt,
  asOf: manifest.asOf,
  prefix: manifest.prefix,
  rows: manifest.rows,
  parts: manifest.parts.length,
  manifestKey: manifestKey(manifest.prefix),
  partsKey: snapshotPartsKey(manifest.prefix),
  summaryKey: snapshotSummaryKey(manifest.prefix),
});
