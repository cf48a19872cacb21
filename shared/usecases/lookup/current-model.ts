/**
 * The current model, cached in memory: the pointer is re-read at most every `ttlMs`, and the
 * model itself only when the pointer names another version. A lookup then costs no S3 call.
 */
import type { SegmentModel } from '../../domain/segment-model';
import type { ModelRepository } from '../models/model-repository';

export class CurrentModel {
  private model: SegmentModel | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<SegmentModel | undefined> | undefined;

  constructor(
    private readonly repository: ModelRepository,
    private readonly ttlMs = 10_000,
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  async get(): Promise<SegmentModel | undefined> {
    if (this.elapsed() - this.checkedAt < this.ttlMs) return this.model;
    // One refresh at a time: concurrent lookups share it.
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<SegmentModel | undefined> {
    const pointer = await this.repository.currentPointer();
    if (!pointer) this.model = undefined;
    else if (pointer.version !== this.model?.version)
      this.model = await this.repository.load(pointer.version);
    this.checkedAt = this.elapsed();
    return this.model;
  }
}
