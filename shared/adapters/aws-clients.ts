import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
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

export const s3Client = (endpoints: Endpoints = {}): S3Client =>
  new S3Client({
    ...(endpoints.s3
      ? {
          endpoint: endpoints.s3,
          forcePathStyle: true,
          region: endpoints.region ?? 'us-east-1',
          // s3rver's fixed credentials; without WHEN_REQUIRED streamed uploads are stored corrupted.
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
  });
