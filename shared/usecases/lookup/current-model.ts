/**
 * The current model, cached in memory: the pointer is re-read at most every `ttlMs`, and the
 * model itself only when the pointer names another version. A lookup then costs no S3 call, and
 * once a model is held, no lookup waits for a re-read (see RefreshingValue). Before any model
 * exists, "none" is trusted for only `missTtlMs`, so the first promoted model serves within about
 * a second, not after a full TTL of 503s.
 */
import type { SegmentModel } from '../../domain/segment-model';
import type { ModelRepository } from '../models/model-repository';
import { RefreshingValue } from '../refreshing-value';

export class CurrentModel {
  private readonly model: RefreshingValue<SegmentModel>;

  constructor(
    repository: Pick<ModelRepository, 'currentPointer' | 'load'>,
    ttlMs = 10_000,
    elapsed: () => number = () => performance.now(),
    missTtlMs = Math.min(ttlMs, 1_000),
  ) {
    this.model = new RefreshingValue(
      async (held) => {
        const pointer = await repository.currentPointer();
        if (!pointer) return undefined;
        if (pointer.version === held?.version) return held;
        return (await repository.load(pointer.version)) ?? held;
      },
      ttlMs,
      elapsed,
      missTtlMs,
    );
  }

  get(): Promise<SegmentModel | undefined> {
    return this.model.get();
  }
}
