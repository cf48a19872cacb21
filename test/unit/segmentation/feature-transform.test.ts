import { describe, expect, it } from 'vitest';
import {
  applyTransform,
  constantFeatures,
  type FeatureTransform,
  fitTransform,
  inverseTransform,
} from '#shared/segmentation/domain/features/feature-transform';
import { FEATURES, type FeatureName, type RawFeatures } from '#shared/segmentation/domain/features/features';

const row = (values: Partial<RawFeatures>): RawFeatures =>
  ({ ...Object.fromEntries(FEATURES.map((f) => [f, 0])), ...values }) as RawFeatures;

// 100 shoppers: 1..100 orders, spend growing with orders, refund rates 0..0.99.
const population = Array.from({ length: 100 }, (_, i) =>
  row({ frequency365: i + 1, monetary365: 25 * (i + 1), refundRate: i / 100 }),
);
const features: FeatureName[] = ['frequency365', 'monetary365', 'refundRate'];

describe('fitTransform / applyTransform', () => {
  it('logs counts and money but not rates, and centers on the median', () => {
    const t = fitTransform(population, features);
    expect(t.steps.map((s) => s.log)).toEqual([true, true, false]);
    const median = row({ frequency365: 50.5, monetary365: 25 * 50.5, refundRate: 0.495 });
    expect(inverseTransform(t, applyTransform(t, median)).frequency365).toBeCloseTo(50.5, 9);
    const v = applyTransform(t, row({ refundRate: 0.495 }));
    expect(v[2]).toBeCloseTo(0, 12);
  });

  it('round-trips real values inside the winsorising range', () => {
    const t = fitTransform(population, features);
    for (const x of [3, 17, 42, 88]) {
      const raw = row({ frequency365: x, monetary365: 24 * x, refundRate: x / 100 });
      const back = inverseTransform(t, applyTransform(t, raw));
      expect(back.frequency365).toBeCloseTo(x, 9);
      expect(back.monetary365).toBeCloseTo(24 * x, 7);
      expect(back.refundRate).toBeCloseTo(x / 100, 12);
      expect(Object.keys(back).sort()).toEqual([...features].sort());
    }
  });

  it('clamps outliers to the learned quantiles', () => {
    const t = fitTransform([...population, row({ frequency365: 100_000 })], ['frequency365']);
    const step = t.steps[0];
    expect(step?.high).toBeLessThan(Math.log1p(101));
    const outlier = applyTransform(t, row({ frequency365: 100_000 }))[0];
    const atHigh = applyTransform(t, row({ frequency365: Math.expm1(step?.high ?? 0) }))[0];
    expect(outlier).toBeCloseTo(atHigh ?? Number.NaN, 12);
    expect(inverseTransform(t, [outlier ?? 0]).frequency365).toBeLessThan(101);
    // Below the low quantile as well.
    expect(applyTransform(t, row({ frequency365: 0 }))[0]).toBeCloseTo(
      ((step?.low ?? 0) - (step?.center ?? 0)) / (step?.scale ?? 1),
      12,
    );
  });

  it('scales a zero-IQR feature by its standard deviation in IQR units, and a constant one by 1', () => {
    const sparse = Array.from({ length: 100 }, (_, i) =>
      row({ refundRate: i < 90 ? 0 : 0.5, discountShare: 0.3 }),
    );
    const t = fitTransform(sparse, ['refundRate', 'discountShare']);
    // 10% at 0.5, 90% at 0: standard deviation 0.5 × √(0.1 × 0.9) = 0.15; × 1.349 (a normal IQR).
    expect(t.steps[0]).toMatchObject({ low: 0, high: 0.5, center: 0 });
    expect(t.steps[0]?.scale).toBeCloseTo(1.349 * 0.15, 12);
    expect(t.steps[1]).toMatchObject({ center: 0.3, scale: 1 });
    const [refund, discount] = Array.from(applyTransform(t, row({ refundRate: 0.5, discountShare: 0.9 })));
    expect(refund).toBeCloseTo(0.5 / (1.349 * 0.15), 12);
    expect(discount).toBe(0);
    expect(constantFeatures(t)).toEqual(['discountShare']);
  });

  it('gives identical vectors after a JSON round trip, and writes at an offset', () => {
    const t = fitTransform(population, features);
    const copy = JSON.parse(JSON.stringify(t)) as FeatureTransform;
    const raw = row({ frequency365: 7, monetary365: 333.33, refundRate: 0.07 });
    expect(applyTransform(copy, raw)).toEqual(applyTransform(t, raw));
    const out = new Float64Array(7).fill(-9);
    applyTransform(t, raw, out, 2);
    expect(Array.from(out.subarray(2, 5))).toEqual(Array.from(applyTransform(t, raw)));
    expect([out[0], out[1], out[5], out[6]]).toEqual([-9, -9, -9, -9]);
  });

  it('maps missing or non-finite values to the center', () => {
    const t = fitTransform(population, features);
    expect(Array.from(applyTransform(t, row({ frequency365: Number.NaN })))[0]).toBe(0);
    expect(() => fitTransform([], features)).toThrow();
    expect(() => fitTransform(population, features, { lowQuantile: 0.9, highQuantile: 0.1 })).toThrow();
  });
});
