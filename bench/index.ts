/**
 * `npm run bench`: every performance claim of docs/performance.md, each printed as a ratio against a
 * baseline measured in the same run. BENCH=clustering|retrain|scale|recommendations|lookup|soak|dashboard runs one;
 * BENCH_ROWS scales the first two.
 */
import { runClusteringBench } from './clustering';
import { runDashboardBench } from './dashboard';
import { runLookupLatencyBench } from './lookup-latency';
import { runRecommendationBench } from './recommendations';
import { runRetrainPipelineBench } from './retrain-pipeline';
import { numbersFromEnv, runScaleBench } from './scale';
import { DEFAULT_ASSUMPTIONS } from './scale-projection';
import { runSoakBench } from './soak';

const only = process.env.BENCH;
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);

if (!only || only === 'clustering') await runClusteringBench({ rows });
if (!only || only === 'retrain') await runRetrainPipelineBench({ rows });
// What a retrain costs as the shop grows: the train step at BENCH_TRAIN_SIZES, each Distributed Map
// item's work per part, and a projection to BENCH_PROJECT_SHOPPERS at BENCH_PROJECT_CONCURRENCY
// (BENCH_TRAIN_RUNS runs of the train step per size; BENCH_EMULATOR_ROWS shoppers reassigned into the
// DynamoDB emulator, 0 skips it; BENCH_SCAN_PAGE_MS and BENCH_REQUEST_MS set the DynamoDB latencies
// the projection assumes).
if (!only || only === 'scale') {
  const [scanPageMs = DEFAULT_ASSUMPTIONS.scanPageMs] = numbersFromEnv('BENCH_SCAN_PAGE_MS', [
    DEFAULT_ASSUMPTIONS.scanPageMs,
  ]);
  const [requestMs = DEFAULT_ASSUMPTIONS.requestMs] = numbersFromEnv('BENCH_REQUEST_MS', [
    DEFAULT_ASSUMPTIONS.requestMs,
  ]);
  await runScaleBench({
    sizes: numbersFromEnv('BENCH_TRAIN_SIZES', [1_000_000, 2_000_000, 5_000_000]),
    shoppers: numbersFromEnv('BENCH_PROJECT_SHOPPERS', [10_000_000, 50_000_000]),
    concurrencies: numbersFromEnv('BENCH_PROJECT_CONCURRENCY', [20, 100]),
    workers: 2,
    trainRuns: Number(process.env.BENCH_TRAIN_RUNS ?? 2),
    promotePartials: 50,
    emulatorRows: Number(process.env.BENCH_EMULATOR_ROWS ?? 5_000),
    keep: process.env.BENCH_SCALE_KEEP === '1',
    assumptions: { ...DEFAULT_ASSUMPTIONS, scanPageMs, requestMs },
  });
}
// Recommendations: Online Retail H1, last invoice held out (evaluate/recommendations.ts; also in `npm run evaluate`).
if (!only || only === 'recommendations') await runRecommendationBench();
if (!only || only === 'lookup') await runLookupLatencyBench({});
// The soak: minutes of mixed load with a retrain in the middle (BENCH_SOAK_EVENTS,
// BENCH_SOAK_SHOPPERS; BENCH_SOAK_RATE new events/s and BENCH_SOAK_READS reads/s held by the
// clients, 0 = as fast as answered).
if (!only || only === 'soak') {
  const events = Number(process.env.BENCH_SOAK_EVENTS ?? 30_000);
  await runSoakBench({
    events,
    shoppers: Number(process.env.BENCH_SOAK_SHOPPERS ?? events / 10),
    eventsPerSecond: Number(process.env.BENCH_SOAK_RATE ?? 100),
    readsPerSecond: Number(process.env.BENCH_SOAK_READS ?? 200),
  });
}
// The marketers' dashboard: time to the first complete Overview in Chromium, on the demo and on
// BENCH_DASHBOARD_SHOPPERS synthetic shoppers, against the raw API fetch of the same data.
if (!only || only === 'dashboard') await runDashboardBench();
