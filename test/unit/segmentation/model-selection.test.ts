/**
 * K, features and weights chosen on the backtest: what predicts the future is clustered, a sparse
 * feature that predicts nothing is not, and a model that separates the future worse than the RFM
 * grid is not promoted. Seeded synthetic shoppers whose next orders follow their R and F.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '#shared/kernel/random';
import { FEATURES, type RawFeatures } from '#shared/segmentation/domain/features/features';
import type { TrainingConfig } from '#shared/segmentation/domain/segment-model';
import type { Backtest, BacktestRow } from '#shared/segmentation/domain/training/backtest';
import {
  losesToGrid,
  type Selection,
  selectSegmentation,
} from '#shared/segmentation/domain/training/model-selection';
import {
  defaultTrainingConfig,
  qualityGate,
  trainModel,
} from '#shared/segmentation/domain/training/train-model';

/** 85% of shoppers never refund; the others refund a random share, unrelated to what they do next. */
const shoppers = (n: number, seed: number): BacktestRow[] => {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const recencyDays = Math.floor(rand() ** 2 * 300);
    const frequency365 = 1 + Math.floor(-Math.log(1 - rand()) * 3);
    const monetary365 = frequency365 * (20 + rand() * 80);
    const features = {
      ...(Object.fromEntries(FEATURES.map((f) => [f, 0])) as RawFeatures),
      recencyDays,
      frequency365,
      monetary365,
      averageOrderValue: monetary365 / frequency365,
      tenureDays: recencyDays + Math.floor(rand() * 200),
      refundRate: rand() < 0.85 ? 0 : 0.05 + rand() * 0.9,
    };
    const chance = Math.min(0.95, (frequency365 / (frequency365 + 2)) * Math.exp(-recencyDays / 120));
    const bought = rand() < chance;
    return {
      features,
      rfm: { recencyDays, orderDays: frequency365, revenue: monetary365 },
      purchase: null,
      bought,
      revenue: bought ? 30 + rand() * 100 * frequency365 : 0,
    };
  });
};

const backtest: Backtest = { horizonDays: 90, asOf: '2024-04-01T00:00:00.000Z', rows: shoppers(3000, 5) };
const options = {
  features: defaultTrainingConfig.features,
  constantNow: [],
  kMin: 3,
  kMax: 8,
  seed: 42,
  minShare: 0.02,
  maxShare: 0.5,
  restarts: 2,
};

/** The whole training step on the backtest's shoppers as they are now. */
const train = (config: Partial<TrainingConfig>) =>
  trainModel({
    rows: backtest.rows.map((r) => r.features),
    prospects: 0,
    asOf: '2024-07-01T00:00:00.000Z',
    currency: 'USD',
    previous: undefined,
    config: { ...defaultTrainingConfig, ...config },
    version: 'v1',
    runId: 'r1',
    createdAt: '2024-07-01T00:00:00.000Z',
    snapshot: { key: 'k', rows: 3000 },
    backtest,
  });

