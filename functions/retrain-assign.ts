/** Lambda `retrain-assign`: one Distributed Map item, re-assigning the shoppers of one snapshot part
 * and publishing their "Segment Changed" events. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { EventBridgePublisher } from '../shared/adapters/eventbridge-publisher';
import { retrainPorts } from '../shared/adapters/retrain-ports';
import { requiredKey, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import type { SegmentModel } from '../shared/domain/segment-model';
import { ModelRepository } from '../shared/usecases/models/model-repository';
import { reassignPart } from '../shared/usecases/retrain/reassign-part';

const input = z.object({
  part: z.object({ key: z.string(), rows: z.number(), bytes: z.number(), sha256: z.string() }),
  modelVersion: z.string(),
  at: z.string(),
});

let ports: (ReturnType<typeof retrainPorts> & { publisher: EventBridgePublisher }) | undefined;
const models = new Map<string, SegmentModel>();

export const handler = async (event: unknown) => {
  ports ??= {
    ...retrainPorts(runtimeConfigFromEnv(), 'retrain-assign'),
    publisher: new EventBridgePublisher(
      new EventBridgeClient({}),
      requiredKey(process.env.EVENT_BUS_NAME, 'EVENT_BUS_NAME'),
    ),
  };
  const { part, modelVersion, at } = input.parse(event);
  let model = models.get(modelVersion);
  if (!model) {
    model = await new ModelRepository(ports.objects).load(modelVersion);
    if (!model) throw new Error(`model ${modelVersion} not found`);
    models.set(modelVersion, model);
  }
  return reassignPart(ports, part, model, at);
};
