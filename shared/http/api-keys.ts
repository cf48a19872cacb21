import type { KeyRole } from '#shared/contract/key-roles';

/** The roles are part of the contract with the stack, which keeps one secret per role. */
export type { KeyRole } from '#shared/contract/key-roles';

export interface ApiKeys {
  /**
   * Every value currently accepted for the role: during a rotation both the new and the previous
   * key, so clients can switch over without a failed request. Empty when the role has no key
   * (which then refuses everyone).
   */
  accepted(role: KeyRole): Promise<readonly string[]>;
}

/** Fixed keys: the local runtime and tests. */
export const staticApiKeys = (keys: Partial<Record<KeyRole, string | undefined>>): ApiKeys => ({
  accepted: async (role) => {
    const key = keys[role];
    return key ? [key] : [];
  },
});
