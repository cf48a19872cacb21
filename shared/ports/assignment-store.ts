/** Where each shopper's current segment is stamped and the history of changes is kept. */
export interface SegmentRef {
  readonly id: string;
  readonly name: string;
}

export type ChangeReason = 'retrain' | 'behaviour';

export interface SegmentChange {
  readonly shopperId: string;
  readonly from: SegmentRef | null;
  readonly to: SegmentRef;
  readonly at: string;
  readonly reason: ChangeReason;
  readonly modelVersion: string;
}

export interface AssignmentStore {
  /**
   * Writes the history entries first, then stamps the new segment on each profile (a rerun
   * rewrites the same items). A shopper whose profile no longer exists (erased, e.g. while a
   * retrain assigned from an older snapshot) is skipped and the history entry just written for
   * it is removed again. Returns the changes that were recorded: only those are announced.
   */
  record(changes: readonly SegmentChange[]): Promise<readonly SegmentChange[]>;
  history(shopperId: string): Promise<SegmentChange[]>;
  /**
   * One page of the shoppers stamped with the segment, in shopper id order, starting after
   * `after` (a shopper id). `last` is set when more may follow.
   */
  members(
    segmentId: string,
    limit: number,
    after?: string,
  ): Promise<{ members: SegmentMember[]; last?: string }>;
}

/** Erasure: kept apart so that only the admin function holds it. */
export interface HistoryEraser {
  /** Deletes the shopper's whole history of segment changes; returns how many entries. */
  eraseHistory(shopperId: string): Promise<number>;
}

export interface SegmentMember {
  readonly shopperId: string;
  readonly since: string;
  readonly modelVersion: string;
}
