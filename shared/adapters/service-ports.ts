import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AssignmentStore } from '../ports/assignment-store';
import { type Clock, clockFromEnv } from '../ports/clock';
import type { EventLedger } from '../ports/event-ledger';
import type { ObjectStore } from '../ports/object-store';
import type { ProfileScanner } from '../ports/profile-scanner';
import type { ProfileStore } from '../ports/profile-store';
import { documentClient, s3Client } from './aws-clients';
import { DynamoDbAssignmentStore } from './dynamodb-assignment-store';
import { DynamoDbEventLedger } from './dynamodb-event-ledger';
import { DynamoDbProfileScanner } from './dynamodb-profile-scanner';
import { DynamoDbProfileStore } from './dynamodb-profile-store';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from './json-logger';
import type { RuntimeConfig } from './runtime-config';
import { S3ObjectStore } from './s3-object-store';

/** The real adapters, built once per process (Lambda container or local server). */
export interface ServicePorts {
  readonly profiles: ProfileStore;
  readonly ledger: EventLedger;
  readonly clock: Clock;
  readonly logger: JsonLogger;
}

export const servicePorts = (
  config: RuntimeConfig,
  service: string,
  client: DynamoDBDocumentClient = documentClient(config.endpoints),
): ServicePorts => {
  const clock = clockFromEnv(config.now);
  return {
    profiles: new DynamoDbProfileStore(client, config.profilesTable),
    ledger: new DynamoDbEventLedger(client, config.eventsTable, clock, config.eventRetentionDays),
    clock,
    logger: jsonLogger({ service, level: logLevelFromEnv(config.logLevel) }),
  };
};

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
