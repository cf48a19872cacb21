import { describe, expect, it } from 'vitest';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import { emptyProfile } from '#shared/ingestion/domain/profile';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { FEATURES, rawFeatures } from '#shared/segmentation/domain/features/features';

const asOf = new Date('2025-07-01T12:00:00Z');
const options = { now: asOf, defaultCurrency: 'USD' };
let n = 0;
const ev = (
  behaviour: ShopperEvent['behaviour'],
  at: string,
  extra: Partial<ShopperEvent> = {},
): EventToApply => ({
  event: {
    messageId: `m${++n}`,
    shopperId: 'u',
    anonymous: false,
    type: 'track',
    behaviour,
    at,
    products: [],
    ...extra,
  },
});
const order = (at: string, amount: number, category: string, extra: Partial<ShopperEvent> = {}) =>
  ev('order_completed', at, {
    orderId: `o${n}`,
    amount,
    products: [{ productId: `p${n}`, category, price: amount, quantity: 1 }],
    ...extra,
  });
const views = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    ev('product_viewed', `2025-06-1${i}T00:00:00Z`, { products: [{ category: 'Garden', quantity: 1 }] }),
  );
const adds = (count: number) =>
  Array.from({ length: count }, (_, i) => ev('product_added', `2025-06-0${i + 1}T00:00:00Z`));

describe('rawFeatures', () => {
  it('computes every feature of a hand-built shopper exactly', () => {
    const profile = applyEvents(
      undefined,
      [
        ev('page', '2024-03-01T00:00:00Z'), // first seen; its day bucket has left the horizon
        order('2024-06-01T00:00:00Z', 100, 'Books', { coupon: 'WELCOME' }), // before the 365-day window
        order('2025-05-02T00:00:00Z', 40, 'Toys'),
        order('2025-06-19T10:00:00Z', 20, 'Games', { currency: 'EUR' }),
        order('2025-06-21T12:00:00Z', 60, 'Books', { discount: 5 }),
        ev('order_refunded', '2025-06-25T00:00:00Z', { orderId: 'o2', amount: 30 }),
        ...views(6),
        ...adds(4),
      ],
      options,
    );
    expect(rawFeatures(profile, asOf)).toEqual({
      recencyDays: 10,
      frequency365: 3,
      monetary365: 100, // USD only: the EUR order is kept apart
      lifetimeOrders: 4, // every order, in any currency, also the one before the window
      lifetimeRevenue: 200, // USD only: 100 + 40 + 60
      averageOrderValue: 200 / 3, // 3 USD-priced orders
      tenureDays: 487, // 2024-03-01 → 2025-07-01 12:00
      meanDaysBetweenOrders: 385.5 / 3,
      productViews365: 6,
      cartAdds365: 4,
      cartAbandonment: 0.25,
      viewToPurchase: 0.5,
      refundRate: 0.15,
      discountShare: 0.5,
      categoryBreadth: 3, // Books, Toys, Games; Garden was only viewed
      // Without a customer value model there are no forecasts: 0, and never clustered then.
      pAlive: 0,
      expectedOrders: 0,
      predictedValue: 0,
    });
  });

  it('returns null for a prospect with no order', () => {
    const profile = applyEvents(undefined, [...views(3), ...adds(2)], options);
    expect(rawFeatures(profile, asOf)).toBeNull();
    expect(rawFeatures(emptyProfile('x', true, asOf.toISOString()), asOf)).toBeNull();
  });

  it('uses tenure as the gap of a one-order shopper and counts orders without views as converted', () => {
    const profile = applyEvents(
      undefined,
      [ev('page', '2025-06-01T12:00:00Z'), order('2025-06-11T12:00:00Z', 25, 'Books')],
      options,
    );
    const f = rawFeatures(profile, asOf);
    expect(f).toMatchObject({
      tenureDays: 30,
      recencyDays: 20,
      meanDaysBetweenOrders: 30,
      viewToPurchase: 1,
    });
    expect(f).toMatchObject({ cartAbandonment: 0, productViews365: 0 });
  });

  it('never yields NaN or Infinity, even from impossible profiles', () => {
    const odd = {
      ...emptyProfile('x', false, '2025-08-01T00:00:00Z'), // seen after asOf
      orders: 2,
      ordersWithCoupon: 5,
      revenue: 0,
      refundAmount: 12,
      firstOrderAt: '2025-08-02T00:00:00Z',
      lastOrderAt: '2025-08-01T00:00:00Z', // before the first: corrupt
      otherCurrencies: { EUR: { orders: 2, revenue: 9, refundAmount: 0 } }, // no order priced in USD
      days: { '2025-06-30': { e: 1, o: 3, r: -5, u: 0, rf: 0, v: 0, a: 1 } },
    };
    const f = rawFeatures(odd, asOf);
    expect(f).not.toBeNull();
    for (const name of FEATURES) {
      expect(Number.isFinite(f?.[name]), name).toBe(true);
      expect(f?.[name], name).toBeGreaterThanOrEqual(0);
    }
    expect(f).toMatchObject({
      recencyDays: 0,
      tenureDays: 0,
      averageOrderValue: 0,
      monetary365: 0,
      meanDaysBetweenOrders: 0,
      refundRate: 0,
      discountShare: 1,
      cartAbandonment: 0,
    });
  });
});
