/**
 * The per-shopper feature vector in real units (days, orders, money in the profile currency,
 * rates in [0, 1]) that segmentation clusters, names and explains. Computed from a profile and
 * an as-of date only, so a snapshot and a live lookup give the same numbers.
 */
import {
  type CustomerForecast,
  forecastFor,
  forecastOfProfile,
  type StoredClv,
} from '#shared/customer-value/domain/forecast';
import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import { type Profile, windowFigures } from '#shared/ingestion/domain/profile';

export const FEATURES = [
  'recencyDays',
  'frequency365',
  'monetary365',
  'lifetimeOrders',
  'lifetimeRevenue',
  'averageOrderValue',
  'tenureDays',
  'meanDaysBetweenOrders',
  'productViews365',
  'cartAdds365',
  'cartAbandonment',
  'viewToPurchase',
  'refundRate',
  'discountShare',
  'categoryBreadth',
  'pAlive',
  'expectedOrders',
  'predictedValue',
] as const;
/** From the model's BG/NBD and Gamma-Gamma fits: clustered only when the training config asks for them. */
export const CLV_FEATURES = ['pAlive', 'expectedOrders', 'predictedValue'] as const;
export type FeatureName = (typeof FEATURES)[number];
export type RawFeatures = Record<FeatureName, number>;

/**
 * The candidates the retrain's backtest chooses from (see model-selection.ts): recency, frequency
 * and monetary value always (the RFM core that names segments); each other one only where it
 * separates the shop's next months better. Lifetime orders and revenue tell a lapsed big spender
 * ("Can't lose") from a lapsed one-timer once both have left the 365-day window. Average order value separates rare big baskets from
 * frequent small ones; tenure separates new from established buyers; refund rate, coupon share
 * and category breadth are behaviours that change how a segment is treated (and are constant in
 * shops without refunds, coupons or categories); the customer value forecasts summarise what
 * BG/NBD and Gamma-Gamma expect of the shopper. Left out: meanDaysBetweenOrders (nearly a
 * function of frequency and tenure), views and cart adds with their ratios (they depend on how
 * completely a shop tracks browsing, and ratios of small counts are noisy).
 */
export const DEFAULT_CLUSTER_FEATURES: readonly FeatureName[] = [
  'recencyDays',
  'frequency365',
  'monetary365',
  'lifetimeOrders',
  'lifetimeRevenue',
  'averageOrderValue',
  'tenureDays',
  'refundRate',
  'discountShare',
  'categoryBreadth',
  ...CLV_FEATURES,
];

const DAY_MS = 86_400_000;

const finite = (x: number): number => (Number.isFinite(x) ? x : 0);
const clamp01 = (x: number): number => Math.min(1, Math.max(0, finite(x)));
const nonNegative = (x: number): number => Math.max(0, finite(x));

/** Whole days from `iso` to `asOf`; a timestamp after asOf (a snapshot taken mid-update) counts as 0. */
const daysSince = (iso: string, asOf: Date): number =>
  nonNegative(Math.floor((asOf.getTime() - Date.parse(iso)) / DAY_MS));

/**
 * Raw features of a shopper with at least one order; null for a prospect (no order yet), who
 * belongs to a rule-based segment rather than a cluster. Every value is finite and ≥ 0.
 *
 * | feature               | definition                                                  | missing / impossible                          |
 * |-----------------------|-------------------------------------------------------------|-----------------------------------------------|
 * | recencyDays           | whole days from lastOrderAt to asOf                         | order after asOf → 0                          |
 * | frequency365          | orders in the 365 days up to asOf (all currencies)          | —                                             |
 * | monetary365           | revenue in that window, profile currency, refunds not netted | negative → 0                                  |
 * | lifetimeOrders        | orders ever (all currencies)                                | —                                             |
 * | lifetimeRevenue       | revenue ever, profile currency, refunds not netted          | negative → 0                                  |
 * | averageOrderValue     | lifetime revenue / orders priced in the profile currency    | no such order → 0                             |
 * | tenureDays            | whole days from firstSeen to asOf                           | after asOf → 0                                |
 * | meanDaysBetweenOrders | (lastOrderAt − firstOrderAt) / (orders − 1), in days        | one order → tenureDays (see below)            |
 * | productViews365       | product views in the 365-day window                         | —                                             |
 * | cartAdds365           | cart adds in the 365-day window                             | —                                             |
 * | cartAbandonment       | 1 − orders365 / cartAdds365, clamped to [0, 1]              | no cart add → 0 (nothing abandoned)           |
 * | viewToPurchase        | orders365 / productViews365, capped at 1                    | no view: 1 if orders365 > 0, else 0           |
 * | refundRate            | lifetime refund amount / revenue, clamped to [0, 1]         | no revenue → 0                                |
 * | discountShare         | orders with a coupon or discount / orders                   | —                                             |
 * | categoryBreadth       | categories with at least one order                          | order lines without category → not counted  |
 * | pAlive                | BG/NBD probability of still being active (clv/forecast.ts)  | no CLV model given, or no fit → 0             |
 * | expectedOrders        | BG/NBD expected orders over the model's horizon (90 days)   | as above → 0                                  |
 * | predictedValue        | expected value over the model's value months (12)           | as above, or no spend model → 0               |
 *
 * One-order shoppers have no gap between orders; tenure is what we know instead: they have gone
 * that long with a single order. 0 would read as "orders constantly", and tenure joins the
 * two-order case continuously (orders at both ends of the tenure give the same value).
 * viewToPurchase counts orders with no tracked view (app, buy-again links) as full conversion
 * rather than none, so such buyers do not look like window shoppers; the cap at 1 covers the same
 * buyers when only some of their views are tracked. Category breadth counts orders, not views,
 * because browsing breadth mostly measures time on site.
 */
