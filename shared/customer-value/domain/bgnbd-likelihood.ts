/**
 * The BG/NBD log-likelihood (paper, eq. 6) over customers' (x, t_x, T) rows, and that of its
 * no-drop-out limit (the NBD), each with its gradient in log-parameters as the fit uses them.
 * Rows are first folded into distinct (x, t_x, T) with a count. Pure.
 */
import { type BgNbdParams, type BgNbdRow, validParams, validRow } from './bgnbd';
import { digamma, logGamma, logSumExp } from './special-functions';

/** Identical (x, t_x, T) rows folded into one with a count: CDNOW's 23,570 rows become ~11k. */
export interface Aggregated {
  readonly xIndex: Int32Array;
  readonly distinctX: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly count: Float64Array;
  readonly customers: number;
  readonly totalX: number;
  readonly totalT: number;
}

export const aggregate = (rows: readonly BgNbdRow[]): Aggregated => {
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
export const logLikelihoodOf = (
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
 * uses them; NaN value for invalid rows or parameters (and at a = 0, where ln a is undefined).
 */
export const bgNbdLogLikelihoodWithGradient = (
  params: BgNbdParams,
  rows: readonly BgNbdRow[],
): { value: number; gradient: number[] } => {
  if (!validParams(params) || params.a === 0 || !rows.every(validRow))
    return { value: Number.NaN, gradient: [] };
  return logLikelihoodOf(aggregate(rows), params, true);
};

/**
 * The NBD log-likelihood (the BG/NBD's a → 0 limit, eq. 6 without the drop-out term):
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α − (r+x) ln(α+T), with its gradient with respect to
 * (ln r, ln α).
 */
export const nbdLogLikelihoodOf = (
  data: Aggregated,
  r: number,
  alpha: number,
): { value: number; gradient: number[] } => {
  const k = data.distinctX.length;
  const perX = new Float64Array(k);
  const dR = new Float64Array(k);
  const logAlpha = Math.log(alpha);
  const lgR = logGamma(r);
  const psiR = digamma(r);
  for (let i = 0; i < k; i++) {
    const x = data.distinctX[i] as number;
    perX[i] = logGamma(r + x) - lgR + r * logAlpha;
    dR[i] = digamma(r + x) - psiR + logAlpha;
  }
  let total = 0;
  let gr = 0;
  let galpha = 0;
  for (let j = 0; j < data.count.length; j++) {
    const i = data.xIndex[j] as number;
    const x = data.distinctX[i] as number;
    const w = data.count[j] as number;
    const T = data.T[j] as number;
    const logBase = Math.log(alpha + T);
    total += w * ((perX[i] as number) - (r + x) * logBase);
    gr += w * ((dR[i] as number) - logBase);
    galpha += w * (r / alpha - (r + x) / (alpha + T));
  }
  return { value: total, gradient: [r * gr, alpha * galpha] };
};
