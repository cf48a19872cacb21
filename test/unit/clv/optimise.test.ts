/** The optimisers on textbook functions whose minima are known exactly. */
import { describe, expect, it } from 'vitest';
import { minimise, minimiseSmooth } from '#shared/customer-value/domain/optimise';

const rosenbrock = (x: number[]): number => {
  const [a, b] = x as [number, number];
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};
const rosenbrockGradient = (x: number[]) => {
  const [a, b] = x as [number, number];
  return { value: rosenbrock(x), gradient: [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)] };
};

describe('minimise (Nelder–Mead with restarts)', () => {
  it('finds the Rosenbrock minimum (1, 1) from (−1.2, 1)', () => {
    const result = minimise(rosenbrock, [[-1.2, 1]]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it('treats NaN as +Infinity and keeps the best of several starts', () => {
    const f = (x: number[]) => ((x[0] as number) < -5 ? Number.NaN : ((x[0] as number) - 2) ** 2 + 1);
    const result = minimise(f, [[-4.9], [10]]);
    expect(result.value).toBeCloseTo(1, 10);
    expect(result.x[0]).toBeCloseTo(2, 5);
  });
});

describe('minimiseSmooth (BFGS)', () => {
  it('finds the Rosenbrock minimum in far fewer evaluations than Nelder–Mead', () => {
    const result = minimiseSmooth(rosenbrockGradient, [[-1.2, 1]]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.evaluations).toBeLessThan(minimise(rosenbrock, [[-1.2, 1]]).evaluations);
  });

  it('stops promptly on a function without a minimum, far out, for the caller to judge', () => {
    // e^x falls forever as x → −∞: the gradient vanishes far out, and the fits' own
    // "ran away" checks (not the optimiser) must call such a point a failure.
    const result = minimiseSmooth(
      (x) => ({ value: Math.exp(x[0] as number), gradient: [Math.exp(x[0] as number)] }),
      [[0]],
      { abandon: (x) => (x[0] as number) < -15 },
    );
    expect(result.x[0]).toBeLessThan(-15);
    expect(result.evaluations).toBeLessThan(1000);
  });
});
