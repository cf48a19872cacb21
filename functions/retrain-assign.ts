/** Lambda `retrain-assign`: one Distributed Map item, re-assigning the shoppers of one snapshot part
 * and publishing their "Segment Changed" events. */
import * as z from 'zod';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { jobRuntimeFromEnv, type RetrainServicePorts } from '#shared/adapters/retrain-ports';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { reassignPart } from '#shared/segmentation/usecases/reassign-part/reassign-part';

// One item of the train function's `assign` list, as the Distributed Map hands it over.
const input = z.object({
  part: z.object({ key: z.string(), rows: z.number(), bytes: z.number(), sha256: z.string() }),
  modelVersion: z.string(),
  at: z.string(),
});

let ports: (RetrainServicePorts & { publisher: SegmentChangePublisher }) | undefined;
const models = new Map<string, SegmentModel>();

export const handler = async (event: unknown) => {
  ports ??= (() => {
    const runtime = jobRuntimeFromEnv('retrain-assign');
    return { ...runtime.ports, publisher: segmentChangeBus(runtime.config) };
  })();
  const { part, modelVersion, at } = input.parse(event);
  let model = models.get(modelVersion);
  if (!model) {
    model = await new ModelRepository(ports.objects).load(modelVersion);
    if (!model) throw new Error(`model ${modelVersion} not found`);
    models.set(modelVersion, model);
  }
  return reassignPart(ports, part, model, at);
};
