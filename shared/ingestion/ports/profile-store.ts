import type { Profile } from '../domain/profile';

/** An order the profile counted, with the content of its ledger marker (`o#<orderId>`). */
export interface PendingOrder {
  readonly key: string;
  readonly messageId: string;
  readonly at: string;
  readonly amount: number;
  readonly currency: string;
}

/**
 * What the profile's last write applied whose ledger items may not be written yet (see
 * docs/exactly-once.md). Orders carry their marker's content so that any later
 * write can make them durable without the event being sent again.
 */
export interface PendingLedger {
  /** `m#<messageId>` keys (and, in profiles written before order content was kept, `o#` keys). */
  readonly keys: readonly string[];
  readonly orders: readonly PendingOrder[];
}

export const NOTHING_PENDING: PendingLedger = { keys: [], orders: [] };

/** A stored profile with its optimistic-lock version and its not-yet-durable ledger entries. */
export interface StoredProfile {
  readonly profile: Profile;
  readonly version: number;
  readonly pending: PendingLedger;
  /**
   * Ids this profile has started to absorb and not yet folded in (identity stitching's intent,
   * see docs/identity.md): whichever write comes next completes them.
   */
  readonly linking?: readonly string[];
}

/**
 * An id folded into another shopper (identity stitching): its events go to `mergedInto`. Until
 * the known shopper's profile has taken it in, `folded` holds what the id's profile was.
 */
export interface StoredLink {
  readonly mergedInto: string;
  readonly folded?: Profile;
  readonly version: number;
}

export type StoredRecord =
  | ({ readonly kind: 'profile' } & StoredProfile)
  | ({ readonly kind: 'link' } & StoredLink);

export interface ProfileStore {
  /** Strongly consistent read of a live profile: undefined for an unknown id and for a linked one. */
  get(shopperId: string): Promise<StoredProfile | undefined>;
  /** Strongly consistent read of what the id holds: its profile, or its link to another shopper. */
  getRecord(shopperId: string): Promise<StoredRecord | undefined>;
  /**
   * Writes the profile if the stored version is still `expectedVersion` (undefined: the
   * profile must not exist yet). Returns false when another writer got there first.
   */
  put(
    profile: Profile,
    pending: PendingLedger,
    expectedVersion: number | undefined,
    linking?: readonly string[],
  ): Promise<boolean>;
  /** Replaces what the id holds by a link, on the same version condition as `put`. */
  putLink(
    shopperId: string,
    link: { readonly mergedInto: string; readonly folded?: Profile },
    expectedVersion: number | undefined,
  ): Promise<boolean>;
}

/** Erasure (DELETE /v1/users/{userId}): kept apart so that only the admin function holds it. */
export interface ProfileEraser {
  /**
   * Deletes the profile if its stored version is still `expectedVersion` (undefined: succeeds
   * only while no profile exists, deleting nothing). Returns false when a concurrent writer
   * changed the profile (an ingest, a segment stamp) since that version was read.
   */
  deleteIfUnchanged(shopperId: string, expectedVersion: number | undefined): Promise<boolean>;
}
