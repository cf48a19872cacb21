/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers
 * the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2)).
 *
 * While alive, a customer buys at Poisson rate λ ~ Gamma(r, α); after each repeat purchase
 * they drop out with probability p ~ Beta(a, b). A customer is summarised by x (repeat
 * purchases), t_x (time of the last purchase) and T (time observed), all measured from the
 * first purchase, in one time unit (the parameter α carries that unit).
 *
 * Pure and deterministic. Every exported number is finite or the function says why not.
 */
import { minimiseSmooth } from './optimise';
import { digamma, hyp2f1, hyp2f1Series, logGamma, logSumExp } from './special-functions';

export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

export interface BgNbdRow {
  /** Repeat purchases in the calibration period. */
  readonly x: number;
  /** Time of the last purchase, since the first. 0 when x = 0. */
  readonly tx: number;
  /** Time between the first purchase and the end of calibration. */
  readonly T: number;
}

export interface BgNbdFitOptions {
  /** A parameter further than this from 1 in log space (e^±15) counts as a fit that ran away. */
  readonly maxLogParam: number;
  /**
   * A mean drop-out probability a/(a+b) below this means the data show no drop-out at all:
   * the likelihood is then maximised at a → 0 and the fit is reported as not identified.
   */
  readonly minMeanDropout: number;
}

export const defaultBgNbdFitOptions: BgNbdFitOptions = { maxLogParam: 15, minMeanDropout: 1e-6 };

export type BgNbdFit =
  | {
      readonly ok: true;
      readonly params: BgNbdParams;
      /** Total log-likelihood of the rows at `params` (eq. 6 summed). */
      readonly logLikelihood: number;
      /** Optimiser iterations, all starts. */
      readonly iterations: number;
      readonly customers: number;
    }
  | { readonly ok: false; readonly reason: string };

/** Identical (x, t_x, T) rows folded into one with a count: CDNOW's 23,570 rows become ~11k. */
interface Aggregated {
  readonly xIndex: Int32Array;
  readonly distinctX: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly count: Float64Array;
  readonly customers: number;
  readonly totalX: number;
  readonly totalT: number;
}

const validRow = (row: BgNbdRow): boolean =>
  Number.isInteger(row.x) &&
  row.x >= 0 &&
  Number.isFinite(row.T) &&
  row.T >= 0 &&
  Number.isFinite(row.tx) &&
  row.tx >= 0 &&
  row.tx <= row.T + 1e-9 &&
  (row.x > 0 || row.tx === 0);

