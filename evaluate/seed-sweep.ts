/**
 * How much the segment figures owe to the seed: the product's model trained with each seed (the
 * samples' hash keys, the K-means seeding and restarts all follow it) and scored against the same
 * baselines. A target met at one seed and missed at the next is a tie, not a win; the table says
 * how often each is met. Run with `EVALUATE_SEEDS=42,1,2,3,4,5,6,7 npm run evaluate`.
 */
import { trainProductModel } from './product-model';
import type { Replay } from './replay';
import { evaluateSegments, type SegmentationScore } from './segments';
import { segmentTargets } from './targets';

const f3 = (x: number) => x.toFixed(3);

export const seedSweepTable = (replayed: Replay, seeds: readonly number[]): string => {
  const runs = seeds.map((seed) => {
    const { model, gate } = trainProductModel(replayed, seed);
    const evaluation = evaluateSegments(replayed, model);
    const [ours, grid, , sameK] = evaluation.scores as SegmentationScore[];
    return { seed, gate, ours, grid, sameK, targets: segmentTargets(evaluation) };
  });
  const names = runs[0]?.targets.map((t) => t.target) ?? [];
  return [
    '| seed | gate | K | largest | AUC (grid, same K) | η² (grid, same K) | targets missed |',
    '|---|---|---|---|---|---|---|',
    ...runs.map(
      ({ seed, gate, ours, grid, sameK, targets }) =>
        `| ${seed} | ${gate.passed ? 'promoted' : 'rejected'} | ${ours?.segments} | ${((ours?.largestShare ?? 0) * 100).toFixed(1)}% | ${f3(ours?.auc ?? 0)} (${f3(grid?.auc ?? 0)}, ${f3(sameK?.auc ?? 0)}) | ${f3(ours?.etaSquared ?? 0)} (${f3(grid?.etaSquared ?? 0)}, ${f3(sameK?.etaSquared ?? 0)}) | ${
          targets
            .filter((t) => !t.met)
            .map((t) => t.target)
            .join('; ') || 'none'
        } |`,
    ),
    '',
    '| target | met at |',
    '|---|---|',
    ...names.map(
      (name) =>
        `| ${name} | ${runs.filter((r) => r.targets.find((t) => t.target === name)?.met).length} of ${runs.length} seeds |`,
    ),
  ].join('\n');
};
