/**
 * What a fitted BG/NBD predicts for a customer: P(alive | x, t_x, T) and expected purchases, of a
 * customer who has just made a first purchase (eq. 7) and, given their history, in the period
 * that follows it (eq. 10), with the literal eq. 10 kept for cross-checks. Pure.
 */
import { type BgNbdParams, validParams, validRow } from './bgnbd';
import { hyp2f1, hyp2f1Series } from './special-functions';

/**
 * P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)), in log space.
 * A customer with no repeat purchase is alive for sure under BG/NBD (drop-out only happens
 * right after a repeat purchase), and everyone is at the no-drop-out limit a = 0. NaN only for
 * invalid input.
 */
export const probabilityAlive = (params: BgNbdParams, x: number, tx: number, T: number): number => {
  if (!validParams(params) || !validRow({ x, tx, T })) return Number.NaN;
  if (x === 0 || params.a === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  // 1 / (1 + e^logOdds), written to neither overflow nor lose the small end.
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
};

/**
 * E[X(t)] for a customer with parameters (r, α, a, b) who is alive and has just bought
 * (paper, eq. 7):
 *   (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))].
 *
 * Computed through Euler's transformation (1−z)^r 2F1(r, b; c; z) = (1−z)^(a−1) 2F1(c−r, a−1; c; z)
 * with c = a+b−1, whose series carries a factor (a−1) after its first term:
 *   E = c · [ −expm1((a−1)L)/(a−1) − e^((a−1)L) · G ],  L = ln(1−z),
 *   G = Σ_{n≥1} (c−r)_n (a)_(n−1) / ((c)_n n!) zⁿ.
 * This removes the removable singularity at a = 1, keeps every term of moderate size for the
 * parameters real fits have (the conditional expectation uses r+x and b+x), and leaves a series
 * whose parameters do not grow with x. Past 100k terms (z above ~0.9996) it falls back to 2F1
 * by the 1 − z connection formula.
 *
 * Far from those parameters (a or r in the hundreds and more, as boundary fits held at the edge
 * of their range have) the sums cancel: when the terms are more than 1e8 times the result, or
 * the result leaves the bounds [1 − (α/(α+t))^r, r·t/α] (everyone dropping out at the first
 * repeat purchase; nobody ever dropping out), the expectation is computed instead as what it
 * is, an average over the drop-out probability p ~ Beta(a, b) of the expectation at a fixed p,
 * (1 − (α/(α+pt))^r)/p (`expectedPurchasesByQuadrature`).
 *
 * At a = 0 (no drop-out, the NBD) it is the Poisson-gamma mean r·t/α, exactly.
 */
const expectedPurchasesFresh = (r: number, alpha: number, a: number, b: number, t: number): number => {
  if (t === 0) return 0;
  if (a === 0) return (r * t) / alpha;
  const c = a + b - 1;
  const z = t / (alpha + t);
  const L = -Math.log1p(t / alpha);
  const u = a - 1;
  const firstPart = u === 0 ? -L : -Math.expm1(u * L) / u;
  const upper = (r * t) / alpha;
  const lower = -Math.expm1(r * L);
  const trusted = (value: number, scale: number): boolean =>
    Number.isFinite(value) &&
    value >= lower * (1 - 1e-9) &&
    value <= upper * (1 + 1e-9) &&
    scale <= 1e8 * Math.abs(value);
  const g = gSeries(c - r, a, c, z);
  if (g !== null) {
    const damp = Math.exp(u * L);
    const value = c * (firstPart - damp * g.sum);
    if (trusted(value, Math.abs(c) * Math.max(Math.abs(firstPart), damp * g.largest))) return value;
  } else {
    // Far tail: the literal formula with the general 2F1, a ≈ 1 bridged by a central difference.
    const literal = (aa: number): number => {
      const cc = aa + b - 1;
      const f = Math.exp((aa - 1) * L) * hyp2f1(cc - r, aa - 1, cc, z);
      return (cc * (1 - f)) / (aa - 1);
    };
    const value = Math.abs(u) < 1e-4 ? 0.5 * (literal(1 - 1e-4) + literal(1 + 1e-4)) : literal(a);
    if (trusted(value, 0)) return value;
  }
  return expectedPurchasesByQuadrature(r, alpha, a, b, t);
};

/**
 * E over p ~ Beta(a, b) of (1 − (α/(α+pt))^r)/p, the expected purchases in (0, t] at a fixed
 * drop-out probability p (drop-out events come at rate λp, so E[X | λ, p] = (1 − e^(−λpt))/p,
 * averaged over λ ~ Gamma(r, α)). By the trapezoidal rule in y = logit p, where the Beta density
 * e^(ay)/(1+e^y)^(a+b) is smooth, unimodal and decays at least exponentially on both sides for
 * any a, b > 0 (so the rule converges geometrically): from the mode ln(a/b), 9 widths
 * √(1/a + 1/b) plus 40/a (40/b) on the left (right), steps of a quarter width (at most 0.5).
 * About 10⁻¹⁰ relative; slower than the series (hundreds to a few thousand points).
 */
const expectedPurchasesByQuadrature = (r: number, alpha: number, a: number, b: number, t: number): number => {
  const mode = Math.log(a) - Math.log(b);
  const width = Math.sqrt(1 / a + 1 / b);
  const from = mode - 9 * width - 40 / a;
  const to = mode + 9 * width + 40 / b;
  const steps = Math.min(100_000, Math.ceil((to - from) / Math.min(0.5, width / 4)));
  const h = (to - from) / steps;
  // ln(1 + e^y) without overflow.
  const softplus = (y: number) => (y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y)));
  const logDensity = (y: number) => a * y - (a + b) * softplus(y);
  const peak = logDensity(mode);
  let weighted = 0;
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const y = from + i * h;
    const w = (i === 0 || i === steps ? 0.5 : 1) * Math.exp(logDensity(y) - peak);
    if (w === 0) continue;
    const p = y > 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
    const atP = p === 0 ? (r * t) / alpha : -Math.expm1(-r * Math.log1p((p * t) / alpha)) / p;
    weighted += w * atP;
    total += w;
  }
  return weighted / total;
};

