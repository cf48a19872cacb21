/**
 * `BENCH=retrain`: from a snapshot of N generated shoppers (default 1M) to a promoted model, against
 * the I/O floor of the same snapshot, in one process on an in-memory bucket.
 *   floor: gunzip, split lines and JSON.parse every part (best of two), nothing else (io-floor.ts)
 *   ours:  the work the stack does after the Scan to get from the snapshot to a promoted model,
 *          summed as if serial on one machine: the segment workers' summarising (each profile the
 *          Scan hands over, parsed, fed to the training summary, the summary built and serialised),
 *          the assembly's merge, the train step (reads `_summary.json` only: asserted), the "Index
 *          parts" items (each part read and counted) and the promotion.
 * Target: ours ≤ 2× the floor. The segment workers' parts (gzip, checksums, uploads) are the Scan's
 * own cost, and the reassignment writes to DynamoDB: both are measured per part by `BENCH=scale`.
 */
import { cpus, loadavg } from 'node:os';
import { resourceUsage } from 'node:process';
import { fixedClock } from '#shared/kernel/ports/clock';
import { readParts } from '#shared/segmentation/usecases/take-snapshot/assemble-snapshot';
import { generatedScanner } from './generated-scanner';
import { bareRead } from './io-floor';
import { MemoryObjectStore } from './memory-object-store';
import { assertSummaryRead, recordingLogger } from './recording-logger';
import { JOB_CONFIG, retrainJobs, stackSummary } from './retrain-jobs';
import { timedSummary } from './timed-summary';

const TARGET = 2;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
};

export const runRetrainPipelineBench = async (options: { rows?: number } = {}) => {
  const rows = options.rows ?? 1_000_000;
  const load = loadavg()[0] ?? 0;
  const asOf = new Date('2026-06-30T00:00:00Z');
  const objects = new MemoryObjectStore();
  const logger = recordingLogger();
  const { summary, stopwatch } = timedSummary(stackSummary());
  const jobs = retrainJobs(
    { objects, scanner: generatedScanner(rows, asOf), clock: fixedClock(asOf), logger },
    summary,
  );

  // The Scan's side, not ours: generation stands in for DynamoDB, and the parts are the snapshot.
  const snapshotted = await timed(async () => {
    const planned = await jobs.plan({ trigger: 'manual' });
    for (let segment = 0; segment < planned.plan.totalSegments; segment++)
      await jobs.snapshot({ segment, plan: planned.plan });
    return planned;
  });
  const planned = snapshotted.value;

  const assembled = await timed(() => jobs.assemble(planned));
  const { snapshot } = assembled.value;
  const parts = await readParts(objects, snapshot);
  const floors = [await bareRead(objects, parts), await bareRead(objects, parts)];
  const floor = floors.reduce((a, b) => (b.ms < a.ms ? b : a));
  if (floor.rows !== rows) throw new Error(`the floor read ${floor.rows} rows, the snapshot has ${rows}`);

  const trained = await timed(() => jobs.train(assembled.value));
  assertSummaryRead(logger);
  const answer = trained.value;
  if (!answer.passed || !answer.modelVersion || !answer.at)
    throw new Error(`the model did not pass the gate: ${answer.run.reason}`);
  const { modelVersion, at } = answer;
  const indexed = await timed(async () => {
    for (const part of parts) await jobs.index({ part, modelVersion });
  });
  const promoted = await timed(() =>
    jobs.promote({ trigger: answer.trigger, snapshot, run: answer.run, modelVersion, at }),
  );
  if (!promoted.value.promoted) throw new Error(`not promoted: ${promoted.value.run.reason}`);

  const phases: [string, number][] = [
    [`segment workers' summarising (${stopwatch.rows.toLocaleString('en')} profiles)`, stopwatch.ms],
    [`assembly: merge ${planned.plan.totalSegments} segment summaries`, assembled.ms],
    ['train step: read _summary.json, train, gate, save', trained.ms],
    [`index parts: ${parts.length} parts read and counted`, indexed.ms],
    ['promote: merge partials, save index, switch pointer', promoted.ms],
  ];
  const ours = phases.reduce((ms, [, phase]) => ms + phase, 0);
  const ratio = ours / floor.ms;
  const [costliest] = [...phases].sort((a, b) => b[1] - a[1]);
  const floorName = `floor: gunzip + split + JSON.parse of every part (best of ${floors.length}: ${floors.map((f) => seconds(f.ms)).join(', ')})`;
  const pad = Math.max(floorName.length, ...phases.map(([name]) => name.length));
  const line = (name: string, ms: number, note = '') =>
    console.log(`  ${name.padEnd(pad)}  ${seconds(ms).padStart(9)}${note}`);

  console.log(
    `\nretrain: snapshot → promoted model — ${rows.toLocaleString('en')} generated shoppers, ${planned.plan.totalSegments} Scan segments, ${parts.length} gzip parts of ≤ ${JOB_CONFIG.rowsPerPart.toLocaleString('en')} rows, in-memory bucket`,
  );
  console.log(
    `  (setup, not timed: generation + the segment workers' parts, ${seconds(snapshotted.ms - stopwatch.ms)})`,
  );
  line(floorName, floor.ms);
  for (const [name, ms] of phases) line(name, ms, `  ${(ms / floor.ms).toFixed(2)}× floor`);
  line('ours, summed', ours);
  console.log(
    `  ratio ours / floor: ${ratio.toFixed(2)}× (target ≤ ${TARGET}×) — ${
      ratio <= TARGET
        ? 'met'
        : `NOT MET: ${(ratio / TARGET).toFixed(2)}× over the target, ${seconds(ours - TARGET * floor.ms)} more than 2× the floor; costliest phase: ${costliest?.[0]} (${seconds(costliest?.[1] ?? 0)})`
    }`,
  );
  console.log(
    `  train step phases ${JSON.stringify(answer.run.timings)}; outcome ${promoted.value.run.outcome}, K = ${answer.run.k}`,
  );
  console.log(
    `  segment summaries: ${(stopwatch.bytes / 2 ** 20).toFixed(0)} MB of JSON; peak RSS of this process ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB (holds the whole snapshot in memory)`,
  );
  console.log(
    `  on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.versions.node}, load average ${load.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end. Reproduce: BENCH=retrain npm run bench`,
  );
  return { rows, floorMs: floor.ms, oursMs: ours, ratio, phases };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRetrainPipelineBench({ rows: Number(process.env.BENCH_ROWS ?? 1_000_000) });
}
