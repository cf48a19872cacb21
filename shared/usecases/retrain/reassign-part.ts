/**
 * Use case: re-assign the shoppers of one snapshot part to the new model's segments, writing
 * only what changed (current segment and a history entry), and announce each change. One part is the unit of fan-out:
 * the stack runs parts in parallel (Step Functions Distributed Map); locally they run in turn.
 */

import { scoreProfile } from '../../domain/score-profile';
import type { SegmentModel } from '../../domain/segment-model';
import type { AssignmentStore, SegmentChange } from '../../ports/assignment-store';
import type { ObjectStore } from '../../ports/object-store';
import type { SegmentChangePublisher } from '../../ports/segment-change-publisher';
import { readPart } from '../snapshot/read-snapshot';
import type { SnapshotPart } from '../snapshot/snapshot-layout';

const CHUNK = 1_000;

export interface ReassignResult {
  readonly shoppers: number;
  readonly changed: number;
}

export const reassignPart = async (
  ports: { objects: ObjectStore; assignments: AssignmentStore; publisher: SegmentChangePublisher },
  part: SnapshotPart,
  model: SegmentModel,
  at: string,
): Promise<ReassignResult> => {
  const asOf = new Date(model.asOf);
  let shoppers = 0;
  let changed = 0;
  let changes: SegmentChange[] = [];
  const flush = async () => {
    // Shoppers erased since the snapshot was taken are skipped by the store: not announced either.
    const recorded = await ports.assignments.record(changes);
    // After the record: a part that fails here is retried whole, and since the snapshot row still
    // carries the old stamp the change is recorded and announced again, so none is lost
    // (subscribers may see a duplicate; the detail is identical, so it is safe to dedupe).
    await ports.publisher.publish(recorded);
    changed += recorded.length;
    changes = [];
  };
  for await (const profile of readPart(ports.objects, part)) {
    shoppers += 1;
    const score = scoreProfile(model, profile, asOf);
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
    });
    if (changes.length >= CHUNK) await flush();
  }
  if (changes.length > 0) await flush();
  return { shoppers, changed };
};
