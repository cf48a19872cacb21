/**
 * A shopper's products as the recommendations read them from the profile: per product, how many
 * orders included it, and how many of the shopper's orders came after the first and after the
 * last of those (counted from the profile's day buckets, so they are exact whatever order the
 * events arrived in). One function for the retrain (index) and the lookup (ranking).
 */
import type { DayBitset } from '#shared/ingestion/domain/day-bitset';
import type { Profile } from '#shared/ingestion/domain/profile';

export interface ShopperItem {
  readonly productId: string;
  /** Orders that included it (at least 1). */
  readonly orders: number;
  /** First and last day an order included it (YYYY-MM-DD). */
  readonly first: string;
  readonly last: string;
  /** The shopper's orders after the first one that included it: the chances to re-order it. */
  readonly laterOrders: number;
  /** The shopper's orders after the last one that included it. */
  readonly ordersSince: number;
  readonly category?: string;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

/** The set days of an archived bitset (older than the day buckets). */
const bitsetDays = (set: DayBitset | null | undefined): number[] => {
  if (!set) return [];
  const days: number[] = [];
  const bytes = Buffer.from(set.bits, 'base64');
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    for (let bit = 0; bit < 8; bit++) if ((byte >> bit) & 1) days.push(set.base + i * 8 + bit);
  }
  return days;
};

/**
 * Orders on or after a day: from the day buckets (orders a day), and one a day for order days
 * archived past the buckets' horizon (their count is not kept).
 */
const ordersFromCounter = (
  profile: Pick<Profile, 'days' | 'archivedOrderDays'>,
): ((day: string) => number) => {
  const perDay = new Map<number, number>();
  for (const day of bitsetDays(profile.archivedOrderDays)) perDay.set(day, 1);
  for (const [day, bucket] of Object.entries(profile.days))
    if (bucket.o > 0) perDay.set(dayNumber(day), bucket.o);
  const days = [...perDay.keys()].sort((a, b) => a - b);
  // suffix[i]: orders on days[i] and later.
  const suffix = new Array<number>(days.length + 1).fill(0);
  for (let i = days.length - 1; i >= 0; i--)
    suffix[i] = (suffix[i + 1] as number) + (perDay.get(days[i] as number) ?? 0);
  return (day: string) => {
    const n = dayNumber(day);
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((days[mid] as number) < n) lo = mid + 1;
      else hi = mid;
    }
    return suffix[lo] as number;
  };
};

/**
 * Every product the profile records a purchase of, with its counts. The purchase history gives
 * orders and days; a recent purchase missing from it (a profile stored before it was kept) counts
 * as one order on its day. Newest last purchase first, then most orders, then product id.
 */
export const shopperItems = (
  profile: Pick<Profile, 'purchaseHistory' | 'recentPurchases' | 'days' | 'archivedOrderDays'>,
): ShopperItem[] => {
  const ordersFrom = ordersFromCounter(profile);
  const categories = new Map<string, string>();
  for (const r of profile.recentPurchases) if (r.category) categories.set(r.productId, r.category);
  const records = new Map<string, { orders: number; first: string; last: string }>();
  for (const item of profile.purchaseHistory ?? []) records.set(item.productId, item);
  for (const r of profile.recentPurchases) {
    if (records.has(r.productId)) continue;
    const day = r.at.slice(0, 10);
    records.set(r.productId, { orders: 1, first: day, last: day });
  }
  const items: ShopperItem[] = [];
  for (const [productId, { orders: rawOrders, first, last }] of records) {
    const orders = Math.max(1, Math.floor(Number.isFinite(rawOrders) ? rawOrders : 1));
    // Orders on the first day count it; so may the day's other orders, as the day is all that is kept.
    const laterOrders = Math.max(orders - 1, ordersFrom(first) - 1);
    const ordersSince = Math.max(0, ordersFrom(last) - 1);
    const category = categories.get(productId);
    items.push({
      productId,
      orders,
      first,
      last,
      laterOrders,
      ordersSince,
      ...(category === undefined ? {} : { category }),
    });
  }
  return items.sort(
    (a, b) => b.last.localeCompare(a.last) || b.orders - a.orders || (a.productId < b.productId ? -1 : 1),
  );
};

/** Everything the shopper is known to have bought: discovery lists leave these out. */
export const boughtProducts = (
  profile: Pick<Profile, 'purchasedProducts' | 'recentPurchases' | 'purchaseHistory'>,
): Set<string> => {
  const bought = new Set<string>(profile.purchasedProducts);
  for (const r of profile.recentPurchases) bought.add(r.productId);
  for (const item of profile.purchaseHistory ?? []) bought.add(item.productId);
  return bought;
};
