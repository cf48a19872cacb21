/**
 * BG/NBD: the closed forms (eqs. 7, 10, 11) against independent routes to the same numbers
 * (numerical integration over the Beta-distributed drop-out probability, the literal 2F1
 * formula, the likelihood written without logs), the fit on data simulated from known
 * parameters (seeded), the data it must refuse, and the boundary it serves instead of refusing
 * a shop whose data show no drop-out (more in boundary.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { BgNbdParams } from '#shared/customer-value/domain/bgnbd';
import { fitBgNbd } from '#shared/customer-value/domain/bgnbd-fit';
import {
  bgNbdLogLikelihood,
  bgNbdLogLikelihoodWithGradient,
} from '#shared/customer-value/domain/bgnbd-likelihood';
import {
  conditionalExpectedPurchases,
  conditionalExpectedPurchasesLiteral,
  expectedPurchases,
  probabilityAlive,
} from '#shared/customer-value/domain/bgnbd-predictions';
import { logBeta, logGamma } from '#shared/customer-value/domain/special-functions';
import { integrateUnit, sampler, simulateBgNbd } from './simulate';

const relative = (actual: number, expected: number): number =>
  Math.abs(actual - expected) / Math.abs(expected);

/**
 * E[X(t)] = E_p[(1 − (α/(α + p t))^r) / p] with p ~ Beta(a, b): given λ and p the expected
 * count is (1 − e^(−λpt))/p, and averaging e^(−λpt) over λ ~ Gamma(r, α) gives (α/(α+pt))^r.
 */
const expectedByIntegration = ({ r, alpha, a, b }: BgNbdParams, t: number): number => {
  const logNorm = logBeta(a, b);
  return integrateUnit((p, q) => {
    const count = -Math.expm1(-r * Math.log1p((p * t) / alpha)) / p;
    return count * Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log(q) - logNorm);
  });
};

const paramSets: BgNbdParams[] = [
  { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 },
  { r: 0.5, alpha: 30, a: 1, b: 3 },
  { r: 2, alpha: 1, a: 3, b: 0.4 },
  { r: 1.2, alpha: 0.5, a: 0.2, b: 0.3 },
  { r: 0.3, alpha: 0.01, a: 0.5, b: 1.5 },
];

