/**
 * The current model, cached in memory: the pointer is re-read at most every `ttlMs`, and the
 * model itself only when the pointer names another version. A lookup then costs no S3 call, and
 * once a model is held, no lookup waits for a re-read (see RefreshingValue). Before any model
 * exists, "none" is trusted for only `missTtlMs`, so the first promoted model serves within about
 * a second, not after a full TTL of 503s.
 *
 * Sizes and shares: a model is promoted with its training estimates, and its reassignment counts
 * every shopper afterwards; until those counts are complete each re-read also looks for them
 * (one list call), and from then on the model is served with population sizes.
 */

import { RefreshingValue } from '#shared/kernel/refreshing-value';
import { type SegmentModel, withPopulation } from '#shared/segmentation/domain/segment-model';
import type { ModelRepository } from './model-repository';

export class CurrentModel {
  private readonly model: RefreshingValue<SegmentModel>;
  /** Models already carrying their population counts: no further look for them. */
  private readonly counted = new WeakSet<SegmentModel>();

  constructor(
    repository: Pick<ModelRepository, 'currentPointer' | 'load'> &
      Partial<Pick<ModelRepository, 'population'>>,
    ttlMs = 10_000,
    elapsed: () => number = () => performance.now(),
    missTtlMs = Math.min(ttlMs, 1_000),
  ) {
    this.model = new RefreshingValue(
      async (held) => {
        const pointer = await repository.currentPointer();
        if (!pointer) return undefined;
        const model =
          pointer.version === held?.version ? held : ((await repository.load(pointer.version)) ?? held);
        if (!model || this.counted.has(model) || !repository.population) return model;
        const counts = await repository.population(model);
        if (!counts) return model;
        const sized = withPopulation(model, counts);
        this.counted.add(sized);
        return sized;
      },
      ttlMs,
      elapsed,
      missTtlMs,
    );
  }

  get(): Promise<SegmentModel | undefined> {
    return this.model.get();
  }

  /** Whether a model `get` answered carries population sizes (else the training estimates). */
  hasPopulation(model: SegmentModel): boolean {
    return this.counted.has(model);
  }
}
