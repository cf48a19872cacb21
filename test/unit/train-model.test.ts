/**
 * The training step as a whole (pure): deterministic, ids kept across retrains, and a quality
 * gate that rejects tiny segments, a silhouette collapse, or a stability collapse without drift.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '#shared/kernel/random';
import { FEATURES, type RawFeatures } from '#shared/segmentation/domain/features/features';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import {
  defaultTrainingConfig,
  qualityGate,
  type TrainingInput,
  trainModel,
} from '#shared/segmentation/domain/training/train-model';

/** Three planted groups: recent big spenders, steady mid buyers, lapsed one-timers. */
const population = (n: number, seed: number, shift = 0): RawFeatures[] => {
  const rand = mulberry32(seed);
  const jitter = (v: number, spread: number) => Math.max(0, v + (rand() - 0.5) * spread);
  return Array.from({ length: n }, (_, i) => {
    const group = i % 3;
    const base = Object.fromEntries(FEATURES.map((f) => [f, 0])) as RawFeatures;
    const [recency, frequency, monetary] =
      group === 0 ? [5, 20, 3000] : group === 1 ? [40, 6, 500] : [300 + shift, 1, 40];
    return {
      ...base,
      recencyDays: jitter(recency, recency / 2),
      frequency365: Math.round(jitter(frequency, frequency / 2)),
      monetary365: jitter(monetary, monetary / 2),
      averageOrderValue: jitter(monetary / Math.max(frequency, 1), 10),
      tenureDays: jitter(400, 200),
      categoryBreadth: Math.round(jitter(group === 0 ? 5 : 2, 2)),
    };
  });
};

const input = (rows: RawFeatures[], previous?: SegmentModel, seed = 42): TrainingInput => ({
  rows,
  prospects: 10,
  asOf: '2026-06-30T00:00:00.000Z',
  currency: 'USD',
  previous,
  config: { ...defaultTrainingConfig, seed, kMin: 3, kMax: 5 },
  version: `v-${seed}-${previous ? 'b' : 'a'}`,
  runId: 'run',
  createdAt: '2026-06-30T00:00:00.000Z',
  snapshot: { key: 'snapshots/x/_manifest.json', rows: rows.length + 10 },
  // These planted groups have no future to backtest: K falls back to silhouette.
  backtest: { unavailable: 'no history in this fixture' },
});

describe('trainModel', () => {
  const rows = population(1500, 1);
  const first = trainModel(input(rows));

  it('finds the planted groups, names them uniquely, and is deterministic', () => {
    expect(first.model.metrics.k).toBe(3);
    expect(first.gate).toEqual({ passed: true, reason: 'first model' });
    expect(new Set(first.model.segments.map((s) => s.name)).size).toBe(3);
    expect(first.model.segments.map((s) => s.id).sort()).toEqual(['seg-1', 'seg-2', 'seg-3']);
    expect(trainModel(input(rows)).model).toEqual(first.model);
    const champion = first.model.segments.find((s) => s.name === 'Champions');
    expect(champion?.centroidReal.frequency365).toBeGreaterThan(10);
  });

  it('keeps ids and names when retrained with another seed on the same data', () => {
    const second = trainModel(input(rows, first.model, 7));
    expect(second.gate.passed).toBe(true);
    expect(second.model.stability?.ari).toBeGreaterThan(0.95);
    const byId = (m: SegmentModel) => Object.fromEntries(m.segments.map((s) => [s.id, s.name]));
    expect(byId(second.model)).toEqual(byId(first.model));
    expect(second.model.drift?.maxFeaturePsi).toBeLessThan(0.1);
  });

  it('measures drift when the population moves', () => {
    const moved = trainModel(input(population(1500, 2, 600), first.model, 7));
    expect(moved.model.drift?.features.recencyDays).toBeGreaterThan(0.25);
  });

  it('rejects a tiny segment, a silhouette collapse, and a stability collapse without drift', () => {
    const m = first.model;
    const tiny = { ...m, segments: m.segments.map((s, i) => (i === 0 ? { ...s, size: 1 } : s)) };
    expect(qualityGate(tiny, undefined)).toMatchObject({ passed: false });
    const worse = { ...m, metrics: { ...m.metrics, silhouette: m.metrics.silhouette * 0.5 } };
    expect(qualityGate(worse, m).reason).toContain('silhouette');
    const unstable = {
      ...m,
      stability: { ...(m.stability ?? { migration: {}, matched: 0, retired: [], added: [] }), ari: 0.2 },
      drift: { features: {}, maxFeaturePsi: 0.01, segmentSharesPsi: 0 },
    };
    expect(qualityGate(unstable, m)).toMatchObject({ passed: false });
    expect(qualityGate(unstable, m).reason).toContain('stability');
    const drifted = { ...unstable, drift: { features: {}, maxFeaturePsi: 0.4, segmentSharesPsi: 0.3 } };
    expect(qualityGate(drifted, m).passed).toBe(true);
  });

  it('does not compare silhouette or stability with a model of other features, but still checks sizes', () => {
    const m = first.model;
    const otherFeatures = {
      ...m,
      transform: { ...m.transform, features: [...m.transform.features, 'pAlive' as const] },
      metrics: { ...m.metrics, silhouette: m.metrics.silhouette * 0.5 },
      stability: { ...(m.stability ?? { migration: {}, matched: 0, retired: [], added: [] }), ari: 0.1 },
    };
    expect(qualityGate(otherFeatures, m)).toMatchObject({ passed: true });
    expect(qualityGate(otherFeatures, m).reason).toContain('features changed');
    const tiny = { ...otherFeatures, segments: m.segments.map((s, i) => (i === 0 ? { ...s, size: 1 } : s)) };
    expect(qualityGate(tiny, m).passed).toBe(false);
  });
});
