/**
 * What a snapshot computes over its profiles besides writing them: each segment worker a summary
 * of its share, the assembly the merge of them (`_summary.json`). The stack's is the training
 * summary (./training-snapshot-summary.ts).
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type { SnapshotPlan } from './snapshot-layout';

/** What a segment worker computes over its profiles besides writing them: mergeable, JSON. */
export interface Summariser<Summary> {
  add(profile: Profile): void;
  summary(): Summary;
}

/** Folds the segments' summaries into the snapshot's, one at a time. */
export interface SummaryMerger<Summary> {
  add(summary: Summary): void;
  summary(): Summary;
}

/**
 * What each segment summarises besides its parts, and how the assembly merges the summaries. Both
 * are built from the plan: its as-of time, and how many segments share the population.
 */
export interface SnapshotSummary<Summary> {
  readonly summariser: (plan: SnapshotPlan) => Summariser<Summary>;
  readonly merger: (plan: SnapshotPlan) => SummaryMerger<Summary>;
}

/** No summary: every segment answers null, and so does the snapshot. */
export const NO_SUMMARY: SnapshotSummary<null> = {
  summariser: () => ({ add: () => undefined, summary: () => null }),
  merger: () => ({ add: () => undefined, summary: () => null }),
};
