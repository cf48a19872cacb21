/** Trained models and retrain runs (GET /v1/models, GET /v1/models/{version}). */
import * as z from 'zod';
import {
  amount,
  count,
  dateTime,
  FeatureName,
  FeatureValues,
  featureMap,
  fraction,
  numberList,
  stringList,
  text,
} from './common-schemas';
import { SegmentForecast } from './lookup-schemas';

const k = () => z.int().min(1);
const featureList = () => z.array(FeatureName);

export const KCandidateReport = z.strictObject({
  k: k(),
  silhouette: amount(),
  daviesBouldin: amount(),
  smallestShare: fraction(),
  largestShare: fraction().optional(),
  inertia: amount(),
  eligible: z.boolean(),
});

export const Separation = z
  .strictObject({
    auc: fraction('AUC of "buys again in the horizon", each shopper scored by their segment\'s buy rate.'),
    etaSquared: fraction(
      'Share of the variance of log(1 + revenue in the horizon) explained by segment means.',
    ),
  })
  .describe('How well segments separate what shoppers do next.');

export const SelectionCandidate = z.strictObject({
  k: k(),
  features: featureList(),
  weighted: z.boolean(),
  auc: fraction(),
  etaSquared: fraction(),
  score: amount(
    'Mean of the AUC and η² gains relative to the RFM grid on the backtest; 1 = as good as the grid.',
  ),
  largestShare: fraction(),
  smallestShare: fraction(),
  current: z
    .strictObject({ largestShare: fraction(), smallestShare: fraction() })
    .optional()
    .describe('The same candidate clustered on the shoppers as of now, where the gate checks the shares.'),
  eligible: z
    .boolean()
    .describe(
      'Every segment within the minimum and maximum shares, on the backtest and (where checked) now.',
    ),
});

export const BacktestSelection = z
  .strictObject({
    method: z.literal('backtest'),
    horizonDays: count('H: features as of the as-of time − H, outcome in the last H days.'),
    asOf: dateTime('The backtest cut, as-of − H.'),
    shoppers: count('Buyers in the backtest sample.'),
    baseline: Separation.describe('The RFM grid on the same backtest shoppers.'),
    chosen: SelectionCandidate,
    features: z.array(z.strictObject({ feature: FeatureName, used: z.boolean(), reason: text() })),
    weights: featureMap(amount())
      .nullable()
      .describe('Per used feature, when weighting by predictive strength won on the backtest.'),
    candidates: z.array(SelectionCandidate),
  })
  .describe(
    "K, features and weights chosen by how well segments separate the next H days on the retrain's own backtest.",
  );

export const SilhouetteSelection = z
  .strictObject({ method: z.literal('silhouette'), reason: text('Why no backtest was possible.') })
  .describe('K chosen by silhouette because the shop has too little history for a backtest.');

export const ModelMetrics = z.strictObject({
  k: k(),
  silhouette: amount(),
  daviesBouldin: amount(),
  inertia: amount(),
  rulesAgreement: fraction('Share of shoppers whose cluster agrees with the RFM rules.'),
  candidates: z
    .array(KCandidateReport)
    .describe('The silhouette search, when K fell back to it (empty when the backtest chose K).'),
  selection: z
    .discriminatedUnion('method', [BacktestSelection, SilhouetteSelection])
    .describe('How K and the features were chosen (absent in models trained before the backtest).')
    .optional(),
});

export const StabilityReport = z
  .strictObject({
    ari: amount("Adjusted Rand index between the previous model's and this model's segments."),
    migration: z
      .record(z.string(), z.record(z.string(), count()))
      .describe('from segment id → to segment id → shoppers.'),
    matched: count(),
    retired: stringList(),
    added: stringList(),
  })
  .describe('How the segments moved against the previous model.');

export const DriftReport = z
  .strictObject({
    features: featureMap(z.number()).describe('Population stability index by feature.'),
    maxFeaturePsi: amount(),
    segmentSharesPsi: z.number().nullable(),
  })
  .describe('How the population moved against the previous model.');

