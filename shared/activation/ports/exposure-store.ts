import type { PolicyGroup } from '../domain/holdout';

/**
 * A shopper's first lookup under a policy version: who, in which group, when. Recorded once and
 * never moved (docs/lift.md), so the analysed populations are fixed at exposure, before the
 * policy could act, whatever membership or later lookups say.
 */
export interface Exposure {
  readonly shopperId: string;
  readonly segmentId: string;
  readonly policyVersion: string;
  readonly group: PolicyGroup;
  readonly at: string;
}

export interface ExposureSample {
  readonly exposures: readonly Exposure[];
  /** True when the sample is every exposure of the version. */
  readonly complete: boolean;
}

export interface ExposureStore {
  /** Records the shopper's first exposure to the version; when one exists, changes nothing. */
  recordFirst(exposure: Exposure): Promise<void>;
  /**
   * At most `limit` of the version's exposures: a uniform random sample (the lowest values of a
   * hash of the shopper id, unrelated to the holdout draw), the same on every call as long as
   * no exposure is added below it.
   */
  sample(segmentId: string, policyVersion: string, limit: number): Promise<ExposureSample>;
}
