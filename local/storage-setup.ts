/** Creates the stack's tables and bucket on the emulators, from the same definitions as infra/. */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TableDefinition } from '../shared/tables';

export const ensureTables = async (
  client: DynamoDBClient,
  definitions: readonly { def: TableDefinition; name: string }[],
): Promise<void> => {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);

  for (const { def, name } of definitions) {
    if (existing.has(name)) continue;
    const keys = [def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])];
    const KeySchema: KeySchemaElement[] = keys.map((k, i) => ({
      AttributeName: k.name,
      KeyType: i === 0 ? 'HASH' : 'RANGE',
    }));
    const AttributeDefinitions: AttributeDefinition[] = keys.map((k) => ({
      AttributeName: k.name,
      AttributeType: k.type,
    }));
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema,
        AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
};

export const ensureBucket = async (client: S3Client, bucket: string): Promise<void> => {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
};
