import { addMoney } from '#shared/kernel/money';
import {
  addToPurchaseHistory,
  byCategoryScore,
  byRecency,
  CATEGORY_CAP,
  type DayBucket,
  dayOf,
  emptyProfile,
  type Profile,
  PURCHASED_CAP,
  pruneDays,
  RECENT_CAP,
} from './profile';
import type { ShopperEvent } from './shopper-event';

/** An event to apply, with what the ledger knew about the order it refers to. */
export interface EventToApply {
  readonly event: ShopperEvent;
  /** The order id was already counted (under another messageId): do not count it again. */
  readonly duplicateOrder?: boolean;
  /** Revenue and currency of the completed order a refund or cancellation refers to. */
  readonly referencedOrder?: { readonly amount: number; readonly currency: string };
}

export interface ApplyOptions {
  readonly now: Date;
  /** Currency assumed when an event names none. */
  readonly defaultCurrency: string;
}

const emptyBucket = (): DayBucket => ({ e: 0, o: 0, r: 0, u: 0, rf: 0, v: 0, a: 0 });

/**
 * Applies events to a profile (or starts one) and returns the new profile. Events are applied
 * in behaviour-time order so that the profile currency is that of the earliest priced order.
 */
export const applyEvents = (
  current: Profile | undefined,
  items: readonly EventToApply[],
  options: ApplyOptions,
): Profile => {
  const sorted = [...items].sort(
    (a, b) => a.event.at.localeCompare(b.event.at) || a.event.messageId.localeCompare(b.event.messageId),
  );
  const first = sorted[0];
  if (!first) return current ?? emptyProfile('', false, options.now.toISOString());
  const p: Profile = structuredClone(
    current ?? emptyProfile(first.event.shopperId, first.event.anonymous, first.event.at),
  );
  for (const item of sorted) applyOne(p, item, options);
  return pruneDays(p, options.now);
};

const applyOne = (p: Profile, item: EventToApply, options: ApplyOptions): void => {
  const { event } = item;
  if (event.at < p.firstSeen) p.firstSeen = event.at;
  if (event.at > p.lastSeen) p.lastSeen = event.at;
  if (!event.anonymous) p.anonymous = false;
  const day = dayOf(event.at);
  const bucket = p.days[day] ?? emptyBucket();
  p.days[day] = bucket;
  bucket.e += 1;

  switch (event.behaviour) {
    case 'product_viewed':
      p.productViews += 1;
      bucket.v += 1;
      touchCategories(p, event, 'views');
      return;
    case 'product_list_viewed':
      p.listViews += 1;
      return;
    case 'product_added':
      p.cartAdds += 1;
      bucket.a += 1;
      touchCategories(p, event, 'cartAdds');
      return;
    case 'product_removed':
      p.cartRemoves += 1;
      return;
    case 'cart_viewed':
      p.cartViews += 1;
      return;
    case 'checkout_started':
      p.checkoutsStarted += 1;
      return;
    case 'wishlist_added':
      p.wishlistAdds += 1;
      return;
    case 'coupon_applied':
      p.couponsApplied += 1;
      return;
    case 'order_completed':
      if (item.duplicateOrder) {
        p.duplicateOrders += 1;
        return;
      }
      completeOrder(p, item.event, bucket, options);
      return;
    case 'order_updated':
      p.orderUpdates += 1;
      return;
    case 'order_refunded':
      p.refunds += 1;
      reverseAmount(p, item, bucket, options);
      return;
    case 'order_cancelled':
      p.cancellations += 1;
      reverseAmount(p, item, bucket, options);
      return;
    case 'page':
      p.pageViews += 1;
      return;
    case 'identify':
      p.traits = { ...p.traits, ...event.traits };
      return;
    case 'activity':
      p.otherEvents += 1;
      return;
    default:
      assertUnreachable(event.behaviour);
  }
};

