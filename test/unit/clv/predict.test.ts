/**
 * The model as the retrain stores it and the lookup uses it: fitted on summaries (at the
 * boundary, saying so, when the data show no drop-out), or left without predictions with a
 * reason when the data cannot be fitted; predictions always finite, whatever the summary.
 */
import { describe, expect, it } from 'vitest';
import {
  conditionalExpectedPurchases,
  probabilityAlive,
} from '#shared/customer-value/domain/bgnbd-predictions';
import { expectedAverageValue } from '#shared/customer-value/domain/gamma-gamma';
import { type ClvModel, fitClvModel, predictCustomerValue } from '#shared/customer-value/domain/predict';
import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import { sampler, simulateBgNbd } from './simulate';

/** Simulated daily shoppers: BG/NBD purchases, gamma-distributed order values. */
const shoppers = (customers: number, seed: number): PurchaseSummary[] => {
  const rows = simulateBgNbd({ r: 0.6, alpha: 40, a: 0.8, b: 3 }, customers, 30, 720, seed);
  const s = sampler(seed + 1);
  return rows.map(({ x, T, tx }) => ({
    unit: 'day' as const,
    x,
    // Whole days, as summaries of real orders have them.
    tx: Math.floor(tx),
    T: Math.floor(T),
    meanValue: x > 0 ? (s.gamma(5) * 60) / s.gamma(4) : null,
  }));
};

const edgeSummaries: PurchaseSummary[] = [
  { unit: 'day', x: 0, tx: 0, T: 0, meanValue: null },
  { unit: 'day', x: 0, tx: 0, T: 1e7, meanValue: null },
  { unit: 'day', x: 1, tx: 0, T: 0, meanValue: 10 },
  { unit: 'day', x: 3, tx: 200, T: 200, meanValue: 40 },
  { unit: 'day', x: 3, tx: 1, T: 1e6, meanValue: 40 },
  { unit: 'day', x: 20_000, tx: 20_000, T: 20_000, meanValue: 1e6 },
  { unit: 'day', x: 5, tx: 100, T: 365, meanValue: 0 },
  { unit: 'day', x: 5, tx: 100, T: 365, meanValue: null },
  { unit: 'week', x: 2, tx: 30.43, T: 38.86, meanValue: 22.35 },
];

