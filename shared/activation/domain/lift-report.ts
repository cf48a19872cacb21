/**
 * One policy version's lift: its exposed shoppers' outcomes summed per group, compared with
 * lift-statistics.ts. Pure: exposures with their outcomes in, the report's figures out.
 */
import type { PolicyGroup } from './holdout';
import type { ShopperOutcome } from './lift-outcome';
import {
  addToMoments,
  CONFIDENCE,
  type Comparison,
  compareMeans,
  compareProportions,
  type Moments,
  NO_MOMENTS,
  type Verdict,
} from './lift-statistics';
import type { MarketingPolicy } from './marketing-policy';
import { holdoutShareOf, type PolicyVersionWindow } from './policy-version';

/**
 * Below this many shoppers in either group no verdict is given ("not yet"): the normal
 * approximations behind the intervals are not trusted on fewer.
 */
export const MIN_SHOPPERS_PER_GROUP = 30;

export interface GroupFigures {
  readonly shoppers: number;
  readonly converted: number;
  readonly conversionRate: number | null;
  readonly ordersPerShopper: number | null;
  /** Net of refunds; over the shoppers whose amounts are in the report's currency. */
  readonly revenuePerShopper: number | null;
}

export interface VersionLift {
  readonly version: string;
  readonly policy: MarketingPolicy | null;
  readonly holdoutShare: number;
  readonly window: { readonly from: string; readonly to: string; readonly active: boolean };
  /** Whether every exposed shopper was read, or a uniform sample of them (see the report's limit). */
  readonly sampled: boolean;
  readonly groups: { readonly treatment: GroupFigures; readonly holdout: GroupFigures } | null;
  readonly conversion: Comparison | null;
  readonly ordersPerShopper: Comparison | null;
  readonly revenuePerShopper: Comparison | null;
  /** The verdict on conversion, the primary metric. */
  readonly verdict: Verdict;
  /** Conversion or revenue per shopper significantly below the holdout's. */
  readonly underperforming: boolean;
}

interface GroupSums {
  shoppers: number;
  converted: number;
  orders: Moments;
  revenue: Moments;
}

const emptySums = (): GroupSums => ({ shoppers: 0, converted: 0, orders: NO_MOMENTS, revenue: NO_MOMENTS });

const figures = (g: GroupSums): GroupFigures => ({
  shoppers: g.shoppers,
  converted: g.converted,
  conversionRate: g.shoppers > 0 ? g.converted / g.shoppers : null,
  ordersPerShopper: g.orders.n > 0 ? g.orders.sum / g.orders.n : null,
  revenuePerShopper: g.revenue.n > 0 ? Math.round((g.revenue.sum / g.revenue.n) * 100) / 100 : null,
});

const TOO_FEW: Verdict = { kind: 'not_yet', neededPerGroup: MIN_SHOPPERS_PER_GROUP };

/**
 * A comparison whose verdict waits for MIN_SHOPPERS_PER_GROUP in each group: below it, neither
 * "significant" nor "inconclusive" (three shoppers with no order each is no evidence of no effect).
 */
const guarded = (comparison: Comparison, least: number): Comparison => {
  const { verdict } = comparison;
  if (least >= MIN_SHOPPERS_PER_GROUP) return comparison;
  if (verdict.kind === 'not_yet' && verdict.neededPerGroup > MIN_SHOPPERS_PER_GROUP) return comparison;
  return { ...comparison, verdict: TOO_FEW };
};

/**
 * Significantly worse than the holdout by the always-valid test: a version is re-checked at
 * every retrain, and a fixed-sample test checked that often would flag far more than 5% of
 * harmless policies sooner or later.
 */
const isHarm = (c: Comparison | null, least: number): boolean =>
  c !== null && least >= MIN_SHOPPERS_PER_GROUP && c.difference < 0 && c.sequentialPValue < 1 - CONFIDENCE;

export const versionLift = (
  window: PolicyVersionWindow,
  now: string,
  outcomes: readonly { readonly group: PolicyGroup; readonly outcome: ShopperOutcome }[],
  sampled: boolean,
): VersionLift => {
  const holdoutShare = holdoutShareOf(window.policy);
  const base = {
    version: window.version,
    policy: window.policy,
    holdoutShare,
    window: { from: window.activeFrom, to: window.activeTo ?? now, active: window.activeTo === null },
    sampled,
  };
  if (holdoutShare <= 0)
    return {
      ...base,
      groups: null,
      conversion: null,
      ordersPerShopper: null,
      revenuePerShopper: null,
      verdict: { kind: 'inconclusive', reason: 'no holdout: every shopper was treated' },
      underperforming: false,
    };
  const sums: Record<PolicyGroup, GroupSums> = { treatment: emptySums(), holdout: emptySums() };
  for (const { group, outcome } of outcomes) {
    const g = sums[group];
    g.shoppers += 1;
    if (outcome.orders > 0) g.converted += 1;
    g.orders = addToMoments(g.orders, outcome.orders);
    if (outcome.revenue !== null) g.revenue = addToMoments(g.revenue, outcome.revenue);
  }
  const { treatment, holdout } = sums;
  const least = Math.min(treatment.shoppers, holdout.shoppers);
  const conversion =
    least > 0
      ? guarded(
          compareProportions(
            { n: treatment.shoppers, converted: treatment.converted },
            { n: holdout.shoppers, converted: holdout.converted },
          ),
          least,
        )
      : null;
  const ordersPerShopper = least > 0 ? guarded(compareMeans(treatment.orders, holdout.orders), least) : null;
  const leastPriced = Math.min(treatment.revenue.n, holdout.revenue.n);
  const revenuePerShopper =
    leastPriced > 0 ? guarded(compareMeans(treatment.revenue, holdout.revenue), leastPriced) : null;
  return {
    ...base,
    groups: { treatment: figures(treatment), holdout: figures(holdout) },
    conversion,
    ordersPerShopper,
    revenuePerShopper,
    verdict: conversion?.verdict ?? TOO_FEW,
    underperforming: isHarm(conversion, least) || isHarm(revenuePerShopper, leastPriced),
  };
};
