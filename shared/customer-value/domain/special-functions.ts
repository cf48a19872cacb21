/**
 * Special functions for the customer-lifetime-value models (BG/NBD, Gamma-Gamma), in plain
 * double precision with no dependencies:
 *
 * - `logGamma` (ln|Γ(x)|) by the Lanczos approximation (g = 607/128, 15 terms) with the
 *   reflection formula below 1/2: about 1e-15 relative away from the zeros at 1 and 2,
 *   where it is accurate to about 1e-15 absolute.
 * - `digamma` ψ(x) by recurrence up to x >= 10 and the asymptotic series (about 1e-15).
 * - `gammaSign`, `logBeta`.
 * - `hyp2f1`, Gauss's hypergeometric function 2F1(a, b; c; z) for real z < 1: the power
 *   series where it converges quickly, Pfaff's transformation for z < 0 and the 1 − z
 *   connection formula (Abramowitz & Stegun 15.3.6) for z close to 1.
 *
 * Every function returns NaN (never throws) where the value is undefined or out of reach;
 * callers guard their outputs.
 */

const LANCZOS_G = 607 / 128;
// Godfrey's coefficients, written as the doubles they round to.
const LANCZOS = [
  0.9999999999999971, 57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202,
  0.00003399464998481189, 0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125,
  -0.00021026444172410488, 0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275,
  -0.000026190838401581408, 0.0000036899182659531625,
] as const;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

const isNonPositiveInteger = (x: number): boolean => x <= 0 && Number.isInteger(x);

/** ln|Γ(x)|; +Infinity at the poles (0, −1, −2, ...), NaN for NaN. */
export const logGamma = (x: number): number => {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (isNonPositiveInteger(x) || x === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x === 1 || x === 2) return 0;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(sinPi(x))) - logGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
};

/** ψ(x) = d/dx ln Γ(x); reflection below 0, NaN at the poles. */
export const digamma = (x: number): number => {
  if (Number.isNaN(x) || isNonPositiveInteger(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x < 0) {
    // ψ(1 − x) − ψ(x) = π cot(πx)
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * (x - Math.floor(x)));
  }
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift -= 1 / y;
    y += 1;
  }
  const inv = 1 / (y * y);
  // ln y − 1/(2y) − Σ B₂ₖ/(2k y²ᵏ)
  const series =
    inv *
    (1 / 12 - inv * (1 / 120 - inv * (1 / 252 - inv * (1 / 240 - inv * (1 / 132 - (inv * 691) / 32760)))));
  return shift + Math.log(y) - 0.5 / y - series;
};

/** sin(πx), exact at integers and accurate for large |x| (reduces the argument first). */
const sinPi = (x: number): number => {
  const r = x - 2 * Math.round(x / 2); // r in [-1, 1]
  if (r === 0 || Math.abs(r) === 1) return 0;
  return Math.sin(Math.PI * r);
};

/** The sign of Γ(x): +1 for x > 0, alternating between the poles below 0; NaN at the poles. */
export const gammaSign = (x: number): number => {
  if (Number.isNaN(x) || isNonPositiveInteger(x)) return Number.NaN;
  if (x > 0) return 1;
  return Math.floor(x) % 2 === 0 ? 1 : -1;
};

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0. */
export const logBeta = (a: number, b: number): number => {
  if (!(a > 0 && b > 0)) return Number.NaN;
  return logGamma(a) + logGamma(b) - logGamma(a + b);
};

/** ln(e^u + e^v) without overflow. */
export const logSumExp = (u: number, v: number): number => {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  const high = Math.max(u, v);
  return high + Math.log1p(Math.exp(Math.min(u, v) - high));
};

export interface SeriesResult {
  readonly value: number;
  readonly terms: number;
  readonly converged: boolean;
}

const EPSILON = 1e-16;

/**
 * The Gauss series Σ (a)_n (b)_n / ((c)_n n!) zⁿ, summed until the remaining tail is below
 * 1e-16 of the sum (bounded geometrically once the term ratio is below 1), or `maxTerms`.
 * A terminating series (a or b a non-positive integer) is exact.
 */
export const hyp2f1Series = (
  a: number,
  b: number,
  c: number,
  z: number,
  maxTerms = 100_000,
): SeriesResult => {
  if ([a, b, c, z].some(Number.isNaN) || isNonPositiveInteger(c)) {
    return { value: Number.NaN, terms: 0, converged: false };
  }
  let term = 1;
  let sum = 1;
  let quiet = 0;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return { value: sum, terms: n + 1, converged: true };
    if (!Number.isFinite(sum)) return { value: Number.NaN, terms: n + 1, converged: false };
    const next = Math.abs(ratio);
    // Tail bound |term|·ρ/(1 − ρ) while the ratio stays below 1; ask for it three times in a
    // row so that a ratio that is still moving (small n) cannot stop the sum early.
    if (next < 1 && (Math.abs(term) * next) / (1 - next) <= EPSILON * Math.abs(sum)) {
      quiet++;
      if (quiet >= 3) return { value: sum, terms: n + 1, converged: true };
    } else {
      quiet = 0;
    }
  }
  return { value: sum, terms: maxTerms, converged: false };
};