describe('BG/NBD closed forms', () => {
  it('E[X(t)] (eq. 7) equals the integral over the drop-out probability, a < 1, a = 1 and a > 1', () => {
    for (const params of paramSets) {
      for (const t of [0.5, 39, 365]) {
        expect(relative(expectedPurchases(params, t), expectedByIntegration(params, t))).toBeLessThan(1e-7);
      }
    }
  });

  it('E[X(t)] is 0 at t = 0, increasing in t, and continuous through a = 1', () => {
    const params = { r: 0.5, alpha: 30, a: 1, b: 3 };
    expect(expectedPurchases(params, 0)).toBe(0);
    let previous = 0;
    for (const t of [1, 10, 100, 1000, 1e5, 1e8]) {
      const value = expectedPurchases(params, t);
      expect(value).toBeGreaterThan(previous);
      expect(Number.isFinite(value)).toBe(true);
      previous = value;
    }
    const below = expectedPurchases({ ...params, a: 1 - 1e-9 }, 365);
    const above = expectedPurchases({ ...params, a: 1 + 1e-9 }, 365);
    expect(relative(below, expectedPurchases(params, 365))).toBeLessThan(1e-7);
    expect(relative(above, expectedPurchases(params, 365))).toBeLessThan(1e-7);
  });

  it('conditional expectation (eq. 10) equals the paper’s literal formula and P(alive) × the posterior integral', () => {
    const params = paramSets[0] as BgNbdParams;
    const customers = [
      { x: 0, tx: 0, T: 38.86 },
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 7, tx: 12, T: 70 },
      { x: 25, tx: 77.9, T: 78 },
    ];
    for (const { x, tx, T } of customers) {
      for (const t of [1, 39, 200]) {
        const value = conditionalExpectedPurchases(params, t, x, tx, T);
        expect(relative(value, conditionalExpectedPurchasesLiteral(params, t, x, tx, T))).toBeLessThan(1e-9);
        const posterior = { r: params.r + x, alpha: params.alpha + T, a: params.a, b: params.b + x };
        const integral = probabilityAlive(params, x, tx, T) * expectedByIntegration(posterior, t);
        expect(relative(value, integral)).toBeLessThan(1e-7);
      }
    }
  });

  it('P(alive) (eq. 11): 1 without repeat purchases, falls as the last purchase recedes, in (0, 1]', () => {
    const params = paramSets[0] as BgNbdParams;
    expect(probabilityAlive(params, 0, 0, 38.86)).toBe(1);
    let previous = 1;
    for (const tx of [38, 30, 20, 10, 1]) {
      const p = probabilityAlive(params, 5, tx, 38.86);
      expect(p).toBeLessThan(previous);
      expect(p).toBeGreaterThan(0);
      previous = p;
    }
    // Buying on the last day: (α+T)/(α+tx) = 1, so P = 1/(1 + a/(b+x−1)).
    expect(probabilityAlive(params, 3, 38.86, 38.86)).toBeCloseTo(1 / (1 + params.a / (params.b + 2)), 14);
  });

  it('stays finite where a naive evaluation overflows: thousands of repeat purchases, decades observed', () => {
    const params = { r: 0.24, alpha: 4.4 * 7, a: 0.79, b: 2.43 };
    const cases = [
      { x: 5000, tx: 5000, T: 5000, t: 365 },
      { x: 5000, tx: 10, T: 5000, t: 365 },
      { x: 50_000, tx: 50_000, T: 50_000, t: 50_000 },
      { x: 0, tx: 0, T: 1e7, t: 90 },
      { x: 1, tx: 0, T: 0, t: 90 },
      { x: 3, tx: 1e7, T: 1e7, t: 1e7 },
    ];
    for (const { x, tx, T, t } of cases) {
      const value = conditionalExpectedPurchases(params, t, x, tx, T);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(probabilityAlive(params, x, tx, T))).toBe(true);
    }
    // The literal formula's 2F1 overflows there (terms near e^(50000·ln 2)); the implementation does not.
    expect(Number.isFinite(conditionalExpectedPurchasesLiteral(params, 50_000, 50_000, 50_000, 50_000))).toBe(
      false,
    );
  });

  it('E[X(t)] holds at the edge of the parameter range boundary fits reach: a, b or r in the hundreds to millions', () => {
    // Where the series cancel, the implementation averages over the drop-out probability itself;
    // the reference here is an independent rule: tanh-sinh over p, or Simpson's rule across the
    // peak of a narrow Beta (both a and b large).
    const reference = (params: BgNbdParams, t: number): number => {
      const { r, alpha, a, b } = params;
      if (Math.min(a, b) < 50) return expectedByIntegration(params, t);
      const mean = a / (a + b);
      const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
      const from = Math.max(0, mean - 14 * sd);
      const to = Math.min(1, mean + 14 * sd);
      const n = 20_000;
      const h = (to - from) / n;
      let weighted = 0;
      let total = 0;
      for (let i = 0; i <= n; i++) {
        const p = from + i * h;
        const w =
          (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) *
          Math.exp(
            (a - 1) * Math.log(p) +
              (b - 1) * Math.log1p(-p) -
              (a - 1) * Math.log(mean) -
              (b - 1) * Math.log1p(-mean),
          );
        weighted += (w * -Math.expm1(-r * Math.log1p((p * t) / alpha))) / p;
        total += w;
      }
      return weighted / total;
    };
    for (const [a, b] of [
      [300, 1],
      [1e4, 2.5],
      [1e3, 1e3],
      [1e5, 9e5],
      [0.8, 1e4],
    ] as const) {
      for (const [r, alpha] of [
        [0.5, 10],
        [1e4, 2e5],
      ] as const) {
        for (const t of [1, 52, 365]) {
          const params = { r, alpha, a, b };
          const value = expectedPurchases(params, t);
          expect(relative(value, reference(params, t)), JSON.stringify({ ...params, t })).toBeLessThan(1e-6);
          const conditional = conditionalExpectedPurchases(params, t, 5, 40, 60);
          expect(Number.isFinite(conditional) && conditional >= 0).toBe(true);
        }
      }
    }
  });

  it('returns NaN (never a wrong number) for invalid input', () => {
    const params = paramSets[0] as BgNbdParams;
    expect(probabilityAlive(params, 2, 40, 38)).toBeNaN();
    expect(conditionalExpectedPurchases(params, -1, 0, 0, 10)).toBeNaN();
    expect(expectedPurchases({ ...params, r: 0 }, 10)).toBeNaN();
  });
});

