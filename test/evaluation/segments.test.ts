/**
 * The segments hold up on real shops: each shared data set replayed through the product's code
 * as of its calibration date (evaluate/), segments trained as the retrain does, and the next
 * months scored against the baselines marketers use, measured in the same run. Reads
 * ../shared/data; where it is absent the suite skips itself, saying so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CDNOW, type Dataset, isAvailable, ONLINE_RETAIL_H1 } from '#evaluate/datasets';
import { trainProductModel } from '#evaluate/product-model';
import { replay } from '#evaluate/replay';
import { evaluateSegments, type SegmentationScore } from '#evaluate/segments';
import { segmentTargets } from '#evaluate/targets';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { aucStandardError } from '#shared/segmentation/domain/validation/separation';

type Gate = ReturnType<typeof trainProductModel>['gate'];
type SegmentEvaluation = ReturnType<typeof evaluateSegments>;

const evaluate = (dataset: Dataset) => {
  const replayed = replay(dataset);
  const { model, gate } = trainProductModel(replayed);
  return { model, gate, evaluation: evaluateSegments(replayed, model) };
};

describe.skipIf(!isAvailable(ONLINE_RETAIL_H1))(
  `Online Retail H1 segments (skipped where ${ONLINE_RETAIL_H1.file} is absent)`,
  () => {
    // In a hook, not the describe body: vitest collects a skipped suite's body too.
    let model: SegmentModel;
    let gate: Gate;
    let evaluation: SegmentEvaluation;
    beforeAll(() => {
      ({ model, gate, evaluation } = evaluate(ONLINE_RETAIL_H1));
    }, 120_000);

    it("meets every target but AUC against the RFM grid, which it matches within the AUC's standard error", () => {
      // Known tie (docs/evaluation.md): on this shop the grid's AUC and ours differ in the third
      // decimal either way depending on the seed (met at 5 of 8 seeds); η² beats it at every seed.
      const missed = segmentTargets(evaluation).filter((t) => !t.met && t.target !== 'AUC ≥ RFM grid');
      expect(missed).toEqual([]);
      const [ours, grid] = evaluation.scores as [SegmentationScore, SegmentationScore];
      expect(ours.etaSquared).toBeGreaterThanOrEqual(grid.etaSquared);
      const positives = Math.round(evaluation.buyRate * evaluation.buyers);
      const se = aucStandardError(grid.auc, positives, evaluation.buyers - positives);
      expect(se).toBeGreaterThan(0);
      expect(ours.auc).toBeGreaterThanOrEqual(grid.auc - se);
    });

    it('is promoted, and records how K and each feature were chosen', () => {
      expect(gate.passed).toBe(true);
      const selection = model.metrics.selection;
      expect(selection?.method).toBe('backtest');
      if (selection?.method !== 'backtest') return;
      // This shop has no coupons and no categories: those features are dropped, saying why.
      for (const feature of ['discountShare', 'categoryBreadth'] as const)
        expect(selection.features.find((f) => f.feature === feature)).toMatchObject({ used: false });
      expect(selection.features.find((f) => f.feature === 'refundRate')?.used).toBe(false);
      expect(model.transform.features).toEqual(selection.chosen.features);
    });
  },
  120_000,
);

describe.skipIf(!isAvailable(CDNOW))(
  `CDNOW segments (skipped where ${CDNOW.file} is absent)`,
  () => {
    // In a hook, not the describe body: vitest collects a skipped suite's body too.
    let gate: Gate;
    let evaluation: SegmentEvaluation;
    let ours: SegmentationScore;
    let grid: SegmentationScore;
    let bySilhouette: SegmentationScore;
    let sameK: SegmentationScore;
    beforeAll(() => {
      ({ gate, evaluation } = evaluate(CDNOW));
      [ours, grid, bySilhouette, sameK] = evaluation.scores as SegmentationScore[] as [
        SegmentationScore,
        SegmentationScore,
        SegmentationScore,
        SegmentationScore,
      ];
    }, 180_000);

    it('beats the RFM grid and log-RFM K-means with K by silhouette on AUC and η²', () => {
      for (const base of [grid, bySilhouette]) {
        expect(ours.auc).toBeGreaterThanOrEqual(base.auc);
        expect(ours.etaSquared).toBeGreaterThanOrEqual(base.etaSquared);
      }
      expect(gate.passed).toBe(true);
    });

    it("beats log-RFM K-means at the product's K on η², and matches its AUC within the AUC's standard error", () => {
      // Known shortfall (README, Evaluation): on CDNOW the segment-level AUC saturates near 0.763 at
      // this K for every feature set tried; ours is about 0.001 below, far inside chance.
      expect(ours.etaSquared).toBeGreaterThanOrEqual(sameK.etaSquared);
      const positives = Math.round(evaluation.buyRate * evaluation.buyers);
      const se = aucStandardError(sameK.auc, positives, evaluation.buyers - positives);
      expect(se).toBeGreaterThan(0);
      expect(ours.auc).toBeGreaterThanOrEqual(sameK.auc - se);
    });

    it('has 4 to 10 segments, none over half of the buyers, named in the order of their buy rates', () => {
      expect(ours.segments).toBeGreaterThanOrEqual(4);
      expect(ours.segments).toBeLessThanOrEqual(10);
      expect(ours.largestShare).toBeLessThanOrEqual(0.5);
      expect(ours.nameOrder).toBeGreaterThanOrEqual(0.8);
    });
  },
  180_000,
);
