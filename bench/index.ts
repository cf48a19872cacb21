/**
 * `npm run bench`: every performance claim of docs/performance.md, each printed as a ratio against a
 * baseline measured in the same run. BENCH=clustering|retrain|recommendations|lookup|soak runs one; BENCH_ROWS scales them.
 */
import { runClusteringBench } from './clustering';
import { runLookupLatencyBench } from './lookup-latency';
import { runRecommendationBench } from './recommendations';
import { runRetrainPipelineBench } from './retrain-pipeline';
import { runSoakBench } from './soak';

const only = process.env.BENCH;
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);

if (!only || only === 'clustering') await runClusteringBench({ rows });
if (!only || only === 'retrain')
  await runRetrainPipelineBench({ rows, reassignRows: Number(process.env.BENCH_REASSIGN_ROWS ?? 100_000) });
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
