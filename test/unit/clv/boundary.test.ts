/**
 * Boundary fits: a shop whose data show no drop-out (a short history, a growing shop) puts the
 * BG/NBD's maximum at a → 0, where the model is the NBD. The fit serves that limit, marked as a
 * boundary fit with a note, instead of refusing the shop; other parameters that run away are
 * held at the edge of the searched range. Checked on seeded data drawn from the limiting models
 * themselves, so the truth is known, through the fit, the stored model and the lookup.
 */
import { describe, expect, it } from 'vitest';
import { meanDropout } from '#shared/customer-value/domain/bgnbd';
import { fitBgNbd } from '#shared/customer-value/domain/bgnbd-fit';
import { bgNbdLogLikelihood } from '#shared/customer-value/domain/bgnbd-likelihood';
import {
  conditionalExpectedPurchases,
  expectedPurchases,
  probabilityAlive,
} from '#shared/customer-value/domain/bgnbd-predictions';
import { fitStoredClv, forecastFor, forecastSentence } from '#shared/customer-value/domain/forecast';
import { type ClvModel, predictCustomerValue } from '#shared/customer-value/domain/predict';
import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import { sampler, simulateBgNbd, simulateNbd } from './simulate';

const relative = (actual: number, expected: number): number =>
  Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);

describe('a shop with no drop-out: the fit serves the NBD limit', () => {
  // Daily shoppers who never lapse: rates Gamma(0.7, 50 days), observed 30 days to a year.
  const truth = { r: 0.7, alpha: 50, a: 0, b: 1 };
  const horizon = 90;
  const simulated = simulateNbd(truth, 6000, 30, 365, horizon, 20_110_301);
  const rows = simulated.map(({ x, tx, T }) => ({ x, tx, T }));
  const fit = fitBgNbd(rows);
  if (!fit.ok) throw new Error(fit.reason);

  it('returns a model, not a refusal, marked as the no-drop-out boundary with a plain note', () => {
    expect(fit.boundary).toEqual({
      kind: 'no-dropout',
      atLimit: ['a'],
      note: expect.stringContaining('P(alive) = 1'),
    });
    expect(fit.boundary?.note).toMatch(/No drop-out seen yet/);
    expect(fit.params.a).toBe(0);
    expect(meanDropout(fit.params)).toBe(0);
    expect(relative(fit.params.r, truth.r)).toBeLessThan(0.1);
    expect(relative(fit.params.alpha, truth.alpha)).toBeLessThan(0.1);
  });

  it('is the NBD maximum, and drop-out does not earn its two parameters (Akaike: less than 2 in log-likelihood)', () => {
    expect(fit.logLikelihood).toBeCloseTo(bgNbdLogLikelihood(fit.params, rows), 6);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(truth, rows));
    // A BG/NBD searched without limits creeps towards a → 0 for a sliver of likelihood (noise).
    const climbing = fitBgNbd(rows, { minMeanDropout: 0, maxLogParam: 40, limitLogParam: 40 });
    if (!climbing.ok) throw new Error(climbing.reason);
    expect(climbing.logLikelihood - fit.logLikelihood).toBeLessThan(2);
    for (const b of [0.5, 3, 1000]) {
      for (const a of [1e-1, 1e-3, 1e-6]) {
        expect(bgNbdLogLikelihood({ ...fit.params, a, b }, rows) - fit.logLikelihood).toBeLessThan(2);
      }
    }
  });

  it('predicts finite orders with P(alive) = 1, the NBD closed form, close to what the simulated shoppers did', () => {
    let predicted = 0;
    let expectedByTruth = 0;
    let actual = 0;
    for (const row of simulated) {
      expect(probabilityAlive(fit.params, row.x, row.tx, row.T)).toBe(1);
      const e = conditionalExpectedPurchases(fit.params, horizon, row.x, row.tx, row.T);
      expect(Number.isFinite(e)).toBe(true);
      expect(e).toBeCloseTo(((fit.params.r + row.x) / (fit.params.alpha + row.T)) * horizon, 10);
      predicted += e;
      expectedByTruth += ((truth.r + row.x) / (truth.alpha + row.T)) * horizon;
      actual += row.future;
    }
    // The truth's own expectation, and the simulated future (which carries Poisson noise).
    expect(relative(predicted, expectedByTruth)).toBeLessThan(0.03);
    expect(relative(predicted, actual)).toBeLessThan(0.05);
    // Per calibration frequency too: nobody lapses, so heavy buyers keep buying.
    for (const [lo, hi] of [
      [0, 0],
      [1, 2],
      [3, 6],
      [7, Number.POSITIVE_INFINITY],
    ] as const) {
      const group = simulated.filter((row) => row.x >= lo && row.x <= hi);
      const mean = (f: (row: (typeof group)[number]) => number) =>
        group.reduce((sum, row) => sum + f(row), 0) / group.length;
      const model = mean((row) => conditionalExpectedPurchases(fit.params, horizon, row.x, row.tx, row.T));
      const byTruth = mean((row) => ((truth.r + row.x) / (truth.alpha + row.T)) * horizon);
      expect(relative(model, byTruth), `x in [${lo}, ${hi}]`).toBeLessThan(0.06);
    }
  });

  it('is the limit of the BG/NBD as a → 0: a tiny a predicts the same', () => {
    const near = { ...fit.params, a: 1e-9 };
    for (const row of rows.slice(0, 200)) {
      expect(probabilityAlive(near, row.x, row.tx, row.T)).toBeCloseTo(1, 6);
      const limit = conditionalExpectedPurchases(fit.params, horizon, row.x, row.tx, row.T);
      expect(relative(conditionalExpectedPurchases(near, horizon, row.x, row.tx, row.T), limit)).toBeLessThan(
        1e-6,
      );
    }
    expect(expectedPurchases(fit.params, 30)).toBeCloseTo((fit.params.r * 30) / fit.params.alpha, 12);
    expect(relative(expectedPurchases(near, 30), expectedPurchases(fit.params, 30))).toBeLessThan(1e-6);
  });
});

