/**
 * The live shopper profile: lifetime counters plus sparse per-day buckets over a bounded
 * horizon, from which windowed figures ("orders in the last 90 days") are computed exactly.
 * Everything here is pure: the reducer takes the events and the clock's `now` as input.
 */

import { addMoney } from '#shared/kernel/money';
import { addDays, countDays, type DayBitset, hasDay } from './day-bitset';
import type { KeptTraits } from './shopper-event';

/** Per-day activity (UTC day). Short keys keep the DynamoDB item small. */
export interface DayBucket {
  /** events of any kind */
  e: number;
  /** orders completed */
  o: number;
  /** revenue of those orders, in the profile currency */
  r: number;
  /** units bought */
  u: number;
  /** refund and cancellation amount */
  rf: number;
  /** product views */
  v: number;
  /** cart adds */
  a: number;
}

export interface CategoryAffinity {
  name: string;
  views: number;
  cartAdds: number;
  orders: number;
  units: number;
  revenue: number;
}

export interface RecentPurchase {
  productId: string;
  at: string;
  category?: string;
}

/**
 * What the shopper's orders say about one product: how many orders included it, and the first
 * and last such day (UTC). Kept for the PURCHASE_HISTORY_CAP products bought most recently, which
 * is what buy-again ranking needs (frequency, recency, the shopper's own re-order rate).
 */
export interface PurchasedItem {
  productId: string;
  /** Orders that included the product (an order counts once, however many of its lines name it). */
  orders: number;
  /** First and last day (YYYY-MM-DD, UTC) an order included it. */
  first: string;
  last: string;
}

export interface ForeignCurrencyTotals {
  orders: number;
  revenue: number;
  refundAmount: number;
}

/** The shopper's current segment, stamped on the profile so that a lookup is one read. */
export interface SegmentStamp {
  id: string;
  name: string;
  since: string;
  modelVersion: string;
  /**
   * The stamping model's place in promotion order (`SegmentModel.sequence`): a writer with an
   * earlier model never replaces this stamp. Absent on stamps written before it existed (0).
   */
  modelSequence?: number;
}

export interface Profile {
  shopperId: string;
  /** Absent until the first retrain or live re-score places the shopper. */
  segment?: SegmentStamp;
  anonymous: boolean;
  firstSeen: string;
  lastSeen: string;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  /** Currency of `revenue`: that of the shopper's first priced order. */
  currency: string | null;
  orders: number;
  revenue: number;
  refunds: number;
  refundAmount: number;
  cancellations: number;
  orderUpdates: number;
  units: number;
  productViews: number;
  listViews: number;
  cartAdds: number;
  cartRemoves: number;
  cartViews: number;
  checkoutsStarted: number;
  wishlistAdds: number;
  couponsApplied: number;
  ordersWithCoupon: number;
  discountTotal: number;
  pageViews: number;
  otherEvents: number;
  /** Orders whose order id had already been counted under another messageId. */
  duplicateOrders: number;
  /** Amounts in currencies other than `currency`: kept apart, never summed into revenue. */
  otherCurrencies: Record<string, ForeignCurrencyTotals>;
  categories: CategoryAffinity[];
  recentPurchases: RecentPurchase[];
  /** Distinct product ids bought, up to PURCHASED_CAP (for "distinct products" and exclusions). */
  purchasedProducts: string[];
  /**
   * Per product bought: orders, first and last day; the PURCHASE_HISTORY_CAP most recently bought
   * (then most often), newest first. Absent in profiles stored before it was kept: read as empty,
   * and seeded from `recentPurchases` at the profile's next order.
   */
  purchaseHistory?: PurchasedItem[];
  days: Record<string, DayBucket>;
  /** Active days whose bucket has left the horizon (one bit a day). */
  archivedDays: DayBitset | null;
  /**
   * Of those, the days with an order, and the first order day's revenue once its bucket has
   * left: what the customer value models need from old history (repeat purchase days, the first
   * purchase's value). Absent in profiles created before they were kept (see clv/profile-summary).
   */
  archivedOrderDays?: DayBitset | null;
  firstOrderDayRevenue?: number;
  traits: KeptTraits;
  /**
   * The ids folded into this profile by identity stitching (anonymous ids that logged in as this
   * shopper, alias `previousId`s), oldest link first; at most MERGED_CAP. Absent until a link.
   */
  merged?: string[];
}

export const HORIZON_DAYS = 400;
export const CATEGORY_CAP = 20;
export const RECENT_CAP = 20;
export const PURCHASED_CAP = 100;
/** 100 products cover every buy-again pick on Online Retail H1 (the same hits as no cap); ~25 KB at most. */
export const PURCHASE_HISTORY_CAP = 100;
export const WINDOWS = [30, 90, 365] as const;
/** Ids one shopper can absorb: past it, a new anonymous id stays a profile of its own (docs/identity.md). */
export const MERGED_CAP = 50;

const DAY_MS = 86_400_000;
export const dayOf = (iso: string): string => iso.slice(0, 10);
const dayNumber = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

export const emptyProfile = (shopperId: string, anonymous: boolean, at: string): Profile => ({
  shopperId,
  anonymous,
  firstSeen: at,
  lastSeen: at,
  firstOrderAt: null,
  lastOrderAt: null,
  currency: null,
  orders: 0,
  revenue: 0,
  refunds: 0,
  refundAmount: 0,
  cancellations: 0,
  orderUpdates: 0,
  units: 0,
  productViews: 0,
  listViews: 0,
  cartAdds: 0,
  cartRemoves: 0,
  cartViews: 0,
  checkoutsStarted: 0,
  wishlistAdds: 0,
  couponsApplied: 0,
  ordersWithCoupon: 0,
  discountTotal: 0,
  pageViews: 0,
  otherEvents: 0,
  duplicateOrders: 0,
  otherCurrencies: {},
  categories: [],
  recentPurchases: [],
  purchasedProducts: [],
  days: {},
  archivedDays: null,
  archivedOrderDays: null,
  traits: {},
});

