/**
 * Scores a stored profile against the model and, when the live segment differs from the one
 * stamped on the profile, records the change (history + stamp) and publishes it. Shared by
 * the lookup and by re-scoring after ingest, so both treat a change the same way.
 */

import { type Score, scoreProfile } from '../../domain/score-profile';
import type { SegmentModel } from '../../domain/segment-model';
import type { AssignmentStore, SegmentChange } from '../../ports/assignment-store';
import type { Logger } from '../../ports/logger';
import type { StoredProfile } from '../../ports/profile-store';
import type { SegmentChangePublisher } from '../../ports/segment-change-publisher';

export interface Reconciled {
  readonly score: Score;
  readonly changed: boolean;
  readonly since: string;
}

export const reconcileSegment = async (
  stored: StoredProfile,
  model: SegmentModel,
  now: Date,
  ports: { assignments: AssignmentStore; publisher: SegmentChangePublisher; logger: Logger },
): Promise<Reconciled> => {
  const score = scoreProfile(model, stored.profile, now);
  const stamp = stored.profile.segment;
  const changed = stamp?.id !== score.segmentId;
  const since = changed || !stamp ? now.toISOString() : stamp.since;
  if (changed) {
    const change: SegmentChange = {
      shopperId: stored.profile.shopperId,
      from: stamp ? { id: stamp.id, name: stamp.name } : null,
      to: { id: score.segmentId, name: score.segmentName },
      at: since,
      reason: 'behaviour',
      modelVersion: model.version,
    };
    // Nothing is recorded (or announced) for a profile erased since it was read.
    const recorded = await ports.assignments.record([change]);
    if (recorded.length > 0) {
      await ports.publisher.publish(recorded);
      ports.logger.info('segment changed by behaviour', {
        from: change.from?.id ?? null,
        to: change.to.id,
        modelVersion: model.version,
      });
    }
  }
  return { score, changed, since };
};
