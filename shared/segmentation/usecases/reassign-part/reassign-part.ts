/**
 * Use case: re-assign the shoppers of one snapshot part to the new model's segments, writing
 * only what changed (current segment and a history entry), announce each change, and count
 * every shopper's segment (the model's population sizes), saved with the number of changes as
 * the part's counts, which the run record sums (../run-retrain/record-run.ts). One part is the
 * unit of fan-out: the stack runs parts in parallel (Step Functions Distributed Map), and so does
 * the local runner (local/retrain-pipeline.ts), with the same job handler.
 *
 * Reference time: the clock at reassignment, as the live re-score and the lookup use. A row is
 * the live profile unless the shopper did something since the snapshot, so a shopper who did
 * nothing is placed exactly where the live paths would place them now; scoring as of the
 * snapshot's time instead put them where recency stood then, and the next re-score moved them.
 */

import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { Clock } from '#shared/kernel/ports/clock';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import { modelSequence, type SegmentModel } from '#shared/segmentation/domain/segment-model';
import type { AssignmentStore, GuardedChange, StampGuard } from '#shared/segmentation/ports/assignment-store';
import { ModelRepository, type PartCounts } from '../models/model-repository';
import { readPart } from '../take-snapshot/read-snapshot';
import type { SnapshotPart } from '../take-snapshot/snapshot-layout';

const CHUNK = 1_000;

/** The part's shoppers per segment, and how many of them changed segment. */
export type ReassignResult = PartCounts;

export interface ReassignPorts {
  readonly objects: ObjectStore;
  readonly assignments: Pick<AssignmentStore, 'record'>;
  readonly publisher: SegmentChangePublisher;
  readonly clock: Clock;
}

export const reassignPart = async (
  ports: ReassignPorts,
  part: SnapshotPart,
  model: SegmentModel,
  at: string,
): Promise<ReassignResult> => {
  const asOf = ports.clock.now();
  // Snapshot rows may be older than the live profile: never over a stamp of this model (a live
  // re-score wrote it from a fresher profile) or of a later one.
  const guard: StampGuard = { modelSequence: modelSequence(model), source: 'snapshot' };
  const segments: Record<string, number> = {};
  let shoppers = 0;
  let changed = 0;
  let changes: GuardedChange[] = [];
  const flush = async () => {
    // Shoppers erased since the snapshot was taken, or stamped since by a fresher or newer
    // writer, are skipped by the store: not announced either.
    const recorded = await ports.assignments.record(changes);
    // After the record: a part that fails here is retried whole, and the store lets a re-run
    // rewrite its own identical stamp, so the change is recorded and announced again and none
    // is lost (subscribers may see a duplicate; the detail is identical, so it is safe to dedupe).
    await ports.publisher.publish(recorded);
    changed += recorded.length;
    changes = [];
  };
  for await (const profile of readPart(ports.objects, part)) {
    shoppers += 1;
    const score = scoreProfile(model, profile, asOf);
    segments[score.segmentId] = (segments[score.segmentId] ?? 0) + 1;
    // The snapshot row carries the stamp the shopper had: only a different segment is written.
    const before = profile.segment;
    if (before?.id === score.segmentId && before.name === score.segmentName) continue;
    changes.push({
      shopperId: profile.shopperId,
      from: before ? { id: before.id, name: before.name } : null,
      to: { id: score.segmentId, name: score.segmentName },
      at,
      reason: 'retrain',
      modelVersion: model.version,
      guard,
    });
    if (changes.length >= CHUNK) await flush();
  }
  if (changes.length > 0) await flush();
  // Last, so that a part's counts exist only once all of its changes are recorded.
  await new ModelRepository(ports.objects).savePartCounts(model.version, part.key, {
    shoppers,
    changed,
    segments,
  });
  return { shoppers, changed, segments };
};
