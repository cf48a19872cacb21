/**
 * Use case: assemble a snapshot from its segments (the "Assemble snapshot" state).
 * Input: the plan and what merges the segments' summaries. Output: a reference to the complete snapshot.
 * Steps: read every segment's result (all must be there: a missing one fails the run rather
 * than train on part of the shop), list the parts in segment order (`_parts.json`, the maps'
 * items), fold the summaries in one segment at a time (`_summary.json`: memory holds the merged
 * summary and one segment's), and
 * write the manifest last, which makes the run complete.
 */
import type { Logger } from '#shared/kernel/ports/logger';
import { type ObjectStore, readJson } from '#shared/kernel/ports/object-store';
import { SnapshotCorruptError } from './read-snapshot';
import {
  manifestKey,
  type SegmentResult,
  type SnapshotManifest,
  type SnapshotPart,
  type SnapshotPlan,
  type SnapshotRef,
  segmentResultKey,
  snapshotPartsKey,
  snapshotSummaryKey,
} from './snapshot-layout';
import type { SummaryMerger } from './snapshot-summary';

export const assembleSnapshot = async <Summary>(
  ports: { readonly objects: ObjectStore; readonly logger: Logger },
  plan: SnapshotPlan,
  merger: SummaryMerger<Summary>,
): Promise<SnapshotRef> => {
  const parts: SnapshotPart[] = [];
  for (let segment = 0; segment < plan.totalSegments; segment++) {
    const key = segmentResultKey(plan.prefix, segment);
    const result = await readJson<SegmentResult<Summary>>(ports.objects, key);
    if (!result) throw new SnapshotCorruptError(`segment ${segment} of ${plan.runId} has no result (${key})`);
    parts.push(...result.parts);
    merger.add(result.summary);
  }
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const ref: SnapshotRef = {
    runId: plan.runId,
    dt: plan.dt,
    asOf: plan.asOf,
    prefix: plan.prefix,
    rows,
    parts: parts.length,
    manifestKey: manifestKey(plan.prefix),
    partsKey: snapshotPartsKey(plan.prefix),
    summaryKey: snapshotSummaryKey(plan.prefix),
  };
  await ports.objects.put(ref.partsKey, JSON.stringify(parts), 'application/json');
  await ports.objects.put(ref.summaryKey, JSON.stringify(merger.summary()), 'application/json');
  const manifest: SnapshotManifest = {
    schema: 1,
    runId: plan.runId,
    dt: plan.dt,
    asOf: plan.asOf,
    prefix: plan.prefix,
    workers: plan.totalSegments,
    rows,
    parts,
  };
  await ports.objects.put(ref.manifestKey, JSON.stringify(manifest, null, 2), 'application/json');
  ports.logger.info('snapshot assembled', { runId: plan.runId, rows, parts: parts.length });
  return ref;
};

/** The merged training summary of a snapshot. */
export const readSummary = async <Summary>(objects: ObjectStore, ref: Pick<SnapshotRef, 'summaryKey'>) => {
  const summary = await readJson<Summary | null>(objects, ref.summaryKey);
  if (summary === undefined) throw new SnapshotCorruptError(`summary ${ref.summaryKey} not found`);
  return summary;
};

/** The parts of a snapshot, as the maps read them. */
export const readParts = async (objects: ObjectStore, ref: Pick<SnapshotRef, 'partsKey'>) => {
  const parts = await readJson<SnapshotPart[]>(objects, ref.partsKey);
  if (!parts) throw new SnapshotCorruptError(`parts list ${ref.partsKey} not found`);
  return parts;
};
