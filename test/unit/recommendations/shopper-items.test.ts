import { describe, expect, it } from 'vitest';
import { applyEvents } from '#shared/ingestion/domain/apply-events';
import { addDays } from '#shared/ingestion/domain/day-bitset';
import { emptyProfile, type Profile, PURCHASE_HISTORY_CAP } from '#shared/ingestion/domain/profile';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { boughtProducts, shopperItems } from '#shared/recommendations/domain/shopper-items';

const NOW = new Date('2026-03-01T00:00:00Z');
const order = (id: string, at: string, ...productIds: string[]): { event: ShopperEvent } => ({
  event: {
    messageId: id,
    shopperId: 'u1',
    anonymous: false,
    type: 'track',
    behaviour: 'order_completed',
    at,
    orderId: id,
    amount: 10,
    products: productIds.map((productId) => ({ productId, quantity: 1 })),
  },
});
const apply = (current: Profile | undefined, ...orders: { event: ShopperEvent }[]) =>
  applyEvents(current, orders, { now: NOW, defaultCurrency: 'EUR' });

describe('purchase history (the reducer)', () => {
  it('counts each product once per order, with its first and last day, whatever order events arrive in', () => {
    const p = apply(
      undefined,
      order('o2', '2026-01-10T10:00:00Z', 'a', 'b', 'a'),
      order('o3', '2026-01-20T10:00:00Z', 'a'),
      // Arrives last, happened first.
      order('o1', '2026-01-05T10:00:00Z', 'b'),
    );
    expect(p.purchaseHistory).toEqual([
      { productId: 'a', orders: 2, first: '2026-01-10', last: '2026-01-20' },
      { productId: 'b', orders: 2, first: '2026-01-05', last: '2026-01-10' },
    ]);
    const later = apply(p, order('o0', '2025-12-01T10:00:00Z', 'a'));
    expect(later.purchaseHistory?.[0]).toEqual({
      productId: 'a',
      orders: 3,
      first: '2025-12-01',
      last: '2026-01-20',
    });
  });

  it('seeds a profile stored before the history from its recent purchases, one order each', () => {
    const old = apply(undefined, order('o1', '2026-01-05T10:00:00Z', 'q', 'r'));
    delete old.purchaseHistory;
    const p = apply(old, order('o2', '2026-02-01T10:00:00Z', 'a', 'q'));
    // Newest first, then most orders: q (two orders) before a on Feb 1.
    expect(p.purchaseHistory).toEqual([
      { productId: 'q', orders: 2, first: '2026-01-05', last: '2026-02-01' },
      { productId: 'a', orders: 1, first: '2026-02-01', last: '2026-02-01' },
      { productId: 'r', orders: 1, first: '2026-01-05', last: '2026-01-05' },
    ]);
  });

  it(`keeps the ${PURCHASE_HISTORY_CAP} most recently bought, then most often bought`, () => {
    const many = Array.from(
      { length: PURCHASE_HISTORY_CAP + 20 },
      (_, i) => `x${String(i).padStart(3, '0')}`,
    );
    const p = apply(
      undefined,
      order('o1', '2026-01-01T10:00:00Z', ...many),
      order('o2', '2026-01-02T10:00:00Z', 'x119', 'x005'),
      order('o3', '2026-01-03T10:00:00Z', 'new'),
    );
    expect(p.purchaseHistory).toHaveLength(PURCHASE_HISTORY_CAP);
    // x119 did not fit after the first order (the first 100 by id did), so it starts again at one.
    expect(p.purchaseHistory?.slice(0, 3).map((i) => [i.productId, i.orders])).toEqual([
      ['new', 1],
      ['x005', 2],
      ['x119', 1],
    ]);
    // The first order's other products, by id, fill the rest: x097 is the last kept.
    expect(p.purchaseHistory?.at(-1)?.productId).toBe('x097');
  });
});

describe('shopperItems', () => {
  const bucket = (o: number) => ({ e: o, o, r: 10, u: o, rf: 0, v: 0, a: 0 });
  const profile: Profile = {
    ...emptyProfile('u', false, '2026-01-01T00:00:00Z'),
    purchasedProducts: ['x', 'old'],
    // z is missing from the history (stored before it): one order on its day.
    recentPurchases: [
      { productId: 'y', at: '2026-02-01T08:00:00Z', category: 'Toys' },
      { productId: 'z', at: '2026-01-15T08:00:00Z' },
    ],
    purchaseHistory: [
      { productId: 'y', orders: 1, first: '2026-02-01', last: '2026-02-01' },
      { productId: 'x', orders: 2, first: '2026-01-01', last: '2026-01-15' },
      { productId: 'old', orders: 1, first: '2023-06-01', last: '2023-06-01' },
    ],
    // Orders: one on Jan 1, two on Jan 15, one on Feb 1; an order day archived in 2024.
    days: { '2026-01-01': bucket(1), '2026-01-15': bucket(2), '2026-02-01': bucket(1) },
    archivedOrderDays: addDays(null, [Math.floor(Date.parse('2024-01-01T00:00:00Z') / 86_400_000)]),
  };

  it('counts the orders after the first and the last purchase of each product from the day buckets', () => {
    expect(shopperItems(profile)).toEqual([
      {
        productId: 'y',
        orders: 1,
        first: '2026-02-01',
        last: '2026-02-01',
        laterOrders: 0,
        ordersSince: 0,
        category: 'Toys',
      },
      // Orders from Jan 1: 4, so 3 later; from Jan 15: 3 (the day's other order counts: only days are kept).
      { productId: 'x', orders: 2, first: '2026-01-01', last: '2026-01-15', laterOrders: 3, ordersSince: 2 },
      { productId: 'z', orders: 1, first: '2026-01-15', last: '2026-01-15', laterOrders: 2, ordersSince: 2 },
      // The archived order day counts once: 5 orders from 2023-06-01.
      {
        productId: 'old',
        orders: 1,
        first: '2023-06-01',
        last: '2023-06-01',
        laterOrders: 4,
        ordersSince: 4,
      },
    ]);
  });

  it('reads an old profile without a history from its recent purchases', () => {
    const { purchaseHistory: _gone, ...old } = profile;
    expect(shopperItems(old).map((i) => [i.productId, i.orders, i.laterOrders])).toEqual([
      ['y', 1, 0],
      ['z', 1, 2],
    ]);
    expect([...boughtProducts(old)].sort()).toEqual(['old', 'x', 'y', 'z']);
  });
});
