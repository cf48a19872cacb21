/**
 * Seeded simulators for the CLV models' recovery tests: draws from the models' own
 * generative stories, so that a fit on the draws must give back the parameters used.
 */

import type { BgNbdParams, BgNbdRow } from '#shared/customer-value/domain/bgnbd';
import type { GammaGammaParams, GammaGammaRow } from '#shared/customer-value/domain/gamma-gamma';
import { mulberry32, normal } from '#shared/kernel/random';

export interface Sampler {
  uniform: () => number;
  /** Gamma(shape, rate 1), Marsaglia & Tsang (2000), with the U^(1/k) boost for shape < 1. */
  gamma: (shape: number) => number;
  beta: (a: number, b: number) => number;
  exponential: (rate: number) => number;
}

export const sampler = (seed: number): Sampler => {
  const uniform = mulberry32(seed);
  const gauss = normal(uniform);
  // 1 - u: in (0, 1], so logarithms stay finite.
  const open = () => 1 - uniform();
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * open() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = gauss();
      const v = (1 + c * z) ** 3;
      if (v <= 0) continue;
      if (Math.log(open()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const beta = (a: number, b: number): number => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  const exponential = (rate: number): number => -Math.log(open()) / rate;
  return { uniform, gamma, beta, exponential };
};

/**
 * BG/NBD customers observed for T drawn uniformly from [minT, maxT]: λ ~ Gamma(r, α),
 * p ~ Beta(a, b); Poisson(λ) purchases from time 0; after each repeat purchase the customer
 * drops out with probability p.
 */
export const simulateBgNbd = (
  params: BgNbdParams,
  customers: number,
  minT: number,
  maxT: number,
  seed: number,
): BgNbdRow[] => {
  const s = sampler(seed);
  const rows: BgNbdRow[] = [];
  for (let i = 0; i < customers; i++) {
    const T = minT + (maxT - minT) * s.uniform();
    const lambda = s.gamma(params.r) / params.alpha;
    const p = s.beta(params.a, params.b);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += s.exponential(lambda);
      if (t > T) break;
      x++;
      tx = t;
      if (s.uniform() < p) break;
    }
    rows.push({ x, tx, T });
  }
  return rows;
};

/**
 * Customers who never drop out (the NBD, the BG/NBD's a → 0 limit): λ ~ Gamma(r, α), Poisson(λ)
 * purchases from time 0, observed for T drawn uniformly from [minT, maxT]; `future` counts their
 * purchases in the `horizon` after T (the process goes on: nobody lapses).
 */
export const simulateNbd = (
  params: { readonly r: number; readonly alpha: number },
  customers: number,
  minT: number,
  maxT: number,
  horizon: number,
  seed: number,
): (BgNbdRow & { readonly future: number })[] => {
  const s = sampler(seed);
  return Array.from({ length: customers }, () => {
    const T = minT + (maxT - minT) * s.uniform();
    const lambda = s.gamma(params.r) / params.alpha;
    let t = 0;
    let x = 0;
    let tx = 0;
    let future = 0;
    for (;;) {
      t += s.exponential(lambda);
      if (t > T + horizon) break;
      if (t > T) future++;
      else {
        x++;
        tx = t;
      }
    }
    return { x, tx, T, future };
  });
};

/** Gamma-Gamma repeat buyers: ν ~ Gamma(q, γ), x transactions each ~ Gamma(p, ν); x drawn from `frequencies`. */
export const simulateGammaGamma = (
  params: GammaGammaParams,
  customers: number,
  frequencies: readonly number[],
  seed: number,
): GammaGammaRow[] => {
  const s = sampler(seed);
  return Array.from({ length: customers }, () => {
    const nu = s.gamma(params.q) / params.v;
    const x = frequencies[Math.floor(s.uniform() * frequencies.length)] as number;
    let total = 0;
    for (let j = 0; j < x; j++) total += s.gamma(params.p) / nu;
    return { x, meanValue: total / x };
  });
};

/**
 * ∫₀¹ f by tanh-sinh (double-exponential) quadrature: exact to near machine precision for
 * analytic integrands, even with integrable singularities at the ends (as Beta densities with
 * a parameter below 1 have). `f` gets p and 1 − p (accurate near 1). An independent check
 * on closed forms that use 2F1.
 */
export const integrateUnit = (f: (p: number, oneMinusP: number) => number, level = 7): number => {
  const h = 2 ** -level;
  let sum = 0;
  for (let k = -Math.ceil(6 / h); k <= Math.ceil(6 / h); k++) {
    const t = k * h;
    const u = (Math.PI / 2) * Math.sinh(t);
    const cosh = Math.cosh(u);
    // p = (1 + tanh u)/2 and 1 − p, computed without cancellation near the ends.
    const e = Math.exp(-2 * Math.abs(u));
    const small = e / (1 + e);
    const p = u >= 0 ? 1 - small : small;
    const q = u >= 0 ? small : 1 - small;
    if (p <= 0 || q <= 0) continue;
    const weight = ((Math.PI / 2) * Math.cosh(t)) / (cosh * cosh) / 2;
    const value = f(p, q);
    if (Number.isFinite(value)) sum += weight * value;
  }
  return sum * h;
};
