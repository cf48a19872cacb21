/**
 * A trained segmentation model as stored (JSON) and served: everything needed to score a live
 * profile exactly as training did, to explain each segment, and to trace where it came from.
 */

import type { SegmentForecast, StoredClv } from '#shared/customer-value/domain/forecast';
import type { PopulationScale } from './explanation/naming';
import type { PopulationFigures, SegmentFigures } from './explanation/segment-figures';
import type { FeatureTransform } from './features/feature-transform';
import type { FeatureName } from './features/features';
import type { Selection } from './training/model-selection';

export const PROSPECTS_ID = 'prospects';
export const PROSPECTS_NAME = 'Prospects';

export interface SegmentDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly scores: { readonly r: number; readonly f: number; readonly m: number };
  /** In the model's scaled feature space: what scoring compares against. */
  readonly centroid: readonly number[];
  /** The same centroid in real units (days, orders, money). */
  readonly centroidReal: Partial<Record<FeatureName, number>>;
  readonly size: number;
  readonly share: number;
  readonly rules: readonly string[];
  /** Mean predicted customer value of the segment's buyers; absent without a CLV model. */
  readonly forecast?: SegmentForecast | null;
  /**
   * From the training sample: revenue share, feature medians and means, predicted value
   * distribution, rules with their agreement. Absent in models trained before them.
   */
  readonly figures?: SegmentFigures;
}

export interface KCandidateReport {
  readonly k: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly smallestShare: number;
  /** Absent in models trained before the 50% limit. */
  readonly largestShare?: number;
  readonly inertia: number;
  readonly eligible: boolean;
}

/** Reference distributions kept for drift: feature bins and segment shares at training. */
export interface DriftReference {
  readonly features: Partial<
    Record<FeatureName, { readonly edges: readonly number[]; readonly shares: readonly number[] }>
  >;
  readonly segmentShares: Record<string, number>;
}

export interface DriftReport {
  readonly features: Partial<Record<FeatureName, number>>;
  readonly maxFeaturePsi: number;
  readonly segmentSharesPsi: number | null;
}

export interface StabilityReport {
  /** Adjusted Rand index between the previous model's and this model's segments over the same shoppers. */
  readonly ari: number;
  /** from segment id → to segment id → shoppers. */
  readonly migration: Record<string, Record<string, number>>;
  readonly matched: number;
  readonly retired: readonly string[];
  readonly added: readonly string[];
}

export interface TrainingConfig {
  /** Candidates: the RFM core always clustered, the others where the backtest says they help. */
  readonly features: readonly FeatureName[];
  /** Clustered whatever the backtest says, on top of the RFM core (an operator's choice). */
  readonly required?: readonly FeatureName[];
  readonly kMin: number;
  readonly kMax: number;
  readonly seed: number;
  readonly minShare: number;
  /** No segment may hold more than this share of buyers (absent in older models: 0.5). */
  readonly maxShare?: number;
  readonly sampleSize: number;
  readonly silhouetteSample: number;
  /** k-means++ seedings tried on the sample (the best kept): guards against a poor local optimum. */
  readonly restarts: number;
  readonly gate: {
    readonly minShare: number;
    /** New silhouette must be ≥ previous × this. */
    readonly silhouetteRatio: number;
    /** ARI below this needs a drift reason (max feature PSI ≥ driftPsi). */
    readonly minAri: number;
    readonly driftPsi: number;
  };
}