const completeOrder = (p: Profile, event: ShopperEvent, bucket: DayBucket, options: ApplyOptions): void => {
  p.orders += 1;
  bucket.o += 1;
  if (p.firstOrderAt === null || event.at < p.firstOrderAt) p.firstOrderAt = event.at;
  if (p.lastOrderAt === null || event.at > p.lastOrderAt) p.lastOrderAt = event.at;
  // Lines past the detail bound are not in `products`, but their units were bought too.
  const units = event.products.reduce((sum, line) => sum + line.quantity, event.omittedUnits ?? 0);
  p.units += units;
  bucket.u += units;
  if (event.coupon || (event.discount ?? 0) > 0) p.ordersWithCoupon += 1;
  if (event.discount) p.discountTotal = addMoney(p.discountTotal, event.discount);

  const amount = event.amount ?? 0;
  const currency = event.currency ?? options.defaultCurrency;
  if (p.currency === null && event.amount !== undefined) p.currency = currency;
  if (p.currency === null || currency === p.currency) {
    p.revenue = addMoney(p.revenue, amount);
    bucket.r = addMoney(bucket.r, amount);
  } else {
    const other = foreignTotals(p, currency);
    other.orders += 1;
    other.revenue = addMoney(other.revenue, amount);
  }
  touchCategories(p, event, 'orders');
  recordPurchases(p, event);
};

const reverseAmount = (p: Profile, item: EventToApply, bucket: DayBucket, options: ApplyOptions): void => {
  const amount = item.event.amount ?? item.referencedOrder?.amount;
  if (!amount) return;
  const currency = item.event.currency ?? item.referencedOrder?.currency ?? options.defaultCurrency;
  if (p.currency === null || currency === p.currency) {
    p.refundAmount = addMoney(p.refundAmount, amount);
    bucket.rf = addMoney(bucket.rf, amount);
  } else {
    const other = foreignTotals(p, currency);
    other.refundAmount = addMoney(other.refundAmount, amount);
  }
};

const foreignTotals = (p: Profile, currency: string) => {
  const totals = p.otherCurrencies[currency] ?? { orders: 0, revenue: 0, refundAmount: 0 };
  p.otherCurrencies[currency] = totals;
  return totals;
};

const touchCategories = (p: Profile, event: ShopperEvent, field: 'views' | 'cartAdds' | 'orders'): void => {
  const seen = new Set<string>();
  for (const line of event.products) {
    if (!line.category) continue;
    let entry = p.categories.find((c) => c.name === line.category);
    if (!entry) {
      entry = { name: line.category, views: 0, cartAdds: 0, orders: 0, units: 0, revenue: 0 };
      p.categories.push(entry);
    }
    if (field === 'orders') {
      // An order counts once per category, however many of its lines fall in it.
      if (!seen.has(line.category)) entry.orders += 1;
      seen.add(line.category);
      entry.units += line.quantity;
      entry.revenue = addMoney(entry.revenue, (line.price ?? 0) * line.quantity);
    } else {
      entry[field] += 1;
    }
  }
  p.categories.sort(byCategoryScore);
  if (p.categories.length > CATEGORY_CAP) p.categories.length = CATEGORY_CAP;
};

const recordPurchases = (p: Profile, event: ShopperEvent): void => {
  // Before recentPurchases takes this order in: a profile from before the history seeds it from them.
  addToPurchaseHistory(
    p,
    event.products.flatMap((line) => (line.productId ? [line.productId] : [])),
    event.at,
  );
  for (const line of event.products) {
    if (!line.productId) continue;
    if (!p.purchasedProducts.includes(line.productId) && p.purchasedProducts.length < PURCHASED_CAP)
      p.purchasedProducts.push(line.productId);
    p.recentPurchases = p.recentPurchases.filter((r) => r.productId !== line.productId || r.at > event.at);
    if (!p.recentPurchases.some((r) => r.productId === line.productId))
      p.recentPurchases.push({
        productId: line.productId,
        at: event.at,
        ...(line.category ? { category: line.category } : {}),
      });
  }
  p.recentPurchases.sort(byRecency);
  if (p.recentPurchases.length > RECENT_CAP) p.recentPurchases.length = RECENT_CAP;
};

export const assertUnreachable = (value: never): never => {
  throw new Error(`unreachable: ${String(value)}`);
};
