/**
 * Operators' marketing policies per segment id, one object each under config/policies/ (one object
 * per segment, so two operators editing different segments never overwrite each other), every
 * version ever in force under config/policies/history/ (append only: the lift report's windows),
 * and the last lift check's flags under config/policies/flags/. Policies and flags are read
 * through a short cache: a lookup pays no S3 call, and another instance sees a change within `ttlMs`.
 */

import type { MarketingPolicy } from '#shared/activation/domain/marketing-policy';
import {
  type PolicyFlag,
  type PolicyVersion,
  type PolicyVersionWindow,
  policyVersionId,
  versionWindows,
} from '#shared/activation/domain/policy-version';
import {
  BUCKET_PREFIXES,
  POLICY_FLAGS_PREFIX,
  POLICY_HISTORY_PREFIX,
  policyFlagKey,
  policyHistoryKey,
  policyHistoryPrefix,
  policyKey,
} from '#shared/contract/bucket-layout';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { RefreshingValue } from '#shared/kernel/refreshing-value';

export interface StoredPolicy {
  readonly segmentId: string;
  readonly policy: MarketingPolicy;
  readonly updatedAt: string;
  /** Absent in policies saved before versions were kept: their start time names them. */
  readonly version?: string;
}

interface Loaded {
  readonly policies: Readonly<Record<string, StoredPolicy>>;
  readonly flags: Readonly<Record<string, PolicyFlag>>;
}

const EMPTY: Loaded = { policies: {}, flags: {} };

/** The version a stored policy is (policies saved before versions existed get a stable name). */
export const versionOf = (stored: StoredPolicy): string =>
  stored.version ?? policyVersionId(stored.segmentId, stored.policy, stored.updatedAt);

const parse = <T>(body: Uint8Array): T => JSON.parse(Buffer.from(body).toString('utf8')) as T;

export class PolicyOverrides {
  private readonly loaded: RefreshingValue<Loaded>;

  constructor(
    private readonly objects: ObjectStore,
    ttlMs = 10_000,
    elapsed: () => number = () => performance.now(),
  ) {
    this.loaded = new RefreshingValue(() => this.load(), ttlMs, elapsed);
  }

  /** Every override by segment id; a stale cache answers while it is re-read (see RefreshingValue). */
  async all(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    const { policies } = await this.current();
    return Object.fromEntries(Object.entries(policies).map(([id, stored]) => [id, stored.policy]));
  }

  /** The overrides with their versions, and the flags of the last lift check. */
  async current(): Promise<Loaded> {
    return (await this.loaded.get()) ?? EMPTY;
  }

  /** Saves a new version: recorded in the history first, so a version that serves always has its window. */
  async set(stored: StoredPolicy & { readonly version: string }): Promise<void> {
    await this.record({
      segmentId: stored.segmentId,
      version: stored.version,
      policy: stored.policy,
      activeFrom: stored.updatedAt,
    });
    await this.objects.put(policyKey(stored.segmentId), JSON.stringify(stored), 'application/json');
    this.loaded.invalidate();
  }

  /** Back to the default: a version of its own (it ends the override's window). */
  async remove(segmentId: string, at: string): Promise<void> {
    await this.record({
      segmentId,
      version: policyVersionId(segmentId, null, at),
      policy: null,
      activeFrom: at,
    });
    await this.objects.delete(policyKey(segmentId));
    this.loaded.invalidate();
  }

  /**
   * Every version the segment's policy has had, oldest first, each with the end of its window.
   * A policy saved before versions were kept has no history entry: it is added from the current object.
   */
  async versions(segmentId: string): Promise<PolicyVersionWindow[]> {
    const keys = await this.objects.list(policyHistoryPrefix(segmentId));
    const bodies = await mapWithConcurrency(keys, 8, (key) => this.objects.get(key));
    const versions = bodies.flatMap((body) => (body ? [parse<PolicyVersion>(body)] : []));
    const current = (await this.current()).policies[segmentId];
    if (current && !versions.some((v) => v.version === versionOf(current)))
      versions.push({
        segmentId,
        version: versionOf(current),
        policy: current.policy,
        activeFrom: current.updatedAt,
      });
    return versionWindows(versions);
  }

  /** Replaces the segment's flag (null: clears it). */
  async setFlag(segmentId: string, flag: PolicyFlag | null): Promise<void> {
    if (flag) await this.objects.put(policyFlagKey(segmentId), JSON.stringify(flag), 'application/json');
    else await this.objects.delete(policyFlagKey(segmentId));
    this.loaded.invalidate();
  }

  /** Appends to the history; numbered by how many versions came before (see PolicyVersion.sequence). */
  private async record(version: Omit<PolicyVersion, 'sequence'>): Promise<void> {
    const sequence = (await this.objects.list(policyHistoryPrefix(version.segmentId))).length;
    await this.objects.put(
      policyHistoryKey(version.segmentId, version.activeFrom, sequence, version.version),
      JSON.stringify({ ...version, sequence }),
      'application/json',
    );
  }

  private async load(): Promise<Loaded> {
    const keys = await this.objects.list(BUCKET_PREFIXES.policies);
    const wanted = keys.filter((key) => !key.startsWith(POLICY_HISTORY_PREFIX));
    const bodies = await mapWithConcurrency(wanted, 8, async (key) => ({
      key,
      body: await this.objects.get(key),
    }));
    const policies: Record<string, StoredPolicy> = Object.create(null);
    const flags: Record<string, PolicyFlag> = Object.create(null);
    for (const { key, body } of bodies) {
      if (!body) continue; // removed between the list and the get
      if (key.startsWith(POLICY_FLAGS_PREFIX)) {
        const flag = parse<PolicyFlag>(body);
        flags[flag.segmentId] = flag;
      } else {
        const stored = parse<StoredPolicy>(body);
        policies[stored.segmentId] = stored;
      }
    }
    return { policies, flags };
  }
}
