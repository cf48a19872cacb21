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
  /** Bumped by every edit: a read that started before it must not cache what it saw. */
  private generation = 0;

  constructor(
    private readonly objects: ObjectStore,
    private readonly ttlMs = 10_000,
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  /**
   * Every override by segment id. Once loaded, a stale cache answers while it is re-read in the
   * background, so no lookup waits on S3; a TTL of 0 always waits (tests that edit and read at once).
   */
  async all(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    if (this.cached && this.elapsed() - this.checkedAt < this.ttlMs) return this.cached;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    if (!this.cached || this.ttlMs === 0) return this.loading;
    // A failed re-read keeps the cached overrides; the next stale call tries again.
    this.loading.catch(() => undefined);
    return this.cached;
  }

  async set(stored: StoredPolicy): Promise<void> {
    await this.objects.put(keyOf(stored.segmentId), JSON.stringify(stored), 'application/json');
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  async remove(segmentId: string): Promise<void> {
    await this.objects.delete(keyOf(segmentId));
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  private async load(): Promise<Readonly<Record<string, MarketingPolicy>>> {
    const generation = this.generation;
    const keys = await this.objects.list(PREFIX);
    const bodies = await Promise.all(keys.map((key) => this.objects.get(key)));
    const overrides: Record<string, MarketingPolicy> = Object.create(null);
    for (const body of bodies) {
      if (!body) continue; // removed between the list and the get
      const stored = JSON.parse(Buffer.from(body).toString('utf8')) as StoredPolicy;
      overrides[stored.segmentId] = stored.policy;
    }
    if (generation === this.generation) {
      this.cached = overrides;
      this.checkedAt = this.elapsed();
    }
    return overrides;
  }
}