describe('selectSegmentation', () => {
  const selection = selectSegmentation(backtest, options);

  it('does not split a population on a refund rate that is 0 for 85% of shoppers', () => {
    const refund = selection.features.find((f) => f.feature === 'refundRate');
    expect(refund?.used).toBe(false);
    expect(refund?.reason).toMatch(/^dropped/);
    expect(selection.chosen.features).not.toContain('refundRate');
    expect(selection.chosen.largestShare).toBeLessThanOrEqual(0.5);
    // Features with no spread at all are dropped at once, with that reason.
    expect(selection.features.find((f) => f.feature === 'discountShare')?.reason).toContain('one value');
  });

  it('chooses the smallest eligible K within 2% of the best backtest score, and reports every candidate', () => {
    // The last sweep is the one over the final features (earlier rows are trials at one K).
    const swept = selection.candidates
      .filter(
        (c) =>
          c.features.join() === selection.chosen.features.join() && c.weighted === selection.chosen.weighted,
      )
      .slice(-6);
    expect(swept.map((c) => c.k).slice(0, 6)).toEqual([3, 4, 5, 6, 7, 8]);
    const eligible = swept.filter((c) => c.eligible);
    const best = Math.max(...eligible.map((c) => c.score));
    const expected = eligible.find((c) => c.score >= best * 0.98);
    expect(selection.chosen.k).toBe(expected?.k);
    expect(selection.baseline.auc).toBeGreaterThan(0.5);
  });

  it('is deterministic for a seed', () => {
    expect(selectSegmentation(backtest, options)).toEqual(selection);
  });

  it('the trained model clusters on the chosen features at the chosen K', () => {
    const { model, gate } = train({ kMax: 8, restarts: 2 });
    const chosen = (model.metrics.selection as Selection).chosen;
    expect(model.transform.features).toEqual(chosen.features);
    expect(model.segments).toHaveLength(chosen.k);
    // Promoted exactly when the segments separate the backtest future at least as well as the grid.
    expect(gate.passed).toBe(losesToGrid(model.metrics.selection as Selection) === null);
  });
});

describe('selectSegmentation with the current rows', () => {
  it('counts a candidate eligible only if its segments also hold within the share limits on the shoppers as they are now', () => {
    // The backtest's shoppers, 90 days later: most have lapsed into one identical profile, so any
    // clustering of them has a segment over half, however well it split the backtest.
    const lapsed = {
      ...(backtest.rows[0] as BacktestRow).features,
      recencyDays: 400,
      frequency365: 0,
      monetary365: 0,
    };
    const current = backtest.rows.map((r, i) => (i % 5 < 3 ? lapsed : r.features));
    const withCurrent = selectSegmentation(backtest, { ...options, current });
    for (const c of withCurrent.candidates) {
      expect(c.current?.largestShare).toBeGreaterThanOrEqual(0.6);
      expect(c.eligible).toBe(false);
    }
    // Without them, the same backtest finds eligible candidates: the check is what rules them out.
    expect(selectSegmentation(backtest, options).chosen.eligible).toBe(true);
  });

  it("chooses as on the backtest alone when the current rows are the backtest's", () => {
    const current = backtest.rows.map((r) => r.features);
    const withCurrent = selectSegmentation(backtest, { ...options, current });
    const alone = selectSegmentation(backtest, options);
    expect(withCurrent.chosen.k).toBe(alone.chosen.k);
    expect(withCurrent.chosen.features).toEqual(alone.chosen.features);
    expect(withCurrent.chosen.current?.largestShare).toBe(alone.chosen.largestShare);
  });
});

describe('the quality gate against the RFM grid', () => {
  it('rejects a model whose segments separate the backtest future worse than the grid by more than chance, saying why', () => {
    const selection = selectSegmentation(backtest, options);
    const se = selection.standardError ?? { auc: 0, etaSquared: 0 };
    expect(se.auc).toBeGreaterThan(0);
    expect(se.etaSquared).toBeGreaterThan(0);
    // Worse by less than one standard error is chance, not a loss.
    const withinChance: Selection = {
      ...selection,
      chosen: { ...selection.chosen, ...selection.baseline, auc: selection.baseline.auc - se.auc / 2 },
    };
    expect(losesToGrid(withinChance)).toBeNull();
    const worse: Selection = {
      ...selection,
      chosen: { ...selection.chosen, ...selection.baseline, auc: selection.baseline.auc - 3 * se.auc },
    };
    expect(losesToGrid(worse)).toContain('worse than the RFM grid');
    const { model } = train({ kMax: 5, restarts: 1 });
    const gate = qualityGate({ ...model, metrics: { ...model.metrics, selection: worse } }, undefined);
    expect(gate.passed).toBe(false);
    expect(gate.reason).toMatch(/AUC .* < /);
  });
});
