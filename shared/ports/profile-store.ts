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
