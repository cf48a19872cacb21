/**
 * A live profile → the (x, t_x, T, mean value) purchase summary the CLV models take, as of a
 * date: the same numbers at retrain (snapshot profile, snapshot date) and at lookup (live
 * profile, now), so a lookup's predictions match what the model was fitted on.
 *
 * Conventions of ./summary.ts: a purchase is a UTC day with at least one order; x counts the
 * purchase days after the first; the mean value is over the repeat days.
 *
 * The profile keeps per-day buckets for HORIZON_DAYS (400) only; the order days that left them
 * are kept as a bitset with the first order day's revenue, so the summary is exact. Profiles
 * created before those were kept know older orders only as a count and a revenue total: each
 * counts as one purchase day at the average value of those orders (x is off by one for a
 * shopper who ordered twice on one day more than 400 days ago).
 */
import { countDays } from '#shared/ingestion/domain/day-bitset';
import { dayOf, type Profile } from '#shared/ingestion/domain/profile';
import { dayNumber, type PurchaseSummary, type TimeUnit, UNIT_DAYS } from './summary';

/** null: no order yet (a prospect), whom the models do not describe. */
export const purchaseSummaryOfProfile = (
  profile: Profile,
  asOf: Date,
  unit: TimeUnit = 'day',
  calibrationDays: number | null = null,
): PurchaseSummary | null => {
  if (!profile.firstOrderAt || !profile.lastOrderAt || profile.orders <= 0) return null;
  const end = dayNumber(asOf.getTime());
  if (calibrationDays !== null) return windowedSummary(profile, end, unit, calibrationDays);
  // A snapshot taken mid-update can hold an order stamped after its as-of time: clamp to it.
  const first = Math.min(dayNumber(profile.firstOrderAt), end);
  const last = Math.max(first, Math.min(dayNumber(profile.lastOrderAt), end));

  let bucketOrders = 0;
  let bucketRevenue = 0;
  // Order days up to `end` and their revenue: what the summary counts from the buckets.
  let inRangeDays = 0;
  let inRangeRevenue = 0;
  for (const [day, bucket] of Object.entries(profile.days)) {
    if (bucket.o <= 0) continue;
    bucketOrders += bucket.o;
    bucketRevenue += bucket.r;
    if (dayNumber(day) > end) continue;
    inRangeDays += 1;
    inRangeRevenue += bucket.r;
  }
  const olderRevenue = Math.max(0, profile.revenue - bucketRevenue);
  const firstBucket = profile.days[dayOf(profile.firstOrderAt)];
  let purchaseDays: number;
  let firstDayValue: number;
  if (profile.archivedOrderDays !== undefined) {
    // Exact: the order days that left the buckets, and the first day's revenue if it left too.
    purchaseDays = Math.max(1, inRangeDays + countDays(profile.archivedOrderDays));
    firstDayValue = firstBucket && firstBucket.o > 0 ? firstBucket.r : (profile.firstOrderDayRevenue ?? 0);
  } else {
    const olderOrders = Math.max(0, profile.orders - bucketOrders);
    purchaseDays = Math.max(1, inRangeDays + olderOrders);
    firstDayValue =
      firstBucket && firstBucket.o > 0 ? firstBucket.r : olderOrders > 0 ? olderRevenue / olderOrders : 0;
  }
  const x = purchaseDays - 1;
  const revenue = inRangeRevenue + olderRevenue;
  const scale = UNIT_DAYS[unit];
  return {
    unit,
    x,
    tx: x > 0 ? (last - first) / scale : 0,
    T: (end - first) / scale,
    meanValue: x > 0 ? Math.max(0, revenue - firstDayValue) / x : null,
  };
};

/**
 * Only the orders of the last `calibrationDays` days up to `end` (at most the bucket horizon): the
 * shopper is observed from their first order inside the window, as summariseOrders does.
 */
const windowedSummary = (
  profile: Profile,
  end: number,
  unit: TimeUnit,
  calibrationDays: number,
): PurchaseSummary | null => {
  const from = end - Math.max(1, Math.floor(calibrationDays)) + 1;
  const days = Object.entries(profile.days)
    .map(([day, bucket]) => ({ day: dayNumber(day), bucket }))
    .filter(({ day, bucket }) => bucket.o > 0 && day >= from && day <= end)
    .sort((a, b) => a.day - b.day);
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return null;
  const x = days.length - 1;
  const repeatRevenue = days.slice(1).reduce((sum, { bucket }) => sum + bucket.r, 0);
  const scale = UNIT_DAYS[unit];
  return {
    unit,
    x,
    tx: (last.day - first.day) / scale,
    T: (end - first.day) / scale,
    meanValue: x > 0 ? Math.max(0, repeatRevenue) / x : null,
  };
};
