/**
 * What an exposed shopper did after exposure, read from the live profile's day buckets (which
 * count every order and refund exactly once): orders, and revenue net of refunds and
 * cancellations, from the exposure's day to the end of the policy version's window. Days, not
 * instants: an order earlier on the exposure day is counted too. That adds the same noise to
 * both groups (the draw is random), never a difference between them.
 */
import { dayOf, type Profile } from '#shared/ingestion/domain/profile';

export interface ShopperOutcome {
  readonly orders: number;
  /** Net revenue in the report's currency; null when the shopper's amounts are in another one. */
  readonly revenue: number | null;
}

export const outcomeAfter = (
  profile: Profile,
  exposedAt: string,
  windowEnd: string,
  currency: string | null,
): ShopperOutcome => {
  const from = dayOf(exposedAt);
  const to = dayOf(windowEnd);
  let orders = 0;
  let revenue = 0;
  for (const [day, bucket] of Object.entries(profile.days)) {
    if (day < from || day > to) continue;
    orders += bucket.o;
    revenue += bucket.r - bucket.rf;
  }
  const sameCurrency = profile.currency === null || currency === null || profile.currency === currency;
  // Amounts in another currency are kept apart (not in the buckets' r), so only the orders count.
  return { orders, revenue: sameCurrency ? Math.round(revenue * 100) / 100 : null };
};
