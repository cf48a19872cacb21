/**
 * Operators' marketing policies per segment id, one object each under config/policies/ (one object
 * per segment, so two operators editing different segments never overwrite each other). Read through
 * a short cache: a lookup pays no S3 call, and another instance sees a change within `ttlMs`.
 */

import type { MarketingPolicy } from '#shared/activation/domain/marketing-policy';
import { BUCKET_PREFIXES, policyKey } from '#shared/contract/bucket-layout';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { RefreshingValue } from '#shared/kernel/refreshing-value';

export interface StoredPolicy {
  readonly segmentId: string;
  readonly policy: MarketingPolicy;
  readonly updatedAt: string;
}

export class PolicyOverrides {
  private readonly overrides: RefreshingValue<Readonly<Record<string, MarketingPolicy>>>;

  constructor(
    private readonly objects: ObjectStore,
    ttlMs = 10_000,
    elapsed: () => number = () => performance.now(),
  ) {
    this.overrides = new RefreshingValue(() => this.load(), ttlMs, elapsed);
  }

  /** Every override by segment id; a stale cache answers while it is re-read (see RefreshingValue). */
  async all(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    return (await this.overrides.get()) ?? {};
  }

  async set(stored: StoredPolicy): Promise<void> {
    await this.objects.put(policyKey(stored.segmentId), JSON.stringify(stored), 'application/json');
    this.overrides.invalidate();
  }

  async remove(segmentId: string): Promise<void> {
    await this.objects.delete(policyKey(segmentId));
    this.overrides.invalidate();
  }

  private async load(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    const keys = await this.objects.list(BUCKET_PREFIXES.policies);
    const bodies = await Promise.all(keys.map((key) => this.objects.get(key)));
    const overrides: Record<string, MarketingPolicy> = Object.create(null);
    for (const body of bodies) {
      if (!body) continue; // removed between the list and the get
      const stored = JSON.parse(Buffer.from(body).toString('utf8')) as StoredPolicy;
      overrides[stored.segmentId] = stored.policy;
    }
    return overrides;
  }
}
