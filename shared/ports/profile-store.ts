import type { Profile } from '../domain/profile';

/** A stored profile with its optimistic-lock version and its not-yet-durable ledger keys. */
export interface StoredProfile {
  readonly profile: Profile;
  readonly version: number;
  /**
   * Ledger keys (`m#<messageId>`, `o#<orderId>`) of events already applied to this profile
   * whose ledger items may not be written yet. See README, "Exactly once without transactions".
   */
  readonly pendingKeys: readonly string[];
}

export interface ProfileStore {
  /** Strongly consistent read. */
  get(shopperId: string): Promise<StoredProfile | undefined>;
  /**
   * Writes the profile if the stored version is still `expectedVersion` (undefined: the
   * profile must not exist yet). Returns false when another writer got there first.
   */
  put(
    profile: Profile,
    pendingKeys: readonly string[],
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
