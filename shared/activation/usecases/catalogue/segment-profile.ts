/**
 * Use case: one segment of the current model, for a marketer's segment page — how its buyers
 * differ from all buyers feature by feature, its rules with their agreement, the distribution of
 * predicted value, its most bought products and its policy.
 * Input: the segment id. Output: `SegmentProfile`, bounded whatever the number of shoppers: every
 * figure was computed at training from the training sample and is read from the model (and the
 * model's recommendation index), never from the shoppers.
 * Errors: NoModelError (503), SegmentNotFoundError (404: the id is not in the current model).
 */
import type { MarketingPolicy } from '#shared/activation/domain/marketing-policy';
import { policyFor } from '#shared/activation/domain/marketing-policy';
import type { SegmentForecast } from '#shared/customer-value/domain/forecast';
import type { RecommendationIndex } from '#shared/recommendations/domain/recommendation-index';
import { featureLabel } from '#shared/segmentation/domain/explanation/rules';
import { FIGURE_FEATURES } from '#shared/segmentation/domain/explanation/segment-figures';
import type { FeatureName } from '#shared/segmentation/domain/features/features';
import {
  PROSPECTS_ID,
  PROSPECTS_NAME,
  type SegmentDefinition,
  type SegmentModel,
} from '#shared/segmentation/domain/segment-model';
import { NoModelError } from '../lookup-segment/lookup-segment';
import { SegmentNotFoundError } from '../policies/segment-policy';
import { sourceOf } from './catalogue';

/** At most this many products: the segment page's list. */
export const TOP_PRODUCTS = 20;

export interface FeatureComparison {
  readonly feature: FeatureName;
  readonly label: string;
  readonly segment: { readonly median: number; readonly mean: number };
  readonly population: { readonly median: number; readonly mean: number };
  /** Segment mean / population mean; null when the population mean is 0. */
  readonly ratio: number | null;
  /** (segment mean − population mean) / population standard deviation; null when that is 0. */
  readonly z: number | null;
}

export interface SegmentRule {
  readonly rule: string;
  /** Share of the rules' sample matching the rule who are in the segment; null in older models. */
  readonly precision: number | null;
  /** Share of the segment's buyers in the rules' sample matching the rule; null in older models. */
  readonly coverage: number | null;
}

export interface PredictedValueDistribution {
  readonly currency: string;
  readonly months: number;
  /** Sampled buyers of the segment with a prediction: what the figures are over. */
  readonly sampled: number;
  readonly median: number;
  readonly mean: number;
  /** Equal round-width buckets [from, to), the last open (`to: null`) when the top 1% reach past them. */
  readonly buckets: readonly {
    readonly from: number;
    readonly to: number | null;
    readonly share: number;
    /** share × the segment's size, rounded: an estimate for the whole segment. */
    readonly shoppers: number;
  }[];
}

export interface TopProduct {
  readonly productId: string;
  readonly category: string | null;
  /** The segment's shoppers who bought it (in the snapshot the index was built from). */
  readonly buyers: number;
  /** buyers / the segment's shoppers then. */
  readonly share: number;
}

