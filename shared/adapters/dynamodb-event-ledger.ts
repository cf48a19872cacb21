import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import type { EventLedger, LedgerEraser, LedgerItem } from '#shared/ingestion/ports/event-ledger';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type { Clock } from '#shared/kernel/ports/clock';
import { batchGetAll, batchPutAll, deletePartition } from './dynamodb-batch';

/**
 * The event ledger in the events table: `pk` = shopper id, `sk` = ledger key. Items expire
 * (`expiresAt`, DynamoDB TTL) after the configured retention, which is the dedupe horizon.
 * Erasing a shopper is one partition: Query (keys only) + BatchWriteItem deletes.
 */
export class DynamoDbEventLedger implements EventLedger, LedgerEraser {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {}

  async find(shopperId: string, keys: readonly string[]): Promise<Map<string, LedgerItem>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      keys.map((sk) => ({ pk: shopperId, sk })),
      true,
    );
    return new Map(items.map(fromItem).map((item) => [item.key, item]));
  }

  async findIn(shopperIds: readonly string[], keys: readonly string[]): Promise<Map<string, LedgerItem>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      [...new Set(shopperIds)].flatMap((pk) => [...new Set(keys)].map((sk) => ({ pk, sk }))),
      true,
    );
    const byKey = new Map<string, LedgerItem>();
    const rank = (item: LedgerItem) => shopperIds.indexOf(item.shopperId);
    for (const item of items.map(fromItem)) {
      const seen = byKey.get(item.key);
      if (!seen || rank(item) < rank(seen)) byKey.set(item.key, item);
    }
    return byKey;
  }

  async write(items: readonly LedgerItem[]): Promise<void> {
    const expiresAt = this.expiresAt();
    await batchPutAll(
      this.client,
      this.tableName,
      items.map((item) => toItem(item, expiresAt)),
    );
  }

  /** One conditional PutItem each: used only for the rare receipts of abandoned deliveries. */
  async writeMissing(items: readonly LedgerItem[]): Promise<void> {
    const expiresAt = this.expiresAt();
    await mapWithConcurrency(items, WRITE_CONCURRENCY, async (item) => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(item, expiresAt),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }

  private expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + this.retentionDays * 86_400;
  }

  eraseShopper(shopperId: string): Promise<number> {
    return deletePartition(this.client, this.tableName, shopperId);
  }
}

const WRITE_CONCURRENCY = 8;

const toItem = (item: LedgerItem, expiresAt: number): Record<string, unknown> =>
  item.kind === 'event'
    ? { pk: item.shopperId, sk: item.key, kind: 'event', event: item.event, expiresAt }
    : item.kind === 'receipt'
      ? { pk: item.shopperId, sk: item.key, kind: 'receipt', expiresAt }
      : {
          pk: item.shopperId,
          sk: item.key,
          kind: 'order',
          messageId: item.messageId,
          at: item.at,
          amount: item.amount,
          currency: item.currency,
          expiresAt,
        };

const fromItem = (item: Record<string, unknown>): LedgerItem => {
  const shopperId = String(item.pk);
  const key = String(item.sk);
  if (item.kind === 'order')
    return {
      kind: 'order',
      shopperId,
      key,
      messageId: String(item.messageId),
      at: String(item.at),
      amount: Number(item.amount),
      currency: String(item.currency),
    };
  if (item.kind === 'receipt') return { kind: 'receipt', shopperId, key };
  return { kind: 'event', shopperId, key, event: item.event as ShopperEvent };
};
