/**
 * Holdout groups: which shoppers a segment's policy version leaves untreated, to measure what
 * the policy does (lift-statistics.ts). The draw is MurmurHash3 (x86, 32-bit) of the shopper id,
 * seeded with the hash of the policy version: the same shopper is in the same group for the life
 * of a policy version on every instance, whatever they do, and a new version draws afresh.
 */
import { murmur3_32 } from '#shared/kernel/hash';

export type PolicyGroup = 'treatment' | 'holdout';

/** Holdout shares above this would leave most of a segment untreated. */
export const MAX_HOLDOUT_SHARE = 0.5;

export const policyGroupOf = (shopperId: string, policyVersion: string, holdoutShare: number): PolicyGroup =>
  holdoutShare > 0 && murmur3_32(shopperId, murmur3_32(policyVersion, 0)) / 2 ** 32 < holdoutShare
    ? 'holdout'
    : 'treatment';
