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
 * when a = 0); every function here accepts a = 0 as that limit.
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

export type BgNbdParamName = keyof BgNbdParams;

export interface BgNbdFitOptions {
  /**
   * A parameter further than this from 1 in log space (e^±15) counts as a fit that ran away;
   * boundary fits are searched within this range.
   */
  readonly maxLogParam: number;
  /**
   * A parameter beyond e^±limitLogParam (e^±10 by default) is at its limit: the data do not pin
   * it down (a Gamma shape r past it has a coefficient of variation under 1%, a Beta with
   * a + b past it is as narrow). Such a fit is not the BG/NBD proper: it is compared with the
   * no-drop-out limit and, if served, marked with the parameters at their limit.
   */
  readonly limitLogParam: number;
  /**
   * A mean drop-out probability a/(a+b) below this means the data show no drop-out at all:
   * the likelihood is then maximised at a → 0, and the fit is served at that limit (the NBD).
   */
  readonly minMeanDropout: number;
}

export const defaultBgNbdFitOptions: BgNbdFitOptions = {
  maxLogParam: 15,
  limitLogParam: 10,
  minMeanDropout: 1e-6,
};

/**
 * A fit served at the edge of the parameter space, where the data do not pin the BG/NBD down:
 * - `no-dropout`: the maximum is at a → 0, the NBD (no buyer ever drops out: P(alive) = 1);
 *   stored as a = 0, b = 1.
 * - `parameter-limit`: some other parameter is held at the edge of the searched range
 *   (e^±maxLogParam), e.g. r and α both large when purchase rates barely differ between
 *   buyers; the forecasts are those of the limiting model.
 */
export type BgNbdBoundaryKind = 'no-dropout' | 'parameter-limit';

export interface BgNbdBoundary {
  readonly kind: BgNbdBoundaryKind;
  /** The parameters at a limit (`a` at 0 for `no-dropout`; others at e^±maxLogParam). */
  readonly atLimit: readonly BgNbdParamName[];
  /** What the limit means, in plain language, for the lookup and the catalogue. */
  readonly note: string;
}

