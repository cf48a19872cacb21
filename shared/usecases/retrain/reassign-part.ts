/**
 * Use case: re-assign the shoppers of one snapshot part to the new model's segments, writing
 * only what changed (current segment and a history entry). One part is the unit of fan-out:
 * the stack runs parts in parallel (Step Functions Distributed Map); locally they run in turn.
 */

import { scoreProfile } from '../../domain/score-profile';
import type { SegmentModel } from '../../domain/segment-model';
import type { AssignmentStore, SegmentChange } from '../../ports/assignment-store';
import type { ObjectStore } from '../../ports/object-store';
import { readPart } from '../snapshot/read-snapshot';
import type { SnapshotPart } from '../snapshot/snapshot-layout';

const CHUNK = 1_000;

export interface ReassignResult {
  readonly shoppers: number;
  readonly changed: number;
}

export const reassignPart = async (
  ports: { objects: ObjectStore; assignments: AssignmentStore },
  part: SnapshotPart,
  model: SegmentModel,
  at: string,
): Promise<ReassignResult> => {
  const asOf = new Date(model.asOf);
  let shoppers = 0;
  let changed = 0;
  let chunk: { shopperId: string; id: string; name: string }[] = [];
  const flush = async () => {
    const current = await ports.assignments.getMany(chunk.map((c) => c.shopperId));
    const changes: SegmentChange[] = [];
    for (const next of chunk) {
      const before = current.get(next.shopperId);
      if (before?.segment.id === next.id && before.segment.name === next.name) continue;
      changes.push({
        shopperId: next.shopperId,
        from: before ? before.segment : null,
        to: { id: next.id, name: next.name },
        at,
        reason: 'retrain',
        modelVersion: model.version,
      });
    }
    await ports.assignments.record(changes);
    changed += changes.length;
    chunk = [];
  };
  for await (const profile of readPart(ports.objects, part)) {
    const score = scoreProfile(model, profile, asOf);
    chunk.push({ shopperId: profile.shopperId, id: score.segmentId, name: score.segmentName });
    shoppers += 1;
    if (chunk.length >= CHUNK) await flush();
  }
  if (chunk.length > 0) await flush();
  return { shoppers, changed };
};
