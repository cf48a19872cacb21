/**
 * Special functions against closed forms and identities only (factorials, Γ(1/2) = √π, the
 * reflection and duplication formulas, elementary cases of 2F1, Gauss's theorem at z = 1):
 * no value here comes from another implementation.
 */
import { describe, expect, it } from 'vitest';
import {
  digamma,
  gammaSign,
  hyp2f1,
  hyp2f1Series,
  logBeta,
  logGamma,
  logSumExp,
} from '#shared/customer-value/domain/special-functions';

const relative = (actual: number, expected: number): number =>
  Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);

/** Points spread over (0.001, 300), log-uniformly, fixed. */
const grid = Array.from({ length: 60 }, (_, i) => 0.001 * 300_000 ** (i / 59) * (1 + 0.37 * Math.sin(i)));

describe('logGamma', () => {
  it('equals ln((n − 1)!) at the integers', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 60; n++) {
      if (n > 1) logFactorial += Math.log(n - 1);
      const value = logGamma(n);
      if (logFactorial === 0) expect(value).toBe(0);
      else expect(relative(value, logFactorial)).toBeLessThan(1e-13);
    }
  });

  it('knows Γ(1/2) = √π and its half-integer neighbours', () => {
    const sqrtPi = Math.sqrt(Math.PI);
    expect(relative(logGamma(0.5), Math.log(sqrtPi))).toBeLessThan(1e-14);
    expect(relative(logGamma(1.5), Math.log(sqrtPi / 2))).toBeLessThan(1e-13);
    expect(relative(logGamma(4.5), Math.log((105 / 16) * sqrtPi))).toBeLessThan(1e-14);
    expect(relative(logGamma(-0.5), Math.log(2 * sqrtPi))).toBeLessThan(1e-14);
    expect(relative(logGamma(-1.5), Math.log((4 / 3) * sqrtPi))).toBeLessThan(1e-14);
  });

  it('satisfies the recurrence ln Γ(x+1) − ln Γ(x) = ln x to 1e-12 relative', () => {
    for (const x of grid) {
      const scale = Math.max(1, Math.abs(logGamma(x + 1)), Math.abs(logGamma(x)));
      expect(Math.abs(logGamma(x + 1) - logGamma(x) - Math.log(x)) / scale).toBeLessThan(1e-13);
    }
  });

  it('satisfies the duplication formula', () => {
    for (const x of grid) {
      const rhs = (2 * x - 1) * Math.LN2 - 0.5 * Math.log(Math.PI) + logGamma(x) + logGamma(x + 0.5);
      expect(Math.abs(logGamma(2 * x) - rhs) / Math.max(1, Math.abs(rhs))).toBeLessThan(1e-13);
    }
  });

  it('satisfies the reflection formula Γ(x)Γ(1 − x) = π / sin(πx)', () => {
    for (const x of [0.1, 0.2426, 0.5, 0.7929, -0.3, -2.7]) {
      const lhs = logGamma(x) + logGamma(1 - x);
      expect(Math.abs(lhs - Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))))).toBeLessThan(1e-13);
    }
  });

  it('matches Stirling’s series far out and 1/x near 0', () => {
    for (const x of [1e4, 1e6, 1e9]) {
      const stirling =
        (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
      expect(relative(logGamma(x), stirling)).toBeLessThan(1e-14);
    }
    // Γ(x) = 1/x − γ + O(x) as x → 0.
    expect(relative(logGamma(1e-10), -Math.log(1e-10) - 0.5772156649015329 * 1e-10)).toBeLessThan(1e-15);
  });

  it('is +Infinity at the poles and NaN for NaN', () => {
    expect(logGamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(logGamma(-3)).toBe(Number.POSITIVE_INFINITY);
    expect(logGamma(Number.NaN)).toBeNaN();
  });
});