export type BgNbdFit =
  | {
      readonly ok: true;
      readonly params: BgNbdParams;
      /** Total log-likelihood of the rows at `params` (eq. 6 summed). */
      readonly logLikelihood: number;
      /** Optimiser iterations, all starts. */
      readonly iterations: number;
      readonly customers: number;
      /** null: an interior maximum, the BG/NBD proper. */
      readonly boundary: BgNbdBoundary | null;
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

/** r, α, b finite and positive; a finite and positive, or 0 (the no-drop-out limit). */
const validParams = (p: BgNbdParams): boolean =>
  [p.r, p.alpha, p.b].every((v) => Number.isFinite(v) && v > 0) && Number.isFinite(p.a) && p.a >= 0;

/**
 * The NBD log-likelihood (the BG/NBD's a → 0 limit, eq. 6 without the drop-out term):
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α − (r+x) ln(α+T), with its gradient with respect to
 * (ln r, ln α).
 */
const nbdLogLikelihoodOf = (
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

const fromLog = (theta: readonly number[]): BgNbdParams => ({
  r: Math.exp(theta[0] as number),
  alpha: Math.exp(theta[1] as number),
  a: Math.exp(theta[2] as number),
  b: Math.exp(theta[3] as number),
});

const PARAM_NAMES: readonly BgNbdParamName[] = ['r', 'alpha', 'a', 'b'];

/** The mean drop-out probability a/(a+b): 0 at the no-drop-out limit. */
export const meanDropout = (params: BgNbdParams): number => params.a / (params.a + params.b);

/**
 * Maximum-likelihood fit over log-parameters (positivity for free) by BFGS on the analytic
 * gradient (Nelder–Mead with restarts as the fallback), from three starting points scaled
 * to the data's purchase rate (so the fit does not depend on the time unit).
 *
 * Refuses, with a reason, only data that cannot be fitted: no rows, invalid rows, no repeat
 * purchases at all, no observation time. When the BG/NBD proper has no interior maximum (the
 * data show no drop-out, a parameter runs away towards 0 or ∞, beyond e^±limitLogParam, or
 * the search does not converge), the fit is served at the boundary instead, with `boundary`
 * saying which and why:
 * - the NBD (a = 0: no drop-out) and the BG/NBD searched within e^±maxLogParam are both
 *   fitted, the same way (BFGS from the same starts, the range enforced smoothly by
 *   ln θ = M·tanh(u/M));
 * - the NBD is served (`no-dropout`) unless the bounded BG/NBD is better by Akaike's
 *   criterion (its two drop-out parameters raise the log-likelihood by more than 2); a served
 *   BG/NBD with parameters beyond e^±limitLogParam is marked `parameter-limit`.
 * The NBD is the a → 0 limit of the BG/NBD, so when the data show no drop-out the two reach
 * the same likelihood and the simpler, exact limit is served. Interior fits (every real shop
 * with drop-out we have seen, CDNOW included) never reach this path and are unchanged.
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
  const interior =
    result.converged &&
    validParams(params) &&
    Number.isFinite(logLikelihood) &&
    PARAM_NAMES.every((name) => Math.abs(Math.log(params[name])) < settings.limitLogParam) &&
    meanDropout(params) >= settings.minMeanDropout;
  if (interior) {
    return {
      ok: true,
      params,
      logLikelihood,
      iterations: result.iterations,
      customers: data.customers,
      boundary: null,
    };
  }
  // The unconstrained search's end point: the BG/NBD candidate itself when it stayed within
  // e^±maxLogParam (typically crawling towards a → 0), else the first start of the bounded search.
  const inRange = result.x.every((t) => Number.isFinite(t) && Math.abs(t) <= settings.maxLogParam);
  return fitAtBoundary(
    data,
    inRange ? { theta: result.x, value: result.value } : null,
    [...(result.x.every(Number.isFinite) ? [result.x] : []), ...starts],
    settings,
    result.iterations,
  );
};

/**
 * Minimises `fg` (a function of log-parameters) with every log-parameter kept inside
 * (−M, M) by the smooth map θ = M·tanh(u/M): a parameter the data push to 0 or ∞ settles
 * at the edge instead of running away, and the search stays finite. BFGS only, no simplex
 * polish: along a ridge to the edge the likelihood is flat, so the best point reached is
 * served whether or not the gradient met the tolerance (its forecasts are the limit's).
 */
const minimiseBounded = (
  fg: (theta: number[]) => { value: number; gradient: number[] },
  starts: readonly number[][],
  M: number,
): { theta: number[]; value: number; iterations: number } => {
  const toTheta = (u: readonly number[]) => u.map((v) => M * Math.tanh(v / M));
  const result = minimiseSmooth(
    (u) => {
      const { value, gradient } = fg(toTheta(u));
      return {
        value,
        gradient: gradient.map((g, i) => {
          const t = Math.tanh((u[i] as number) / M);
          return g * (1 - t * t);
        }),
      };
    },
    starts.map((theta) => theta.map((t) => M * Math.atanh(Math.max(-0.99, Math.min(0.99, t / M))))),
    { abandon: () => true },
  );
  return { theta: toTheta(result.x), value: result.value, iterations: result.iterations };
};

/**
 * The fit served when the BG/NBD has no interior maximum: see `fitBgNbd`. `candidate` is the
 * unconstrained search's end point if it stayed within the range (then no bounded search is
 * needed: the likelihood is flat along the way it was heading).
 */
const fitAtBoundary = (
  data: Aggregated,
  candidate: { readonly theta: number[]; readonly value: number } | null,
  starts: readonly number[][],
  settings: BgNbdFitOptions,
  iterationsSoFar: number,
): BgNbdFit => {
  const M = settings.maxLogParam;
  const n = data.customers;
  const perCustomer = (value: number, gradient: number[]) => ({
    value: Number.isFinite(value) ? -value / n : Number.POSITIVE_INFINITY,
    gradient: gradient.map((g) => -g / n),
  });
  const bounded =
    candidate === null
      ? minimiseBounded(
          (theta) => {
            const { value, gradient } = logLikelihoodOf(data, fromLog(theta), true);
            return perCustomer(value, gradient);
          },
          starts,
          M,
        )
      : { ...candidate, iterations: 0 };
  const nbd = minimiseBounded(
    (theta) => {
      const { value, gradient } = nbdLogLikelihoodOf(
        data,
        Math.exp(theta[0] as number),
        Math.exp(theta[1] as number),
      );
      return perCustomer(value, gradient);
    },
    starts.map((theta) => theta.slice(0, 2)),
    M,
  );
  const iterations = iterationsSoFar + bounded.iterations + nbd.iterations;
  const atEdge = (theta: readonly number[], names: readonly BgNbdParamName[]) =>
    names.filter((_, i) => Math.abs(theta[i] as number) >= settings.limitLogParam);

  const boundedParams = fromLog(bounded.theta);
  const boundedLL = -bounded.value * n;
  const nbdLL = -nbd.value * n;
  const nbdUsable = Number.isFinite(nbdLL) && nbd.theta.every(Number.isFinite);
  const boundedUsable = Number.isFinite(boundedLL) && validParams(boundedParams);
  // Akaike: the BG/NBD's two drop-out parameters must earn more than 2 in log-likelihood.
  if (
    boundedUsable &&
    meanDropout(boundedParams) >= settings.minMeanDropout &&
    (!nbdUsable || boundedLL - nbdLL > 2)
  ) {
    const atLimit = atEdge(bounded.theta, PARAM_NAMES);
    return {
      ok: true,
      params: boundedParams,
      logLikelihood: boundedLL,
      iterations,
      customers: n,
      boundary:
        atLimit.length === 0
          ? null
          : { kind: 'parameter-limit', atLimit, note: parameterLimitNote(atLimit, boundedParams) },
    };
  }
  if (!nbdUsable) return { ok: false, reason: 'BG/NBD fit produced non-finite parameters or likelihood' };
  const rateLimit = atEdge(nbd.theta, ['r', 'alpha']);
  return {
    ok: true,
    params: { r: Math.exp(nbd.theta[0] as number), alpha: Math.exp(nbd.theta[1] as number), a: 0, b: 1 },
    logLikelihood: nbdLL,
    iterations,
    customers: n,
    boundary: { kind: 'no-dropout', atLimit: ['a', ...rateLimit], note: noDropoutNote(rateLimit.length > 0) },
  };
};

const noDropoutNote = (sameRates: boolean): string =>
  'No drop-out seen yet: the purchase histories show no sign of buyers lapsing, so the model is the BG/NBD at its no-drop-out limit (the NBD): every buyer counts as still active (P(alive) = 1) and expected orders follow each buyer’s own purchase rate.' +
  (sameRates
    ? ' Purchase rates barely differ between buyers: the forecast leans on the shop-wide rate.'
    : '');

const limitMeaning = (name: BgNbdParamName, high: boolean): string => {
  switch (name) {
    case 'r':
      return high
        ? 'purchase rates barely differ between buyers'
        : 'purchase rates differ enormously between buyers';
    case 'alpha':
      return high
        ? 'purchase rates barely differ between buyers'
        : 'a few buyers account for nearly all purchases';
    case 'a':
      return high ? 'the chance of dropping out barely differs between buyers' : 'almost no buyer drops out';
    case 'b':
      return high
        ? 'the chance of dropping out barely differs between buyers'
        : 'nearly every buyer drops out after a repeat purchase';
    default:
      return assertUnreachable(name);
  }
};

const assertUnreachable = (x: never): never => {
  throw new Error(`unexpected parameter ${String(x)}`);
};

const parameterLimitNote = (atLimit: readonly BgNbdParamName[], params: BgNbdParams): string => {
  const meanings = [...new Set(atLimit.map((name) => limitMeaning(name, params[name] > 1)))];
  return `The data do not pin down ${atLimit.join(', ')} (held at the edge of the fitted range): ${meanings.join('; ')}. The forecasts are those of that limit.`;
};

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
