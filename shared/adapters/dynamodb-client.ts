import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where the local runtime points the SDK; absent in Lambda, where the defaults apply. */
export interface Endpoints {
  readonly dynamodb?: string;
  readonly s3?: string;
  readonly region?: string;
}

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const documentClient = (endpoints: Endpoints = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(endpoints.region ? { region: endpoints.region } : {}),
      ...(endpoints.dynamodb
        ? { endpoint: endpoints.dynamodb, credentials: localCredentials, region: endpoints.region ?? 'local' }
        : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
