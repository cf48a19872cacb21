/**
 * A profile rewound to an earlier date, and what the shopper did since: the retrain's backtest
 * ("features as of as-of − H, outcome in the last H days") computed from the profile's own day
 * buckets, so it needs no second snapshot and no event history.
 *
 * Exact for everything the day buckets hold (orders, revenue, refunds, units, views, cart adds,
 * first and last order days, windows). Lifetime figures without buckets — coupon orders,
 * categories, recent purchases, other currencies — stay as they are now: a small look-ahead that
 * the backtest accepts (they are secondary features; see features.ts).
 */
import { lastDay } from './day-bitset';
import { dayOf, type Profile } from './profile';

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

export interface SinceOutcome {
  /** Orders after the rewind date, up to now. */
  readonly orders: number;
  /** Their revenue in the profile currency. */
  readonly revenue: number;
}

export interface RewoundProfile {
  /** null: the shopper had not been seen by then. */
  readonly profile: Profile | null;
  readonly since: SinceOutcome;
}

/** `at` is an instant; every bucket of a UTC day after `at`'s day counts as after it. */
export const profileAsOf = (profile: Profile, at: Date): RewoundProfile => {
  const cutoffDay = dayNumber(at.toISOString().slice(0, 10));
  const days: Profile['days'] = {};
  let orders = 0;
  let revenue = 0;
  let refunds = 0;
  let units = 0;
  let views = 0;
  let adds = 0;
  let lastOrderDay: number | null = null;
  for (const [day, bucket] of Object.entries(profile.days)) {
    const n = dayNumber(day);
    if (n > cutoffDay) {
      orders += bucket.o;
      revenue += bucket.r;
      refunds += bucket.rf;
      units += bucket.u;
      views += bucket.v;
      adds += bucket.a;
      continue;
    }
    days[day] = bucket;
    if (bucket.o > 0 && (lastOrderDay === null || n > lastOrderDay)) lastOrderDay = n;
  }
  const since = { orders, revenue };
  if (dayNumber(dayOf(profile.firstSeen)) > cutoffDay) return { profile: null, since };

  const archived = lastDay(profile.archivedOrderDays ?? null);
  if (archived !== null && (lastOrderDay === null || archived > lastOrderDay)) lastOrderDay = archived;
  const hadOrder =
    profile.firstOrderAt !== null &&
    dayNumber(dayOf(profile.firstOrderAt)) <= cutoffDay &&
    profile.orders - orders > 0;
  const lastOrderAt = !hadOrder
    ? null
    : profile.lastOrderAt !== null && dayNumber(dayOf(profile.lastOrderAt)) <= cutoffDay
      ? profile.lastOrderAt
      : lastOrderDay !== null
        ? new Date(lastOrderDay * DAY_MS).toISOString()
        : profile.firstOrderAt;
  const lastSeen = profile.lastSeen > at.toISOString() ? at.toISOString() : profile.lastSeen;
  const rewound: Profile = {
    ...profile,
    lastSeen,
    firstOrderAt: hadOrder ? profile.firstOrderAt : null,
    lastOrderAt,
    orders: hadOrder ? profile.orders - orders : 0,
    revenue: hadOrder ? Math.max(0, profile.revenue - revenue) : 0,
    refundAmount: Math.max(0, profile.refundAmount - refunds),
    units: Math.max(0, profile.units - units),
    productViews: Math.max(0, profile.productViews - views),
    cartAdds: Math.max(0, profile.cartAdds - adds),
    ordersWithCoupon: Math.min(profile.ordersWithCoupon, hadOrder ? profile.orders - orders : 0),
    days,
  };
  return { profile: rewound, since };
};