export const usesClvFeatures = (features: readonly FeatureName[]): boolean =>
  features.some((f) => (CLV_FEATURES as readonly string[]).includes(f));

export const rawFeatures = (profile: Profile, asOf: Date, clv?: StoredClv): RawFeatures | null => {
  const { firstOrderAt, lastOrderAt } = profile;
  if (profile.orders <= 0 || firstOrderAt === null || lastOrderAt === null) return null;

  const year = windowFigures(profile, asOf, 365);
  const foreignOrders = Object.values(profile.otherCurrencies).reduce((n, c) => n + c.orders, 0);
  const pricedOrders = profile.orders - foreignOrders;
  const tenureDays = daysSince(profile.firstSeen, asOf);
  const span = (Date.parse(lastOrderAt) - Date.parse(firstOrderAt)) / DAY_MS;
  const orders365 = nonNegative(year.orders);
  const views365 = nonNegative(year.productViews);
  const adds365 = nonNegative(year.cartAdds);

  return {
    recencyDays: daysSince(lastOrderAt, asOf),
    frequency365: orders365,
    monetary365: nonNegative(year.revenue),
    lifetimeOrders: nonNegative(profile.orders),
    lifetimeRevenue: nonNegative(profile.revenue),
    averageOrderValue: pricedOrders > 0 ? nonNegative(profile.revenue / pricedOrders) : 0,
    tenureDays,
    meanDaysBetweenOrders: profile.orders >= 2 ? nonNegative(span / (profile.orders - 1)) : tenureDays,
    productViews365: views365,
    cartAdds365: adds365,
    cartAbandonment: adds365 > 0 ? clamp01(1 - orders365 / adds365) : 0,
    viewToPurchase: views365 > 0 ? clamp01(orders365 / views365) : orders365 > 0 ? 1 : 0,
    refundRate: profile.revenue > 0 ? clamp01(profile.refundAmount / profile.revenue) : 0,
    discountShare: clamp01(profile.ordersWithCoupon / profile.orders),
    categoryBreadth: profile.categories.filter((c) => c.orders > 0).length,
    ...clvFeatures(profile, asOf, clv),
  };
};

/** Evaluating the models costs a few hypergeometric series: only done when a model clusters on them. */
const clvFeatures = (
  profile: Profile,
  asOf: Date,
  clv: StoredClv | undefined,
): Pick<RawFeatures, (typeof CLV_FEATURES)[number]> =>
  clv
    ? asFeatures(forecastOfProfile(clv, profile, asOf, ''))
    : { pAlive: 0, expectedOrders: 0, predictedValue: 0 };

/** The CLV features of one purchase summary (null: no order yet); 0 where the models give nothing. */
export const clvFeatureValues = (
  clv: StoredClv | undefined,
  summary: PurchaseSummary | null,
): Pick<RawFeatures, (typeof CLV_FEATURES)[number]> => asFeatures(forecastFor(clv, summary, ''));

const asFeatures = (forecast: CustomerForecast): Pick<RawFeatures, (typeof CLV_FEATURES)[number]> => ({
  pAlive: clamp01(forecast.pAlive ?? 0),
  expectedOrders: nonNegative(forecast.expectedOrders ?? 0),
  predictedValue: nonNegative(forecast.predictedValue ?? 0),
});