describe('fitClvModel', () => {
  const summaries = shoppers(4000, 5);
  const model = fitClvModel(summaries);

  it('fits both parts on enough repeat buyers, in days by default, as plain JSON', () => {
    expect(model.unit).toBe('day');
    expect(model.bgnbd).not.toBeNull();
    expect(model.gammaGamma).not.toBeNull();
    expect(model.reason).toBeUndefined();
    expect(model.fittedOn.customers).toBe(4000);
    expect(model.fittedOn.repeatBuyers).toBe(summaries.filter((s) => s.x > 0).length);
    expect(model.diagnostics.bgnbdLogLikelihood).toBeLessThan(0);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('records a reason and fits nothing with too few repeat buyers', () => {
    const few = fitClvModel(summaries.slice(0, 400), { minRepeatBuyers: 1000 });
    expect(few.bgnbd).toBeNull();
    expect(few.gammaGamma).toBeNull();
    expect(few.reason).toMatch(/too few repeat buyers/);
    const oneTimers = fitClvModel(summaries.filter((s) => s.x === 0));
    expect(oneTimers.bgnbd).toBeNull();
    expect(oneTimers.reason).toContain('0 of');
  });

  it('keeps purchase predictions but records why the spend part is missing', () => {
    const noValues = fitClvModel(summaries.map((s) => ({ ...s, meanValue: s.x > 0 ? 0 : null })));
    expect(noValues.bgnbd).not.toBeNull();
    expect(noValues.gammaGamma).toBeNull();
    expect(noValues.reason).toMatch(/positive order value/);
    const prediction = predictCustomerValue(noValues, summaries[0] as PurchaseSummary);
    expect(prediction).toMatchObject({ ok: true, predictedValue: null, expectedOrderValue: null });
  });

  it('serves the no-drop-out limit, saying so, when nobody ever drops out (no refusal)', () => {
    const s = sampler(3);
    const steady: PurchaseSummary[] = Array.from({ length: 500 }, () => {
      const x = 1 + Math.floor(s.uniform() * 20);
      return { unit: 'day', x, tx: 365, T: 365, meanValue: 10 + 40 * s.uniform() };
    });
    const served = fitClvModel(steady);
    expect(served.bgnbd).toMatchObject({ a: 0, b: 1 });
    expect(served.boundary).toMatchObject({
      kind: 'no-dropout',
      note: expect.stringContaining('No drop-out'),
    });
    expect(served.reason).toBeUndefined();
    const prediction = predictCustomerValue(served, steady[0] as PurchaseSummary);
    expect(prediction).toMatchObject({ ok: true, pAlive: 1 });
    // What is still refused: data that cannot be fitted at all.
    expect(fitClvModel(steady.map((row) => ({ ...row, x: 0, tx: 0, meanValue: null }))).reason).toMatch(
      /too few repeat buyers/,
    );
    expect(fitClvModel(steady.map((row) => ({ ...row, tx: 0, T: 0 }))).reason).toMatch(/no observation time/);
  });

  it('skips invalid summaries and counts them', () => {
    const withBad = [...summaries, { unit: 'day' as const, x: 2, tx: 50, T: 10, meanValue: 5 }];
    expect(fitClvModel(withBad).fittedOn.invalidSummaries).toBe(1);
  });
});

describe('predictCustomerValue', () => {
  const model = fitClvModel(shoppers(4000, 5));
  const bgnbd = model.bgnbd as NonNullable<ClvModel['bgnbd']>;
  const gammaGamma = model.gammaGamma as NonNullable<ClvModel['gammaGamma']>;

  it('combines P(alive), eq. 10 over the horizon and the expected order value', () => {
    const summary: PurchaseSummary = { unit: 'day', x: 4, tx: 300, T: 400, meanValue: 55 };
    const prediction = predictCustomerValue(model, summary);
    if (!prediction.ok) throw new Error(prediction.reason);
    expect(prediction.horizonDays).toBe(90);
    expect(prediction.valueMonths).toBe(12);
    expect(prediction.pAlive).toBe(probabilityAlive(bgnbd, 4, 300, 400));
    expect(prediction.expectedOrders).toBe(conditionalExpectedPurchases(bgnbd, 90, 4, 300, 400));
    expect(prediction.expectedOrderValue).toBe(expectedAverageValue(gammaGamma, 4, 55));
    const yearOrders = conditionalExpectedPurchases(bgnbd, 365.25, 4, 300, 400);
    expect(prediction.predictedValue).toBeCloseTo(yearOrders * (prediction.expectedOrderValue as number), 9);
  });

  it('discounts: less value with a monthly rate, equal to the plain sum at rate 0', () => {
    const summary: PurchaseSummary = { unit: 'day', x: 4, tx: 300, T: 400, meanValue: 55 };
    const plain = predictCustomerValue(model, summary);
    const discounted = predictCustomerValue(model, summary, { monthlyDiscountRate: 0.01 });
    if (!plain.ok || !discounted.ok) throw new Error('prediction failed');
    expect(discounted.predictedValue as number).toBeLessThan(plain.predictedValue as number);
    // Orders spread over 12 months discounted at 1% to 12%: the total loses between 1% and 12%.
    expect(discounted.predictedValue as number).toBeGreaterThan(
      (plain.predictedValue as number) / 1.01 ** 12,
    );
  });

  it('gives the same answer for a summary in weeks as for the same one in days', () => {
    const days = predictCustomerValue(model, { unit: 'day', x: 2, tx: 213, T: 272, meanValue: 22 });
    const weeks = predictCustomerValue(model, { unit: 'week', x: 2, tx: 213 / 7, T: 272 / 7, meanValue: 22 });
    if (!days.ok || !weeks.ok) throw new Error('prediction failed');
    expect(weeks.expectedOrders).toBeCloseTo(days.expectedOrders, 12);
    expect(weeks.pAlive).toBeCloseTo(days.pAlive, 12);
  });

  it('is always finite on edge cases: brand new, decades idle, bought today, thousands of orders', () => {
    for (const summary of edgeSummaries) {
      for (const options of [
        {},
        { horizonDays: 0 },
        { horizonDays: 36_500, valueMonths: 1200, monthlyDiscountRate: 0.02 },
      ]) {
        const prediction = predictCustomerValue(model, summary, options);
        if (!prediction.ok) throw new Error(`${JSON.stringify(summary)}: ${prediction.reason}`);
        const numbers = [
          prediction.pAlive,
          prediction.expectedOrders,
          prediction.predictedValue,
          prediction.expectedOrderValue,
        ];
        for (const n of numbers) {
          expect(Number.isFinite(n)).toBe(true);
          expect(n as number).toBeGreaterThanOrEqual(0);
        }
        expect(prediction.pAlive).toBeLessThanOrEqual(1);
      }
    }
  });

  it('refuses, with a reason, what it cannot predict', () => {
    expect(predictCustomerValue(model, null)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no purchase'),
    });
    const bad = [
      { unit: 'day' as const, x: 2, tx: 50, T: 10, meanValue: 5 },
      { unit: 'day' as const, x: -1, tx: 0, T: 10, meanValue: null },
      { unit: 'day' as const, x: 1.5, tx: 1, T: 10, meanValue: 5 },
      { unit: 'day' as const, x: 1, tx: Number.NaN, T: 10, meanValue: 5 },
      { unit: 'day' as const, x: 1, tx: 1, T: Number.POSITIVE_INFINITY, meanValue: 5 },
    ];
    for (const summary of bad) {
      expect(predictCustomerValue(model, summary)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('invalid'),
      });
    }
    expect(
      predictCustomerValue(model, edgeSummaries[0] as PurchaseSummary, { horizonDays: -1 }),
    ).toMatchObject({
      ok: false,
    });
    expect(
      predictCustomerValue(model, edgeSummaries[0] as PurchaseSummary, { valueMonths: Number.NaN }),
    ).toMatchObject({
      ok: false,
    });
  });
});
