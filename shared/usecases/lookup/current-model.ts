/**
 * The current model, cached in memory: the pointer is re-read at most every `ttlMs`, and the
 * model itself only when the pointer names another version. A lookup then costs no S3 call.
 *
 * Once a model is held, a stale pointer is re-read in the background and the held model answers
 * meanwhile: no lookup waits on S3 every `ttlMs` (the p99 of the latency bench), and a failed
 * re-read keeps serving the model it has. Before any model exists, "none" is trusted for only
 * `missTtlMs`, so the first promoted model serves within about a second, not after a full TTL of
 * 503s.
 */
import type { SegmentModel } from '../../domain/segment-model';
import type { ModelRepository } from '../models/model-repository';

export class CurrentModel {
  private model: SegmentModel | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<SegmentModel | undefined> | undefined;

  constructor(
    private readonly repository: Pick<ModelRepository, 'currentPointer' | 'load'>,
    private readonly ttlMs = 10_000,
    private readonly elapsed: () => number = () => performance.now(),
    private readonly missTtlMs = Math.min(ttlMs, 1_000),
  ) {}

  async get(): Promise<SegmentModel | undefined> {
    const age = this.elapsed() - this.checkedAt;
    if (age < (this.model ? this.ttlMs : this.missTtlMs)) return this.model;
    // One refresh at a time: concurrent lookups share it.
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    // A TTL of 0 means "always current" (tests that retrain and look up at once): wait for it.
    if (!this.model || this.ttlMs === 0) return this.loading;
    // The held model answers; the refresh's failure is retried by the next stale lookup.
    this.loading.catch(() => undefined);
    return this.model;
  }

  private async refresh(): Promise<SegmentModel | undefined> {
    const pointer = await this.repository.currentPointer();
    if (!pointer) this.model = undefined;
    else if (pointer.version !== this.model?.version)
      this.model = (await this.repository.load(pointer.version)) ?? this.model;
    this.checkedAt = this.elapsed();
    return this.model;
  }
}
