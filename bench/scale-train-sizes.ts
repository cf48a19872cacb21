/**
 * The train step at several table sizes (part 1 of `BENCH=scale`): each size's `_summary.json`
 * built as the stack builds it (the Scan segments' summaries of nested synthetic tables, streamed
 * by `workers` processes, then the assembly), then the assembly and the train step each alone in a
 * fresh process.
 */
import { join } from 'node:path';
import { fixedClock } from '#shared/kernel/ports/clock';
import { planSnapshot } from '#shared/segmentation/usecases/take-snapshot/plan-snapshot';
import { runStep, type StepResult } from './child-step';
import { FileObjectStore } from './file-object-store';
import { JOB_CONFIG } from './retrain-jobs';
import type { PopulationSize, population } from './step-population';
import type { assemble, train } from './step-retrain-jobs';
import type { StackSettings } from './step-stack-settings';

/** The retrain's as-of time in every scale step. */
export const ASOF = '2026-06-30T00:00:00.000Z';
/** The stack's plan settings: how many Scan segments a table of a given size is cut into. */
export const SEGMENT_SETTINGS = {
  minSegments: JOB_CONFIG.snapshotWorkers,
  rowsPerSegment: JOB_CONFIG.rowsPerSegment,
  maxSegments: JOB_CONFIG.maxSegments,
};

export interface SizeRun {
  readonly size: PopulationSize;
  /** The segment workers' summarising of this size (summed over its segments). */
  readonly summarised: { readonly rows: number; readonly ms: number };
  readonly assembled: StepResult<typeof assemble>;
  /** Every run of the train step on this size's summary, in order. */
  readonly trainRuns: readonly StepResult<typeof train>[];
  /** The least of the runs' times (wall and CPU) and of their peak RSS: the figures least disturbed by this machine's load and GC timing. */
  readonly trained: StepResult<typeof train>;
}

/** Each size's `_summary.json`, as its assembly writes it, and its assembly and train step alone. */
export const trainAtSizes = async (
  root: string,
  options: { readonly sizes: readonly number[]; readonly workers: number; readonly trainRuns: number },
  stack: StackSettings,
): Promise<SizeRun[]> => {
  const clock = fixedClock(ASOF);
  const sizes: PopulationSize[] = [];
  for (const rows of [...options.sizes].sort((a, b) => a - b)) {
    const dir = join(root, `n${rows}`);
    const plan = await planSnapshot(
      { objects: new FileObjectStore(dir), clock },
      { runSuffix: 'scale', approximateRows: rows, segments: SEGMENT_SETTINGS },
    );
    sizes.push({ rows, root: dir, plan });
  }
  const streams = Math.max(...sizes.map((s) => s.plan.totalSegments));
  const t0 = performance.now();
  const built = await Promise.all(
    Array.from({ length: options.workers }, (_, w) =>
      runStep<typeof population>('population', {
        asOf: ASOF,
        streams: Array.from({ length: streams }, (_, s) => s).filter((s) => s % options.workers === w),
        sizes,
      }),
    ),
  );
  const generated = built.reduce((n, b) => n + b.generated, 0);
  console.log(
    `  populations: ${generated.toLocaleString('en')} profiles generated and summarised in ${((performance.now() - t0) / 1000).toFixed(0)} s (${options.workers} processes; sizes nested: each is a prefix of every Scan segment of the next)`,
  );
  const runs: SizeRun[] = [];
  for (const size of sizes) {
    const summarised = built.reduce(
      (acc, b) => {
        const own = b.summarised[String(size.rows)];
        return own ? { rows: acc.rows + own.rows, ms: acc.ms + own.ms } : acc;
      },
      { rows: 0, ms: 0 },
    );
    const assembled = await runStep<typeof assemble>(
      'assemble',
      { root: size.root, plan: size.plan },
      { lambdaMemoryMb: stack.functions.Assemble.memoryMb },
    );
    if (assembled.answer.snapshot.rows !== size.rows)
      throw new Error(`the ${size.rows} snapshot assembled ${assembled.answer.snapshot.rows} rows`);
    const trainRuns: StepResult<typeof train>[] = [];
    for (let run = 0; run < options.trainRuns; run++)
      trainRuns.push(
        await runStep<typeof train>(
          'train',
          { root: size.root, assembled: assembled.answer },
          { lambdaMemoryMb: stack.functions.Train.memoryMb },
        ),
      );
    const [first] = trainRuns;
    if (!first) throw new Error('the train step ran no time');
    const trained = {
      ...first,
      ms: Math.min(...trainRuns.map((t) => t.ms)),
      cpuMs: Math.min(...trainRuns.map((t) => t.cpuMs)),
      peakMb: Math.min(...trainRuns.map((t) => t.peakMb)),
    };
    runs.push({ size, summarised, assembled, trainRuns, trained });
    console.log(
      `  ${size.rows.toLocaleString('en')}: assembly ${(assembled.ms / 1000).toFixed(1)} s, train step ${trainRuns.map((t) => `${(t.ms / 1000).toFixed(1)} s (CPU ${(t.cpuMs / 1000).toFixed(1)} s) / ${Math.round(t.peakMb)} MB`).join(', ')} (${first.answer.run.outcome}, K = ${first.answer.run.k})`,
    );
  }
  return runs;
};
