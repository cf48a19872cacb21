/** Read-only views of models and segments for shop tools and marketers. */

import { type MarketingPolicy, policyFor } from '#shared/activation/domain/marketing-policy';
import type { PolicyFlag } from '#shared/activation/domain/policy-version';
import type { SegmentForecast } from '#shared/customer-value/domain/forecast';
import type { FeatureName } from '#shared/segmentation/domain/features/features';
import {
  PROSPECTS_ID,
  PROSPECTS_NAME,
  type RetrainRun,
  type SegmentDefinition,
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
  /** The operator's policy version in force; null for the default. */
  readonly policyVersion: string | null;
  /** Set when the last lift check found this policy version significantly worse than its holdout. */
  readonly policyFlag: PolicyFlag | null;
  /** The segment's mean customer value forecast at training; null without one (and for prospects). */
  readonly forecast: SegmentForecast | null;
  /**
   * The segment's share of the buyers' spend in the last 365 days, from the training sample; 0 for
   * prospects; null for a model trained before the figures.
   */
  readonly revenueShare: number | null;
  /** Medians of the segment's sampled buyers, in real units; null for prospects and older models. */
  readonly typical: TypicalShopper | null;
}

export interface TypicalShopper {
  readonly recencyDays: number;
  readonly orders365: number;
  readonly spend365: number;
  readonly averageOrderValue: number;
}

export interface CatalogueTotals {
  /** Every shopper of the segments and the prospects (the sizes' sum). */
  readonly shoppers: number;
  /** Shoppers with an order: the segments' sizes' sum. */
  readonly buyers: number;
  readonly prospects: number;
  /** What `revenueShare` divides; null for a model trained before the figures. */
  readonly revenueBasis: {
    readonly measure: 'spend in the last 365 days';
    /** The training sample's buyers the shares are computed over. */
    readonly sampledBuyers: number;
    /** Their spend, in `currency`. */
    readonly sampledRevenue: number;
  } | null;
}

export interface SegmentCatalogue {
  readonly modelVersion: string;
  readonly asOf: string;
  readonly currency: string;
  readonly totals: CatalogueTotals;
  readonly segments: SegmentSummary[];
}

export const sourceOf = (id: string, overrides: Readonly<Record<string, MarketingPolicy>>) =>
  Object.hasOwn(overrides, id) ? ('override' as const) : ('default' as const);

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** The segment's medians for the overview card, from its training figures. */
export const typicalOf = (segment: SegmentDefinition): TypicalShopper | null => {
  const features = segment.figures?.features;
  if (!features) return null;
  const median = (f: FeatureName) => features[f]?.median ?? 0;
  return {
    recencyDays: median('recencyDays'),
    orders365: median('frequency365'),
    spend365: median('monetary365'),
    averageOrderValue: median('averageOrderValue'),
  };
};

/** The operators' policies: overrides with their versions, and the last lift check's flags. */
export interface PolicyState {
  readonly overrides?: Readonly<Record<string, MarketingPolicy>>;
  readonly versions?: Readonly<Record<string, string>>;
  readonly flags?: Readonly<Record<string, PolicyFlag>>;
}

export const segmentCatalogue = (
  model: SegmentModel | undefined,
  state: PolicyState = {},
): SegmentCatalogue => {
  const { overrides = {}, versions = {}, flags = {} } = state;
  const versionOf = (id: string) => (Object.hasOwn(versions, id) ? (versions[id] ?? null) : null);
  // A flag on an earlier version no longer applies: the policy has changed since.
  const flagOf = (id: string) => {
    const flag = Object.hasOwn(flags, id) ? flags[id] : undefined;
    return flag && flag.version === versionOf(id) ? flag : null;
  };
  if (!model) throw new NoModelError('no segmentation model has been trained yet: run a retrain');
  const round = (n: number) => Math.round(n * 100) / 100;
  const hasFigures = model.figures !== undefined;
  const segments: SegmentSummary[] = model.segments.map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
    size: s.size,
    share: round4(s.share),
    centroid: Object.fromEntries(Object.entries(s.centroidReal).map(([k, v]) => [k, round(v as number)])),
    rules: s.rules,
    policy: policyFor(s.id, s.name, overrides),
    policySource: sourceOf(s.id, overrides),
    policyVersion: versionOf(s.id),
    policyFlag: flagOf(s.id),
    forecast: s.forecast ?? null,
    revenueShare: s.figures ? round4(s.figures.revenueShare) : null,
    typical: typicalOf(s),
  }));
  segments.push({
    id: PROSPECTS_ID,
    name: PROSPECTS_NAME,
    description: 'Shoppers with activity but no order yet (a rule, not a cluster).',
    size: model.prospects.size,
    share: round4(model.prospects.share),
    centroid: {},
    rules: ['no order yet'],
    policy: policyFor(PROSPECTS_ID, PROSPECTS_NAME, overrides),
    policySource: sourceOf(PROSPECTS_ID, overrides),
    policyVersion: versionOf(PROSPECTS_ID),
    policyFlag: flagOf(PROSPECTS_ID),
    forecast: null,
    revenueShare: hasFigures ? 0 : null,
    typical: null,
  });
  const buyers = model.segments.reduce((n, s) => n + s.size, 0);
  return {
    modelVersion: model.version,
    asOf: model.asOf,
    currency: model.currency,
    totals: {
      shoppers: buyers + model.prospects.size,
      buyers,
      prospects: model.prospects.size,
      revenueBasis: model.figures
        ? {
            measure: 'spend in the last 365 days',
            sampledBuyers: model.figures.sampled,
            sampledRevenue: model.figures.revenue365,
          }
        : null,
    },
    segments,
  };
};

/** Every retrain run, newest first, with whether its model was promoted and why. */
export const modelHistory = async (
  repository: ModelRepository,
): Promise<{ current: string | null; runs: RetrainRun[] }> => {
  const [pointer, runs] = await Promise.all([repository.currentPointer(), repository.runs()]);
  return { current: pointer?.version ?? null, runs: runs.sort((a, b) => b.runId.localeCompare(a.runId)) };
};
