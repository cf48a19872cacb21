/** Creates the stack's tables and bucket on the emulators, from the same definitions as infra/. */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TableDefinition } from '#shared/contract/tables';

type KeyDef = TableDefinition['partitionKey'];

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
    const keySchema = (pk: KeyDef, sk?: KeyDef): KeySchemaElement[] => [
      { AttributeName: pk.name, KeyType: 'HASH' },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
    const indexes = def.indexes ?? [];
    const attributes = new Map<string, AttributeDefinition>();
    for (const k of [def.partitionKey, def.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])])
      if (k) attributes.set(k.name, { AttributeName: k.name, AttributeType: k.type });
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: keySchema(def.partitionKey, def.sortKey),
        AttributeDefinitions: [...attributes.values()],
        BillingMode: 'PAY_PER_REQUEST',
        ...(indexes.length > 0
          ? {
              GlobalSecondaryIndexes: indexes.map((i) => ({
                IndexName: i.name,
                KeySchema: keySchema(i.partitionKey, i.sortKey),
                Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...i.include] },
              })),
            }
          : {}),
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
