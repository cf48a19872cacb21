/**
 * Use cases: set or reset the marketing policy of one segment of the current model.
 * Input: segment id (stable across retrains, so the policy follows the segment) and the policy.
 * Output: the segment, its policy now, and whether it is an operator's override or the default.
 * Errors: NoModelError (503), SegmentNotFoundError (404: the id is not in the current model).
 */
import { type MarketingPolicy, policyFor } from '#shared/activation/domain/marketing-policy';
import { policyVersionId } from '#shared/activation/domain/policy-version';
import type { Clock } from '#shared/kernel/ports/clock';
import { PROSPECTS_ID, PROSPECTS_NAME } from '#shared/segmentation/domain/segment-model';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import { NoModelError } from '../lookup-segment/lookup-segment';
import type { PolicyOverrides } from './policy-overrides';

export class SegmentNotFoundError extends Error {
  override readonly name = 'SegmentNotFoundError';
}

export interface PolicyPorts {
  readonly model: CurrentModel;
  readonly overrides: PolicyOverrides;
  readonly clock: Clock;
}

export interface SegmentPolicy {
  readonly segmentId: string;
  readonly segmentName: string;
  readonly policy: MarketingPolicy;
  readonly source: 'override' | 'default';
  readonly updatedAt?: string;
  /** The version this change started: it salts the holdout draw and names the lift report's rows. */
  readonly version: string;
}

/** The segment's name in the current model; throws when there is no model or no such segment. */
export const currentSegmentName = async (model: CurrentModel, segmentId: string): Promise<string> => {
  const current = await model.get();
  if (!current) throw new NoModelError('no segmentation model has been trained yet: run a retrain');
  if (segmentId === PROSPECTS_ID) return PROSPECTS_NAME;
  const segment = current.segments.find((s) => s.id === segmentId);
  if (!segment)
    throw new SegmentNotFoundError(
      `no segment "${segmentId}" in the current model (${current.version}); GET /v1/segments lists them`,
    );
  return segment.name;
};

export const setSegmentPolicy = async (
  segmentId: string,
  policy: MarketingPolicy,
  ports: PolicyPorts,
): Promise<SegmentPolicy> => {
  const segmentName = await currentSegmentName(ports.model, segmentId);
  const updatedAt = ports.clock.now().toISOString();
  const version = policyVersionId(segmentId, policy, updatedAt);
  await ports.overrides.set({ segmentId, policy, updatedAt, version });
  return { segmentId, segmentName, policy, source: 'override', updatedAt, version };
};

export const resetSegmentPolicy = async (segmentId: string, ports: PolicyPorts): Promise<SegmentPolicy> => {
  const segmentName = await currentSegmentName(ports.model, segmentId);
  const at = ports.clock.now().toISOString();
  await ports.overrides.remove(segmentId, at);
  return {
    segmentId,
    segmentName,
    policy: policyFor(segmentId, segmentName),
    source: 'default',
    updatedAt: at,
    version: policyVersionId(segmentId, null, at),
  };
};
