/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers
 * the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2)).
 *
 * While alive, a customer buys at Poisson rate λ ~ Gamma(r, α); after each repeat purchase
 * they drop out with probability p ~ Beta(a, b). A customer is summarised by x (repeat
 * purchases), t_x (time of the last purchase) and T (time observed), all measured from the
 * first purchase, in one time unit (the parameter α carries that unit).
 *
 * At the edge of the parameter space the BG/NBD has limits that are models in their own right:
 * a → 0 (drop-out probability 0 for everyone) is the NBD, in which every buyer stays active.
 * Data that show no drop-out (a short history, a growing shop) put the maximum there; the fit
 * then serves that limit, marked as a boundary fit with a plain-language note, instead of
 * refusing (see `fitBgNbd`). Parameters are stored with a = 0 (and b = 1, which has no effect
 * when a = 0); every function of the model accepts a = 0 as that limit.
 *
 * This module holds the model's parameters and rows and what makes them valid; the rest is in
 * bgnbd-likelihood.ts (the log-likelihood), bgnbd-fit.ts (maximum likelihood, boundary fits) and
 * bgnbd-predictions.ts (P(alive) and expected purchases).
 *
 * Pure and deterministic. Every exported number is finite or the function says why not.
 */
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

export type BgNbdParamName = keyof BgNbdParams;

/** x a non-negative integer, 0 ≤ t_x ≤ T, and t_x = 0 when x = 0. */
export const validRow = (row: BgNbdRow): boolean =>
  Number.isInteger(row.x) &&
  row.x >= 0 &&
  Number.isFinite(row.T) &&
  row.T >= 0 &&
  Number.isFinite(row.tx) &&
  row.tx >= 0 &&
  row.tx <= row.T + 1e-9 &&
  (row.x > 0 || row.tx === 0);

/** r, α, b finite and positive; a finite and positive, or 0 (the no-drop-out limit). */
export const validParams = (p: BgNbdParams): boolean =>
  [p.r, p.alpha, p.b].every((v) => Number.isFinite(v) && v > 0) && Number.isFinite(p.a) && p.a >= 0;

/** The mean drop-out probability a/(a+b): 0 at the no-drop-out limit. */
export const meanDropout = (params: BgNbdParams): number => params.a / (params.a + params.b);
