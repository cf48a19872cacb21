/**
 * Maximum-likelihood fit of the BG/NBD (`fitBgNbd`): an interior maximum when the data have one,
 * else the fit served at the edge of the parameter space (the no-drop-out limit, or parameters
 * held at the edge of the searched range), with a plain-language note saying what that limit
 * means. Pure and deterministic.
 */
import {
  type BgNbdParamName,
  type BgNbdParams,
  type BgNbdRow,
  meanDropout,
  validParams,
  validRow,
} from './bgnbd';
import { type Aggregated, aggregate, logLikelihoodOf, nbdLogLikelihoodOf } from './bgnbd-likelihood';
import { minimiseSmooth } from './optimise';

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

const fromLog = (theta: readonly number[]): BgNbdParams => ({
  r: Math.exp(theta[0] as number),
  alpha: Math.exp(theta[1] as number),
  a: Math.exp(theta[2] as number),
  b: Math.exp(theta[3] as number),
});

const PARAM_NAMES: readonly BgNbdParamName[] = ['r', 'alpha', 'a', 'b'];

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
