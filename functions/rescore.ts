/**
 * Lambda `rescore`: driven by the profiles table's DynamoDB stream (keys only), re-scores the
 * shoppers whose profiles changed so that a segment change is recorded and announced within
 * seconds of the behaviour. Its own stamp writes come back through the stream and find no
 * change, so it settles after one round.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import {
  type RescorePorts,
  rescoreShoppers,
} from '#shared/segmentation/usecases/rescore-shoppers/rescore-shoppers';

export interface RescoreHandlerRuntime {
  readonly ports: RescorePorts;
}

export const createRescoreHandler =
  ({ ports }: RescoreHandlerRuntime) =>
  async (event: DynamoDBStreamEvent) => {
    const ids = event.Records.filter((r) => r.eventName !== 'REMOVE')
      .map((r) => r.dynamodb?.Keys?.pk?.S)
      .filter((id): id is string => typeof id === 'string');
    const result = await rescoreShoppers(ids, ports);
    ports.logger.info('re-scored', { records: event.Records.length, ...result });
    return result;
  };

let cached: ReturnType<typeof createRescoreHandler> | undefined;

/** Lambda entry: the adapters of the environment the stack sets (and its bus), wired once per container. */
export const handler = (event: DynamoDBStreamEvent) => {
  if (!cached) {
    const runtime = jobRuntimeFromEnv('rescore');
    cached = createRescoreHandler({
      ports: {
        ...runtime.servicePorts,
        model: new CurrentModel(new ModelRepository(runtime.ports.objects)),
        assignments: runtime.ports.assignments,
        publisher: segmentChangeBus(runtime.config),
      },
    });
  }
  return cached(event);
};
