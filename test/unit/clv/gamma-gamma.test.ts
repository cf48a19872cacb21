/**
 * Gamma-Gamma spend model: the likelihood is a proper density of the mean order value,
 * its gradient is right, the fit recovers simulated parameters (seeded), the conditional
 * expected value behaves as the weighted mean it is, and bad input gives a reason.
 */
import { describe, expect, it } from 'vitest';
import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaLogLikelihoodWithGradient,
} from '#shared/customer-value/domain/gamma-gamma';
import { integrateUnit, simulateGammaGamma } from './simulate';

const relative = (actual: number, expected: number): number =>
  Math.abs(actual - expected) / Math.abs(expected);

describe('Gamma-Gamma likelihood', () => {
  const params = { p: 6.25, q: 3.74, v: 15.44 };

  it('is a density of the mean value: integrates to 1 over m for each x', () => {
    for (const x of [1, 3, 12]) {
      // m = u/(1 − u) maps (0, 1) onto (0, ∞); dm = du/(1 − u)².
      const total = integrateUnit(
        (u, w) => Math.exp(gammaGammaLogLikelihood(params, [{ x, meanValue: u / w }])) / (w * w),
      );
      expect(total).toBeCloseTo(1, 8);
    }
  });

  it('has the gradient its finite differences say', () => {
    const rows = [
      { x: 1, meanValue: 20 },
      { x: 4, meanValue: 35.5 },
      { x: 4, meanValue: 12 },
      { x: 9, meanValue: 50 },
    ];
    const { gradient } = gammaGammaLogLikelihoodWithGradient(params, rows);
    const theta = [params.p, params.q, params.v].map(Math.log);
    const at = (th: number[]) =>
      gammaGammaLogLikelihood(
        { p: Math.exp(th[0] as number), q: Math.exp(th[1] as number), v: Math.exp(th[2] as number) },
        rows,
      );
    theta.forEach((_, i) => {
      const up = theta.slice();
      const down = theta.slice();
      up[i] = (up[i] as number) + 1e-6;
      down[i] = (down[i] as number) - 1e-6;
      const numeric = (at(up) - at(down)) / 2e-6;
      expect(Math.abs((gradient[i] as number) - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    });
  });
});

describe('fitGammaGamma', () => {
  const truth = { p: 6, q: 4, v: 15 };

  it('recovers simulated parameters (5,000 repeat buyers)', () => {
    const rows = simulateGammaGamma(truth, 5000, [1, 1, 1, 2, 2, 3, 4, 6, 10], 7);
    const fit = fitGammaGamma(rows);
    if (!fit.ok) throw new Error(fit.reason);
    // p and γ trade off along a ridge (their ratio sets the scale): 20% each is what 5,000
    // buyers pin down; q and the population mean γp/(q − 1) are much tighter.
    expect(relative(fit.params.p, truth.p)).toBeLessThan(0.3);
    expect(relative(fit.params.v, truth.v)).toBeLessThan(0.3);
    expect(relative(fit.params.q, truth.q)).toBeLessThan(0.1);
    const populationMean = ({ p, q, v }: typeof truth) => (v * p) / (q - 1);
    expect(relative(populationMean(fit.params), populationMean(truth))).toBeLessThan(0.05);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(truth, rows));
  });

  it('does not depend on the currency unit: values in cents scale γ by 100', () => {
    const rows = simulateGammaGamma(truth, 1000, [1, 2, 5], 3);
    const dollars = fitGammaGamma(rows);
    const cents = fitGammaGamma(rows.map((row) => ({ ...row, meanValue: row.meanValue * 100 })));
    if (!dollars.ok || !cents.ok) throw new Error('fit failed');
    expect(relative(cents.params.p, dollars.params.p)).toBeLessThan(1e-4);
    expect(relative(cents.params.q, dollars.params.q)).toBeLessThan(1e-4);
    expect(relative(cents.params.v, 100 * dollars.params.v)).toBeLessThan(1e-4);
  });

  it('reports why it cannot fit: no rows, zero values, spend too heavy-tailed for a mean (q <= 1)', () => {
    expect(fitGammaGamma([])).toEqual({ ok: false, reason: expect.stringContaining('no repeat buyers') });
    expect(fitGammaGamma([{ x: 2, meanValue: 0 }])).toEqual({
      ok: false,
      reason: expect.stringContaining('invalid row 0'),
    });
    const heavy = fitGammaGamma(simulateGammaGamma({ p: 3, q: 0.6, v: 10 }, 2000, [1, 2, 3, 5], 9));
    expect(heavy).toEqual({ ok: false, reason: expect.stringContaining('q =') });
  });
});

describe('expectedAverageValue', () => {
  const params = { p: 6.25, q: 3.74, v: 15.44 };
  const populationMean = (params.v * params.p) / (params.q - 1);

  it('is the population mean without repeat purchases, and moves towards the own mean with x', () => {
    expect(expectedAverageValue(params, 0, null)).toBeCloseTo(populationMean, 12);
    expect(expectedAverageValue(params, 0, 99)).toBeCloseTo(populationMean, 12);
    let previousGap = Number.POSITIVE_INFINITY;
    for (const x of [1, 2, 5, 20, 1000]) {
      const value = expectedAverageValue(params, x, 100);
      // A weighted mean of the population mean and the customer's own mean.
      const weight = (params.p * x) / (params.p * x + params.q - 1);
      expect(value).toBeCloseTo((1 - weight) * populationMean + weight * 100, 10);
      expect(Math.abs(value - 100)).toBeLessThan(previousGap);
      previousGap = Math.abs(value - 100);
    }
  });

  it('is NaN, not a wrong number, for invalid input', () => {
    expect(expectedAverageValue({ ...params, q: 0.9 }, 0, null)).toBeNaN();
    expect(expectedAverageValue(params, -1, 10)).toBeNaN();
  });
});