/**
 * G = Σ_{n≥1} (p)_n (a)_(n−1) / ((c)_n n!) zⁿ and its largest term (to tell cancellation), or
 * null if it has not converged in 100k terms.
 */
const gSeries = (p: number, a: number, c: number, z: number): { sum: number; largest: number } | null => {
  let term = (p / c) * z;
  let sum = term;
  let largest = Math.abs(term);
  let quiet = 0;
  for (let n = 1; n < 100_000; n++) {
    const ratio = (((p + n) * (a + n - 1)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    largest = Math.max(largest, Math.abs(term));
    if (term === 0) return { sum, largest };
    const rho = Math.abs(ratio);
    if (rho < 1 && (Math.abs(term) * rho) / (1 - rho) <= 1e-16 * Math.abs(sum)) {
      quiet++;
      if (quiet >= 3) return { sum, largest };
    } else {
      quiet = 0;
    }
  }
  return null;
};

const finiteOrNaN = (v: number): number => (Number.isFinite(v) ? Math.max(0, v) : Number.NaN);

/** E[X(t)]: expected repeat purchases in (0, t] of a customer who has just made a first purchase (eq. 7). */
export const expectedPurchases = (params: BgNbdParams, t: number): number => {
  if (!validParams(params) || !(t >= 0) || !Number.isFinite(t)) return Number.NaN;
  return finiteOrNaN(expectedPurchasesFresh(params.r, params.alpha, params.a, params.b, t));
};

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] (eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *   / [1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)],
 * which is P(alive) times eq. 7 at the posterior parameters (r+x, α+T, a, b+x). At the
 * no-drop-out limit a = 0 (the NBD) it is (r+x)/(α+T) · t.
 */
export const conditionalExpectedPurchases = (
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number => {
  if (!validParams(params) || !(t >= 0) || !Number.isFinite(t)) return Number.NaN;
  const alive = probabilityAlive(params, x, tx, T);
  if (Number.isNaN(alive)) return Number.NaN;
  const { r, alpha, a, b } = params;
  return finiteOrNaN(alive * expectedPurchasesFresh(r + x, alpha + T, a, b + x, t));
};

/** The literal eq. 10 with the general 2F1: kept for cross-checks (slower, fails for very large x). */
export const conditionalExpectedPurchasesLiteral = (
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number => {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  const f = hyp2f1Series(r + x, b + x, a + b + x - 1, z);
  const hyp = f.converged ? f.value : hyp2f1(r + x, b + x, a + b + x - 1, z);
  const numerator =
    ((a + b + x - 1) / (a - 1)) * (1 - Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t))) * hyp);
  const denominator = 1 + (x > 0 ? (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 0);
  return numerator / denominator;
};
