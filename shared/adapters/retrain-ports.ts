import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import { ENV } from '#shared/contract/environment';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { type Clock, clockFromEnv } from '#shared/kernel/ports/clock';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { AssignmentStore } from '#shared/segmentation/ports/assignment-store';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { documentClient } from './dynamodb-client';
import { DynamoDbExposureStore } from './dynamodb-exposure-store';
import { DynamoDbProfileScanner } from './dynamodb-profile-scanner';
import { DynamoDbProfileStore } from './dynamodb-profile-store';
import { assignmentStore } from './erase-ports';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from './json-logger';
import { type EnvironmentConfig, type RuntimeConfig, runtimeConfigFromEnv } from './runtime-config';
import { s3Client } from './s3-client';
import { S3ObjectStore } from './s3-object-store';
import { type ServicePorts, servicePorts } from './service-ports';

/** What the snapshot and retrain jobs need on top of the request-path ports. */
export interface RetrainServicePorts {
  readonly objects: ObjectStore;
  readonly scanner: ProfileScanner;
  readonly assignments: AssignmentStore;
  /** The record step's policy lift check reads exposures and the exposed shoppers' profiles. */
  readonly exposures: ExposureStore;
  readonly profileRecords: ProfileRecords & Pick<ProfileStore, 'getRecord'>;
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
    throw new Error(`${ENV.assignmentsTable} and ${ENV.dataBucket} must be set`);
  return {
    objects: new S3ObjectStore(s3, config.dataBucket),
    scanner: new DynamoDbProfileScanner(client, config.profilesTable),
    assignments: assignmentStore(config, client),
    exposures: new DynamoDbExposureStore(client, config.assignmentsTable),
    profileRecords: new DynamoDbProfileStore(client, config.profilesTable),
    clock: clockFromEnv(config.now),
    logger: jsonLogger({ service, level: logLevelFromEnv(config.logLevel) }),
  };
};

/** A job function's configuration, read once from its environment, and the adapters built on it. */
export interface JobRuntime {
  readonly config: EnvironmentConfig;
  readonly ports: RetrainServicePorts;
  /** The request path's adapters on the same DynamoDB client (rescore reads profiles). */
  readonly servicePorts: ServicePorts;
}

/**
 * The composition root of the jobs (rescore, retrain-snapshot, -train, -assign, -record, -drift):
 * the environment the stack sets (names: shared/contract/environment.ts) read in one place, and
 * the adapters on it. Publishing ones add segmentChangeBus(config) (./segment-change-bus.ts). Each
 * job's `handler` hands these to its `create…Handler`, as the local runner hands its own ports.
 */
export const jobRuntimeFromEnv = (service: string, env: NodeJS.ProcessEnv = process.env): JobRuntime => {
  const config = runtimeConfigFromEnv(env);
  const client = documentClient(config.endpoints);
  return {
    config,
    ports: retrainPorts(config, service, client),
    servicePorts: servicePorts(config, service, client),
  };
};
