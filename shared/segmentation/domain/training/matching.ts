/**
 * Keeps segment ids stable across retrains: a new cluster that means what an old one meant
 * inherits its id (and may keep its name), so dashboards and audiences keyed by id survive.
 */
import { type FeatureTransform, scaleFeature } from '../features/feature-transform';
import type { RawFeatures } from '../features/features';
import { hungarian } from './hungarian';

export interface PreviousSegment {
  readonly id: string;
  readonly name: string;
  readonly centroid: Partial<RawFeatures>;
}

export interface SegmentMatch {
  /** Per new cluster: the inherited id, or a fresh `seg-<n>`. */
  readonly ids: string[];
  readonly inheritedNames: (string | undefined)[];
  /** Previous ids no new cluster took, in previous order. */
  readonly retired: string[];
  readonly nextSequence: number;
  /** Per new cluster: scaled distance to the previous centroid it matched, null when new. */
  readonly distances: (number | null)[];
}

/** Scaled like a live profile would be; a feature the centroid lacks sits at the center. */
const scaled = (t: FeatureTransform, c: Partial<RawFeatures>): number[] =>
  t.steps.map((step) => scaleFeature(step, c[step.feature]));

const distance = (a: readonly number[], b: readonly number[]): number =>
  Math.sqrt(a.reduce((s, x, i) => s + (x - (b[i] ?? 0)) ** 2, 0));

/**
 * Optimal assignment on distances in the new model's scaled space (both sides go through the
 * same transform, so they are comparable). Costs are capped at maxDistance: a pair beyond it
 * costs the same as leaving both unmatched, so the assignment never sacrifices a close match to
 * pair off two far ones, and pairs at the cap are then dropped as non-matches.
 */
export const matchSegments = (
  previous: readonly PreviousSegment[],
  next: readonly Partial<RawFeatures>[],
  transform: FeatureTransform,
  options: { nextSequence: number; maxDistance?: number },
): SegmentMatch => {
  const maxDistance = options.maxDistance ?? 1.5;
  const prev = previous.map((p) => scaled(transform, p.centroid));
  const curr = next.map((c) => scaled(transform, c));
  const dist = prev.map((p) => curr.map((c) => distance(p, c)));
  const assignment = hungarian(dist.map((row) => row.map((d) => Math.min(d, maxDistance))));

  const ids: (string | undefined)[] = next.map(() => undefined);
  const inheritedNames: (string | undefined)[] = next.map(() => undefined);
  const distances: (number | null)[] = next.map(() => null);
  const retired: string[] = [];
  previous.forEach((p, i) => {
    const j = assignment[i] ?? -1;
    const d = dist[i]?.[j];
    if (j < 0 || d === undefined || d > maxDistance) {
      retired.push(p.id);
      return;
    }
    ids[j] = p.id;
    inheritedNames[j] = p.name;
    distances[j] = d;
  });

  // A stale sequence must never hand out an id that already means something else.
  const used = new Set(previous.map((p) => p.id));
  let sequence = options.nextSequence;
  const fresh = (): string => {
    while (used.has(`seg-${sequence}`)) sequence++;
    return `seg-${sequence++}`;
  };
  return {
    ids: ids.map((id) => id ?? fresh()),
    inheritedNames,
    retired,
    nextSequence: sequence,
    distances,
  };
};
