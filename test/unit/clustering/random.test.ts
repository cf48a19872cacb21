import { describe, expect, it } from 'vitest';
import { mulberry32, normal, sampleIndices } from '#shared/kernel/random';

describe('mulberry32', () => {
  it('is reproducible and uniform on [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((s, x) => s + x, 0) / draws.length).toBeCloseTo(0.5, 1);
    expect(mulberry32(8)()).not.toBe(mulberry32(7)());
  });

  it('feeds a standard normal', () => {
    const gauss = normal(mulberry32(3));
    const draws = Array.from({ length: 20_000 }, gauss);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
  });
});

describe('sampleIndices', () => {
  it('draws distinct, ascending indices in range', () => {
    const sample = sampleIndices(1000, 100, 42);
    expect(sample).toHaveLength(100);
    expect(new Set(sample).size).toBe(100);
    for (let i = 1; i < sample.length; i++) expect(sample[i]).toBeGreaterThan(sample[i - 1] as number);
    expect(sample[0]).toBeGreaterThanOrEqual(0);
    expect(sample[99]).toBeLessThan(1000);
  });

  it('is deterministic per seed', () => {
    expect(sampleIndices(1000, 50, 1)).toEqual(sampleIndices(1000, 50, 1));
    expect(sampleIndices(1000, 50, 1)).not.toEqual(sampleIndices(1000, 50, 2));
  });

  it('returns every index when the sample is not smaller than n', () => {
    expect([...sampleIndices(5, 5, 1)]).toEqual([0, 1, 2, 3, 4]);
    expect([...sampleIndices(3, 10, 1)]).toEqual([0, 1, 2]);
    expect(sampleIndices(0, 10, 1)).toHaveLength(0);
  });

  it('samples a few rows of a huge population cheaply', () => {
    const sample = sampleIndices(50_000_000, 20_000, 9);
    expect(new Set(sample).size).toBe(20_000);
    expect(sample[19_999]).toBeLessThan(50_000_000);
  });

  it('is roughly uniform', () => {
    const hits = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 200; seed++) {
      for (const i of sampleIndices(100, 10, seed))
        hits[Math.floor(i / 10)] = (hits[Math.floor(i / 10)] ?? 0) + 1;
    }
    // 2000 draws over 10 deciles: 200 expected each.
    for (const h of hits) expect(Math.abs(h - 200)).toBeLessThan(60);
  });
});