/** 1/Γ(x) as sign and log-magnitude; `zero` at the poles of Γ. */
const reciprocalGamma = (x: number): { zero: boolean; sign: number; log: number } =>
  isNonPositiveInteger(x)
    ? { zero: true, sign: 0, log: 0 }
    : { zero: false, sign: gammaSign(x), log: -logGamma(x) };

/** Γ(c)Γ(s)/(Γ(p)Γ(q)) as a plain number (0 where 1/Γ(p) or 1/Γ(q) vanishes). */
const gammaRatio = (c: number, s: number, p: number, q: number): number => {
  const rp = reciprocalGamma(p);
  const rq = reciprocalGamma(q);
  if (rp.zero || rq.zero) return 0;
  const sign = gammaSign(c) * gammaSign(s) * rp.sign * rq.sign;
  return sign * Math.exp(logGamma(c) + logGamma(s) + rp.log + rq.log);
};

/** Where the power series is summed directly; beyond it (towards 1) the 1 − z formula. */
const DIRECT_LIMIT = 0.9;
/**
 * c − a − b closer than this to an integer m makes 15.3.6 cancel: there the value is
 * interpolated linearly between c − a − b = m ± 1e-5 (error of order 1e-10).
 */
const NEAR_INTEGER = 1e-5;

/**
 * Gauss's hypergeometric function 2F1(a, b; c; z) for real z < 1 (and z = 1 when
 * c − a − b > 0, by Gauss's theorem). NaN where undefined (c a non-positive integer, z > 1)
 * or when the value overflows.
 *
 * Accuracy: about 1e-14 relative on moderate parameters; about 1e-9 relative when
 * c − a − b lies within 1e-5 of an integer and z > 0.9996, where the connection formula itself
 * cancels and the value is interpolated.
 */
export const hyp2f1 = (a: number, b: number, c: number, z: number): number => {
  if ([a, b, c, z].some(Number.isNaN) || isNonPositiveInteger(c) || z > 1) return Number.NaN;
  if (z === 0 || a === 0 || b === 0) return 1;
  if (isNonPositiveInteger(a) || isNonPositiveInteger(b)) {
    return finiteOrNaN(hyp2f1Series(a, b, c, z, 1 + Math.max(-a, -b) + 1).value);
  }
  if (z === 1) {
    const s = c - a - b;
    return s > 0 ? finiteOrNaN(gammaRatio(c, s, c - a, c - b)) : Number.NaN;
  }
  if (z < 0) {
    // Pfaff: 2F1(a, b; c; z) = (1 − z)^(−a) 2F1(a, c − b; c; z/(z − 1)), argument in (0, 1).
    const w = z / (z - 1);
    const inner = hyp2f1(a, c - b, c, w);
    return finiteOrNaN(Math.exp(-a * Math.log1p(-z)) * inner);
  }
  if (z <= DIRECT_LIMIT) {
    const series = hyp2f1Series(a, b, c, z);
    return series.converged ? finiteOrNaN(series.value) : Number.NaN;
  }
  const s = c - a - b;
  const m = Math.round(s);
  if (Math.abs(s - m) < NEAR_INTEGER) {
    // The plain series is exact, if slow, up to z ≈ 0.9996 (100k terms): prefer it.
    const series = hyp2f1Series(a, b, c, z);
    if (series.converged) return finiteOrNaN(series.value);
    const below = connection(a, b, c + (m - s) - NEAR_INTEGER, z);
    const above = connection(a, b, c + (m - s) + NEAR_INTEGER, z);
    const weight = (s - m + NEAR_INTEGER) / (2 * NEAR_INTEGER);
    return finiteOrNaN(below + (above - below) * weight);
  }
  return finiteOrNaN(connection(a, b, c, z));
};

/** Abramowitz & Stegun 15.3.6, for 0.9 < z < 1 and c − a − b not an integer. */
const connection = (a: number, b: number, c: number, z: number): number => {
  if (isNonPositiveInteger(c)) return Number.NaN;
  const s = c - a - b;
  const w = 1 - z;
  const first = gammaRatio(c, s, c - a, c - b);
  const second = gammaRatio(c, -s, a, b);
  const f1 = first === 0 ? 0 : hyp2f1Series(a, b, 1 - s, w);
  const f2 = second === 0 ? 0 : hyp2f1Series(c - a, c - b, 1 + s, w);
  const v1 = typeof f1 === 'number' ? 0 : f1.converged ? first * f1.value : Number.NaN;
  const v2 =
    typeof f2 === 'number' ? 0 : f2.converged ? second * Math.exp(s * Math.log(w)) * f2.value : Number.NaN;
  return v1 + v2;
};

const finiteOrNaN = (x: number): number => (Number.isFinite(x) ? x : Number.NaN);
