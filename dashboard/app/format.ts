/**
 * How the dashboard writes figures: one place, fixed to en-US, so a test can compute from the API's
 * number exactly the text the page shows.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 0 });
const decimal2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });

export const fmtInt = (n: number): string => integer.format(n);
export const fmtNum = (n: number): string => decimal.format(n);
export const fmtNum2 = (n: number): string => decimal2.format(n);
export const fmtPct = (share: number): string => `${decimal.format(share * 100)}%`;
export const fmtMoney = (n: number, currency = 'USD'): string => {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
      n,
    );
  } catch {
    return `${integer.format(n)} ${currency}`;
  }
};
const fixed1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const signed1 = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});
/** A rate with one decimal always: "45.0%". */
export const fmtRate = (share: number): string => `${fixed1.format(share * 100)}%`;
/** A difference of rates in percentage points: "+29.0 pts". */
export const fmtPts = (difference: number): string => `${signed1.format(difference * 100)} pts`;
/** A 95% interval of a difference of rates, in points: "(20.1 to 38.0)". */
export const fmtPtsInterval = ([lo, hi]: readonly [number, number]): string =>
  `(${fixed1.format(lo * 100)} to ${fixed1.format(hi * 100)})`;
/** A relative lift: "+45.2%". */
export const fmtLift = (relative: number): string => `${signed1.format(relative * 100)}%`;
export const fmtLiftInterval = ([lo, hi]: readonly [number, number]): string =>
  `(${fmtLift(lo)} to ${fmtLift(hi)})`;
export const fmtPValue = (p: number): string => (p < 0.001 ? '< 0.001' : p.toFixed(3));
/** Money with cents, optionally signed: "$12.40", "+$3.10". */
export const fmtCents = (n: number, currency = 'USD', signed = false): string => {
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
      ...(signed ? { signDisplay: 'exceptZero' as const } : {}),
    }).format(n);
  } catch {
    return `${signed && n > 0 ? '+' : ''}${n.toFixed(2)} ${currency}`;
  }
};
export const fmtCentsInterval = ([lo, hi]: readonly [number, number], currency = 'USD'): string =>
  `(${fmtCents(lo, currency)} to ${fmtCents(hi, currency)})`;
export const fmtDays = (n: number): string => `${decimal.format(n)} ${Math.abs(n) === 1 ? 'day' : 'days'}`;
export const fmtDate = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : '—');
export const fmtDateTime = (iso: string | null | undefined): string =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—';

/** A feature's name as marketers read it. */
export const FEATURE_LABELS: Readonly<Record<string, string>> = {
  recencyDays: 'Days since last order',
  frequency365: 'Orders in the last year',
  monetary365: 'Spend in the last year',
  lifetimeOrders: 'Lifetime orders',
  lifetimeRevenue: 'Lifetime spend',
  averageOrderValue: 'Average order value',
  tenureDays: 'Days since first order',
  refundRate: 'Refund rate',
  discountShare: 'Share of orders with a coupon',
  categoryBreadth: 'Categories bought',
  pAlive: 'Chance still active',
  expectedOrders: 'Expected orders (90 days)',
  predictedValue: 'Predicted 12-month value',
};
export const featureLabel = (feature: string): string => FEATURE_LABELS[feature] ?? feature;

const MONEY_FEATURES = new Set(['monetary365', 'lifetimeRevenue', 'averageOrderValue', 'predictedValue']);
const SHARE_FEATURES = new Set(['refundRate', 'discountShare', 'pAlive']);

/** A feature's value in its unit. */
export const fmtFeature = (feature: string, value: number, currency = 'USD'): string =>
  MONEY_FEATURES.has(feature)
    ? fmtMoney(value, currency)
    : SHARE_FEATURES.has(feature)
      ? fmtPct(value)
      : feature === 'recencyDays' || feature === 'tenureDays'
        ? fmtDays(value)
        : fmtNum(value);

export const fmtCoupon = (coupon: { kind: string; value?: number } | null): string =>
  !coupon
    ? 'no coupon'
    : coupon.kind === 'percent'
      ? `${fmtNum(coupon.value ?? 0)}% off`
      : coupon.kind === 'amount'
        ? `${fmtNum(coupon.value ?? 0)} off`
        : 'free shipping';
