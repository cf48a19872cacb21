import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

const GET_BATCH = 100;
const WRITE_BATCH = 25;
const MAX_ROUNDS = 8;

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

/** BatchWriteItem puts over any number of items, retrying unprocessed items with backoff. */
export const batchPutAll = async (
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> => {
  for (let i = 0; i < items.length; i += WRITE_BATCH) {
    let request: unknown[] | undefined = items
      .slice(i, i + WRITE_BATCH)
      .map((Item) => ({ PutRequest: { Item } }));
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
