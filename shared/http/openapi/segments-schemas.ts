/** The segment catalogue, policy answers and members pages (GET /v1/segments…, PUT|DELETE …/policy). */
import * as z from 'zod';
import {
  amount,
  count,
  dateTime,
  FeatureName,
  FeatureValues,
  fraction,
  MarketingPolicy,
  text,
} from './common-schemas';
import { SegmentForecast } from './lookup-schemas';
import { Spread } from './models-schemas';

/** `limit`: whole numbers 1–1000, default 100, as functions/read-api.ts parses it. */
export const limitQuery = z.int().min(1).max(1000).default(100);
/** `cursor`: what functions/read-api.ts and listSegmentMembers accept (an opaque, non-empty string). */
export const cursorQuery = z.string().min(1);
/** GET /v1/segments-over-time `limit`: whole numbers 1–50, default 20. */
export const timelineLimitQuery = z.int().min(1).max(50).default(20);

const currency = () => z.string().regex(/^[A-Z]{3}$/);

export const TypicalShopper = z
  .strictObject({
    recencyDays: amount('Days since the last order.'),
    orders365: amount('Orders in the last 365 days.'),
    spend365: amount('Spend in the last 365 days, in `currency`.'),
    averageOrderValue: amount('In `currency`.'),
  })
  .describe("Medians of the segment's buyers in the training sample.");

export const PolicyFlag = z
  .strictObject({
    segmentId: text(),
    version: text('The policy version flagged.'),
    kind: z.literal('underperforming'),
    metrics: z
      .array(z.enum(['conversion', 'revenuePerShopper']))
      .describe('What was significantly below the holdout (GET /v1/segments/{segmentId}/lift).'),
    checkedAt: dateTime(),
  })
  .describe('A policy version whose lift was significantly negative at the last check.');

export const SegmentSummary = z.strictObject({
  id: text('Stable across retrains; `prospects` for the rule-based segment of shoppers with no order.'),
  name: text(),
  description: text(),
  size: count(
    "Shoppers in the segment: every shopper of the model's snapshot as its reassignment scored them (until that completes, the training sample's count scaled to the population).",
  ),
  share: fraction('Share of all shoppers of the snapshot, prospects included.'),
  centroid: FeatureValues,
  rules: z.array(z.string()),
  policy: MarketingPolicy,
  policySource: z.enum(['default', 'override']),
  policyVersion: text("The operator's policy version in force; null for the default.").nullable(),
  policyFlag: PolicyFlag.nullable().describe(
    'Set when the last lift check (at each retrain) found this policy version significantly worse than its holdout; nothing is switched off.',
  ),
  forecast: SegmentForecast.nullable().describe(
    "Mean P(alive), expected orders and predicted value (over the value months, 12 by default) of the segment's buyers; null for prospects and without a customer value model.",
  ),
  revenueShare: fraction(
    "The segment's share of the buyers' spend in the last 365 days, estimated on the training sample (a uniform sample of the buyers; see `totals.revenueBasis`). 0 for prospects; null for a model trained before it was recorded.",
  ).nullable(),
  typical: TypicalShopper.nullable().describe(
    'Null for prospects and for a model trained before it was recorded.',
  ),
});

export const CatalogueTotals = z
  .strictObject({
    shoppers: count('Every shopper: the segments’ and the prospects’ sizes added up.'),
    buyers: count('Shoppers with an order: the segments’ sizes added up.'),
    prospects: count(),
    revenueBasis: z
      .strictObject({
        measure: z.literal('spend in the last 365 days'),
        sampledBuyers: count('The training sample’s buyers the revenue shares are computed over.'),
        sampledRevenue: amount('Their spend, in `currency`.'),
      })
      .nullable()
      .describe('What `revenueShare` divides; null for a model trained before it was recorded.'),
  })
  .describe('The totals the shares are of.');

export const SegmentCatalogue = z
  .strictObject({
    modelVersion: text(),
    asOf: dateTime('The date the model was trained as of.'),
    currency: currency().describe('The currency of the money figures.'),
    totals: CatalogueTotals,
    segments: z.array(SegmentSummary).describe('Clusters, then prospects.'),
  })
  .describe("The current model's segments.");

export const FeatureComparison = z.strictObject({
  feature: FeatureName,
  label: text('The feature for people ("orders in the last year").'),
  segment: Spread,
  population: Spread.describe('Every sampled buyer (prospects are not in it).'),
  ratio: z
    .number()
    .nullable()
    .describe('Segment mean / population mean; null when the population mean is 0.'),
  z: z
    .number()
    .nullable()
    .describe('(segment mean − population mean) / population standard deviation; null when that is 0.'),
});

export const SegmentRule = z.strictObject({
  rule: text(),
  precision: fraction('Of the shoppers matching the rule, the share in the segment (on the rules’ sample).')
    .nullable()
    .describe('Null in a model trained before it was recorded.'),
  coverage: fraction('Of the segment’s shoppers, the share the rule matches (on the rules’ sample).')
    .nullable()
    .describe('Null in a model trained before it was recorded.'),
});