export const TrainingConfig = z.strictObject({
  features: featureList().describe(
    'Candidates: the RFM core always, the others where the backtest says they help.',
  ),
  required: featureList()
    .describe('Clustered whatever the backtest says, on top of the RFM core.')
    .optional(),
  kMin: k(),
  kMax: k(),
  seed: z.int(),
  minShare: fraction(),
  maxShare: fraction('No segment may hold more of the buyers (0.5 where absent).').optional(),
  sampleSize: count(),
  silhouetteSample: count(),
  restarts: count(),
  gate: z.strictObject({
    minShare: fraction(),
    silhouetteRatio: amount(),
    minAri: amount(),
    driftPsi: amount(),
  }),
});

export const FeatureTransform = z
  .strictObject({
    features: featureList(),
    steps: z.array(
      z.strictObject({
        feature: FeatureName,
        log: z.boolean(),
        low: amount(),
        high: amount(),
        center: amount(),
        scale: amount(),
      }),
    ),
  })
  .describe('Raw features → the scaled vectors the clustering sees (log1p, winsorising, robust scaling).');

const rfmScore = () => z.int().min(1).max(5);

export const Spread = z
  .strictObject({ median: amount(), mean: amount() })
  .describe('Median and mean over sampled buyers, in real units.');

export const ValueDistribution = z
  .strictObject({
    sampled: count('Sampled buyers with a prediction the figures are over.'),
    median: amount(),
    mean: amount('The same mean as the segment’s `forecast.predictedValue`.'),
    buckets: z
      .array(
        z.strictObject({
          from: amount(),
          to: z.number().nullable().describe('Exclusive; null for the open last bucket (the top tail).'),
          share: fraction('Share of the sampled values in [from, to).'),
        }),
      )
      .max(32),
  })
  .describe(
    'Predicted value over the value months: about ten equal, round-width buckets from the smallest value to the 99th percentile, and an open bucket above when the tail reaches past them.',
  );

export const RuleStat = z.strictObject({
  rule: text(),
  precision: fraction('Of the rules’ sample matching the rule, the share in the segment.'),
  coverage: fraction('Of the segment’s buyers in the rules’ sample, the share the rule matches.'),
});

export const SegmentFigures = z
  .strictObject({
    sampled: count('The segment’s buyers in the training sample.'),
    revenueShare: fraction('The segment’s share of the training sample’s spend in the last 365 days.'),
    features: featureMap(Spread),
    predictedValue: ValueDistribution.nullable().describe('Null without a spend model.').optional(),
    rules: z.array(RuleStat).describe('`rules`, in the same order, with their agreement.').optional(),
  })
  .describe(
    'Computed at training from the training sample (a uniform sample of the buyers); absent in models trained before them.',
  );

export const PopulationFigures = z
  .strictObject({
    sampled: count('Buyers in the training sample.'),
    revenue365: amount(
      'Their spend in the last 365 days, in the model’s currency: the revenue shares’ basis.',
    ),
    features: featureMap(Spread.extend({ std: amount('Standard deviation.') })),
    predictedValue: Spread.nullable().optional(),
  })
  .describe('The segment figures over every sampled buyer; absent in models trained before them.');

export const SegmentDefinition = z.strictObject({
  id: text(),
  name: text(),
  description: text(),
  scores: z.strictObject({ r: rfmScore(), f: rfmScore(), m: rfmScore() }),
  centroid: numberList().describe('In the scaled feature space.'),
  centroidReal: FeatureValues,
  size: count(),
  share: fraction(),
  rules: stringList(),
  forecast: SegmentForecast.nullable().optional(),
  figures: SegmentFigures.optional(),
});

const StoredClv = z
  .object({
    config: z
      .record(z.string(), z.unknown())
      .describe('Time unit, calibration window, horizon and value months.'),
    model: z
      .record(z.string(), z.unknown())
      .describe(
        'The fitted BG/NBD (`bgnbd`: r, alpha, a, b) and Gamma-Gamma (`gammaGamma`: p, q, v) parameters, each null with a `reason` when not fitted, what they were fitted on, and diagnostics. `boundary` ({kind, atLimit, note}) marks a boundary fit: `no-dropout` (the data show no drop-out yet; served as the NBD, a = 0, P(alive) = 1) or `parameter-limit`; absent for the BG/NBD proper.',
      ),
    highValueFrom: z.number().nullable().describe('The 80th percentile of predicted value.'),
  })
  .catchall(z.unknown())
  .describe('The customer value models fitted on the same snapshot (absent in older models).');

