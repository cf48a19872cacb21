import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '#shared/kernel/concurrency';

const GET_BATCH = 100;
const WRITE_BATCH = 25;
const MAX_ROUNDS = 8;
const DELETE_CONCURRENCY = 8;

/** Unprocessed items left after every retry: the caller must fail so that its client resends. */
export class BatchIncompleteError extends Error {
  override readonly name = 'BatchIncompleteError';
}

const backoff = (round: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** round) * (0.5 + Math.random() / 2)));

/** BatchGetItem over any number of keys, retrying unprocessed keys with backoff. */
export const batchGetAll = async (
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  consistentRead: boolean,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += GET_BATCH) {
    let request: Record<string, unknown>[] | undefined = keys.slice(i, i + GET_BATCH);
    for (let round = 0; request && request.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new BatchIncompleteError(`read of ${table} not completed`);
      if (round > 0) await backoff(round);
      const out: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: request, ConsistentRead: consistentRead } } }),
      );
      items.push(...(out.Responses?.[table] ?? []));
      request = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
};

/** BatchWriteItem over any number of put or delete requests, retrying unprocessed ones with backoff. */
const batchWriteAll = async (
  client: DynamoDBDocumentClient,
  table: string,
  requests: readonly Record<string, unknown>[],
): Promise<void> => {
  for (let i = 0; i < requests.length; i += WRITE_BATCH) {
    let request: unknown[] | undefined = requests.slice(i, i + WRITE_BATCH);
    for (let round = 0; request && request.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new BatchIncompleteError(`write to ${table} not completed`);
      if (round > 0) await backoff(round);
      const out: BatchWriteCommandOutput = await client.send(
        new BatchWriteCommand({ RequestItems: { [table]: request as never } }),
      );
      request = out.UnprocessedItems?.[table];
    }
  }
};

/** BatchWriteItem puts over any number of items, retrying unprocessed items with backoff. */
export const batchPutAll = (
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> =>
  batchWriteAll(
    client,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
  );

/** BatchWriteItem deletes over any number of keys (a missing key is no error), retrying as above. */
export const batchDeleteAll = (
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
): Promise<void> =>
  batchWriteAll(
    client,
    table,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );

/**
 * Deletes every item of one partition (`pk` = the value; tables whose sort key is `sk`): Query
 * for the keys only, a page at a time, and batch-delete each page. Returns how many were
 * deleted. A rerun after a failure deletes what is left, so it is idempotent.
 */
export const deletePartition = async (
  client: DynamoDBDocumentClient,
  table: string,
  pk: string,
): Promise<number> => {
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const keys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < keys.length; i += WRITE_BATCH) chunks.push(keys.slice(i, i + WRITE_BATCH));
    // A keys-only page holds thousands of keys: delete them several requests at a time.
    await mapWithConcurrency(chunks, DELETE_CONCURRENCY, (chunk) => batchDeleteAll(client, table, chunk));
    deleted += keys.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
};
