/**
 * The retrain's own backtest: each sampled shopper's features as of (as-of − H) and what they did
 * in the H days after, from the profile's day buckets (see profile-as-of.ts). It lets the retrain
 * choose K and features by how well segments separate the future, on this shop, with no labels
 * and no second snapshot.
 */
import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import type { Profile } from '#shared/ingestion/domain/profile';
import { profileAsOf } from '#shared/ingestion/domain/profile-as-of';
import { type RawFeatures, rawFeatures } from '../features/features';
import { type RfmFigures, rfmFigures } from '../validation/rfm-grid';

const DAY_MS = 86_400_000;

export interface BacktestRow {
  readonly features: RawFeatures;
  /** For the RFM grid baseline on the same shoppers. */
  readonly rfm: RfmFigures;
  /** For the customer value features, when they are clustered. */
  readonly purchase: PurchaseSummary | null;
  /** At least one order in the H days after the cut. */
  readonly bought: boolean;
  readonly revenue: number;
}

export interface Backtest {
  readonly horizonDays: number;
  /** The cut, as-of − H. */
  readonly asOf: string;
  readonly rows: readonly BacktestRow[];
}

/**
 * Horizons tried, longest first: a quarter (the horizon marketers plan in), then halvings for
 * shops with little history. The longest that leaves two thirds of the history for features wins.
 */
export const BACKTEST_HORIZONS = [90, 45, 22, 11] as const;

export const backtestHorizon = (historyDays: number): number | null =>
  BACKTEST_HORIZONS.find((h) => h * 3 <= historyDays) ?? null;

export const cutOf = (asOf: Date, horizonDays: number): Date =>
  new Date(asOf.getTime() - horizonDays * DAY_MS);

/** The shopper's backtest row for one horizon; null if they had no order before the cut. */
export const backtestRow = (profile: Profile, asOf: Date, horizonDays: number): BacktestRow | null => {
  const cut = cutOf(asOf, horizonDays);
  const { profile: before, since } = profileAsOf(profile, cut);
  if (!before) return null;
  const features = rawFeatures(before, cut);
  const purchase = purchaseSummaryOfProfile(before, cut);
  if (!features || !purchase) return null;
  return {
    features,
    rfm: rfmFigures(features, purchase, before.revenue),
    purchase,
    bought: since.orders > 0,
    revenue: Math.max(0, since.revenue),
  };
};
