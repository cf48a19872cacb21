/**
 * The current model's recommendation index, cached in memory like the model itself: loaded once
 * per model version. A freshly promoted model has no index until its build step finishes; in the
 * meantime the previous model's index serves (segment ids are stable across retrains), and the
 * miss is re-checked at most every `retryMs`, so lookups never pay an S3 call each.
 */
import { type RecommendationIndex, readIndex } from '#shared/recommendations/domain/recommendation-index';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import type { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';

interface Entry {
  readonly index: RecommendationIndex | undefined;
  /** Set when the model's own index was missing: when to look again. */
  readonly retryAt: number | undefined;
}

export class RecommendationIndexCache {
  private version: string | undefined;
  private entry: Promise<Entry> | undefined;

  constructor(
    private readonly repository: ModelRepository,
    private readonly retryMs = 60_000,
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  async get(model: SegmentModel): Promise<RecommendationIndex | undefined> {
    if (this.version === model.version && this.entry) {
      const entry = await this.entry;
      if (entry.retryAt === undefined || this.elapsed() < entry.retryAt) return entry.index;
    }
    this.version = model.version;
    const loading = this.load(model);
    this.entry = loading;
    // A failed load is not cached: the next lookup tries again.
    loading.catch(() => {
      if (this.entry === loading) this.entry = undefined;
    });
    return (await loading).index;
  }

  private async load(model: SegmentModel): Promise<Entry> {
    // readIndex: an index stored by an older release (the previous model's, say) still ranks.
    const own = await this.repository.loadRecommendations(model.version);
    if (own) return { index: readIndex(own), retryAt: undefined };
    const previous = model.lineage.previousVersion;
    const fallback = previous ? await this.repository.loadRecommendations(previous) : undefined;
    return { index: fallback ? readIndex(fallback) : undefined, retryAt: this.elapsed() + this.retryMs };
  }
}
