/**
 * Use case: the lift check each promoted retrain runs (its "Record run" step). For every segment
 * whose policy in force has a holdout: that version's lift; a version significantly worse than
 * its holdout (conversion or revenue per shopper) is flagged for the catalogue and announced once
 * as a "Policy Underperforming" event; a flag whose version is no longer flagged (or no longer in
 * force) is cleared. Nothing is switched off: what to do is the operator's call.
 */
import type { VersionLift } from '#shared/activation/domain/lift-report';
import { holdoutShareOf, type PolicyFlag } from '#shared/activation/domain/policy-version';
import type { PolicyAlertPublisher } from '#shared/activation/ports/policy-alert-publisher';
import type { Logger } from '#shared/kernel/ports/logger';
import type { RunPolicyCheck, SegmentModel } from '#shared/segmentation/domain/segment-model';
import { PROSPECTS_ID, PROSPECTS_NAME } from '#shared/segmentation/domain/segment-model';
import type { PolicyOverrides } from '../policies/policy-overrides';
import { versionOf } from '../policies/policy-overrides';
import { LIFT_SAMPLE_LIMIT, type LiftPorts, liftOfVersion } from './segment-lift';

/** What the run record keeps of each check. */
export type PolicyCheck = RunPolicyCheck;

export interface CheckPoliciesPorts extends Omit<LiftPorts, 'model' | 'policies'> {
  readonly policies: Pick<PolicyOverrides, 'current' | 'versions' | 'setFlag'>;
  readonly alerts: PolicyAlertPublisher;
  readonly logger: Logger;
}

const metricsOf = (lift: VersionLift): PolicyFlag['metrics'] =>
  (['conversion', 'revenuePerShopper'] as const).filter((metric) => {
    const verdict = lift[metric]?.verdict;
    return verdict?.kind === 'significant' && verdict.direction === 'negative';
  });

export const checkPolicies = async (
  model: Pick<SegmentModel, 'segments' | 'currency'>,
  ports: CheckPoliciesPorts,
): Promise<PolicyCheck[]> => {
  const { policies, flags } = await ports.policies.current();
  const names = new Map([
    ...model.segments.map((s) => [s.id, s.name] as const),
    [PROSPECTS_ID, PROSPECTS_NAME],
  ]);
  const checks: PolicyCheck[] = [];
  for (const [segmentId, stored] of Object.entries(policies)) {
    const segmentName = names.get(segmentId);
    const version = versionOf(stored);
    const existing = flags[segmentId];
    if (!segmentName || holdoutShareOf(stored.policy) <= 0) {
      if (existing) await ports.policies.setFlag(segmentId, null);
      continue;
    }
    const window = (await ports.policies.versions(segmentId)).find((w) => w.version === version);
    const lift = await liftOfVersion(
      segmentId,
      window ?? { segmentId, version, policy: stored.policy, activeFrom: stored.updatedAt, activeTo: null },
      ports,
      model.currency,
      LIFT_SAMPLE_LIMIT,
    );
    const shoppers = {
      treatment: lift.groups?.treatment.shoppers ?? 0,
      holdout: lift.groups?.holdout.shoppers ?? 0,
    };
    checks.push({
      segmentId,
      version,
      shoppers,
      verdict: lift.verdict.kind,
      underperforming: lift.underperforming,
    });
    if (!lift.underperforming) {
      if (existing) await ports.policies.setFlag(segmentId, null);
      continue;
    }
    const flag: PolicyFlag = {
      segmentId,
      version,
      kind: 'underperforming',
      metrics: metricsOf(lift),
      checkedAt: ports.clock.now().toISOString(),
    };
    // Announced before the flag is saved: a retry after a crash announces again rather than never.
    if (existing?.version !== version)
      await ports.alerts.publishPolicyAlerts([
        {
          ...flag,
          segmentName,
          shoppers,
          conversion: lift.conversion,
          revenuePerShopper: lift.revenuePerShopper,
        },
      ]);
    await ports.policies.setFlag(segmentId, flag);
    ports.logger.warn('policy underperforming', { segmentId, version, metrics: flag.metrics });
  }
  return checks;
};