export interface SegmentProfile {
  readonly segmentId: string;
  readonly name: string;
  readonly description: string;
  readonly modelVersion: string;
  readonly asOf: string;
  readonly currency: string;
  readonly size: number;
  readonly share: number;
  readonly revenueShare: number | null;
  /** Sampled buyers the figures are over: the segment's, and all. null in older models. */
  readonly sampled: { readonly segment: number; readonly population: number } | null;
  /** Most distinctive first (largest |z|). Empty for prospects and older models. */
  readonly features: readonly FeatureComparison[];
  readonly rules: readonly SegmentRule[];
  /** The model's agreement between rules and clustering over all segments. */
  readonly rulesAgreement: number;
  readonly forecast: SegmentForecast | null;
  /** null for prospects, older models and a model without a spend model. */
  readonly predictedValue: PredictedValueDistribution | null;
  readonly topProducts: readonly TopProduct[];
  readonly policy: MarketingPolicy;
  readonly policySource: 'override' | 'default';
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

const comparisons = (model: SegmentModel, segment: SegmentDefinition): FeatureComparison[] => {
  const own = segment.figures?.features;
  const all = model.figures?.features;
  if (!own || !all) return [];
  return FIGURE_FEATURES.flatMap((feature): FeatureComparison[] => {
    const s = own[feature];
    const p = all[feature];
    if (!s || !p) return [];
    return [
      {
        feature,
        label: featureLabel(feature),
        segment: { median: s.median, mean: s.mean },
        population: { median: p.median, mean: p.mean },
        ratio: p.mean !== 0 ? round(s.mean / p.mean, 3) : null,
        z: p.std > 0 ? round((s.mean - p.mean) / p.std, 3) : null,
      },
    ];
  }).sort(
    (a, b) => Math.abs(b.z ?? 0) - Math.abs(a.z ?? 0) || (a.z === null ? 1 : 0) - (b.z === null ? 1 : 0),
  );
};

const rulesOf = (segment: SegmentDefinition): SegmentRule[] => {
  const stats = segment.figures?.rules;
  return segment.rules.map((rule, i) => {
    const stat = stats?.[i]?.rule === rule ? stats[i] : undefined;
    return { rule, precision: stat?.precision ?? null, coverage: stat?.coverage ?? null };
  });
};

const distributionOf = (
  model: SegmentModel,
  segment: SegmentDefinition,
): PredictedValueDistribution | null => {
  const value = segment.figures?.predictedValue;
  if (!value) return null;
  return {
    currency: model.currency,
    months: model.clv?.config.valueMonths ?? 12,
    sampled: value.sampled,
    median: value.median,
    mean: value.mean,
    buckets: value.buckets.map((b) => ({ ...b, shoppers: Math.round(b.share * segment.size) })),
  };
};

const topProductsOf = (index: RecommendationIndex | undefined, segmentId: string): TopProduct[] =>
  (index?.segments[segmentId]?.products ?? []).slice(0, TOP_PRODUCTS).map((p) => ({
    productId: p.productId,
    category: index?.categories[p.productId] ?? null,
    buyers: p.buyers,
    share: round(p.share, 4),
  }));

export const segmentProfile = (
  model: SegmentModel | undefined,
  segmentId: string,
  overrides: Readonly<Record<string, MarketingPolicy>>,
  index: RecommendationIndex | undefined,
): SegmentProfile => {
  if (!model) throw new NoModelError('no segmentation model has been trained yet: run a retrain');
  const about = { modelVersion: model.version, asOf: model.asOf, currency: model.currency };
  const rulesAgreement = round(model.metrics.rulesAgreement, 4);
  const topProducts = topProductsOf(index, segmentId);
  const policySource = sourceOf(segmentId, overrides);
  if (segmentId === PROSPECTS_ID)
    return {
      segmentId,
      name: PROSPECTS_NAME,
      description: 'Shoppers with activity but no order yet (a rule, not a cluster).',
      ...about,
      size: model.prospects.size,
      share: round(model.prospects.share, 4),
      revenueShare: model.figures ? 0 : null,
      sampled: null,
      features: [],
      rules: [{ rule: 'no order yet', precision: 1, coverage: 1 }],
      rulesAgreement,
      forecast: null,
      predictedValue: null,
      topProducts,
      policy: policyFor(PROSPECTS_ID, PROSPECTS_NAME, overrides),
      policySource,
    };
  const segment = model.segments.find((s) => s.id === segmentId);
  if (!segment)
    throw new SegmentNotFoundError(
      `no segment "${segmentId}" in the current model (${model.version}); GET /v1/segments lists them`,
    );
  return {
    segmentId,
    name: segment.name,
    description: segment.description,
    ...about,
    size: segment.size,
    share: round(segment.share, 4),
    revenueShare: segment.figures ? round(segment.figures.revenueShare, 4) : null,
    sampled:
      segment.figures && model.figures
        ? { segment: segment.figures.sampled, population: model.figures.sampled }
        : null,
    features: comparisons(model, segment),
    rules: rulesOf(segment),
    rulesAgreement,
    forecast: segment.forecast ?? null,
    predictedValue: distributionOf(model, segment),
    topProducts,
    policy: policyFor(segment.id, segment.name, overrides),
    policySource,
  };
};
