/**
 * Drift, for the model and against it: the reference a model keeps of the data it was trained on
 * (each clustered feature's quantile bins and their shares, each segment's share of buyers), and
 * the population stability of later data against that reference. Pure.
 */
import { binShares, populationStabilityIndex, quantileEdges } from '../clustering/drift';
import type { FeatureName, RawFeatures } from '../features/features';
import type { DriftReference, DriftReport, SegmentDefinition, SegmentModel } from '../segment-model';

const DRIFT_BINS = 10;

const featureColumn = (rows: readonly RawFeatures[], feature: FeatureName): Float64Array =>
  Float64Array.from(rows, (r) => r[feature]);

/** Quantile bins of each feature over the training rows, and each segment's share of buyers. */
export const referenceOf = (
  rows: readonly RawFeatures[],
  features: readonly FeatureName[],
  segments: readonly SegmentDefinition[],
): DriftReference => {
  const reference: DriftReference['features'] = {};
  for (const feature of features) {
    const values = featureColumn(rows, feature);
    const edges = quantileEdges(values, DRIFT_BINS);
    reference[feature] = { edges, shares: binShares(values, edges) };
  }
  const clustered = segments.reduce((n, s) => n + s.size, 0);
  return {
    features: reference,
    segmentShares: Object.fromEntries(segments.map((s) => [s.id, clustered > 0 ? s.size / clustered : 0])),
  };
};

/** Population stability of each feature, and of segment shares under the previous model, since it was trained. */
export const driftAgainst = (
  previous: SegmentModel,
  rows: readonly RawFeatures[],
  previousLabels: Int32Array,
): DriftReport => {
  const features: DriftReport['features'] = {};
  for (const [feature, ref] of Object.entries(previous.reference.features)) {
    if (!ref) continue;
    const actual = binShares(featureColumn(rows, feature as FeatureName), ref.edges);
    features[feature as FeatureName] = populationStabilityIndex(ref.shares, actual);
  }
  const counts = new Array<number>(previous.segments.length).fill(0);
  for (const label of previousLabels) counts[label] = (counts[label] ?? 0) + 1;
  const expected = previous.segments.map((s) => previous.reference.segmentShares[s.id] ?? 0);
  const actual = counts.map((c) => (previousLabels.length > 0 ? c / previousLabels.length : 0));
  const values = Object.values(features).filter((v): v is number => v !== undefined);
  return {
    features,
    maxFeaturePsi: values.length > 0 ? Math.max(...values) : 0,
    segmentSharesPsi: previousLabels.length > 0 ? populationStabilityIndex(expected, actual) : null,
  };
};
