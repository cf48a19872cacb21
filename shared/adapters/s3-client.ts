// A module of its own so that functions without S3 (ingest, admin) never load @aws-sdk/client-s3 at cold start.
import { S3Client } from '@aws-sdk/client-s3';
import type { Endpoints } from './dynamodb-client';

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