describe('gammaSign, logBeta, logSumExp, digamma', () => {
  it('gives the sign of Γ between its poles', () => {
    expect(gammaSign(0.3)).toBe(1);
    expect(gammaSign(-0.5)).toBe(-1);
    expect(gammaSign(-1.5)).toBe(1);
    expect(gammaSign(-2.5)).toBe(-1);
    expect(gammaSign(-2)).toBeNaN();
  });

  it('knows B(a, 1) = 1/a, B(1/2, 1/2) = π and symmetry', () => {
    expect(relative(logBeta(3.7, 1), -Math.log(3.7))).toBeLessThan(1e-13);
    expect(relative(logBeta(0.5, 0.5), Math.log(Math.PI))).toBeLessThan(1e-14);
    expect(logBeta(0.79, 2.43)).toBeCloseTo(logBeta(2.43, 0.79), 14);
    expect(logBeta(0, 1)).toBeNaN();
  });

  it('adds in log space without overflow', () => {
    expect(logSumExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logSumExp(-1e6, 0)).toBe(0);
  });

  it('digamma: ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, the recurrence, and the derivative of ln Γ', () => {
    const eulerGamma = 0.5772156649015329;
    expect(relative(digamma(1), -eulerGamma)).toBeLessThan(1e-14);
    expect(relative(digamma(0.5), -eulerGamma - 2 * Math.LN2)).toBeLessThan(1e-14);
    for (const x of grid) {
      expect(Math.abs(digamma(x + 1) - digamma(x) - 1 / x) / Math.max(1, 1 / x)).toBeLessThan(1e-13);
      const h = 1e-5 * Math.max(x, 1e-3);
      const numeric = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      if (x > 0.01) expect(relative(digamma(x), numeric)).toBeLessThan(1e-6);
    }
  });
});

describe('hyp2f1', () => {
  const zs = [-20, -3, -0.5, 0, 0.3, 0.7, 0.9, 0.95, 0.99, 0.999, 0.999999];

  it('2F1(1, 1; 2; z) = −ln(1 − z)/z, including z near 1 where c − a − b = 0', () => {
    for (const z of zs.filter((z) => z !== 0)) {
      expect(relative(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-8);
    }
  });

  it('2F1(a, b; b; z) = (1 − z)^−a', () => {
    for (const z of zs) {
      for (const a of [0.2426, 1.7, 3.2]) {
        expect(relative(hyp2f1(a, 2.4258, 2.4258, z), (1 - z) ** -a)).toBeLessThan(1e-12);
      }
    }
  });

  it('2F1(1/2, 1/2; 3/2; z²) = arcsin(z)/z and 2F1(1/2, 1; 3/2; −z²) = arctan(z)/z', () => {
    for (const z of [0.1, 0.5, 0.9, 0.97, 0.9995]) {
      expect(relative(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z)).toBeLessThan(1e-8);
    }
    for (const z of [0.1, 1, 3, 30]) {
      expect(relative(hyp2f1(0.5, 1, 1.5, -z * z), Math.atan(z) / z)).toBeLessThan(1e-12);
    }
  });

  it('is a polynomial when a is a non-positive integer', () => {
    const [b, c, z] = [2.5, 3.25, 0.97];
    const expected = 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1));
    expect(relative(hyp2f1(-2, b, c, z), expected)).toBeLessThan(1e-14);
  });

  it('meets Gauss’s theorem at z = 1 and tends to it from below', () => {
    const [a, b, c] = [0.3, 0.8, 2.6];
    const gauss = Math.exp(logGamma(c) + logGamma(c - a - b) - logGamma(c - a) - logGamma(c - b));
    expect(relative(hyp2f1(a, b, c, 1), gauss)).toBeLessThan(1e-13);
    expect(relative(hyp2f1(a, b, c, 1 - 1e-9), gauss)).toBeLessThan(1e-6);
  });

  it('satisfies Euler’s transformation across the series and connection-formula regions', () => {
    const cases = [
      [0.2426, 2.4258, 2.2187],
      [2.2426, 4.4258, 4.2187],
      [0.7, 1.3, 0.6],
    ] as const;
    for (const [a, b, c] of cases) {
      for (const z of [0.5, 0.93, 0.99, 0.9999]) {
        const euler = (1 - z) ** (c - a - b) * hyp2f1(c - a, c - b, c, z);
        expect(relative(hyp2f1(a, b, c, z), euler)).toBeLessThan(1e-10);
      }
    }
  });

  it('agrees with its own long series where both converge (z = 0.95, 0.99)', () => {
    for (const z of [0.95, 0.99]) {
      const series = hyp2f1Series(0.37, 1.9, 2.8, z, 1_000_000);
      expect(series.converged).toBe(true);
      expect(relative(hyp2f1(0.37, 1.9, 2.8, z), series.value)).toBeLessThan(1e-12);
    }
  });

  it('guards the series: reports non-convergence instead of a wrong sum, NaN where undefined', () => {
    const slow = hyp2f1Series(1, 1, 2, 0.99999, 1000);
    expect(slow.converged).toBe(false);
    expect(hyp2f1(1, 1, -2, 0.5)).toBeNaN();
    expect(hyp2f1(1, 1, 2, 1.5)).toBeNaN();
    expect(hyp2f1(1, 1, 2, 1)).toBeNaN(); // diverges at z = 1 (c − a − b = 0)
  });
});
