/**
 * The bars the product must clear on every shop (issue 11), checked on one evaluation. The same
 * list is printed by `npm run evaluate` and asserted by test/evaluation.
 */
import type { SegmentationScore, SegmentEvaluation } from './segments';

export interface Target {
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

const f3 = (x: number): string => x.toFixed(3);

export const segmentTargets = (e: SegmentEvaluation): Target[] => {
  const [ours, grid, bySilhouette, sameK] = e.scores as [
    SegmentationScore,
    SegmentationScore,
    SegmentationScore,
    SegmentationScore,
  ];
  const beats = (name: string, base: SegmentationScore): Target[] => [
    { target: `AUC ≥ ${name}`, value: `${f3(ours.auc)} vs ${f3(base.auc)}`, met: ours.auc >= base.auc },
    {
      target: `η² ≥ ${name}`,
      value: `${f3(ours.etaSquared)} vs ${f3(base.etaSquared)}`,
      met: ours.etaSquared >= base.etaSquared,
    },
  ];
  return [
    ...beats('RFM grid', grid),
    ...beats('log-RFM K-means (K by silhouette)', bySilhouette),
    ...beats("log-RFM K-means (product's K)", sameK),
    {
      target: '4 to 10 segments',
      value: String(ours.segments),
      met: ours.segments >= 4 && ours.segments <= 10,
    },
    {
      target: 'no segment over 50% of buyers',
      value: `${(ours.largestShare * 100).toFixed(1)}%`,
      met: ours.largestShare <= 0.5,
    },
    {
      target: 'name order ρ ≥ 0.8',
      value: ours.nameOrder === null ? 'n/a' : f3(ours.nameOrder),
      met: ours.nameOrder !== null && ours.nameOrder >= 0.8,
    },
  ];
};

export const targetsTable = (targets: readonly Target[]): string =>
  [
    '| target | measured | met |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`),
  ].join('\n');
