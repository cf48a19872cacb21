import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AssignmentStore } from '../ports/assignment-store';
import { type Clock, clockFromEnv } from '../ports/clock';
import type { ObjectStore } from '../ports/object-store';
import type { ProfileScanner } from '../ports/profile-scanner';
import { DynamoDbAssignmentStore } from './dynamodb-assignment-store';
import { documentClient } from './dynamodb-client';
import { DynamoDbProfileScanner } from './dynamodb-profile-scanner';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from './json-logger';
import type { RuntimeConfig } from './runtime-config';
import { s3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';

/** What the snapshot and retrain jobs need on top of the request-path ports. */
export interface RetrainServicePorts {
  readonly objects: ObjectStore;
  readonly scanner: ProfileScanner;
  readonly assignments: AssignmentStore;
  readonly clock: Clock;
  readonly logger: JsonLogger;
}

export const retrainPorts = (
  config: RuntimeConfig,
  service: string,
  client: DynamoDBDocumentClient = documentClient(config.endpoints),
  s3: S3Client = s3Client(config.endpoints),
): RetrainServicePorts => {
  if (!config.assignmentsTable || !config.dataBucket)
    throw new Error('ASSIGNMENTS_TABLE and DATA_BUCKET must be set');
  return {
    objects: new S3ObjectStore(s3, config.dataBucket),
    scanner: new DynamoDbProfileScanner(client, config.profilesTable),
    assignments: new DynamoDbAssignmentStore(client, config.assignmentsTable, config.profilesTable),
    clock: clockFromEnv(config.now),
    logger: jsonLogger({ service, level: logLevelFromEnv(config.logLevel) }),
  };
};
