import type { Comparison } from '../domain/lift-statistics';
import type { PolicyFlag } from '../domain/policy-version';

/** A flagged policy version with the figures that flagged it: the "Policy Underperforming" event. */
export interface PolicyAlert extends PolicyFlag {
  readonly segmentName: string;
  readonly shoppers: { readonly treatment: number; readonly holdout: number };
  readonly conversion: Comparison | null;
  readonly revenuePerShopper: Comparison | null;
}

/** Announces underperforming policies (EventBridge in the stack, a file locally). */
export interface PolicyAlertPublisher {
  publishPolicyAlerts(alerts: readonly PolicyAlert[]): Promise<void>;
}
