/**
 * Lambda `retrain-index`: one item of the "Index parts" Distributed Map: reads one snapshot part,
 * scores its shoppers against the trained (not yet promoted) model and writes the part's
 * recommendation index partial under the model (a retry overwrites it). Answers counts only.
 */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { writeIndexPart } from '#shared/recommendations/usecases/build-index/index-parts';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';

// One item of the "Index parts" map: a part of the snapshot's parts list and the trained model's
// version from the train function's answer (the map's ItemSelector).
const input = z.object({
  part: z.object({ key: z.string(), rows: z.number(), bytes: z.number(), sha256: z.string() }),
  modelVersion: z.string(),
});

export interface IndexHandlerRuntime {
  readonly ports: { readonly objects: ObjectStore };
}

export const createIndexHandler = (runtime: IndexHandlerRuntime) => {
  const { ports } = runtime;
  // A container runs many items of the same run: the model is loaded once per version.
  const models = new Map<string, SegmentModel>();
  return async (event: unknown) => {
    const { part, modelVersion } = input.parse(event);
    let model = models.get(modelVersion);
    if (!model) {
      model = await new ModelRepository(ports.objects).load(modelVersion);
      if (!model) throw new Error(`model ${modelVersion} not found`);
      models.set(modelVersion, model);
    }
    return writeIndexPart(ports.objects, part, model);
  };
};

let cached: ReturnType<typeof createIndexHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets, wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) cached = createIndexHandler({ ports: jobRuntimeFromEnv('retrain-index').ports });
  return cached(event);
};
