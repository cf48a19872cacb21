import { describe, expect, it } from 'vitest';
import { MAX_PRODUCTS_PER_EVENT, normaliseMessage } from '#shared/activation/domain/segment-message';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import {
  activeDays,
  CATEGORY_CAP,
  HORIZON_DAYS,
  PURCHASED_CAP,
  RECENT_CAP,
  windowFigures,
} from '#shared/ingestion/domain/profile';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';

const now = new Date('2025-07-01T12:00:00Z');
const options = { now, defaultCurrency: 'USD' };
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
const orderAt = (at: string, amount: number, extra: Partial<ShopperEvent> = {}) =>
  ev('order_completed', at, {
    orderId: `o${n}`,
    amount,
    products: [{ productId: `p${n}`, category: 'Books', price: amount, quantity: 2 }],
    ...extra,
  });

describe('applyEvents', () => {
  it('counts lifetime figures and keeps first/last order whatever the arrival order', () => {
    const items = [
      orderAt('2025-06-01T00:00:00Z', 10),
      orderAt('2025-01-15T00:00:00Z', 20.5),
      ev('product_viewed', '2025-06-30T00:00:00Z'),
    ];
    const forward = applyEvents(undefined, items, options);
    const backward = applyEvents(
      applyEvents(undefined, items.slice(2), options),
      items.slice(0, 2).reverse(),
      options,
    );
    expect(forward).toMatchObject({ orders: 2, revenue: 30.5, units: 4, productViews: 1, currency: 'USD' });
    expect(forward.firstOrderAt).toBe('2025-01-15T00:00:00Z');
    expect(forward.lastOrderAt).toBe('2025-06-01T00:00:00Z');
    expect(forward.lastSeen).toBe('2025-06-30T00:00:00Z');
    expect(backward).toEqual(forward);
  });

  it('computes exact windows counting the as-of day and the N-1 days before it', () => {
    const p = applyEvents(
      undefined,
      [
        orderAt('2025-07-01T01:00:00Z', 1),
        orderAt('2025-06-02T00:00:00Z', 2),
        orderAt('2025-06-01T23:59:59Z', 4),
        orderAt('2024-07-02T00:00:00Z', 8),
        orderAt('2024-07-01T00:00:00Z', 16),
      ],
      options,
    );
    expect(windowFigures(p, now, 30)).toMatchObject({ orders: 2, revenue: 3 });
    expect(windowFigures(p, now, 90)).toMatchObject({ orders: 3, revenue: 7 });
    expect(windowFigures(p, now, 365)).toMatchObject({ orders: 4, revenue: 15 });
    expect(p.revenue).toBe(31);
  });

  it('keeps other currencies apart instead of summing them', () => {
    const p = applyEvents(
      undefined,
      [
        orderAt('2025-06-01T00:00:00Z', 10, { currency: 'EUR' }),
        orderAt('2025-06-02T00:00:00Z', 7, { currency: 'GBP' }),
      ],
      options,
    );
    expect(p.currency).toBe('EUR');
    expect(p.revenue).toBe(10);
    expect(p.orders).toBe(2);
    expect(p.otherCurrencies).toEqual({ GBP: { orders: 1, revenue: 7, refundAmount: 0 } });
  });

  it('refunds the referenced order amount when the refund names none, and skips duplicate orders', () => {
    const first = orderAt('2025-06-01T00:00:00Z', 40);
    const dup: EventToApply = { ...orderAt('2025-06-01T00:00:00Z', 40), duplicateOrder: true };
    const refund: EventToApply = {
      ...ev('order_refunded', '2025-06-05T00:00:00Z', { orderId: 'o1' }),
      referencedOrder: { amount: 40, currency: 'USD' },
    };
    const partial = ev('order_refunded', '2025-06-06T00:00:00Z', { orderId: 'o1', amount: 5 });
    const p = applyEvents(undefined, [first, dup, refund, partial], options);
    expect(p).toMatchObject({ orders: 1, revenue: 40, duplicateOrders: 1, refunds: 2, refundAmount: 45 });
    expect(windowFigures(p, now, 30).refundAmount).toBe(45);
  });

  it('bounds categories, recent purchases and day buckets', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      orderAt(`2025-0${1 + (i % 6)}-1${i % 10}T00:00:00Z`, 1, {
        products: [{ productId: `sku${i}`, category: `cat${i}`, quantity: 1 }],
      }),
    );
    const p = applyEvents(undefined, many, options);
    expect(p.categories).toHaveLength(CATEGORY_CAP);
    expect(p.recentPurchases.length).toBeLessThanOrEqual(20);
    const old = applyEvents(p, [ev('page', '2023-01-01T00:00:00Z')], options);
    expect(Object.keys(old.days)).not.toContain('2023-01-01');
    expect(activeDays(old)).toBe(activeDays(p) + 1);
    // The same day again, in a later request, is not a new active day.
    const again = applyEvents(
      old,
      [ev('page', '2023-01-01T18:00:00Z'), ev('page', '2022-06-01T00:00:00Z')],
      options,
    );
    expect(activeDays(again)).toBe(activeDays(old) + 1);
    expect(
      Object.keys(old.days).every((d) => Date.parse(d) > now.getTime() - HORIZON_DAYS * 86_400_000),
    ).toBe(true);
  });

  it('records coupons, discounts, funnel steps and identify traits', () => {
    const p = applyEvents(
      undefined,
      [
        orderAt('2025-06-01T00:00:00Z', 10, { coupon: 'X', discount: 2 }),
        ev('coupon_applied', '2025-06-01T00:00:00Z'),
        ev('product_added', '2025-06-01T00:00:00Z', { products: [{ category: 'Toys', quantity: 1 }] }),
        ev('product_removed', '2025-06-01T00:00:00Z'),
        ev('checkout_started', '2025-06-01T00:00:00Z'),
        ev('identify', '2025-06-01T00:00:00Z', { type: 'identify', traits: { country: 'FR' } }),
      ],
      options,
    );
    expect(p).toMatchObject({
      ordersWithCoupon: 1,
      discountTotal: 2,
      couponsApplied: 1,
      cartAdds: 1,
      cartRemoves: 1,
      checkoutsStarted: 1,
      traits: { country: 'FR' },
    });
    expect(p.categories.map((c) => c.name)).toEqual(['Books', 'Toys']);
  });

  it('counts a 250-line order in full, with product detail from the first 200 lines only', () => {
    const CATEGORIES = ['Books', 'Music', 'Toys'];
    // Lines past the bound would win every tie (ids and a category that sort first) if they were kept.
    const lines = Array.from({ length: 250 }, (_, i) =>
      i < MAX_PRODUCTS_PER_EVENT
        ? {
            product_id: `k${String(i).padStart(3, '0')}`,
            category: CATEGORIES[i % 3],
            price: 0.5,
            quantity: 1 + (i % 5),
          }
        : { product_id: `a-tail-${i}`, category: 'Aaa tail', price: 0.5, quantity: 1 + (i % 7) },
    );
    const at = '2025-06-30T10:00:00.000Z';
    const normalised = normaliseMessage(
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'u',
        messageId: 'big-order',
        timestamp: '2025-06-30T10:00:00Z',
        properties: { order_id: 'o-big', revenue: 1234.56, currency: 'USD', products: lines },
      },
      { now },
    );
    if (!normalised.ok) throw new Error(JSON.stringify(normalised.rejection));
    const p = applyEvents(undefined, [{ event: normalised.event }], options);

    const units = lines.reduce((sum, l) => sum + l.quantity, 0);
    const kept = lines.slice(0, MAX_PRODUCTS_PER_EVENT);
    expect(p).toMatchObject({ orders: 1, revenue: 1234.56, units, currency: 'USD' });
    expect(p.days['2025-06-30']).toMatchObject({ o: 1, r: 1234.56, u: units });
    expect(p.purchasedProducts).toEqual(kept.slice(0, PURCHASED_CAP).map((l) => l.product_id));
    expect(p.recentPurchases).toEqual(
      kept.slice(0, RECENT_CAP).map((l) => ({ productId: l.product_id, at, category: l.category })),
    );
    expect(p.categories).toEqual(
      CATEGORIES.map((name) => {
        const inCategory = kept.filter((l) => l.category === name);
        const categoryUnits = inCategory.reduce((sum, l) => sum + l.quantity, 0);
        return { name, views: 0, cartAdds: 0, orders: 1, units: categoryUnits, revenue: categoryUnits * 0.5 };
      }),
    );
  });
});
