/**
 * `npm run evaluate`: replays the shared real data sets through the product's own code as of a
 * calibration date and scores what follows against the baselines shops already use, measured in
 * the same run. Prints one report per data set and writes it as JSON to evaluate/results/.
 * A data set whose file is absent (../shared/data) is skipped with a message.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateCustomerValue, formatCustomerValueTable } from './customer-value';
import { DATASETS, type Dataset, isAvailable, ONLINE_RETAIL_H1 } from './datasets';
import { trainProductModel } from './product-model';
import {
  evaluateRecommendations,
  formatRecommendationsTable,
  recommendationTargets,
} from './recommendations';
import { replay } from './replay';
import { seedSweepTable } from './seed-sweep';
import { evaluateSegments, segmentsTable } from './segments';
import { segmentTargets, targetsTable } from './targets';

/** EVALUATE_SEEDS=42,1,2: also train with each seed and say how often each segment target is met. */
const SWEEP_SEEDS = (process.env.EVALUATE_SEEDS ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number);

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');

const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Recommendations need products: of the shared data sets only Online Retail has them. */
const evaluateDataset = async (dataset: Dataset) => {
  const t0 = performance.now();
  const messages = dataset.load();
  const replayed = replay(dataset, messages);
  const { model, gate } = trainProductModel(replayed);
  const segments = evaluateSegments(replayed, model);
  const customerValue = evaluateCustomerValue(replayed);
  const recommendations =
    dataset === ONLINE_RETAIL_H1 ? await evaluateRecommendations(dataset, { messages }) : null;
  const targets = [
    ...segmentTargets(segments),
    ...customerValue.targets,
    ...(recommendations ? recommendationTargets(recommendations) : []),
  ];
  return {
    dataset: dataset.name,
    calibrationEnd: dataset.calibrationEnd,
    horizonDays: dataset.horizonDays,
    rejectedMessages: replayed.rejected,
    gate,
    selection: model.metrics.selection ?? null,
    segments,
    customerValue,
    recommendations,
    targets,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    seedSweep: SWEEP_SEEDS.length > 0 ? seedSweepTable(replayed, SWEEP_SEEDS) : null,
  };
};

const main = async () => {
  mkdirSync(RESULTS, { recursive: true });
  let missed = 0;
  for (const dataset of DATASETS) {
    if (!isAvailable(dataset)) {
      console.log(
        `## ${dataset.name}: skipped, ${dataset.file} is absent (the shared data lives in ../shared/data)\n`,
      );
      continue;
    }
    const report = await evaluateDataset(dataset);
    missed += report.targets.filter((t) => !t.met).length;
    writeFileSync(join(RESULTS, `${slug(dataset.name)}.json`), `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      [
        `## ${dataset.name} (calibration to ${dataset.calibrationEnd}, next ${dataset.horizonDays} days)`,
        '',
        '### Segments',
        '',
        segmentsTable(report.segments),
        '',
        `Gate: ${report.gate.passed ? 'promoted' : 'rejected'} (${report.gate.reason}).`,
        '',
        '### Customer value',
        '',
        formatCustomerValueTable(report.customerValue, { targets: false }),
        '',
        ...(report.recommendations
          ? ['### Recommendations', '', formatRecommendationsTable(report.recommendations), '']
          : []),
        '### Targets',
        '',
        targetsTable(report.targets),
        '',
        ...(report.seedSweep
          ? [`### Segment targets across seeds ${SWEEP_SEEDS.join(', ')}`, '', report.seedSweep, '']
          : []),
      ].join('\n'),
    );
  }
  console.log(missed === 0 ? 'Every target met.' : `${missed} target(s) not met.`);
};

await main();
