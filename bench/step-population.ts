/**
 * Child step `population`: the segment workers' summaries of nested synthetic tables, streamed. For
 * each generator stream (one Scan segment), every table size that has that segment gets its
 * share: the stream's first ceil(size / segments) profiles, fed to that size's segment summariser
 * (`shareOf` its plan's segments), whose result is written where the assembly reads it. No
 * profile is held after it is summarised, and the largest size is generated once for all.
 * The results list the parts the segment would have written (rows only: the train step never
 * reads a part), so the assembly's parts list and row counts are a real snapshot's.
 */
import { partKey, segmentResultKey } from '#shared/contract/bucket-layout';
import type {
  SegmentResult,
  SnapshotPlan,
} from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { FileObjectStore } from './file-object-store';
import { segmentProfiles, segmentShare } from './generated-scanner';
import { JOB_CONFIG, stackSummary } from './retrain-jobs';
import { rssMb } from './step-memory';

export interface PopulationSize {
  readonly rows: number;
  readonly root: string;
  readonly plan: SnapshotPlan;
}

export interface PopulationArgs {
  readonly asOf: string;
  readonly streams: readonly number[];
  readonly sizes: readonly PopulationSize[];
}

const listedParts = (plan: SnapshotPlan, segment: number, rows: number) =>
  Array.from({ length: Math.ceil(rows / JOB_CONFIG.rowsPerPart) }, (_, seq) => ({
    key: partKey(plan.prefix, segment, seq),
    rows: Math.min(JOB_CONFIG.rowsPerPart, rows - seq * JOB_CONFIG.rowsPerPart),
    bytes: 0,
    sha256: '',
  }));

export const population = async (args: PopulationArgs) => {
  const startMb = rssMb();
  const asOf = new Date(args.asOf);
  const t0 = performance.now();
  let generated = 0;
  const summarised = new Map<number, { rows: number; ms: number }>();
  for (const segment of args.streams) {
    const targets = args.sizes
      .filter((size) => segment < size.plan.totalSegments)
      .map((size) => ({
        size,
        rows: segmentShare(size.rows, size.plan.totalSegments, segment),
        summariser: stackSummary().summariser(size.plan),
        ms: 0,
      }));
    const rows = Math.max(0, ...targets.map((t) => t.rows));
    let n = 0;
    for (const profile of segmentProfiles(segment, rows, asOf)) {
      for (const target of targets) {
        if (n >= target.rows) continue;
        const t1 = performance.now();
        target.summariser.add(profile);
        target.ms += performance.now() - t1;
      }
      n += 1;
    }
    generated += n;
    for (const target of targets) {
      const t1 = performance.now();
      const summary = target.summariser.summary();
      const result: SegmentResult = {
        segment,
        rows: target.rows,
        parts: listedParts(target.size.plan, segment, target.rows),
        summary,
      };
      const body = JSON.stringify(result);
      target.ms += performance.now() - t1;
      await new FileObjectStore(target.size.root).put(
        segmentResultKey(target.size.plan.prefix, segment),
        body,
      );
      const seen = summarised.get(target.size.rows) ?? { rows: 0, ms: 0 };
      summarised.set(target.size.rows, { rows: seen.rows + target.rows, ms: seen.ms + target.ms });
    }
  }
  return {
    startMb,
    generated,
    ms: performance.now() - t0,
    summarised: Object.fromEntries(summarised),
  };
};
