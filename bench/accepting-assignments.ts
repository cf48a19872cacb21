/**
 * Reassignment without DynamoDB: a store that records every change in memory (none refused) and a
 * publisher that drops the events, so a part's reassignment measures scoring and bookkeeping
 * alone. The emulator-bound figure is measured separately (emulator-reassign.ts).
 */
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { AssignmentStore, SegmentChange } from '#shared/segmentation/ports/assignment-store';

export const acceptingAssignments = (): Pick<AssignmentStore, 'record'> & { readonly recorded: number } => {
  const store = {
    recorded: 0,
    record: async (changes: Parameters<AssignmentStore['record']>[0]): Promise<readonly SegmentChange[]> => {
      store.recorded += changes.length;
      return changes.map(({ guard: _guard, ...change }) => change);
    },
  };
  return store;
};

export const droppingPublisher: SegmentChangePublisher = { publish: async () => undefined };
