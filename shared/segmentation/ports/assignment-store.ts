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

/**
 * Who writes a stamp, so that writers with different models cannot undo each other: the stamp
 * is written only if the profile still carries `from` (compare-and-set on the stamp) and its
 * model is not later in promotion order than the writer's.
 */
export interface StampGuard {
  /** The writing model's `sequence` (0 for models trained before sequences). */
  readonly modelSequence: number;
  /**
   * `live`: scored from the live profile (re-score, lookup): replaces a stamp of the same model
   * too (the behaviour changed). `snapshot`: scored from a snapshot row (reassignment): replaces
   * only an earlier model's stamp, since a same-model stamp was scored from a fresher profile;
   * a re-run rewrites (and re-announces) its own identical stamp.
   */
  readonly source: 'live' | 'snapshot';
}

/** A change to record with its writer's guard (which is not part of the announced change). */
export type GuardedChange = SegmentChange & { readonly guard?: StampGuard };

export interface AssignmentStore {
  /**
   * Writes the history entries first, then stamps the new segment on each profile, guarded (a
   * missing guard is a live writer with model sequence 0). A shopper whose profile no longer
   * exists (erased, e.g. while a retrain assigned from an older snapshot), or whose stamp the
   * guard refuses (another writer changed it, or a later model stamped it), is skipped and the
   * history entry just written for it is removed again. Returns the changes that were
   * recorded, without their guards: only those are announced.
   */
  record(changes: readonly GuardedChange[]): Promise<readonly SegmentChange[]>;
  /**
   * A later model scored the live profile into the segment it is already stamped with: the
   * stamp takes that model's version and sequence, keeping `since` (no history, no event), so
   * that a reassignment from an older snapshot row does not move the shopper. False when the
   * stamp is no longer `segmentId` of an earlier model (or the profile is gone).
   */
  confirm(
    shopperId: string,
    segmentId: string,
    modelVersion: string,
    modelSequence: number,
  ): Promise<boolean>;
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
