/** Where each shopper's current segment and its history of changes are kept. */
export interface SegmentRef {
  readonly id: string;
  readonly name: string;
}

export interface Assignment {
  readonly shopperId: string;
  readonly segment: SegmentRef;
  readonly modelVersion: string;
  /** Since when the shopper is in this segment. */
  readonly since: string;
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
  getMany(shopperIds: readonly string[]): Promise<Map<string, Assignment>>;
  /** Writes the history entries first, then the new current assignments (a rerun rewrites the same items). */
  record(changes: readonly SegmentChange[]): Promise<void>;
  history(shopperId: string): Promise<SegmentChange[]>;
}
