/**
 * The lift report's distributions (shared/activation/domain/distributions.ts) against @stdlib's,
 * the well-kept library they stand in for (too large for the function bundles): CDFs, tails and
 * quantiles over the ranges a report meets, far tails included.
 */
import stdNormalCdf from '@stdlib/stats-base-dists-normal-cdf';
import stdNormalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import stdTCdf from '@stdlib/stats-base-dists-t-cdf';
import stdTQuantile from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import {
  logGamma,
  normalCdf,
  normalQuantile,
  tCdf,
  tQuantile,
} from '#shared/activation/domain/distributions';

/** Equal to `tolerance` relative to the larger value (absolute near 0). */
const close = (actual: number, expected: number, tolerance: number, absolute = 1e-300) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + absolute);

const XS = Array.from({ length: 161 }, (_, i) => -40 + i * 0.5);
const DFS = [1, 1.5, 2, 3, 4.7, 10, 29, 30.2, 100, 1_000, 12_345.6, 1e6];
const PS = [1e-12, 1e-6, 0.001, 0.025, 0.05, 0.2, 0.5, 0.8, 0.95, 0.975, 0.999, 1 - 1e-9];

describe('distributions', () => {
  it('ln Γ matches Γ at whole and half numbers', () => {
    let factorial = 1;
    for (let n = 1; n <= 30; n++) {
      close(logGamma(n), Math.log(factorial), 1e-13, 1e-14);
      factorial *= n;
    }
    close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
  });

  it('the normal CDF equals stdlib’s, far tails included (relative 1e-12)', () => {
    for (const x of XS) close(normalCdf(x), stdNormalCdf(x, 0, 1), 1e-12);
  });

  it('the t CDF equals stdlib’s for every df a report meets (relative 1e-10, 1e-8 past 10,000 df)', () => {
    for (const df of DFS)
      for (const t of XS.filter((x) => Math.abs(x) <= 30))
        close(tCdf(t, df), stdTCdf(t, df), df > 10_000 ? 1e-8 : 1e-10);
    for (const t of XS) close(tCdf(t, Number.POSITIVE_INFINITY), stdNormalCdf(t, 0, 1), 1e-12);
  });

  it('the quantiles invert stdlib’s CDFs, and equal stdlib’s quantiles where those are exact', () => {
    for (const p of PS) {
      // Round trip through the oracle's CDF: relative 1e-9 in p (absolute near 1, where p itself is rounded).
      close(stdNormalCdf(normalQuantile(p), 0, 1), p, 1e-9, 1e-15);
      for (const df of DFS) close(stdTCdf(tQuantile(p, df), df), p, df > 10_000 ? 1e-7 : 1e-9, 1e-15);
    }
    // stdlib's own quantiles lose accuracy in the far tails (its normal quantile at 1e-12 is off by
    // 2e-5 in p): compared where they are exact.
    for (const p of PS.filter((q) => q >= 0.001 && q <= 0.999)) {
      close(normalQuantile(p), stdNormalQuantile(p, 0, 1), 1e-10, 1e-15);
      for (const df of DFS) close(tQuantile(p, df), stdTQuantile(p, df), df > 10_000 ? 1e-7 : 1e-9, 1e-12);
    }
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(tCdf(1, 0))).toBe(true);
  });
});