export interface SegmentModel {
  readonly schema: 1;
  readonly version: string;
  /**
   * Promotion order: the serving model's + 1 when training began, and promotion refuses a model
   * whose predecessor no longer serves, so a later promoted model has a higher number. Stamps
   * carry it: a stamp is never replaced by a model with a lower one. Absent in older models (0).
   */
  readonly sequence?: number;
  readonly createdAt: string;
  readonly asOf: string;
  readonly currency: string;
  readonly lineage: {
    readonly snapshot: string;
    readonly snapshotRows: number;
    readonly previousVersion: string | null;
    readonly runId: string;
  };
  readonly config: TrainingConfig;
  readonly transform: FeatureTransform;
  readonly scale: PopulationScale;
  readonly segments: readonly SegmentDefinition[];
  readonly prospects: { readonly size: number; readonly share: number };
  readonly metrics: {
    readonly k: number;
    readonly silhouette: number;
    readonly daviesBouldin: number;
    readonly inertia: number;
    readonly rulesAgreement: number;
    /** The silhouette search's candidates (empty when K was chosen by the backtest). */
    readonly candidates: readonly KCandidateReport[];
    /** How K and the features were chosen; absent in models trained before the backtest. */
    readonly selection?: Selection | { readonly method: 'silhouette'; readonly reason: string };
  };
  readonly stability: StabilityReport | null;
  readonly drift: DriftReport | null;
  readonly reference: DriftReference;
  /** Next free number for new segment ids (`seg-<n>`): ids are never reused. */
  readonly nextSequence: number;
  /** BG/NBD and Gamma-Gamma fitted on the same snapshot; absent in models trained before them. */
  readonly clv?: StoredClv;
  /** The same figures as each segment's over every sampled buyer; absent in models trained before them. */
  readonly figures?: PopulationFigures;
}

export type RunOutcome = 'promoted' | 'rejected' | 'failed';

export interface RetrainRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: RunOutcome;
  readonly reason: string;
  readonly trigger: 'schedule' | 'drift' | 'manual';
  readonly modelVersion: string | null;
  readonly previousVersion: string | null;
  readonly snapshot: string | null;
  readonly k: number | null;
  readonly metrics: SegmentModel['metrics'] | null;
  readonly stability: StabilityReport | null;
  readonly drift: DriftReport | null;
  readonly timings: Record<string, number>;
  readonly reassigned: {
    readonly shoppers: number;
    readonly changed: number;
    /** Shoppers per segment id (prospects included) as the reassignment scored them. */
    readonly segments?: Readonly<Record<string, number>>;
  } | null;
  /**
   * The lift check of every policy in force with a holdout, made when the run was recorded
   * (shared/activation/usecases/lift/check-policies.ts). Absent on runs recorded before it.
   */
  readonly policyChecks?: readonly RunPolicyCheck[];
}

/** One policy version's lift at a run: its groups' sizes, the verdict on conversion, and the flag. */
export interface RunPolicyCheck {
  readonly segmentId: string;
  readonly version: string;
  readonly shoppers: { readonly treatment: number; readonly holdout: number };
  readonly verdict: 'significant' | 'not_yet' | 'inconclusive';
  /** Conversion or revenue per shopper significantly below the holdout's. */
  readonly underperforming: boolean;
}

/** A model's place in promotion order; models trained before sequences are all 0. */
export const modelSequence = (model: Pick<SegmentModel, 'sequence'>): number => model.sequence ?? 0;

/** The sequence of a model trained on top of `previous` (the model serving when training began). */
export const sequenceAfter = (previous: Pick<SegmentModel, 'sequence'> | undefined): number =>
  previous ? modelSequence(previous) + 1 : 1;

/** Every shopper of a snapshot, per segment id (prospects included): what reassignment counted. */
export interface PopulationCounts {
  readonly shoppers: number;
  readonly segments: Readonly<Record<string, number>>;
}

export const addCounts = (a: PopulationCounts, b: PopulationCounts): PopulationCounts => {
  const segments: Record<string, number> = { ...a.segments };
  for (const [id, n] of Object.entries(b.segments)) segments[id] = (segments[id] ?? 0) + n;
  return { shoppers: a.shoppers + b.shoppers, segments };
};

/**
 * The model with population sizes and shares: every shopper counted, not the training sample
 * (which past `maxTrainingRows` holds only some buyers).
 */
export const withPopulation = (model: SegmentModel, counts: PopulationCounts): SegmentModel => {
  const share = (n: number) => (counts.shoppers > 0 ? n / counts.shoppers : 0);
  const size = (id: string) => counts.segments[id] ?? 0;
  return {
    ...model,
    segments: model.segments.map((s) => ({ ...s, size: size(s.id), share: share(size(s.id)) })),
    prospects: { size: size(PROSPECTS_ID), share: share(size(PROSPECTS_ID)) },
  };
};
