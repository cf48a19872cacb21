/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005b, "RFM and CLV:
 * Using iso-value curves for customer base analysis", JMR 42(4); Fader & Hardie, "The
 * Gamma-Gamma model of monetary value", 2013 note).
 *
 * Each transaction value is Gamma(p, ν) with the customer's ν ~ Gamma(q, γ) (γ is `v` here,
 * as in the published figures). The model sees, for each repeat buyer, x (their number of
 * repeat transactions) and m (the mean of those x transaction values). It assumes spend is
 * independent of frequency.
 *
 * Pure and deterministic; outputs are finite or the function says why not.
 */
import { minimiseSmooth } from './optimise';
import { digamma, logGamma } from './special-functions';

export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly v: number;
}

export interface GammaGammaRow {
  /** Repeat transactions (>= 1) behind `meanValue`. */
  readonly x: number;
  /** Mean value of those transactions (> 0). */
  readonly meanValue: number;
}

export type GammaGammaFit =
  | {
      readonly ok: true;
      readonly params: GammaGammaParams;
      readonly logLikelihood: number;
      /** Optimiser iterations, all starts. */
      readonly iterations: number;
      readonly customers: number;
    }
  | { readonly ok: false; readonly reason: string };

export interface GammaGammaFitOptions {
  /** A parameter further than this from 1 in log space (e^±15) counts as a fit that ran away. */
  readonly maxLogParam: number;
}

export const defaultGammaGammaFitOptions: GammaGammaFitOptions = { maxLogParam: 15 };

const validRow = (row: GammaGammaRow): boolean =>
  Number.isInteger(row.x) && row.x >= 1 && Number.isFinite(row.meanValue) && row.meanValue > 0;

const validParams = (p: GammaGammaParams): boolean =>
  [p.p, p.q, p.v].every((value) => Number.isFinite(value) && value > 0);

interface Prepared {
  /** [x, number of rows with that x] */
  readonly distinct: [number, number][];
  readonly x: Float64Array;
  readonly m: Float64Array;
  readonly logM: Float64Array;
  readonly rows: number;
}

const prepare = (rows: readonly GammaGammaRow[]): Prepared => {
  const byX = new Map<number, number>();
  for (const row of rows) byX.set(row.x, (byX.get(row.x) ?? 0) + 1);
  return {
    distinct: [...byX.entries()],
    x: Float64Array.from(rows, (row) => row.x),
    m: Float64Array.from(rows, (row) => row.meanValue),
    logM: Float64Array.from(rows, (row) => Math.log(row.meanValue)),
    rows: rows.length,
  };
};

/**
 * Total log-likelihood, from the density of the mean m of x transaction values,
 *   ln f(m | x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x),
 * and its gradient with respect to (ln p, ln q, ln γ). The log-gamma and digamma terms are
 * evaluated once per distinct x.
 */
const logLikelihoodOf = (
  data: Prepared,
  { p, q, v }: GammaGammaParams,
): { value: number; gradient: number[] } => {
  const lgQ = logGamma(q);
  const psiQ = digamma(q);
  const logV = Math.log(v);
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gv = 0;
  for (const [x, count] of data.distinct) {
    const px = p * x;
    total += count * (logGamma(px + q) - logGamma(px) - lgQ + q * logV + px * Math.log(x));
    const psiPXQ = digamma(px + q);
    gp += count * x * (psiPXQ - digamma(px) + Math.log(x));
    gq += count * (psiPXQ - psiQ + logV);
    gv += (count * q) / v;
  }
  for (let i = 0; i < data.rows; i++) {
    const x = data.x[i] as number;
    const m = data.m[i] as number;
    const logM = data.logM[i] as number;
    const px = p * x;
    const logVM = Math.log(v + m * x);
    total += (px - 1) * logM - (px + q) * logVM;
    gp += x * (logM - logVM);
    gq -= logVM;
    gv -= (px + q) / (v + m * x);
  }
  return { value: total, gradient: [p * gp, q * gq, v * gv] };
};

/** Total log-likelihood of `rows` at `params`; NaN for invalid rows or parameters. */
export const gammaGammaLogLikelihood = (params: GammaGammaParams, rows: readonly GammaGammaRow[]): number => {
  if (!validParams(params) || !rows.every(validRow)) return Number.NaN;
  return logLikelihoodOf(prepare(rows), params).value;
};

/** The log-likelihood and its gradient with respect to (ln p, ln q, ln γ), as the fit uses them. */
export const gammaGammaLogLikelihoodWithGradient = (
  params: GammaGammaParams,
  rows: readonly GammaGammaRow[],
): { value: number; gradient: number[] } => {
  if (!validParams(params) || !rows.every(validRow)) return { value: Number.NaN, gradient: [] };
  return logLikelihoodOf(prepare(rows), params);
};

