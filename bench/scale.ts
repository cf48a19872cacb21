/**
 * `BENCH=scale`: what a retrain costs as the shop grows, from figures measured here.
 *   1. The train step at 1M, 2M and 5M shoppers (BENCH_TRAIN_SIZES), same sample sizes: each
 *      size's `_summary.json` is built as the stack builds it (segment summaries, streamed, then
 *      the assembly), and the assembly and the train step each run alone in a fresh process, so
 *      their peak RSS is theirs. Target: time and peak memory flat within 10%.
 *   2. Per part of 20,000 rows, each Distributed Map item's work in a fresh process: the segment
 *      worker (from DynamoDB JSON pages), the summariser alone, the index partial, the reassignment
 *      (compute only; and into the DynamoDB emulator), the promotion's merge per partial; each
 *      against the bare read of the same part.
 *   3. From those, wall time and charges at 10M and 50M shoppers (BENCH_PROJECT_SHOPPERS) for map
 *      concurrency 20 and 100 (BENCH_PROJECT_CONCURRENCY), and the first limit that binds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep } from './child-step';
import { type PerPart, perPart } from './scale-per-part';
import { type Assumptions, assemblyInputRows, type MeasuredFigures, project } from './scale-projection';
import { printFlatness, printPerPart, printProjection } from './scale-report';
import { type SizeRun, trainAtSizes } from './scale-train-sizes';
import type { stack as stackSettings } from './step-stack-settings';

export interface ScaleOptions {
  readonly sizes: readonly number[];
  readonly shoppers: readonly number[];
  readonly concurrencies: readonly number[];
  /** Processes generating the populations at once. */
  readonly workers: number;
  /** Runs of the train step per size (the least time and peak RSS are kept). */
  readonly trainRuns: number;
  /** Index partials the promotion merges (a 1M-shopper snapshot has 50 parts). */
  readonly promotePartials: number;
  /** Shoppers reassigned into the DynamoDB emulator (0: skip; about 5 ms each here). */
  readonly emulatorRows: number;
  readonly assumptions: Assumptions;
  /** Leave the folder buckets behind (to rerun a step by hand). */
  readonly keep?: boolean;
}

const measuredFigures = (runs: readonly SizeRun[], part: PerPart): MeasuredFigures => {
  const rows = part.part.rows;
  const largest = runs.at(-1) as SizeRun;
  return {
    itemBytes: part.pages.meanItemBytes,
    stampWriteUnits: part.pages.stampWriteUnits,
    gzBytesPerRow: part.part.bytes / rows,
    decodeUs: (part.snapshot.decodeMs * 1000) / rows,
    workerUs: ((part.snapshot.ms - part.snapshot.decodeMs) * 1000) / rows,
    indexUs: (part.index.ms * 1000) / rows,
    reassignUs: (part.reassign.ms * 1000) / rows,
    trainMs: Math.max(...runs.map((r) => r.trained.ms)),
    trainPeakMb: Math.max(...runs.map((r) => r.trained.peakMb)),
    trainStartMb: Math.max(...runs.map((r) => r.trained.startMb)),
    trainReadMs: Math.max(...runs.map((r) => r.trained.answer.run.timings.read ?? 0)),
    assembly: {
      segments: largest.size.plan.totalSegments,
      inputRows: assemblyInputRows(largest.size.rows, largest.size.plan.totalSegments),
      ms: largest.assembled.ms,
      peakMb: Math.max(...runs.map((r) => r.assembled.peakMb)),
      startMb: Math.max(...runs.map((r) => r.assembled.startMb)),
    },
    summaryBytes: largest.assembled.segmentBytes + largest.assembled.summaryBytes,
    promoteMsPerPartial: part.promoted.ms / part.promoted.partials,
    peakMb: { snapshot: part.snapshot.peakMb, index: part.index.peakMb, reassign: part.reassign.peakMb },
  };
};

export const runScaleBench = async (options: ScaleOptions) => {
  const started = performance.now();
  const load = loadavg()[0] ?? 0;
  console.log(
    `\nscale: train step at ${options.sizes.map((n) => n.toLocaleString('en')).join(', ')} shoppers; per-part throughput; projection to ${options.shoppers.map((n) => n.toLocaleString('en')).join(' and ')}`,
  );
  const root = await mkdtemp(join(tmpdir(), 'seg-scale-'));
  try {
    const stack = (await runStep<typeof stackSettings>('stack', null)).settings;
    const runs = await trainAtSizes(root, options, stack);
    const base = runs[0];
    if (!base) throw new Error('BENCH_TRAIN_SIZES names no size');
    const part = await perPart(root, base, options, stack);
    const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.versions.node}, load average ${load.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end`;
    printFlatness(runs);
    printPerPart(part, machine);
    const measured = measuredFigures(runs, part);
    const projections = options.shoppers.flatMap((shoppers) =>
      options.concurrencies.map((concurrency) =>
        project(shoppers, concurrency, measured, stack, options.assumptions),
      ),
    );
    printProjection(projections, measured, stack, options.assumptions);
    console.log(
      `\n  whole bench ${((performance.now() - started) / 1000).toFixed(0)} s on ${machine}. Reproduce: BENCH=scale npm run bench`,
    );
    return { runs, part, measured, projections, stack };
  } finally {
    if (options.keep) console.log(`  kept the buckets in ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
};

/** Comma-separated numbers from the environment, or the default. */
export const numbersFromEnv = (name: string, fallback: readonly number[]): number[] => {
  const raw = process.env[name];
  if (!raw) return [...fallback];
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new Error(`${name} must be positive numbers, got ${raw}`);
  return values;
};