describe('other parameters at their limit are held at the edge, not refused', () => {
  it('the same drop-out chance for everyone (a, b → ∞): a parameter-limit fit with that chance', () => {
    const rows = simulateBgNbd({ r: 0.5, alpha: 10, a: 1e6 * 0.1, b: 1e6 * 0.9 }, 3000, 100, 300, 8);
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.boundary?.kind).toBe('parameter-limit');
    expect(fit.boundary?.atLimit).toEqual(expect.arrayContaining(['a', 'b']));
    expect(fit.boundary?.note).toMatch(/chance of dropping out barely differs/);
    expect(relative(meanDropout(fit.params), 0.1)).toBeLessThan(0.15);
    expect(relative(fit.params.r, 0.5)).toBeLessThan(0.1);
    for (const row of rows.slice(0, 500)) {
      expect(Number.isFinite(conditionalExpectedPurchases(fit.params, 52, row.x, row.tx, row.T))).toBe(true);
    }
  });

  it('the same purchase rate for everyone (r, α → ∞) with drop-out: held at the edge, drop-out still fitted', () => {
    const rows = simulateBgNbd({ r: 1e6, alpha: 1e6 / 0.05, a: 0.8, b: 2.5 }, 3000, 100, 300, 7);
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.boundary).toMatchObject({ kind: 'parameter-limit', atLimit: ['r', 'alpha'] });
    expect(fit.boundary?.note).toMatch(/purchase rates barely differ/);
    expect(relative(fit.params.r / fit.params.alpha, 0.05)).toBeLessThan(0.05);
    expect(relative(fit.params.a, 0.8)).toBeLessThan(0.2);
    expect(relative(fit.params.b, 2.5)).toBeLessThan(0.2);
  });
});

