/**
 * Minimisation for the small (3–4 parameter) likelihoods of the CLV models:
 * - `minimiseSmooth`: BFGS with analytic gradients from several starts (tens of iterations,
 *   each one pass over the data), falling back to
 * - `minimise`: derivative-free Nelder–Mead with the dimension-adaptive coefficients of
 *   Gao & Han (2012), restarted from the best vertex until a restart no longer improves (the
 *   usual cure for a simplex that collapses early), from several starting points.
 * Deterministic.
 *
 * Non-finite objective values are treated as +Infinity, so an objective may reject a point
 * (e.g. a parameter that overflows) by returning NaN or Infinity.
 */

export interface MinimiseOptions {
  /** Stop a run when the objective's spread over the simplex is at most this (absolute). */
  readonly fTolerance: number;
  /** ... and the simplex fits in a box of this half-width (in the optimised coordinates). */
  readonly xTolerance: number;
  /** Objective evaluations per Nelder–Mead run. */
  readonly maxEvaluations: number;
  /** Restarts from the best vertex after a run has converged. */
  readonly maxRestarts: number;
  /** Edge of the initial simplex (in the optimised coordinates). */
  readonly initialStep: number;
}

export const defaultMinimiseOptions: MinimiseOptions = {
  fTolerance: 1e-11,
  xTolerance: 1e-7,
  maxEvaluations: 4_000,
  maxRestarts: 6,
  initialStep: 0.5,
};

export interface MinimiseResult {
  readonly x: number[];
  readonly value: number;
  /** Objective evaluations over all starts and restarts. */
  readonly evaluations: number;
  /** Nelder–Mead iterations over all starts and restarts. */
  readonly iterations: number;
  /** The best start's last run met both tolerances within its evaluation budget. */
  readonly converged: boolean;
}

interface RunResult {
  x: number[];
  value: number;
  evaluations: number;
  iterations: number;
  converged: boolean;
}

const safe = (f: (x: number[]) => number) => (x: number[]) => {
  const v = f(x);
  return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
};

const nelderMead = (f: (x: number[]) => number, start: number[], options: MinimiseOptions): RunResult => {
  const n = start.length;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;

  const simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const vertex = start.slice();
    vertex[i] = (vertex[i] as number) + options.initialStep;
    simplex.push(vertex);
  }
  const values = simplex.map(f);
  let evaluations = n + 1;
  let iterations = 0;

  const order = (): void => {
    const idx = values.map((_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
    const s = idx.map((i) => simplex[i] as number[]);
    const v = idx.map((i) => values[i] as number);
    for (let i = 0; i <= n; i++) {
      simplex[i] = s[i] as number[];
      values[i] = v[i] as number;
    }
  };
  const point = (centroid: number[], worst: number[], t: number): number[] =>
    centroid.map((c, i) => c + t * (c - (worst[i] as number)));

  while (evaluations < options.maxEvaluations) {
    order();
    const best = values[0] as number;
    const worstValue = values[n] as number;
    const spread = Math.abs(worstValue - best);
    let size = 0;
    const b = simplex[0] as number[];
    for (let i = 1; i <= n; i++) {
      const v = simplex[i] as number[];
      for (let j = 0; j < n; j++) size = Math.max(size, Math.abs((v[j] as number) - (b[j] as number)));
    }
    if (Number.isFinite(best) && spread <= options.fTolerance && size <= options.xTolerance) {
      return { x: b.slice(), value: best, evaluations, iterations, converged: true };
    }
    iterations++;

    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const v = simplex[i] as number[];
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (v[j] as number) / n;
    }
    const worst = simplex[n] as number[];
    const secondWorst = values[n - 1] as number;

    const reflected = point(centroid, worst, alpha);
    const fr = f(reflected);
    evaluations++;
    if (fr < best) {
      const expanded = point(centroid, worst, alpha * beta);
      const fe = f(expanded);
      evaluations++;
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
      continue;
    }
    if (fr < secondWorst) {
      simplex[n] = reflected;
      values[n] = fr;
      continue;
    }
    // Contraction: outside if the reflection helped a little, inside otherwise.
    const outside = fr < worstValue;
    const contracted = point(centroid, worst, outside ? alpha * gamma : -gamma);
    const fc = f(contracted);
    evaluations++;
    if (outside ? fc <= fr : fc < worstValue) {
      simplex[n] = contracted;
      values[n] = fc;
      continue;
    }
    // Shrink towards the best vertex.
    for (let i = 1; i <= n; i++) {
      const v = simplex[i] as number[];
      simplex[i] = v.map((x, j) => (b[j] as number) + delta * (x - (b[j] as number)));
      values[i] = f(simplex[i] as number[]);
      evaluations++;
    }
  }
  order();
  return {
    x: (simplex[0] as number[]).slice(),
    value: values[0] as number,
    evaluations,
    iterations,
    converged: false,
  };
};

