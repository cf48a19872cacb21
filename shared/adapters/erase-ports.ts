import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '#shared/contract/environment';
import { type Clock, systemClock } from '#shared/kernel/ports/clock';
import { DynamoDbAssignmentStore } from './dynamodb-assignment-store';
import { documentClient } from './dynamodb-client';
import { DynamoDbEventLedger } from './dynamodb-event-ledger';
import { DynamoDbProfileStore } from './dynamodb-profile-store';
import { type RuntimeConfig, requiredKey } from './runtime-config';

/** The assignments table (segment history, and the stamp it keeps on the profile). */
export const assignmentStore = (
  config: RuntimeConfig,
  client: DynamoDBDocumentClient = documentClient(config.endpoints),
): DynamoDbAssignmentStore =>
  new DynamoDbAssignmentStore(
    client,
    requiredKey(config.assignmentsTable, ENV.assignmentsTable),
    config.profilesTable,
  );

/**
 * What an erase deletes from: profiles, the ledger and the history. Only the admin function
 * holds these. The clock only dates ledger writes, which an erase does not make.
 */
export const erasePorts = (
  config: RuntimeConfig,
  client: DynamoDBDocumentClient = documentClient(config.endpoints),
  clock: Clock = systemClock,
) => ({
  profiles: new DynamoDbProfileStore(client, config.profilesTable),
  ledger: new DynamoDbEventLedger(client, config.eventsTable, clock, config.eventRetentionDays),
  history: assignmentStore(config, client),
});
