/**
 * The normal and Student t distributions the lift report needs: CDFs from the regularised
 * incomplete gamma and beta functions (Numerical Recipes, 3rd ed., §6.2 and §6.4), quantiles by
 * bisection on them. Written here rather than taken from @stdlib, whose t distribution adds about
 * 190 KB to each function bundle and would break the 300 KB bundle budget (scripts/lambda-bundles.ts);
 * test/unit/distributions.test.ts checks every function against @stdlib (relative 1e-8 at worst,
 * at a million degrees of freedom; far closer below).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export const logGamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
};

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 1000;

/** Lentz's method for a continued fraction whose n-th terms are `a(n)` over `b(n)`, from `b0`. */
const continuedFraction = (b0: number, a: (n: number) => number, b: (n: number) => number): number => {
  let f = b0 === 0 ? TINY : b0;
  let c = f;
  let d = 0;
  for (let n = 1; n <= MAX_ITERATIONS; n++) {
    d = b(n) + a(n) * d;
    d = Math.abs(d) < TINY ? 1 / TINY : 1 / d;
    c = b(n) + a(n) / c;
    if (Math.abs(c) < TINY) c = TINY;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return f;
};

/** The regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
const gammaQ = (a: number, x: number): number => {
  if (x <= 0) return 1;
  const prefix = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // Series for P, then Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * prefix;
  }
  // Q's continued fraction, in the even form (NR 6.2.7).
  const cf = continuedFraction(
    x + 1 - a,
    (n) => -n * (n - a),
    (n) => x + 1 - a + 2 * n,
  );
  return prefix / cf;
};

/** The regularised incomplete beta I_x(a, b), given x and y = 1 − x (each computed without cancellation). */
const betaI = (x: number, y: number, a: number, b: number): number => {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  // The continued fraction converges fast below the mean; above it, use I_x(a, b) = 1 − I_y(b, a).
  if (x > (a + 1) / (a + b + 2)) return 1 - betaI(y, x, b, a);
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y));
  // d_{2m+1} (odd terms) and d_{2m} (even terms) of NR 6.4.5.
  const d = (n: number) => {
    const m = Math.floor(n / 2);
    return n % 2 === 1
      ? (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
      : (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
  };
  // I = front / a × 1 / (1 + d1 / (1 + d2 / (1 + …))).
  return front / (a * continuedFraction(1, d, () => 1));
};

/** P(Z ≤ x) for a standard normal Z; accurate in the far tails too (no 1 − p cancellation). */
export const normalCdf = (x: number): number => {
  if (Number.isNaN(x)) return Number.NaN;
  const upper = 0.5 * gammaQ(0.5, (x * x) / 2);
  return x < 0 ? upper : 1 - upper;
};

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0; Infinity is the normal). */
export const tCdf = (t: number, df: number): number => {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(df)) return normalCdf(t);
  const tail = 0.5 * betaI(df / (df + t * t), (t * t) / (df + t * t), df / 2, 0.5);
  return t < 0 ? tail : 1 - tail;
};

/** The p-quantile of a continuous, increasing CDF, by bisection to double precision. */
const invert = (cdf: (x: number) => number, p: number): number => {
  if (!(p > 0 && p < 1))
    return p === 0 ? Number.NEGATIVE_INFINITY : p === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  let low = -1;
  let high = 1;
  while (cdf(low) > p) low *= 2;
  while (cdf(high) < p) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-15 * Math.max(1, Math.abs(low)); i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
};

export const normalQuantile = (p: number): number => invert(normalCdf, p);

export const tQuantile = (p: number, df: number): number =>
  Number.isFinite(df) ? invert((t) => tCdf(t, df), p) : normalQuantile(p);