const fromLog = (theta: readonly number[]): GammaGammaParams => ({
  p: Math.exp(theta[0] as number),
  q: Math.exp(theta[1] as number),
  v: Math.exp(theta[2] as number),
});

/**
 * Maximum-likelihood fit over log-parameters (BFGS on the analytic gradient, Nelder–Mead as
 * the fallback), from starts scaled to the data's mean spend so that the currency unit does
 * not matter. Fails, with a reason, on no rows, invalid rows (x < 1 or a mean value that is
 * not positive: leave zero-value buyers out before fitting), a fit that does not converge or
 * runs away, and q <= 1 (the population mean spend γp/(q−1) would not exist).
 */
export const fitGammaGamma = (
  rows: readonly GammaGammaRow[],
  options: Partial<GammaGammaFitOptions> = {},
): GammaGammaFit => {
  const settings = { ...defaultGammaGammaFitOptions, ...options };
  if (rows.length === 0) return { ok: false, reason: 'no repeat buyers with a positive mean value' };
  const invalid = rows.findIndex((row) => !validRow(row));
  if (invalid >= 0)
    return { ok: false, reason: `invalid row ${invalid}: need integer x >= 1 and meanValue > 0` };

  const mean = rows.reduce((sum, row) => sum + row.meanValue, 0) / rows.length;
  // E[value] = γp/(q−1): the starts put the population mean at the sample mean.
  const starts = [
    [0, Math.log(2), Math.log(mean)],
    [Math.log(5), Math.log(4), Math.log((3 * mean) / 5)],
    [Math.log(0.5), Math.log(10), Math.log(18 * mean)],
  ];
  const data = prepare(rows);
  const bound = settings.maxLogParam + 5;
  const objective = (theta: number[]): { value: number; gradient: number[] } => {
    if (theta.some((t) => Math.abs(t) > bound))
      return { value: Number.POSITIVE_INFINITY, gradient: [0, 0, 0] };
    const { value, gradient } = logLikelihoodOf(data, fromLog(theta));
    return { value: -value / data.rows, gradient: gradient.map((g) => -g / data.rows) };
  };
  const result = minimiseSmooth(objective, starts, {
    abandon: (theta) => theta.some((t) => Math.abs(t) > settings.maxLogParam),
  });
  const params = fromLog(result.x);
  const logLikelihood = -result.value * rows.length;
  const runaway = (['p', 'q', 'v'] as const).filter(
    (name) => !(Math.abs(Math.log(params[name])) <= settings.maxLogParam),
  );
  if (runaway.length === 0 && !result.converged) {
    return { ok: false, reason: `Gamma-Gamma fit did not converge in ${result.evaluations} evaluations` };
  }
  if (!validParams(params) || !Number.isFinite(logLikelihood)) {
    return { ok: false, reason: 'Gamma-Gamma fit produced non-finite parameters or likelihood' };
  }
  if (runaway.length > 0) {
    return {
      ok: false,
      reason: `Gamma-Gamma fit ran away (${runaway.map((n) => `${n} = ${params[n].toExponential(2)}`).join(', ')})`,
    };
  }
  if (params.q <= 1) {
    return {
      ok: false,
      reason: `Gamma-Gamma fit has q = ${params.q.toFixed(3)} <= 1: mean spend has no finite mean`,
    };
  }
  return { ok: true, params, logLikelihood, iterations: result.iterations, customers: rows.length };
};

/**
 * E[M | p, q, γ, m, x] = (γ + m x) p / (p x + q − 1): the customer's expected value per
 * transaction, a weighted mean of the population mean γp/(q−1) and their own mean m
 * (x = 0, or no mean value, gives the population mean). NaN for invalid input (q <= 1 with
 * x = 0, negative values).
 */
export const expectedAverageValue = (
  params: GammaGammaParams,
  x: number,
  meanValue: number | null,
): number => {
  if (!validParams(params) || !Number.isInteger(x) || x < 0) return Number.NaN;
  const { p, q, v } = params;
  const observed = x > 0 && meanValue !== null && Number.isFinite(meanValue) && meanValue >= 0;
  const n = observed ? x : 0;
  const m = observed ? meanValue : 0;
  const denominator = p * n + q - 1;
  if (!(denominator > 0)) return Number.NaN;
  const value = ((v + m * n) * p) / denominator;
  return Number.isFinite(value) ? value : Number.NaN;
};
