import { describe, expect, it } from 'vitest';
import { fitStoredClv, forecastFor, segmentForecasts } from '#shared/customer-value/domain/forecast';
import { sampler, simulateBgNbd } from './simulate';

describe('customer value in the product', () => {
  // Seeded buyers drawn from the models themselves, at CDNOW-like parameters in days.
  const rows = simulateBgNbd({ r: 0.24, alpha: 30.9, a: 0.79, b: 2.43 }, 4_000, 30, 365, 11);
  const values = sampler(12);
  const summaries = rows.map((row, i) => {
    if (i % 10 === 0) return null; // prospects
    const nu = values.gamma(3.74) / 15.44;
    let total = 0;
    for (let j = 0; j < row.x; j++) total += values.gamma(6.25) / nu;
    return { unit: 'day' as const, ...row, meanValue: row.x > 0 ? total / row.x : null };
  });
  const clv = fitStoredClv(summaries, {}, 42);

  it('fits, forecasts every buyer with finite figures, and flags likely lapsers and the top fifth by value', () => {
    expect(clv.model.reason).toBeUndefined();
    expect(clv.highValueFrom).toBeGreaterThan(0);
    const forecasts = summaries.map((s) => forecastFor(clv, s, 'EUR'));
    expect(forecasts[0]).toMatchObject({ pAlive: null, reason: expect.stringContaining('no purchase yet') });
    const predicted = forecasts.filter((f) => f.reason === null);
    expect(predicted.length).toBe(summaries.filter((s) => s !== null).length);
    for (const f of predicted) {
      expect(f.pAlive).toBeGreaterThanOrEqual(0);
      expect(f.pAlive).toBeLessThanOrEqual(1);
      expect(Number.isFinite(f.expectedOrders) && Number.isFinite(f.predictedValue)).toBe(true);
    }
    // Lapsing in BG/NBD means repeat purchases that stopped long ago.
    const lapsing = summaries.flatMap((s, i) =>
      forecasts[i]?.outlook?.includes('likely to lapse') && s ? [s] : [],
    );
    expect(lapsing.length).toBeGreaterThan(0);
    for (const s of lapsing) expect(s.x).toBeGreaterThan(0);
    const high =
      predicted.filter((f) => f.outlook?.includes('high predicted value')).length / predicted.length;
    expect(high).toBeGreaterThan(0.15);
    expect(high).toBeLessThan(0.25);
  });

  it('gives segment means, null for a segment without buyers', () => {
    // Segment 0: buyers silent for over 120 days; segment 1: the others.
    const labels = summaries.map((s) => (s && s.x > 0 && s.T - s.tx > 120 ? 0 : 1));
    const [silent, recent, empty] = segmentForecasts(clv, summaries, labels, 3, 1);
    expect(silent?.pAlive).toBeLessThan(recent?.pAlive ?? 0);
    expect(silent?.expectedOrders).toBeLessThan(recent?.expectedOrders ?? 0);
    expect(empty).toBeNull();
  });

  it('fails gracefully: too few repeat buyers gives no predictions and the reason, never NaN', () => {
    const few = fitStoredClv(summaries.slice(0, 20), {}, 42);
    expect(few.model.bgnbd).toBeNull();
    const forecast = forecastFor(few, summaries[1] ?? null, 'EUR');
    expect(forecast).toMatchObject({ pAlive: null, expectedOrders: null, predictedValue: null });
    expect(forecast.reason).toContain('too few repeat buyers');
    expect(JSON.stringify(forecast)).not.toMatch(/NaN|Infinity/);
    expect(forecastFor(undefined, summaries[1] ?? null, 'EUR').reason).toContain('without customer value');
  });
});