export interface WindowFigures {
  days: number;
  orders: number;
  revenue: number;
  units: number;
  refundAmount: number;
  productViews: number;
  cartAdds: number;
  activeDays: number;
}

/** Figures over the last N UTC days, counting the as-of day itself. */
export const windowFigures = (profile: Profile, asOf: Date, days: number): WindowFigures => {
  const end = dayNumber(asOf.toISOString().slice(0, 10));
  const start = end - days + 1;
  const sum: WindowFigures = {
    days,
    orders: 0,
    revenue: 0,
    units: 0,
    refundAmount: 0,
    productViews: 0,
    cartAdds: 0,
    activeDays: 0,
  };
  let revenue4 = 0;
  let refund4 = 0;
  for (const [day, b] of Object.entries(profile.days)) {
    const n = dayNumber(day);
    if (n < start || n > end) continue;
    sum.orders += b.o;
    revenue4 += Math.round(b.r * 10_000);
    refund4 += Math.round(b.rf * 10_000);
    sum.units += b.u;
    sum.productViews += b.v;
    sum.cartAdds += b.a;
    sum.activeDays += 1;
  }
  sum.revenue = revenue4 / 10_000;
  sum.refundAmount = refund4 / 10_000;
  return sum;
};

export const activeDays = (profile: Profile): number =>
  countDays(profile.archivedDays) + Object.keys(profile.days).length;

/**
 * Drops day buckets older than the horizon, keeping their days in `archivedDays`, their order
 * days in `archivedOrderDays` and, for the first order day, its revenue.
 */
export const pruneDays = (profile: Profile, now: Date): Profile => {
  const oldest = dayNumber(now.toISOString().slice(0, 10)) - HORIZON_DAYS + 1;
  const days: Record<string, DayBucket> = {};
  const archived: number[] = [];
  const orderDays: number[] = [];
  const firstOrderDay = profile.firstOrderAt ? dayOf(profile.firstOrderAt) : null;
  let firstOrderDayRevenue = profile.firstOrderDayRevenue;
  for (const [day, bucket] of Object.entries(profile.days)) {
    const n = dayNumber(day);
    if (n >= oldest) {
      days[day] = bucket;
      continue;
    }
    archived.push(n);
    if (bucket.o <= 0) continue;
    orderDays.push(n);
    // An old order arriving for an already archived first day adds to what was archived.
    if (day === firstOrderDay)
      firstOrderDayRevenue = addMoney(
        hasDay(profile.archivedOrderDays ?? null, n) ? (firstOrderDayRevenue ?? 0) : 0,
        bucket.r,
      );
  }
  // Profiles from before order days were archived keep lacking them: a partial set would pass for exact.
  const orderFields =
    profile.archivedOrderDays === undefined
      ? {}
      : {
          archivedOrderDays: addDays(profile.archivedOrderDays, orderDays),
          ...(firstOrderDayRevenue === undefined ? {} : { firstOrderDayRevenue }),
        };
  return { ...profile, days, archivedDays: addDays(profile.archivedDays, archived), ...orderFields };
};

/** Highest affinity first (orders weigh most), then name: the order kept and stored. */
export const byCategoryScore = (a: CategoryAffinity, b: CategoryAffinity): number =>
  categoryScore(b) - categoryScore(a) || a.name.localeCompare(b.name);
const categoryScore = (c: CategoryAffinity): number => c.orders * 10 + c.cartAdds * 3 + c.views;

/** Newest first, then product id: the order `recentPurchases` is kept in. */
export const byRecency = (a: RecentPurchase, b: RecentPurchase): number =>
  b.at.localeCompare(a.at) || a.productId.localeCompare(b.productId);

/** Newest last purchase first, then most orders, then product id: the order kept and stored. */
export const historyOrder = (a: PurchasedItem, b: PurchasedItem): number =>
  b.last.localeCompare(a.last) || b.orders - a.orders || (a.productId < b.productId ? -1 : 1);

/** The profile's purchase history; for a profile stored before it was kept, seeded from `recentPurchases`. */
export const purchaseHistoryOf = (profile: Profile): PurchasedItem[] =>
  profile.purchaseHistory ??
  profile.recentPurchases.map((r) => ({
    productId: r.productId,
    orders: 1,
    first: dayOf(r.at),
    last: dayOf(r.at),
  }));

/**
 * Counts one order's products in `purchaseHistory` (each product once per order), keeping the
 * PURCHASE_HISTORY_CAP most recently bought. A profile stored before the history was kept starts
 * it from `recentPurchases` (one order each: what is known), so its latest items are not lost.
 */
export const addToPurchaseHistory = (profile: Profile, productIds: Iterable<string>, at: string): void => {
  const history = purchaseHistoryOf(profile);
  const day = dayOf(at);
  const byId = new Map(history.map((item) => [item.productId, item]));
  for (const productId of new Set(productIds)) {
    const item = byId.get(productId);
    if (item) {
      item.orders += 1;
      if (day < item.first) item.first = day;
      if (day > item.last) item.last = day;
      continue;
    }
    const fresh = { productId, orders: 1, first: day, last: day };
    byId.set(productId, fresh);
    history.push(fresh);
  }
  history.sort(historyOrder);
  if (history.length > PURCHASE_HISTORY_CAP) history.length = PURCHASE_HISTORY_CAP;
  profile.purchaseHistory = history;
};
