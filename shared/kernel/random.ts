/** Seeded uniform PRNG on [0, 1): tiny, fast and reproducible across platforms (only 32-bit integer ops). */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Standard normal draws (Box–Muller) from a uniform source; used to plant test and bench data. */
export const normal = (uniform: () => number): (() => number) => {
  return () => {
    // 1 - u keeps the logarithm away from 0.
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
};

/**
 * `min(n, size)` distinct indices in [0, n), ascending.
 * Floyd's algorithm touches only `size` slots, so sampling 20k rows out of 50M does not allocate 50M of anything.
 */
export const sampleIndices = (n: number, size: number, seed: number): Uint32Array => {
  const count = Math.max(0, Math.min(n, Math.floor(size)));
  if (count === n) return Uint32Array.from({ length: n }, (_, i) => i);
  const random = mulberry32(seed);
  const chosen = new Set<number>();
  for (let j = n - count; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
};
