/**
 * Use case: does the segment's policy pay? For each version of the segment's policy, newest
 * first: its window, the shoppers first looked up under it per group (a uniform sample of at most
 * `limit` when there are more), what they did from exposure to the window's end, and the
 * comparison of treatment against holdout (docs/lift.md).
 * Errors: NoModelError (503), SegmentNotFoundError (404).
 */
import type { PolicyGroup } from '#shared/activation/domain/holdout';
import { outcomeAfter, type ShopperOutcome } from '#shared/activation/domain/lift-outcome';
import { type VersionLift, versionLift } from '#shared/activation/domain/lift-report';
import { holdoutShareOf, type PolicyVersionWindow } from '#shared/activation/domain/policy-version';
import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { resolveShopper } from '#shared/ingestion/usecases/resolve-shopper/resolve-shopper';
import type { Clock } from '#shared/kernel/ports/clock';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import type { PolicyOverrides } from '../policies/policy-overrides';
import { currentSegmentName } from '../policies/segment-policy';

/**
 * Shoppers read per policy version: bounds a report's reads (about one profile read each) and
 * time. Past it the report is a uniform sample and says so; its intervals are the sample's.
 */
export const LIFT_SAMPLE_LIMIT = 20_000;
/** The newest versions reported: older ones cost reads for windows long closed. */
export const LIFT_VERSIONS = 10;

export interface LiftPorts {
  readonly model: CurrentModel;
  readonly policies: Pick<PolicyOverrides, 'versions'>;
  readonly exposures: ExposureStore;
  readonly profiles: ProfileRecords & Pick<ProfileStore, 'getRecord'>;
  readonly clock: Clock;
}

export interface SegmentLift {
  readonly segmentId: string;
  readonly segmentName: string;
  /** Revenue figures are in this currency (the model's); shoppers whose amounts are in another are left out of them. */
  readonly currency: string;
  readonly asOf: string;
  readonly sampleLimit: number;
  /** The LIFT_VERSIONS newest, newest first; versions without a holdout are listed with no figures. */
  readonly versions: readonly VersionLift[];
}

/** Each exposed shopper's profile now; a shopper linked into another since (identity stitching) is read as that one. */
const profilesOf = async (
  ids: readonly string[],
  profiles: LiftPorts['profiles'],
): Promise<Map<string, Profile>> => {
  const records = await profiles.getRecords(ids);
  const found = new Map<string, Profile>();
  for (const id of ids) {
    const record = records.get(id);
    if (record?.kind === 'profile') found.set(id, record.profile);
    else if (record?.kind === 'link') {
      const { stored } = await resolveShopper(profiles, id);
      if (stored) found.set(id, stored.profile);
    }
  }
  return found;
};

/** One version's figures; exposures of erased shoppers drop out. */
export const liftOfVersion = async (
  segmentId: string,
  window: PolicyVersionWindow,
  ports: Pick<LiftPorts, 'exposures' | 'profiles' | 'clock'>,
  currency: string,
  limit: number,
): Promise<VersionLift> => {
  const now = ports.clock.now().toISOString();
  if (holdoutShareOf(window.policy) <= 0) return versionLift(window, now, [], false);
  const { exposures, complete } = await ports.exposures.sample(segmentId, window.version, limit);
  const profiles = await profilesOf(
    exposures.map((e) => e.shopperId),
    ports.profiles,
  );
  const end = window.activeTo ?? now;
  const outcomes: { group: PolicyGroup; outcome: ShopperOutcome }[] = [];
  for (const exposure of exposures) {
    const profile = profiles.get(exposure.shopperId);
    if (profile)
      outcomes.push({ group: exposure.group, outcome: outcomeAfter(profile, exposure.at, end, currency) });
  }
  return versionLift(window, now, outcomes, !complete);
};

export const segmentLift = async (
  segmentId: string,
  ports: LiftPorts,
  limit = LIFT_SAMPLE_LIMIT,
): Promise<SegmentLift> => {
  const segmentName = await currentSegmentName(ports.model, segmentId);
  const model = await ports.model.get();
  const currency = model?.currency ?? 'USD';
  const windows = (await ports.policies.versions(segmentId)).reverse().slice(0, LIFT_VERSIONS);
  const versions: VersionLift[] = [];
  // One at a time: each reads up to `limit` profiles.
  for (const window of windows) versions.push(await liftOfVersion(segmentId, window, ports, currency, limit));
  return {
    segmentId,
    segmentName,
    currency,
    asOf: ports.clock.now().toISOString(),
    sampleLimit: limit,
    versions,
  };
};
