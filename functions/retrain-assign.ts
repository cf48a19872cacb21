/** Lambda `retrain-assign`: one Distributed Map item, re-assigning the shoppers of one snapshot part
 * and publishing their "Segment Changed" events. */
import * as z from 'zod';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { type ReassignPorts, reassignPart } from '#shared/segmentation/usecases/reassign-part/reassign-part';

// One item of the "Reassign shoppers" map: a part of the snapshot's parts list, with the
// promoted model version and time from the train function's answer (the map's ItemSelector).
const input = z.object({
  part: z.object({ key: z.string(), rows: z.number(), bytes: z.number(), sha256: z.string() }),
  modelVersion: z.string(),
  at: z.string(),
});

export interface AssignHandlerRuntime {
  readonly ports: ReassignPorts;
}

export const createAssignHandler = (runtime: AssignHandlerRuntime) => {
  const { ports } = runtime;
  // A container runs many items of the same run: the model is loaded once per version.
  const models = new Map<string, SegmentModel>();
  return async (event: unknown) => {
    const { part, modelVersion, at } = input.parse(event);
    let model = models.get(modelVersion);
    if (!model) {
      model = await new ModelRepository(ports.objects).load(modelVersion);
      if (!model) throw new Error(`model ${modelVersion} not found`);
      models.set(modelVersion, model);
    }
    return reassignPart(ports, part, model, at);
  };
};

let cached: ReturnType<typeof createAssignHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets (and its bus), wired once per container. */
export const handler = (event: unknown) => {
  if (!cached) {
    const runtime = jobRuntimeFromEnv('retrain-assign');
    cached = createAssignHandler({
      ports: { ...runtime.ports, publisher: segmentChangeBus(runtime.config) },
    });
  }
  return cached(event);
};
