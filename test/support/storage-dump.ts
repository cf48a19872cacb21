/**
 * Everything the local service holds, read straight from the emulators: every item of every
 * table and index (as marshalled DynamoDB JSON) and every object of the bucket (as text), so a
 * test can search all of it for a value.
 */
import { gunzipSync } from 'node:zlib';
import {
  type AttributeValue,
  DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { LocalService } from '#local/local-service';
import { bySegmentIndex } from '#shared/contract/tables';

export interface StoredItem {
  readonly table: string;
  readonly index?: string;
  readonly item: Record<string, AttributeValue>;
  /** The marshalled item as JSON: what a string search runs over. */
  readonly text: string;
}

export const dumpTables = async (service: LocalService): Promise<StoredItem[]> => {
  const { config } = service;
  const client = new DynamoDBClient({
    endpoint: config.endpoints.dynamodb,
    region: config.endpoints.region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const sources: { table: string; index?: string }[] = [
    { table: config.profilesTable },
    { table: config.profilesTable, index: bySegmentIndex.name },
    { table: config.eventsTable },
    { table: config.assignmentsTable ?? '' },
  ];
  const out: StoredItem[] = [];
  try {
    for (const { table, index } of sources) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page: ScanCommandOutput = await client.send(
          new ScanCommand({
            TableName: table,
            ...(index ? { IndexName: index } : {}),
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? [])
          out.push({ table, ...(index ? { index } : {}), item, text: JSON.stringify(item) });
        start = page.LastEvaluatedKey;
      } while (start);
    }
  } finally {
    client.destroy();
  }
  return out;
};

/** Every object of the data bucket, decompressed when gzipped. */
export const dumpBucket = async (service: LocalService): Promise<{ key: string; text: string }[]> => {
  const { objects } = service.retrainPorts;
  const out: { key: string; text: string }[] = [];
  for (const key of await objects.list('')) {
    const body = await objects.get(key);
    if (!body) continue;
    const bytes = key.endsWith('.gz') ? gunzipSync(body) : Buffer.from(body);
    out.push({ key, text: bytes.toString('utf8') });
  }
  return out;
};
