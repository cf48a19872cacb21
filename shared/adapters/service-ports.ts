import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventLedger } from '#shared/ingestion/ports/event-ledger';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { type Clock, clockFromEnv } from '#shared/kernel/ports/clock';
import { documentClient } from './dynamodb-client';
import { DynamoDbEventLedger } from './dynamodb-event-ledger';
import { DynamoDbProfileStore } from './dynamodb-profile-store';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from './json-logger';
import type { RuntimeConfig } from './runtime-config';

// The request path's adapters only: the jobs' (S3, scans) are in retrain-ports.ts, so ingest stays light.
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
