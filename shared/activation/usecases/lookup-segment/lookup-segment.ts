/**
 * Use case: which segment is this shopper in, and what should we do about it?
 * Input: shopper id. Output: the segment scored from the live profile against the current
 * model (so it follows the latest event), why, since when, and the segment's policy.
 * Steps: read the profile (the one DynamoDB read) → current model (cached) → score → when the
 * live segment differs from the stamped one, record the change (history, stamp) and publish it.
 * Errors: ProfileNotFoundError (404), NoModelError (503).
 */

import { type PolicyGroup, policyGroupOf } from '#shared/activation/domain/holdout';
import { type MarketingPolicy, NO_ACTION, policyFor } from '#shared/activation/domain/marketing-policy';
import { holdoutShareOf } from '#shared/activation/domain/policy-version';
import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import { type CustomerForecast, forecastOfProfile } from '#shared/customer-value/domain/forecast';
import { ProfileNotFoundError } from '#shared/ingestion/usecases/read-profile/read-profile';
import { resolveShopper } from '#shared/ingestion/usecases/resolve-shopper/resolve-shopper';
import { listsForProfile, type Recommendation } from '#shared/recommendations/domain/recommend';
import type { RecommendationIndexCache } from '#shared/recommendations/usecases/read-index/recommendation-index-cache';
import type { FeatureName } from '#shared/segmentation/domain/features/features';
import type { Score } from '#shared/segmentation/domain/score-profile';
import { PROSPECTS_ID, type SegmentModel } from '#shared/segmentation/domain/segment-model';
import { reconcileSegment } from '#shared/segmentation/usecases/reconcile-segment/reconcile-segment';
import type { RescorePorts } from '#shared/segmentation/usecases/rescore-shoppers/rescore-shoppers';
import { type StoredPolicy, versionOf } from '../policies/policy-overrides';

export class NoModelError extends Error {
  override readonly name = 'NoModelError';
}

/** Re-scoring's ports (a lookup re-scores the shopper as the stream would), and what it adds to the answer. */
export interface LookupPorts extends RescorePorts {
  readonly policies?: () => Promise<Readonly<Record<string, StoredPolicy>>>;
  /** Where first exposures to holdout policies are recorded (the lift report's populations). */
  readonly exposures?: ExposureStore;
  readonly recommendationIndex?: RecommendationIndexCache;
}

export interface LookupOptions {
  /** How many products the shopper has not bought to add (none when absent). */
  readonly recommendations?: number;
  /** How many of the shopper's own products to add as likely re-orders (none when absent). */
  readonly buyAgain?: number;
}

export interface FeatureExplanation {
  readonly feature: FeatureName;
  readonly value: number;
  /** The segment centroid's value, in the same real units. */
  readonly typical: number | null;
}

export interface SegmentLookup {
  readonly shopperId: string;
  readonly segment: {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly rules: readonly string[];
  };
  readonly since: string;
  readonly distance: number | null;
  readonly confidence: number;
  readonly modelVersion: string;
  readonly asOf: string;
  readonly changed: boolean;
  readonly features: readonly FeatureExplanation[];
  /** What to do: the segment's policy, or no action for a shopper its holdout leaves untreated. */
  readonly policy: MarketingPolicy;
  /** `holdout`: do nothing for this shopper (the policy's lift is measured against them). */
  readonly group: PolicyGroup;
  /** The operator's policy version in force (null: the default for the segment's name). */
  readonly policyVersion: string | null;
  /** P(alive), expected orders and predicted value from the model's BG/NBD and Gamma-Gamma fits. */
  readonly predictions: CustomerForecast;
  readonly recommendations?: readonly Recommendation[];
  readonly buyAgain?: readonly Recommendation[];
}

const explain = (model: SegmentModel, score: Score): FeatureExplanation[] => {
  if (!score.features) return [];
  const centroid = model.segments.find((s) => s.id === score.segmentId)?.centroidReal ?? {};
  return model.transform.features.map((feature) => ({
    feature,
    value: round(score.features?.[feature] ?? 0),
    typical: centroid[feature] === undefined ? null : round(centroid[feature] as number),
  }));
};

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The shopper's group under the segment's policy version and what they get. Under a holdout, the
 * first lookup of each shopper is recorded (either group): a failed write is logged, not
 * answered with an error, since it cannot depend on the group and so biases nothing.
 */
const treatmentOf = async (
  shopperId: string,
  segmentId: string,
  segmentName: string,
  context: {
    readonly override: StoredPolicy | undefined;
    readonly exposures: ExposureStore | undefined;
    readonly logger: LookupPorts['logger'];
    readonly at: string;
  },
): Promise<{ policy: MarketingPolicy; group: PolicyGroup; policyVersion: string | null }> => {
  const { override } = context;
  if (!override)
    return { policy: policyFor(segmentId, segmentName), group: 'treatment', policyVersion: null };
  const policyVersion = versionOf(override);
  const share = holdoutShareOf(override.policy);
  if (share <= 0) return { policy: override.policy, group: 'treatment', policyVersion };
  const group = policyGroupOf(shopperId, policyVersion, share);
  try {
    await context.exposures?.recordFirst({ shopperId, segmentId, policyVersion, group, at: context.at });
  } catch (error) {
    context.logger.warn('exposure not recorded', {
      segmentId,
      policyVersion,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  return { policy: group === 'holdout' ? NO_ACTION : override.policy, group, policyVersion };
};

export const lookupSegment = async (
  requestedId: string,
  ports: LookupPorts,
  options: LookupOptions = {},
): Promise<SegmentLookup> => {
  // A linked id (identity stitching) answers for the shopper it was folded into, named in `shopperId`.
  const { shopperId, stored } = await resolveShopper(ports.profiles, requestedId);
  if (!stored) throw new ProfileNotFoundError(`no profile for shopper "${shopperId}"`);
  const model = await ports.model.get();
  if (!model) throw new NoModelError('no segmentation model has been trained yet: run a retrain');
  const now = ports.clock.now();
  const { score, changed, since } = await reconcileSegment(stored, model, now, ports);
  const definition = model.segments.find((s) => s.id === score.segmentId);
  const overrides = ports.policies ? await ports.policies() : {};
  const { policy, group, policyVersion } = await treatmentOf(shopperId, score.segmentId, score.segmentName, {
    override: overrides[score.segmentId],
    exposures: ports.exposures,
    logger: ports.logger,
    at: now.toISOString(),
  });
  const wanted = { recommendations: options.recommendations, buyAgain: options.buyAgain };
  const index =
    (wanted.recommendations || wanted.buyAgain) && ports.recommendationIndex
      ? await ports.recommendationIndex.get(model)
      : undefined;
  const lists = listsForProfile(
    index,
    stored.profile,
    { id: score.segmentId, name: score.segmentName },
    wanted,
  );
  return {
    shopperId,
    segment: {
      id: score.segmentId,
      name: score.segmentName,
      description:
        definition?.description ??
        (score.segmentId === PROSPECTS_ID ? 'Has shown interest but not ordered yet.' : ''),
      rules: definition?.rules ?? (score.segmentId === PROSPECTS_ID ? ['no order yet'] : []),
    },
    since,
    distance: score.distance === null ? null : Math.round(score.distance * 1000) / 1000,
    confidence: Math.round(score.confidence * 1000) / 1000,
    modelVersion: model.version,
    asOf: now.toISOString(),
    changed,
    features: explain(model, score),
    policy,
    group,
    policyVersion,
    predictions: forecastOfProfile(model.clv, stored.profile, now, stored.profile.currency ?? model.currency),
    ...lists,
  };
};
