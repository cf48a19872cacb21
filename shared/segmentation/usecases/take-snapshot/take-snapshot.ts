/**
 * Use case: write every profile to the bucket as a snapshot, in one call: the plan, every
 * segment (in parallel) and the assembly, as the state machine runs them one state at a time.
 * Tests, the benches and one-off tools use it; the stack and the local runner run the steps.
 * Output: the manifest (written last) and the reference to the snapshot.
 */
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { assembleSnapshot } from './assemble-snapshot';
import { planSnapshot } from './plan-snapshot';
import { readManifest } from './read-snapshot';
import type { SnapshotManifest, SnapshotRef } from './snapshot-layout';
import { snapshotSegment } from './snapshot-segment';
import { NO_SUMMARY, type SnapshotSummary } from './snapshot-summary';

export interface SnapshotPorts {
  readonly scanner: ProfileScanner;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SnapshotOptions<Summary = null> {
  /** Parallel Scan segments. */
  readonly workers?: number;
  readonly rowsPerPart?: number;
  /** Makes the run id unique among runs with the same as-of time. */
  readonly runSuffix: string;
  /** What each segment summarises besides its parts (default: nothing; the stack's is the training summary). */
  readonly summary?: SnapshotSummary<Summary>;
}

export const takeSnapshot = async <Summary = null>(
  ports: SnapshotPorts,
  options: SnapshotOptions<Summary>,
): Promise<SnapshotManifest & { readonly ref: SnapshotRef }> => {
  const workers = options.workers ?? 4;
  const summary = options.summary ?? (NO_SUMMARY as unknown as SnapshotSummary<Summary>);
  const plan = await planSnapshot(ports, {
    runSuffix: options.runSuffix,
    approximateRows: 0,
    segments: { minSegments: workers, maxSegments: workers, rowsPerSegment: 1 },
  });
  await Promise.all(
    Array.from({ length: plan.totalSegments }, (_, segment) =>
      snapshotSegment(ports, plan, segment, {
        rowsPerPart: options.rowsPerPart ?? 20_000,
        summariser: summary.summariser(plan),
      }),
    ),
  );
  const ref = await assembleSnapshot(ports, plan, summary.merger(plan));
  return { ...(await readManifest(ports.objects, ref.manifestKey)), ref };
};
