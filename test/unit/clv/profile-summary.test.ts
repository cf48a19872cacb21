import { describe, expect, it } from 'vitest';
import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import { summariseOrders } from '#shared/customer-value/domain/summary';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';

const now = new Date('2025-07-01T12:00:00Z');
let n = 0;
const order = (at: string, amount: number): EventToApply => ({
  event: {
    messageId: `m${++n}`,
    shopperId: 'u',
    anonymous: false,
    type: 'track',
    behaviour: 'order_completed',
    at,
    orderId: `o${n}`,
    amount,
    products: [],
  },
});
const profileOf = (orders: readonly [string, number][]) =>
  applyEvents(
    undefined,
    orders.map(([at, amount]) => order(at, amount)),
    { now, defaultCurrency: 'USD' },
  );
const fileSummary = (orders: readonly [string, number][], unit: 'day' | 'week' = 'day') =>
  summariseOrders(
    orders.map(([at, value]) => ({ at, value })),
    { calibrationEnd: now.toISOString(), unit },
  );

describe('purchaseSummaryOfProfile', () => {
  it('is null before the first order', () => {
    const viewed = applyEvents(
      undefined,
      [
        {
          event: {
            ...order('2025-06-01T00:00:00Z', 0).event,
            behaviour: 'product_viewed',
            orderId: undefined,
          },
        },
      ],
      { now, defaultCurrency: 'USD' },
    );
    expect(purchaseSummaryOfProfile(viewed, now)).toBeNull();
  });

  it('equals the summary of the raw orders within the profile horizon, same-day orders as one purchase', () => {
    const orders: [string, number][] = [
      ['2025-01-10T09:00:00Z', 20],
      ['2025-01-10T18:00:00Z', 5],
      ['2025-03-02T10:00:00Z', 40],
      ['2025-06-20T10:00:00Z', 30],
    ];
    const fromProfile = purchaseSummaryOfProfile(profileOf(orders), now);
    expect(fromProfile).toEqual(fileSummary(orders));
    expect(fromProfile).toMatchObject({ x: 2, tx: 161, T: 172, meanValue: 35 });
    expect(purchaseSummaryOfProfile(profileOf(orders), now, 'week')).toEqual(fileSummary(orders, 'week'));
  });

  it('stays exact for orders older than the day buckets, same-day ones and late arrivals included', () => {
    const orders: [string, number][] = [
      ['2023-02-01T00:00:00Z', 10],
      ['2023-02-01T15:00:00Z', 15],
      ['2023-05-01T00:00:00Z', 30],
      ['2025-05-01T00:00:00Z', 50],
    ];
    const exact = fileSummary(orders);
    expect(exact).toMatchObject({ x: 2, meanValue: 40 });
    expect(purchaseSummaryOfProfile(profileOf(orders), now)).toEqual(exact);
    // The same orders arriving one request at a time, the oldest last, each pruned on arrival.
    let profile = profileOf([orders[3] as [string, number]]);
    for (const [at, amount] of [orders[2], orders[1], orders[0]] as [string, number][])
      profile = applyEvents(profile, [order(at, amount)], { now, defaultCurrency: 'USD' });
    expect(purchaseSummaryOfProfile(profile, now)).toEqual(exact);
  });

  it('approximates old history in profiles stored before order days were archived', () => {
    const orders: [string, number][] = [
      ['2023-02-01T00:00:00Z', 10],
      ['2023-05-01T00:00:00Z', 30],
      ['2025-05-01T00:00:00Z', 50],
    ];
    const { archivedOrderDays: _days, firstOrderDayRevenue: _first, ...legacy } = profileOf(orders);
    // Each older order one purchase day; the first purchase valued at the older orders' mean (20).
    expect(purchaseSummaryOfProfile(legacy, now)).toEqual({
      ...fileSummary(orders),
      meanValue: (90 - 20) / 2,
    });
  });

  it('keeps only the calibration window when one is configured', () => {
    const orders: [string, number][] = [
      ['2024-01-05T00:00:00Z', 10],
      ['2025-04-01T00:00:00Z', 30],
      ['2025-06-01T00:00:00Z', 50],
    ];
    const windowed = summariseOrders(
      orders.map(([at, value]) => ({ at, value })),
      { calibrationEnd: now.toISOString(), calibrationDays: 180 },
    );
    expect(purchaseSummaryOfProfile(profileOf(orders), now, 'day', 180)).toEqual(windowed);
    expect(windowed).toMatchObject({ x: 1, meanValue: 50 });
  });
});