export const PredictedValueDistribution = z
  .strictObject({
    currency: currency(),
    months: amount('The horizon of the predicted value (12 by default).'),
    sampled: count("The segment's sampled buyers with a prediction: what the figures are over."),
    median: amount(),
    mean: amount('Equals `forecast.predictedValue`.'),
    buckets: z
      .array(
        z.strictObject({
          from: amount(),
          to: z.number().nullable().describe('Exclusive; null for the open last bucket (the top tail).'),
          share: fraction('Share of the sampled buyers in the bucket.'),
          shoppers: count("share × the segment's size, rounded: an estimate for the whole segment."),
        }),
      )
      .max(32)
      .describe(
        'About ten equal, round-width buckets from the smallest value to the 99th percentile, then an open bucket when the tail reaches past them.',
      ),
  })
  .describe('The distribution of predicted customer value in the segment, from the training sample.');

export const TopProduct = z.strictObject({
  productId: text(),
  category: z.string().nullable(),
  buyers: count("The segment's shoppers who bought it, in the snapshot the index was built from."),
  share: fraction("buyers / the segment's shoppers then."),
});

export const SegmentProfile = z
  .strictObject({
    segmentId: text(),
    name: text(),
    description: text(),
    modelVersion: text(),
    asOf: dateTime(),
    currency: currency(),
    size: count(),
    share: fraction('Share of all shoppers, prospects included.'),
    revenueShare: fraction().nullable().describe('As in GET /v1/segments.'),
    sampled: z
      .strictObject({ segment: count(), population: count() })
      .nullable()
      .describe(
        'The sampled buyers the figures are over: the segment’s and all; null for prospects and older models.',
      ),
    features: z
      .array(FeatureComparison)
      .max(32)
      .describe('Most distinctive first (largest |z|); empty for prospects and older models.'),
    rules: z.array(SegmentRule).max(64).describe('The membership rules (a depth-3 decision tree).'),
    rulesAgreement: fraction(
      'Share of the rules’ sample the rules place in their own cluster, over all segments.',
    ),
    forecast: SegmentForecast.nullable(),
    predictedValue: PredictedValueDistribution.nullable().describe(
      'Null for prospects, a model without a spend model, and older models.',
    ),
    topProducts: z
      .array(TopProduct)
      .max(20)
      .describe(
        "The segment's most bought products, most buyers first (from the model's recommendation index, or the previous model's until it is built; empty without one).",
      ),
    policy: MarketingPolicy,
    policySource: z.enum(['default', 'override']),
  })
  .describe(
    'One segment against all buyers, read from the current model: every figure was computed at training.',
  );

const TimelineSegment = z.strictObject({
  id: text('Stable across retrains: a segment keeps its line.'),
  name: text(),
  size: count(),
  share: fraction('Share of the model’s shoppers, prospects included.'),
});

export const TimelineModel = z.strictObject({
  version: text(),
  sequence: count().nullable().describe('Promotion order; null for models trained before it.'),
  trainedAt: dateTime(),
  asOf: dateTime(),
  sizes: z
    .enum(['population', 'training-estimate'])
    .describe(
      '`population`: every shopper as the reassignment scored them; `training-estimate`: the training sample scaled up (until the reassignment has counted).',
    ),
  shoppers: count(),
  segments: z.array(TimelineSegment).max(64).describe('The clusters, then `prospects`.'),
});

export const SegmentMigration = z
  .strictObject({
    from: text('The previous model.'),
    to: text('The current model.'),
    basis: z
      .literal('training sample')
      .describe("The current model's training sample of buyers, each scored by both models (no prospects)."),
    shoppers: count(),
    ari: z.number().describe('Adjusted Rand index between the two models over those shoppers.'),
    cells: z
      .array(
        z.strictObject({
          from: text('Segment id in the previous model.'),
          to: text('Segment id in the current model.'),
          shoppers: count(),
        }),
      )
      .max(4096)
      .describe('Every non-empty (from, to) pair, by from then to.'),
  })
  .describe('Where the shoppers of each previous segment went.');

export const SegmentsOverTime = z
  .strictObject({
    current: text('The serving model.'),
    models: z
      .array(TimelineModel)
      .min(1)
      .max(50)
      .describe('The last `limit` promoted models, oldest first, the current one last.'),
    migration: SegmentMigration.nullable().describe(
      'Between the last two models; null for a first model, or when the clustered features changed (stability was not compared).',
    ),
  })
  .describe('Segment sizes across the last promoted models, and the last migration.');

export const SegmentPolicyOverride = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    policy: MarketingPolicy,
    source: z.literal('override'),
    updatedAt: dateTime(),
    version: text(
      'The policy version this change started (it salts the holdout draw; the lift report names it).',
    ),
  })
  .describe("The segment's policy is now the operator's.");

export const SegmentPolicyDefault = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    policy: MarketingPolicy,
    source: z.literal('default'),
    updatedAt: dateTime(),
    version: text('The policy version this reset started: the default, with no holdout.'),
  })
  .describe("The segment's policy is back to the default for its name.");

export const SegmentMember = z.strictObject({
  shopperId: text(),
  since: dateTime(),
  modelVersion: text('The model that placed the shopper.'),
});

export const SegmentMembersPage = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    modelVersion: text('The current model.'),
    members: z.array(SegmentMember).max(1000),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
  })
  .describe('One page of the shoppers in a segment, in shopper id order.');

/** The same page as CSV (shared/http/members-csv.ts). */
export const SegmentMembersCsv = z
  .string()
  .regex(/^shopperId,since,modelVersion(?:\r?\n|$)/)
  .describe('Header line `shopperId,since,modelVersion`, then one line per shopper.');
