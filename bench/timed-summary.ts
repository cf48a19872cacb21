/**
 * The stack's snapshot summary with a stopwatch on the segment workers' side: the time spent
 * feeding profiles to the summariser, building the segment's summary and serialising it (the
 * worker writes it as JSON in its result). The rest of a segment worker's time is its parts.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type {
  SnapshotSummary,
  Summariser,
} from '#shared/segmentation/usecases/take-snapshot/snapshot-summary';

export interface SummaryStopwatch {
  readonly ms: number;
  readonly rows: number;
  /** JSON bytes of the segment summaries built so far. */
  readonly bytes: number;
}

export const timedSummary = <Summary>(
  inner: SnapshotSummary<Summary>,
): { summary: SnapshotSummary<Summary>; stopwatch: SummaryStopwatch } => {
  const stopwatch = { ms: 0, rows: 0, bytes: 0 };
  const summariser = (plan: Parameters<SnapshotSummary<Summary>['summariser']>[0]): Summariser<Summary> => {
    const own = inner.summariser(plan);
    return {
      add: (profile: Profile) => {
        const t0 = performance.now();
        own.add(profile);
        stopwatch.ms += performance.now() - t0;
        stopwatch.rows += 1;
      },
      summary: () => {
        const t0 = performance.now();
        const summary = own.summary();
        stopwatch.bytes += JSON.stringify(summary).length;
        stopwatch.ms += performance.now() - t0;
        return summary;
      },
    };
  };
  return { summary: { summariser, merger: inner.merger }, stopwatch };
};
