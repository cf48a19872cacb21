/**
 * Operators' marketing policies per segment id, one object each under config/policies/ (one object
 * per segment, so two operators editing different segments never overwrite each other). Read through
 * a short cache: a lookup pays no S3 call, and another instance sees a change within `ttlMs`.
 */
import type { MarketingPolicy } from '../../domain/marketing-policy';
import type { ObjectStore } from '../../ports/object-store';

const PREFIX = 'config/policies/';
const keyOf = (segmentId: string) => `${PREFIX}${encodeURIComponent(segmentId)}.json`;

export interface StoredPolicy {
  readonly segmentId: string;
  readonly policy: MarketingPolicy;
  readonly updatedAt: string;
}

export class PolicyOverrides {
  private cached: Readonly<Record<string, MarketingPolicy>> | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<Readonly<Record<string, MarketingPolicy>>> | undefined;

  constructor(
    private readonly objects: ObjectStore,
    private readonly ttlMs = 10_000,
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  /** Every override by segment id. */
  async all(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    if (this.cached && this.elapsed() - this.checkedAt < this.ttlMs) return this.cached;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  async set(stored: StoredPolicy): Promise<void> {
    await this.objects.put(keyOf(stored.segmentId), JSON.stringify(stored), 'application/json');
    this.cached = undefined;
  }

  async remove(segmentId: string): Promise<void> {
    await this.objects.delete(keyOf(segmentId));
    this.cached = undefined;
  }

  private async load(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    const keys = await this.objects.list(PREFIX);
    const bodies = await Promise.all(keys.map((key) => this.objects.get(key)));
    const overrides: Record<string, MarketingPolicy> = Object.create(null);
    for (const body of bodies) {
      if (!body) continue; // removed between the list and the get
      const stored = JSON.parse(Buffer.from(body).toString('utf8')) as StoredPolicy;
      overrides[stored.segmentId] = stored.policy;
    }
    this.cached = overrides;
    this.checkedAt = this.elapsed();
    return overrides;
  }
}
