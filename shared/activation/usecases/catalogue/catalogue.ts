/** Read-only views of models and segments for shop tools and marketers. */

import { type MarketingPolicy, policyFor } from '#shared/activation/domain/marketing-policy';
import type { SegmentForecast } from '#shared/customer-value/domain/forecast';
import {
  PROSPECTS_ID,
  PROSPECTS_NAME,
  type RetrainRun,
  type SegmentModel,
} from '#shared/segmentation/domain/segment-model';
import type { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { NoModelError } from '../lookup-segment/lookup-segment';

export interface SegmentSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly size: number;
  readonly share: number;
  readonly centroid: Record<string, number>;
  readonly rules: readonly string[];
  readonly policy: MarketingPolicy;
  /** Whether an operator set the policy (PUT /v1/segments/{id}/policy) or it is the default for the name. */
  readonly policySource: 'override' | 'default';
  /** The segment's mean customer value forecast at training; null without one (and for prospects). */
  readonly forecast: SegmentForecast | null;
}

const sourceOf = (id: string, overrides: Readonly<Record<string, MarketingPolicy>>) =>
  Object.hasOwn(overrides, id) ? ('override' as const) : ('default' as const);

export const segmentCatalogue = (
  model: SegmentModel | undefined,
  overrides: Readonly<Record<string, MarketingPolicy>> = {},
): { modelVersion: string; asOf: string; segments: SegmentSummary[] } => {
  if (!model) throw new NoModelError('no segmentation model has been trained yet: run a retrain');
  const round = (n: number) => Math.round(n * 100) / 100;
  const segments: SegmentSummary[] = model.segments.map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
    size: s.size,
    share: round(s.share * 100) / 100,
    centroid: Object.fromEntries(Object.entries(s.centroidReal).map(([k, v]) => [k, round(v as number)])),
    rules: s.rules,
    policy: policyFor(s.id, s.name, overrides),
    policySource: sourceOf(s.id, overrides),
    forecast: s.forecast ?? null,
  }));
  segments.push({
    id: PROSPECTS_ID,
    name: PROSPECTS_NAME,
    description: 'Shoppers with activity but no order yet (a rule, not a cluster).',
    size: model.prospects.size,
    share: round(model.prospects.share * 100) / 100,
    centroid: {},
    rules: ['no order yet'],
    policy: policyFor(PROSPECTS_ID, PROSPECTS_NAME, overrides),
    policySource: sourceOf(PROSPECTS_ID, overrides),
    forecast: null,
  });
  return { modelVersion: model.version, asOf: model.asOf, segments };
};

/** Every retrain run, newest first, with whether its model was promoted and why. */
export const modelHistory = async (
  repository: ModelRepository,
): Promise<{ current: string | null; runs: RetrainRun[] }> => {
  const [pointer, runs] = await Promise.all([repository.currentPointer(), repository.runs()]);
  return { current: pointer?.version ?? null, runs: runs.sort((a, b) => b.runId.localeCompare(a.runId)) };
};
