/**
 * Lambda `rescore`: driven by the profiles table's DynamoDB stream (keys only), re-scores the
 * shoppers whose profiles changed so that a segment change is recorded and announced within
 * seconds of the behaviour. Its own stamp writes come back through the stream and find no
 * change, so it settles after one round.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbAssignmentStore } from '../shared/adapters/dynamodb-assignment-store';
import { documentClient } from '../shared/adapters/dynamodb-client';
import { EventBridgePublisher } from '../shared/adapters/eventbridge-publisher';
import { requiredKey, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { s3Client } from '../shared/adapters/s3-client';
import { S3ObjectStore } from '../shared/adapters/s3-object-store';
import { servicePorts } from '../shared/adapters/service-ports';
import { CurrentModel } from '../shared/usecases/lookup/current-model';
import { type RescorePorts, rescoreShoppers } from '../shared/usecases/lookup/rescore-shoppers';
import { ModelRepository } from '../shared/usecases/models/model-repository';

let ports: RescorePorts | undefined;

const wire = (): RescorePorts => {
  const config = runtimeConfigFromEnv();
  const client = documentClient(config.endpoints);
  const base = servicePorts(config, 'rescore', client);
  return {
    ...base,
    model: new CurrentModel(
      new ModelRepository(
        new S3ObjectStore(s3Client(config.endpoints), requiredKey(config.dataBucket, 'DATA_BUCKET')),
      ),
    ),
    assignments: new DynamoDbAssignmentStore(
      client,
      requiredKey(config.assignmentsTable, 'ASSIGNMENTS_TABLE'),
      config.profilesTable,
    ),
    publisher: new EventBridgePublisher(
      new EventBridgeClient({}),
      requiredKey(process.env.EVENT_BUS_NAME, 'EVENT_BUS_NAME'),
    ),
  };
};

export const handler = async (event: DynamoDBStreamEvent) => {
  ports ??= wire();
  const ids = event.Records.filter((r) => r.eventName !== 'REMOVE')
    .map((r) => r.dynamodb?.Keys?.pk?.S)
    .filter((id): id is string => typeof id === 'string');
  const result = await rescoreShoppers(ids, ports);
  ports.logger.info('re-scored', { records: event.Records.length, ...result });
  return result;
};
