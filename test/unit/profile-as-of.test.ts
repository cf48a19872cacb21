/** Rewinding a profile to an earlier date from its own day buckets (the retrain's backtest). */
import { describe, expect, it } from 'vitest';
import { applyEvents } from '#shared/ingestion/domain/apply-events';
import { profileAsOf } from '#shared/ingestion/domain/profile-as-of';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';

const order = (id: string, at: string, amount: number): ShopperEvent => ({
  messageId: id,
  shopperId: 's-1',
  anonymous: false,
  type: 'track',
  event: 'Order Completed',
  behaviour: 'order_completed',
  at,
  orderId: id,
  amount,
  currency: 'USD',
  products: [{ productId: `p-${id}`, quantity: 2 }],
});

const now = new Date('2024-06-30T00:00:00Z');
const profile = applyEvents(
  undefined,
  [
    { event: order('a', '2024-01-10T09:00:00.000Z', 10) },
    { event: order('b', '2024-03-05T09:00:00.000Z', 20) },
    { event: order('c', '2024-06-01T09:00:00.000Z', 40) },
    { event: order('d', '2024-06-20T09:00:00.000Z', 80) },
  ],
  { now, defaultCurrency: 'USD' },
);

describe('profileAsOf', () => {
  it('keeps what happened up to the cut and counts what came after', () => {
    const { profile: before, since } = profileAsOf(profile, new Date('2024-04-01T00:00:00Z'));
    expect(since).toEqual({ orders: 2, revenue: 120 });
    expect(before).toMatchObject({
      orders: 2,
      revenue: 30,
      units: 4,
      firstOrderAt: '2024-01-10T09:00:00.000Z',
      lastOrderAt: '2024-03-05T00:00:00.000Z',
    });
    expect(Object.keys(before?.days ?? {}).sort()).toEqual(['2024-01-10', '2024-03-05']);
  });
  it('keeps the real last order time when it is before the cut', () => {
    const { profile: before, since } = profileAsOf(profile, new Date('2024-06-25T00:00:00Z'));
    expect(since).toEqual({ orders: 0, revenue: 0 });
    expect(before?.lastOrderAt).toBe('2024-06-20T09:00:00.000Z');
    expect(before?.orders).toBe(4);
  });
  it('has no profile for a shopper first seen after the cut', () => {
    const { profile: before, since } = profileAsOf(profile, new Date('2023-12-31T00:00:00Z'));
    expect(before).toBeNull();
    expect(since).toEqual({ orders: 4, revenue: 150 });
  });
});