/** Restarts Nelder–Mead from its own optimum until that no longer moves it. */
const runWithRestarts = (
  f: (x: number[]) => number,
  start: number[],
  options: MinimiseOptions,
): RunResult => {
  let run = nelderMead(f, start, options);
  let evaluations = run.evaluations;
  let iterations = run.iterations;
  for (let restart = 0; restart < options.maxRestarts && run.converged; restart++) {
    const next = nelderMead(f, run.x, options);
    evaluations += next.evaluations;
    iterations += next.iterations;
    const improved = next.value < run.value - options.fTolerance;
    if (next.value <= run.value) run = next;
    if (!improved) break;
  }
  return { ...run, evaluations, iterations };
};

/** Runs from each start in order and keeps the first best run, counting the work of all of them. */
const bestOfStarts = (
  name: string,
  starts: readonly number[][],
  run: (start: number[]) => RunResult,
  better: (run: RunResult, best: RunResult) => boolean,
): { best: RunResult; evaluations: number; iterations: number } => {
  let best: RunResult | null = null;
  let evaluations = 0;
  let iterations = 0;
  for (const start of starts) {
    const result = run(start);
    evaluations += result.evaluations;
    iterations += result.iterations;
    if (best === null || better(result, best)) best = result;
  }
  if (best === null) throw new Error(`${name} needs at least one start`);
  return { best, evaluations, iterations };
};

/** Minimises `objective` from each start; returns the best result (first start wins ties). */
export const minimise = (
  objective: (x: number[]) => number,
  starts: readonly number[][],
  options: Partial<MinimiseOptions> = {},
): MinimiseResult => {
  const settings = { ...defaultMinimiseOptions, ...options };
  const f = safe(objective);
  const { best, evaluations, iterations } = bestOfStarts(
    'minimise',
    starts,
    (start) => runWithRestarts(f, start, settings),
    (run, best) => run.value < best.value,
  );
  return { x: best.x, value: best.value, evaluations, iterations, converged: best.converged };
};

/** An objective with its gradient, for `minimiseSmooth`. */
export type ValueAndGradient = (x: number[]) => { value: number; gradient: number[] };

export interface SmoothOptions {
  /**
   * A point where the search is hopeless (e.g. parameters running off to 0 or ∞): a run that
   * ends there is not polished by the Nelder–Mead fallback, and reports not converged.
   */
  readonly abandon?: (x: readonly number[]) => boolean;
  /** Converged when every gradient component is at most this in absolute value. */
  readonly gradientTolerance: number;
  /** ... or at most this once the value stops decreasing (the floating-point floor). */
  readonly looseGradientTolerance: number;
  readonly maxIterations: number;
  /** Longest step per coordinate in one iteration (guards exp() of log-parameters). */
  readonly maxStep: number;
}

export const defaultSmoothOptions: SmoothOptions = {
  gradientTolerance: 1e-9,
  looseGradientTolerance: 1e-6,
  maxIterations: 200,
  maxStep: 2,
};

