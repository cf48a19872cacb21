/**
 * Use case: plan a snapshot (the "Plan snapshot" state).
 * Input: the clock, the configured segments and the table's approximate size. Output: the run's
 * id, as-of time and prefix, and how many parallel Scan segments to cut the table into, written
 * as the segment map's items (`_segments.json`), so no list of segments travels in the state.
 */
import type { Clock } from '#shared/kernel/ports/clock';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { newRunId, type SnapshotPlan, snapshotPrefix, snapshotSegmentsKey } from './snapshot-layout';

export interface SegmentSettings {
  /** At least this many segments (SNAPSHOT_WORKERS). */
  readonly minSegments: number;
  /** A segment worker scans about this many profiles (SNAPSHOT_ROWS_PER_SEGMENT). */
  readonly rowsPerSegment: number;
  /** At most this many segments (SNAPSHOT_MAX_SEGMENTS). */
  readonly maxSegments: number;
}

/** Segments for a table of about `rows` profiles: enough that none scans much over `rowsPerSegment`. */
export const segmentsFor = (rows: number, settings: SegmentSettings): number =>
  Math.min(
    settings.maxSegments,
    Math.max(settings.minSegments, Math.ceil(Math.max(0, rows) / settings.rowsPerSegment)),
  );

export const planSnapshot = async (
  ports: { readonly objects: ObjectStore; readonly clock: Clock },
  options: {
    readonly runSuffix: string;
    readonly approximateRows: number;
    readonly segments: SegmentSettings;
  },
): Promise<SnapshotPlan> => {
  const asOf = ports.clock.now();
  const dt = asOf.toISOString().slice(0, 10);
  const runId = newRunId(asOf, options.runSuffix);
  const prefix = snapshotPrefix(dt, runId);
  const totalSegments = segmentsFor(options.approximateRows, options.segments);
  const segmentsKey = snapshotSegmentsKey(prefix);
  const items = Array.from({ length: totalSegments }, (_, segment) => ({ segment }));
  await ports.objects.put(segmentsKey, JSON.stringify(items), 'application/json');
  return { runId, dt, asOf: asOf.toISOString(), prefix, totalSegments, segmentsKey };
};
