/** Order history → (x, t_x, T, mean value), with the paper's counting conventions. */
import { describe, expect, it } from 'vitest';
import {
  convertSummary,
  countPurchaseDays,
  dayNumber,
  summariseOrders,
} from '#shared/customer-value/domain/summary';

describe('summariseOrders', () => {
  const orders = [
    { at: '1997-01-01', value: 29.33 },
    { at: '1997-01-18', value: 29.73 },
    { at: '1997-08-02', value: 14.96 },
    { at: '1997-12-12', value: 26.48 },
  ];

  it('counts repeat purchase days and measures t_x and T from the first purchase, in weeks', () => {
    // The first customer of the CDNOW sample: x = 2, t_x = 213/7, T = 272/7 (the paper's 30.43 and 38.86).
    const summary = summariseOrders(orders, { calibrationEnd: '1997-09-30', unit: 'week' });
    expect(summary).toEqual({ unit: 'week', x: 2, tx: 213 / 7, T: 272 / 7, meanValue: (29.73 + 14.96) / 2 });
  });

  it('defaults to days and counts the calibration end day in', () => {
    const summary = summariseOrders(orders, { calibrationEnd: '1997-08-02' });
    expect(summary).toEqual({ unit: 'day', x: 2, tx: 213, T: 213, meanValue: (29.73 + 14.96) / 2 });
  });

  it('merges orders on the same UTC day into one purchase, summing their value', () => {
    const summary = summariseOrders(
      [
        { at: '2024-03-01T09:00:00Z', value: 10 },
        { at: '2024-03-01T23:59:59Z', value: 5 },
        { at: '2024-03-05T12:00:00Z', value: 20 },
        { at: Date.parse('2024-03-05T18:00:00Z'), value: 4 },
        { at: '2024-03-09', value: 30 },
      ],
      { calibrationEnd: '2024-03-10' },
    );
    expect(summary).toEqual({ unit: 'day', x: 2, tx: 8, T: 9, meanValue: (24 + 30) / 2 });
  });

  it('gives x = 0, t_x = 0 and no mean value to one-time buyers; null to non-buyers', () => {
    expect(summariseOrders([{ at: '2024-01-10', value: 50 }], { calibrationEnd: '2024-01-31' })).toEqual({
      unit: 'day',
      x: 0,
      tx: 0,
      T: 21,
      meanValue: null,
    });
    expect(summariseOrders([], { calibrationEnd: '2024-01-31' })).toBeNull();
    expect(summariseOrders([{ at: '2024-02-10', value: 50 }], { calibrationEnd: '2024-01-31' })).toBeNull();
  });

  it('with a calibration window, forgets older orders and observes from the first order inside it', () => {
    const summary = summariseOrders(orders, { calibrationEnd: '1997-09-30', calibrationDays: 100 });
    // 1997-06-23 .. 1997-09-30: only the August order is inside.
    expect(summary).toEqual({ unit: 'day', x: 0, tx: 0, T: 59, meanValue: null });
  });

  it('ignores orders with unparseable dates and rejects an unparseable calibration end', () => {
    const summary = summariseOrders(
      [
        { at: 'not a date', value: 1 },
        { at: '2024-01-01', value: 2 },
      ],
      { calibrationEnd: '2024-01-02' },
    );
    expect(summary?.x).toBe(0);
    expect(() => summariseOrders(orders, { calibrationEnd: 'soon' })).toThrow(/calibrationEnd/);
  });
});

describe('countPurchaseDays, dayNumber, convertSummary', () => {
  it('counts distinct purchase days after one date through another', () => {
    const orders = [
      { at: '1997-09-30', value: 1 },
      { at: '1997-10-01', value: 1 },
      { at: '1997-10-01', value: 1 },
      { at: '1998-06-30', value: 1 },
      { at: '1998-07-01', value: 1 },
    ];
    expect(countPurchaseDays(orders, '1997-09-30', '1998-06-30')).toBe(2);
  });

  it('reads dates as UTC days', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1970-01-02T23:59:59Z')).toBe(1);
    expect(dayNumber(86_400_000 * 3 + 5)).toBe(3);
    expect(dayNumber('nonsense')).toBeNaN();
  });

  it('converts between days and weeks', () => {
    const days = { unit: 'day' as const, x: 2, tx: 213, T: 272, meanValue: 22.3 };
    const weeks = convertSummary(days, 'week');
    expect(weeks).toEqual({ unit: 'week', x: 2, tx: 213 / 7, T: 272 / 7, meanValue: 22.3 });
    expect(convertSummary(weeks, 'day').T).toBeCloseTo(272, 12);
    expect(convertSummary(days, 'day')).toBe(days);
  });
});