const dot = (u: readonly number[], v: readonly number[]): number => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += (u[i] as number) * (v[i] as number);
  return s;
};
const maxAbs = (v: readonly number[]): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const identity = (n: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

const evaluate = (fg: ValueAndGradient, x: number[]): { value: number; gradient: number[] } | null => {
  const result = fg(x);
  return Number.isFinite(result.value) && result.gradient.every(Number.isFinite) ? result : null;
};

/** BFGS with a backtracking (Armijo) line search and inverse-Hessian resets. */
const bfgs = (fg: ValueAndGradient, start: number[], options: SmoothOptions): RunResult => {
  const n = start.length;
  let x = start.slice();
  let current = evaluate(fg, x);
  let evaluations = 1;
  if (current === null) {
    return { x, value: Number.POSITIVE_INFINITY, evaluations, iterations: 0, converged: false };
  }
  let H = identity(n);
  let fresh = true;
  // Iterations in a row that improved the value by less than 1e-12 relative.
  let idle = 0;
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    const g = current.gradient;
    if (maxAbs(g) <= options.gradientTolerance) {
      return { x, value: current.value, evaluations, iterations: iteration, converged: true };
    }
    let d = H.map((row) => -dot(row, g));
    if (dot(g, d) >= 0) {
      H = identity(n);
      fresh = true;
      d = g.map((v) => -v);
    }
    const longest = maxAbs(d);
    if (longest > options.maxStep) d = d.map((v) => (v * options.maxStep) / longest);
    const slope = dot(g, d);

    let step = 1;
    let next: { value: number; gradient: number[] } | null = null;
    let candidate = x;
    for (let tries = 0; tries < 40; tries++) {
      candidate = x.map((v, i) => v + step * (d[i] as number));
      const trial = evaluate(fg, candidate);
      evaluations++;
      if (trial !== null && trial.value <= current.value + 1e-4 * step * slope) {
        next = trial;
        break;
      }
      step *= 0.5;
    }
    if (next === null) {
      if (!fresh) {
        // A stale curvature estimate can point badly: retry once along the gradient.
        H = identity(n);
        fresh = true;
        continue;
      }
      const converged = maxAbs(g) <= options.looseGradientTolerance;
      return { x, value: current.value, evaluations, iterations: iteration, converged };
    }
    const s = candidate.map((v, i) => v - (x[i] as number));
    const y = next.gradient.map((v, i) => v - (g[i] as number));
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (fresh) {
        // Scale the initial inverse Hessian to the observed curvature (Nocedal & Wright 6.20).
        const scale = sy / dot(y, y);
        H = H.map((row) => row.map((v) => v * scale));
      }
      const rho = 1 / sy;
      const Hy = H.map((row) => dot(row, y));
      const yHy = dot(y, Hy);
      H = H.map((row, i) =>
        row.map(
          (v, j) =>
            v -
            rho * ((Hy[i] as number) * (s[j] as number) + (s[i] as number) * (Hy[j] as number)) +
            (rho * rho * yHy + rho) * (s[i] as number) * (s[j] as number),
        ),
      );
      fresh = false;
    }
    const gain = current.value - next.value;
    const stalled = gain <= 4 * Number.EPSILON * (1 + Math.abs(current.value));
    idle = gain <= 1e-12 * (1 + Math.abs(current.value)) ? idle + 1 : 0;
    x = candidate;
    current = next;
    // At the floating-point floor the value stops moving before the gradient reaches the
    // tight tolerance: accept the loose one there rather than wander.
    if (stalled && maxAbs(current.gradient) <= options.looseGradientTolerance) {
      return { x, value: current.value, evaluations, iterations: iteration + 1, converged: true };
    }
    // Crawling along a flat ridge (a parameter drifting off to 0 or ∞): stop, unconverged
    // unless the gradient is at the loose tolerance.
    if (idle >= 10) {
      const converged = maxAbs(current.gradient) <= options.looseGradientTolerance;
      return { x, value: current.value, evaluations, iterations: iteration + 1, converged };
    }
  }
  return {
    x,
    value: current.value,
    evaluations,
    iterations: options.maxIterations,
    converged: maxAbs(current.gradient) <= options.gradientTolerance,
  };
};

/**
 * Minimises a smooth objective with its gradient: BFGS from each start, keeping the best
 * converged run. If no run converges, Nelder–Mead (with restarts) from the best point found,
 * then BFGS again from there to confirm a stationary point. Deterministic.
 */
export const minimiseSmooth = (
  fg: ValueAndGradient,
  starts: readonly number[][],
  options: Partial<SmoothOptions> = {},
): MinimiseResult => {
  const settings = { ...defaultSmoothOptions, ...options };
  const found = bestOfStarts(
    'minimiseSmooth',
    starts,
    (start) => bfgs(fg, start, settings),
    (run, best) =>
      (run.converged && !best.converged) || (run.converged === best.converged && run.value < best.value),
  );
  let { best, evaluations, iterations } = found;
  if (!best.converged && !settings.abandon?.(best.x)) {
    const simplex = minimise((x) => fg(x).value, [best.x], { maxEvaluations: 2_000, maxRestarts: 2 });
    const polish = bfgs(fg, simplex.x, settings);
    evaluations += simplex.evaluations + polish.evaluations;
    iterations += simplex.iterations + polish.iterations;
    if (polish.value <= best.value || polish.converged) best = polish;
  }
  return { x: best.x, value: best.value, evaluations, iterations, converged: best.converged };
};
