/**
 * Scores a stored profile against the model and, when the live segment differs from the one
 * stamped on the profile, records the change (history + stamp) and publishes it. Shared by
 * the lookup and by re-scoring after ingest, so both treat a change the same way.
 *
 * Models are ordered by promotion (`sequence`), and the stamp records which model wrote it:
 * a model older than the stamp's (a cache that has not seen the promotion yet) records
 * nothing, and the stamp write itself is a compare-and-set on the stamp this profile carried,
 * so a writer that read before a newer stamp landed cannot overwrite it either.
 */

import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { StoredProfile } from '#shared/ingestion/ports/profile-store';
import type { Logger } from '#shared/kernel/ports/logger';
import { type Score, scoreProfile } from '#shared/segmentation/domain/score-profile';
import { modelSequence, type SegmentModel } from '#shared/segmentation/domain/segment-model';
import type { AssignmentStore, GuardedChange } from '#shared/segmentation/ports/assignment-store';

export interface Reconciled {
  readonly score: Score;
  readonly changed: boolean;
  readonly since: string;
  /**
   * The stamp changed after the profile was read (another writer, or an erase), so nothing was
   * recorded: read the profile again to reconcile with what is there now.
   */
  readonly conflict: boolean;
}

export interface ReconcileOptions {
  /**
   * When a later model than the stamp's finds the same segment, record that it did (the stamp
   * takes the model's version, no history, no event), so that the retrain's reassignment, which
   * scores an older snapshot row, leaves this fresher judgement alone. The re-score after ingest
   * does it; a lookup does not (it would turn reads into writes after every promotion).
   */
  readonly confirm?: boolean;
}

export const reconcileSegment = async (
  stored: StoredProfile,
  model: SegmentModel,
  now: Date,
  ports: {
    assignments: Pick<AssignmentStore, 'record' | 'confirm'>;
    publisher: SegmentChangePublisher;
    logger: Logger;
  },
  options: ReconcileOptions = {},
): Promise<Reconciled> => {
  const score = scoreProfile(model, stored.profile, now);
  const stamp = stored.profile.segment;
  const sequence = modelSequence(model);
  const stampSequence = stamp?.modelSequence ?? 0;
  const same = stamp?.id === score.segmentId;
  const since = same && stamp ? stamp.since : now.toISOString();
  // A later model stamped the shopper: this model's view is out of date, not a change.
  if (stamp && stampSequence > sequence) return { score, changed: false, since, conflict: false };
  if (same) {
    if (options.confirm && stampSequence < sequence)
      await ports.assignments.confirm(stored.profile.shopperId, score.segmentId, model.version, sequence);
    return { score, changed: false, since, conflict: false };
  }
  const change: GuardedChange = {
    shopperId: stored.profile.shopperId,
    from: stamp ? { id: stamp.id, name: stamp.name } : null,
    to: { id: score.segmentId, name: score.segmentName },
    at: since,
    reason: 'behaviour',
    modelVersion: model.version,
    guard: { modelSequence: sequence, source: 'live' },
  };
  // Nothing is recorded (or announced) for a profile erased, or re-stamped, since it was read.
  const recorded = await ports.assignments.record([change]);
  if (recorded.length === 0) return { score, changed: false, since, conflict: true };
  await ports.publisher.publish(recorded);
  ports.logger.info('segment changed by behaviour', {
    from: change.from?.id ?? null,
    to: change.to.id,
    modelVersion: model.version,
  });
  return { score, changed: true, since, conflict: false };
};
