/**
 * Use case: re-score shoppers whose profiles just changed, so that a segment change is
 * recorded and announced within seconds of the behaviour that caused it, not at the next
 * lookup. Input: shopper ids (duplicates allowed). Output: how many changed segment.
 * In the stack a DynamoDB stream on the profiles table drives it; locally the ingest hands
 * the ids over after answering.
 */

import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { AssignmentStore } from '#shared/segmentation/ports/assignment-store';
import type { CurrentModel } from '../models/current-model';
import { reconcileSegment } from '../reconcile-segment/reconcile-segment';

const ATTEMPTS = 3;

export interface RescorePorts {
  readonly profiles: ProfileStore;
  readonly model: CurrentModel;
  readonly assignments: AssignmentStore;
  readonly publisher: SegmentChangePublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

export const rescoreShoppers = async (
  shopperIds: readonly string[],
  ports: RescorePorts,
): Promise<{ scored: number; changed: number }> => {
  const model = await ports.model.get();
  if (!model) return { scored: 0, changed: 0 };
  const now = ports.clock.now();
  const results = await mapWithConcurrency([...new Set(shopperIds)], 8, async (id) => {
    // A conflict means another writer changed the stamp since the read: read again and judge
    // against that (a few rounds; the other writer's own stream record brings another one).
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const stored = await ports.profiles.get(id);
      if (!stored) return false;
      const result = await reconcileSegment(stored, model, now, ports, { confirm: true });
      if (!result.conflict) return result.changed;
    }
    return false;
  });
  return { scored: results.length, changed: results.filter(Boolean).length };
};