const aggregate = (rows: readonly BgNbdRow[]): Aggregated => {
  const counts = new Map<string, { x: number; tx: number; T: number; count: number }>();
  for (const row of rows) {
    const key = `${row.x}|${row.tx}|${row.T}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { x: row.x, tx: row.tx, T: row.T, count: 1 });
  }
  const entries = [...counts.values()];
  const xs = [...new Set(entries.map((e) => e.x))].sort((p, q) => p - q);
  const position = new Map(xs.map((x, i) => [x, i]));
  let totalX = 0;
  let totalT = 0;
  for (const e of entries) {
    totalX += e.x * e.count;
    totalT += e.T * e.count;
  }
  return {
    xIndex: Int32Array.from(entries, (e) => position.get(e.x) as number),
    distinctX: Float64Array.from(xs),
    tx: Float64Array.from(entries, (e) => e.tx),
    T: Float64Array.from(entries, (e) => e.T),
    count: Float64Array.from(entries, (e) => e.count),
    customers: rows.length,
    totalX,
    totalT,
  };
};

/**
 * Total log-likelihood (paper, eq. 6), in log space, and its gradient with respect to
 * (ln r, ln α, ln a, ln b):
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *        + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) ].
 * The log-gamma and digamma terms depend on x only and are evaluated once per distinct x.
 */
const logLikelihoodOf = (
  data: Aggregated,
  { r, alpha, a, b }: BgNbdParams,
  withGradient: boolean,
): { value: number; gradient: number[] } => {
  const k = data.distinctX.length;
  const perX = new Float64Array(k);
  const dropTerm = new Float64Array(k);
  const dR = new Float64Array(k);
  const dA = new Float64Array(k);
  const dB = new Float64Array(k);
  const logAlpha = Math.log(alpha);
  const lgR = logGamma(r);
  const lgB = logGamma(b);
  const lgAB = logGamma(a + b);
  const logA = Math.log(a);
  const psiR = withGradient ? digamma(r) : 0;
  const psiB = withGradient ? digamma(b) : 0;
  const psiAB = withGradient ? digamma(a + b) : 0;
  for (let i = 0; i < k; i++) {
    const x = data.distinctX[i] as number;
    perX[i] = logGamma(r + x) - lgR + r * logAlpha + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x);
    dropTerm[i] = x > 0 ? logA - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
    if (withGradient) {
      const psiABX = digamma(a + b + x);
      dR[i] = digamma(r + x) - psiR + logAlpha;
      dA[i] = psiAB - psiABX;
      dB[i] = psiAB + digamma(b + x) - psiB - psiABX;
    }
  }
  let total = 0;
  let gr = 0;
  let galpha = 0;
  let ga = 0;
  let gb = 0;
  for (let j = 0; j < data.count.length; j++) {
    const i = data.xIndex[j] as number;
    const x = data.distinctX[i] as number;
    const w = data.count[j] as number;
    const logAliveBase = Math.log(alpha + (data.T[j] as number));
    const alive = -(r + x) * logAliveBase;
    if (x === 0) {
      total += w * ((perX[i] as number) + alive);
      if (withGradient) {
        gr += w * ((dR[i] as number) - logAliveBase);
        galpha += w * (r / alpha - (r + x) / (alpha + (data.T[j] as number)));
        ga += w * (dA[i] as number);
        gb += w * (dB[i] as number);
      }
      continue;
    }
    const logDropBase = Math.log(alpha + (data.tx[j] as number));
    const dropped = (dropTerm[i] as number) - (r + x) * logDropBase;
    const lse = logSumExp(alive, dropped);
    total += w * ((perX[i] as number) + lse);
    if (withGradient) {
      // Share of the likelihood from "dropped out after the last purchase".
      const pi = Math.exp(dropped - lse);
      gr += w * ((dR[i] as number) - (1 - pi) * logAliveBase - pi * logDropBase);
      galpha +=
        w *
        (r / alpha -
          (1 - pi) * ((r + x) / (alpha + (data.T[j] as number))) -
          pi * ((r + x) / (alpha + (data.tx[j] as number))));
      ga += w * ((dA[i] as number) + pi / a);
      gb += w * ((dB[i] as number) - pi / (b + x - 1));
    }
  }
  return { value: total, gradient: [r * gr, alpha * galpha, a * ga, b * gb] };
};

/** The log-likelihood of `rows` at `params` (eq. 6, summed); NaN for invalid rows or parameters. */
export const bgNbdLogLikelihood = (params: BgNbdParams, rows: readonly BgNbdRow[]): number => {
  if (!validParams(params) || !rows.every(validRow)) return Number.NaN;
  return logLikelihoodOf(aggregate(rows), params, false).value;
};

/**
 * The log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b), as the fit
 * uses them; NaN value for invalid rows or parameters.
 */
export const bgNbdLogLikelihoodWithGradient = (
  params: BgNbdParams,
  rows: readonly BgNbdRow[],
): { value: number; gradient: number[] } => {
  if (!validParams(params) || !rows.every(validRow)) return { value: Number.NaN, gradient: [] };
  return logLikelihoodOf(aggregate(rows), params, true);
};

const validParams = (p: BgNbdParams): boolean =>
  [p.r, p.alpha, p.a, p.b].every((v) => Number.isFinite(v) && v > 0);

const fromLog = (theta: readonly number[]): BgNbdParams => ({
  r: Math.exp(theta[0] as number),
  alpha: Math.exp(theta[1] as number),
  a: Math.exp(theta[2] as number),
  b: Math.exp(theta[3] as number),
});

/**
 * Maximum-likelihood fit over log-parameters (positivity for free) by BFGS on the analytic
 * gradient (Nelder–Mead with restarts as the fallback), from three starting points scaled
 * to the data's purchase rate (so the fit does not depend on the time unit). Fails, with a
 * reason, on no rows, invalid rows, no repeat purchases at all, a fit that does not
 * converge, parameters that run away to 0 or ∞, or data with no sign of drop-out (the
 * model cannot pin them down).
 */
export const fitBgNbd = (rows: readonly BgNbdRow[], options: Partial<BgNbdFitOptions> = {}): BgNbdFit => {
  const settings = { ...defaultBgNbdFitOptions, ...options };
  if (rows.length === 0) return { ok: false, reason: 'no customers to fit' };
  const invalid = rows.findIndex((row) => !validRow(row));
  if (invalid >= 0) {
    return {
      ok: false,
      reason: `invalid row ${invalid}: need integer x >= 0 and 0 <= tx <= T (tx = 0 when x = 0)`,
    };
  }
  const data = aggregate(rows);
  if (data.totalX === 0)
    return { ok: false, reason: 'no repeat purchases: the purchase rate cannot be fitted' };
  if (data.totalT <= 0) return { ok: false, reason: 'no observation time: every T is 0' };

  // Per-unit-time repeat rate; α has the time unit, so start it at r / rate.
  const rate = data.totalX / data.totalT;
  const starts = [
    [0, Math.log(1 / rate), 0, 0],
    [Math.log(0.25), Math.log(0.25 / rate), Math.log(0.8), Math.log(2.5)],
    [Math.log(2), Math.log(2 / rate), Math.log(2), Math.log(8)],
  ];
  const bound = settings.maxLogParam + 5;
  const objective = (theta: number[]): { value: number; gradient: number[] } => {
    if (theta.some((t) => Math.abs(t) > bound))
      return { value: Number.POSITIVE_INFINITY, gradient: [0, 0, 0, 0] };
    const { value, gradient } = logLikelihoodOf(data, fromLog(theta), true);
    return { value: -value / data.customers, gradient: gradient.map((g) => -g / data.customers) };
  };
  const result = minimiseSmooth(objective, starts, {
    abandon: (theta) => theta.some((t) => Math.abs(t) > settings.maxLogParam),
  });
  const params = fromLog(result.x);
  const logLikelihood = -result.value * data.customers;
  const runaway = (['r', 'alpha', 'a', 'b'] as const).filter(
    (name) => !(Math.abs(Math.log(params[name])) <= settings.maxLogParam),
  );
  if (runaway.length === 0 && !result.converged) {
    return { ok: false, reason: `BG/NBD fit did not converge in ${result.evaluations} evaluations` };
  }
  if (!validParams(params) || !Number.isFinite(logLikelihood)) {
    return { ok: false, reason: 'BG/NBD fit produced non-finite parameters or likelihood' };
  }
  if (runaway.length > 0) {
    return {
      ok: false,
      reason: `BG/NBD fit ran away (${runaway.map((n) => `${n} = ${params[n].toExponential(2)}`).join(', ')}): the data do not identify the model`,
    };
  }
  const meanDropout = params.a / (params.a + params.b);
  if (meanDropout < settings.minMeanDropout) {
    return {
      ok: false,
      reason: `BG/NBD fit did not converge: the data show no drop-out (a/(a+b) = ${meanDropout.toExponential(2)} and falling)`,
    };
  }
  return { ok: true, params, logLikelihood, iterations: result.iterations, customers: data.customers };
};

/**
 * P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)), in log space.
 * A customer with no repeat purchase is alive for sure under BG/NBD (drop-out only happens
 * right after a repeat purchase). NaN only for invalid input.
 */
export const probabilityAlive = (params: BgNbdParams, x: number, tx: number, T: number): number => {
  if (!validParams(params) || !validRow({ x, tx, T })) return Number.NaN;
  if (x === 0) return 1;
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
 * This removes the removable singularity at a = 1, keeps every term of moderate size
 * however large r and b are (the conditional expectation uses r+x and b+x), and leaves a
 * series whose parameters do not grow with x. Past 100k terms (z above ~0.9996) it falls
 * back to 2F1 by the 1 − z connection formula.
 */
const expectedPurchasesFresh = (r: number, alpha: number, a: number, b: number, t: number): number => {
  if (t === 0) return 0;
  const c = a + b - 1;
  const z = t / (alpha + t);
  const L = -Math.log1p(t / alpha);
  const u = a - 1;
  const firstPart = u === 0 ? -L : -Math.expm1(u * L) / u;
  const g = gSeries(c - r, a, c, z);
  if (g !== null) return c * (firstPart - Math.exp(u * L) * g);
  // Far tail: the literal formula with the general 2F1, a ≈ 1 bridged by a central difference.
  const literal = (aa: number): number => {
    const cc = aa + b - 1;
    const f = Math.exp((aa - 1) * L) * hyp2f1(cc - r, aa - 1, cc, z);
    return (cc * (1 - f)) / (aa - 1);
  };
  return Math.abs(u) < 1e-4 ? 0.5 * (literal(1 - 1e-4) + literal(1 + 1e-4)) : literal(a);
};

/** G = Σ_{n≥1} (p)_n (a)_(n−1) / ((c)_n n!) zⁿ, or null if it has not converged in 100k terms. */
const gSeries = (p: number, a: number, c: number, z: number): number | null => {
  let term = (p / c) * z;
  let sum = term;
  let quiet = 0;
  for (let n = 1; n < 100_000; n++) {
    const ratio = (((p + n) * (a + n - 1)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum;
    const rho = Math.abs(ratio);
    if (rho < 1 && (Math.abs(term) * rho) / (1 - rho) <= 1e-16 * Math.abs(sum)) {
      quiet++;
      if (quiet >= 3) return sum;
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
 * which is P(alive) times eq. 7 at the posterior parameters (r+x, α+T, a, b+x).
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
