import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BUCKET_PREFIXES, type KeyType, type TableDefinition } from '#shared/contract/index';

const attributeType: Record<KeyType, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
};

const key = (k: { name: string; type: KeyType }): dynamodb.Attribute => ({
  name: k.name,
  type: attributeType[k.type],
});

/** Builds a table from its shared definition so the stack and the local runtime cannot drift apart. */
export const createTable = (
  scope: Construct,
  def: TableDefinition,
  prod: boolean,
  stream?: dynamodb.StreamViewType,
): dynamodb.Table => {
  const table = new dynamodb.Table(scope, def.id, {
    ...(stream ? { stream } : {}),
    partitionKey: key(def.partitionKey),
    sortKey: def.sortKey && key(def.sortKey),
    timeToLiveAttribute: def.ttlAttribute,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    deletionProtection: prod,
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  for (const index of def.indexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: key(index.partitionKey),
      ...(index.sortKey ? { sortKey: key(index.sortKey) } : {}),
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...index.include],
    });
  }
  return table;
};

export const createDataBucket = (
  scope: Construct,
  id: string,
  prod: boolean,
  snapshotRetentionDays: number,
): s3.Bucket =>
  new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // Snapshots and models can be rebuilt from the tables, so versioning would only add cost.
    versioned: false,
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    // Lets a dev stack be torn down in one step; never in prod.
    autoDeleteObjects: !prod,
    lifecycleRules: [
      // Snapshots copy every profile: they expire, which also bounds how long an erased shopper
      // can survive in them. Models, runs and policies are small and kept.
      {
        id: 'ExpireSnapshots',
        prefix: BUCKET_PREFIXES.snapshots,
        expiration: Duration.days(snapshotRetentionDays),
      },
      { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  });