describe('the stored model and the lookup on a shop with no drop-out', () => {
  const values = sampler(5);
  const summaries: PurchaseSummary[] = simulateNbd({ r: 0.7, alpha: 50 }, 3000, 30, 365, 0, 17).map(
    ({ x, tx, T }) => ({
      unit: 'day',
      x,
      tx: Math.floor(tx),
      T: Math.ceil(T),
      meanValue: x > 0 ? (values.gamma(5) * 60) / values.gamma(4) : null,
    }),
  );
  const clv = fitStoredClv(summaries, {}, 42);

  it('stores a usable model that says it is a boundary fit, as plain JSON', () => {
    const model = clv.model;
    expect(model.bgnbd).toMatchObject({ a: 0, b: 1 });
    expect(model.boundary?.kind).toBe('no-dropout');
    expect(model.gammaGamma).not.toBeNull();
    expect(model.reason).toBeUndefined();
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(JSON.stringify(model)).not.toMatch(/NaN|Infinity/);
  });

  it('forecasts every buyer with P(alive) = 1, the note, and nobody "likely to lapse"', () => {
    for (const summary of summaries) {
      const prediction = predictCustomerValue(clv.model, summary);
      if (!prediction.ok) throw new Error(prediction.reason);
      expect(prediction.pAlive).toBe(1);
      const forecast = forecastFor(clv, summary, 'EUR');
      expect(forecast.pAlive).toBe(1);
      expect(Number.isFinite(forecast.expectedOrders)).toBe(true);
      expect(Number.isFinite(forecast.predictedValue)).toBe(true);
      expect(forecast.reason).toBeNull();
      expect(forecast.note).toMatch(/No drop-out seen yet/);
      expect(forecast.outlook ?? '').not.toContain('likely to lapse');
    }
    // The top fifth by value is still flagged.
    const high = summaries.filter(
      (s) => forecastFor(clv, s, 'EUR').outlook === 'high predicted value',
    ).length;
    expect(high / summaries.length).toBeGreaterThan(0.1);
  });

  it('never describes a segment as likely to lapse under the no-drop-out limit', () => {
    const lapsing = { pAlive: 0.3, expectedOrders: 0.1, predictedValue: null };
    expect(forecastSentence(clv, lapsing, 'EUR')).toBeNull();
    const interior = fitStoredClv(
      simulateBgNbd({ r: 0.24, alpha: 30.9, a: 0.79, b: 2.43 }, 3000, 30, 365, 11).map((row) => ({
        unit: 'day' as const,
        ...row,
        meanValue: row.x > 0 ? 20 : null,
      })),
      {},
      42,
    );
    expect(interior.model.boundary).toBeUndefined();
    expect(forecastSentence(interior, lapsing, 'EUR')).toMatch(/Likely to lapse/);
  });

  it('reads models stored before boundary fits (no `boundary` field) as the BG/NBD proper', () => {
    const stored: ClvModel = JSON.parse(
      '{"unit":"day","bgnbd":{"r":0.25,"alpha":33.4,"a":0.75,"b":2.2},"gammaGamma":{"p":6.3,"q":3.6,"v":15},"fittedOn":{"customers":100,"repeatBuyers":40,"valuedRepeatBuyers":40,"invalidSummaries":0},"diagnostics":{"bgnbdLogLikelihood":-1000,"gammaGammaLogLikelihood":-500,"iterations":50}}',
    );
    const old = { config: clv.config, model: stored, highValueFrom: null };
    const lapsed: PurchaseSummary = { unit: 'day', x: 4, tx: 20, T: 400, meanValue: 30 };
    const forecast = forecastFor(old, lapsed, 'USD');
    expect(forecast.note).toBeNull();
    expect(forecast.pAlive).toBeLessThan(0.5);
    expect(forecast.outlook).toBe('likely to lapse');
  });
});