export const SegmentModel = z
  .strictObject({
    schema: z.literal(1),
    version: text(),
    sequence: count('Promotion order: the previous model’s + 1 (absent in older models).').optional(),
    createdAt: dateTime(),
    asOf: dateTime(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    lineage: z.strictObject({
      snapshot: text(),
      snapshotRows: count(),
      previousVersion: z.string().nullable(),
      runId: text(),
    }),
    config: TrainingConfig,
    transform: FeatureTransform,
    scale: z
      .strictObject({ recencyDays: numberList(), frequency365: numberList(), monetary365: numberList() })
      .describe('Population percentiles used to name segments (RFM scores).'),
    segments: z.array(SegmentDefinition),
    prospects: z.strictObject({ size: count(), share: fraction() }),
    metrics: ModelMetrics,
    stability: StabilityReport.nullable(),
    drift: DriftReport.nullable(),
    reference: z
      .strictObject({
        features: featureMap(z.strictObject({ edges: numberList(), shares: numberList() })),
        segmentShares: z.record(z.string(), z.number()),
      })
      .describe('Distributions at training, kept to measure drift.'),
    nextSequence: z.int().min(1).describe('Next free number for `seg-<n>` ids.'),
    clv: StoredClv.optional(),
    figures: PopulationFigures.optional(),
  })
  .describe(
    'A trained segmentation model: everything needed to score a profile as training did, explain each segment, and trace where it came from.',
  );

const RetrainOutcome = z.strictObject({
  shoppers: count(),
  changed: count(),
  segments: z
    .record(z.string(), count())
    .describe('Shoppers per segment id (prospects included) as the reassignment scored them.')
    .optional(),
});

export const RunPolicyCheck = z
  .strictObject({
    segmentId: z.string(),
    version: z.string().describe('The policy version in force.'),
    shoppers: z
      .strictObject({ treatment: count(), holdout: count() })
      .describe('Shoppers first looked up under the version, per group (at most the lift sample).'),
    verdict: z.enum(['significant', 'not_yet', 'inconclusive']).describe('The verdict on conversion.'),
    underperforming: z
      .boolean()
      .describe(
        'Conversion or revenue per shopper significantly below the holdout: the segment is flagged in GET /v1/segments and a "Policy Underperforming" event is sent.',
      ),
  })
  .describe("One policy version's lift at the run (GET /v1/segments/{segmentId}/lift has the figures).");

export const RetrainRun = z
  .strictObject({
    runId: text(),
    startedAt: dateTime(),
    finishedAt: dateTime(),
    outcome: z.enum(['promoted', 'rejected', 'failed']),
    reason: text(),
    trigger: z.enum(['schedule', 'drift', 'manual']),
    modelVersion: z.string().nullable().describe('The candidate model, promoted or not.'),
    previousVersion: z.string().nullable(),
    snapshot: z.string().nullable(),
    k: k().nullable(),
    metrics: ModelMetrics.nullable(),
    stability: StabilityReport.nullable(),
    drift: DriftReport.nullable(),
    timings: z.record(z.string(), count()).describe('Milliseconds by phase.'),
    reassigned: RetrainOutcome.nullable(),
    policyChecks: z
      .array(RunPolicyCheck)
      .optional()
      .describe(
        'The lift of every policy in force with a holdout, checked when the run was recorded (promoted runs). Absent on runs recorded before it.',
      ),
  })
  .describe('What one retrain did, promoted or not, and why.');

export const ModelHistory = z.strictObject({
  current: z.string().nullable().describe('The serving model version; null before the first.'),
  runs: z.array(RetrainRun).describe('Newest first.'),
});

export const OpenApiDocumentSchema = z
  .object({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.object({ title: z.string(), version: z.string() }).catchall(z.unknown()),
    paths: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown())
  .describe('This document (OpenAPI 3.1).');