describe('BG/NBD likelihood', () => {
  const params = { r: 0.4, alpha: 5, a: 0.9, b: 2.1 };
  const rows = [
    { x: 0, tx: 0, T: 30 },
    { x: 1, tx: 4.5, T: 20 },
    { x: 4, tx: 18, T: 25 },
    { x: 4, tx: 18, T: 25 },
    { x: 9, tx: 35, T: 52 },
  ];

  it('equals eq. 6 written out without logs', () => {
    const { r, alpha, a, b } = params;
    let expected = 0;
    for (const { x, tx, T } of rows) {
      const common = Math.exp(
        logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + logBeta(a, b + x) - logBeta(a, b),
      );
      const alive = (alpha + T) ** -(r + x);
      const dropped = x > 0 ? (a / (b + x - 1)) * (alpha + tx) ** -(r + x) : 0;
      expected += Math.log(common * (alive + dropped));
    }
    expect(relative(bgNbdLogLikelihood(params, rows), expected)).toBeLessThan(1e-13);
  });

  it('has the gradient its finite differences say', () => {
    const { gradient } = bgNbdLogLikelihoodWithGradient(params, rows);
    const theta = [params.r, params.alpha, params.a, params.b].map(Math.log);
    const at = (th: number[]) =>
      bgNbdLogLikelihood(
        {
          r: Math.exp(th[0] as number),
          alpha: Math.exp(th[1] as number),
          a: Math.exp(th[2] as number),
          b: Math.exp(th[3] as number),
        },
        rows,
      );
    theta.forEach((_, i) => {
      const h = 1e-6;
      const up = theta.slice();
      const down = theta.slice();
      up[i] = (up[i] as number) + h;
      down[i] = (down[i] as number) - h;
      const numeric = (at(up) - at(down)) / (2 * h);
      expect(Math.abs((gradient[i] as number) - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    });
  });
});

describe('fitBgNbd', () => {
  const truth = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 };
  const rows = simulateBgNbd(truth, 10_000, 26, 78, 20_240_601);

  it('recovers the parameters of simulated customers (10,000, observed 26–78 weeks)', () => {
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new Error(fit.reason);
    // r and α are pinned down by 10,000 purchase histories to a few percent; a and b (the
    // drop-out process) only through the repeat buyers' gaps, to some 10–20%.
    expect(relative(fit.params.r, truth.r)).toBeLessThan(0.1);
    expect(relative(fit.params.alpha, truth.alpha)).toBeLessThan(0.1);
    expect(relative(fit.params.a, truth.a)).toBeLessThan(0.3);
    expect(relative(fit.params.b, truth.b)).toBeLessThan(0.3);
    // A maximum: at least as likely as the truth, and what it predicts matches the truth's.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(truth, rows));
    expect(fit.logLikelihood).toBeCloseTo(bgNbdLogLikelihood(fit.params, rows), 6);
    for (const t of [13, 52]) {
      expect(relative(expectedPurchases(fit.params, t), expectedPurchases(truth, t))).toBeLessThan(0.05);
    }
  });

  it('does not depend on the time unit: days give the same r, a, b, α × 7 and LL − ln 7 · Σx', () => {
    const weeks = fitBgNbd(rows.slice(0, 3000));
    const days = fitBgNbd(rows.slice(0, 3000).map((row) => ({ ...row, tx: row.tx * 7, T: row.T * 7 })));
    if (!weeks.ok || !days.ok) throw new Error('fit failed');
    expect(relative(days.params.r, weeks.params.r)).toBeLessThan(1e-4);
    expect(relative(days.params.alpha, 7 * weeks.params.alpha)).toBeLessThan(1e-4);
    expect(relative(days.params.a, weeks.params.a)).toBeLessThan(1e-4);
    expect(relative(days.params.b, weeks.params.b)).toBeLessThan(1e-4);
    const totalX = rows.slice(0, 3000).reduce((sum, row) => sum + row.x, 0);
    expect(days.logLikelihood).toBeCloseTo(weeks.logLikelihood - Math.log(7) * totalX, 5);
  });

  it('reports why it cannot fit: no rows, invalid rows, no repeat purchases', () => {
    const empty = fitBgNbd([]);
    expect(empty).toEqual({ ok: false, reason: expect.stringContaining('no customers') });
    const invalid = fitBgNbd([{ x: 1, tx: 5, T: 3 }]);
    expect(invalid).toEqual({ ok: false, reason: expect.stringContaining('invalid row 0') });
    const none = fitBgNbd(Array.from({ length: 100 }, () => ({ x: 0, tx: 0, T: 30 })));
    expect(none).toEqual({ ok: false, reason: expect.stringContaining('no repeat purchases') });
  });

  it('serves the no-drop-out limit instead of refusing or returning absurd parameters (no one ever drops out)', () => {
    // Pure Poisson buyers with gamma-distributed rates: the likelihood keeps rising as a → 0.
    const s = sampler(11);
    const poisson = Array.from({ length: 3000 }, () => {
      const T = 52;
      const lambda = s.gamma(2) / 10;
      let t = 0;
      let x = 0;
      let tx = 0;
      for (;;) {
        t += s.exponential(lambda);
        if (t > T) break;
        x++;
        tx = t;
      }
      return { x, tx, T };
    });
    const fit = fitBgNbd(poisson);
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.boundary).toMatchObject({ kind: 'no-dropout', atLimit: ['a'] });
    expect(fit.params).toMatchObject({ a: 0, b: 1 });
    // The NBD recovers the rates' Gamma(2, 10).
    expect(relative(fit.params.r, 2)).toBeLessThan(0.15);
    expect(relative(fit.params.alpha, 10)).toBeLessThan(0.15);
    // The refusal's old cause, a BG/NBD that climbs towards a → 0, gains less than Akaike's 2.
    const unconstrained = fitBgNbd(poisson, { minMeanDropout: 0, maxLogParam: 40, limitLogParam: 40 });
    if (!unconstrained.ok) throw new Error(unconstrained.reason);
    expect(unconstrained.logLikelihood - fit.logLikelihood).toBeLessThan(2);
  });
});
