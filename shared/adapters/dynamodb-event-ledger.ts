import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ShopperEvent } from '../domain/shopper-event';
import type { Clock } from '../ports/clock';
import type { EventLedger, LedgerItem } from '../ports/event-ledger';

const GET_BATCH = 100;
const WRITE_BATCH = 25;
const MAX_ROUNDS = 8;

/** Unprocessed items left after every retry: the request must fail so the client resends. */
export class LedgerIncompleteError extends Error {
  override readonly name = 'LedgerIncompleteError';
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (round: number) => pause(Math.min(1000, 20 * 2 ** round) * (0.5 + Math.random() / 2));

/**
 * The event ledger in the events table: `pk` = shopper id, `sk` = ledger key. Items expire
 * (`expiresAt`, DynamoDB TTL) after the configured retention, which is the dedupe horizon.
 */
export class DynamoDbEventLedger implements EventLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {}

  async find(shopperId: string, keys: readonly string[]): Promise<Map<string, LedgerItem>> {
    const found = new Map<string, LedgerItem>();
    for (let i = 0; i < keys.length; i += GET_BATCH) {
      let request: Record<string, unknown>[] | undefined = keys
        .slice(i, i + GET_BATCH)
        .map((sk) => ({ pk: shopperId, sk }));
      for (let round = 0; request && request.length > 0; round++) {
        if (round >= MAX_ROUNDS) throw new LedgerIncompleteError('ledger read not completed');
        if (round > 0) await backoff(round);
        const out: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const parsed = fromItem(item);
          found.set(parsed.key, parsed);
        }
        request = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async write(items: readonly LedgerItem[]): Promise<void> {
    const expiresAt = Math.floor(this.clock.now().getTime() / 1000) + this.retentionDays * 86_400;
    for (let i = 0; i < items.length; i += WRITE_BATCH) {
      let request: unknown[] | undefined = items
        .slice(i, i + WRITE_BATCH)
        .map((item) => ({ PutRequest: { Item: toItem(item, expiresAt) } }));
      for (let round = 0; request && request.length > 0; round++) {
        if (round >= MAX_ROUNDS) throw new LedgerIncompleteError('ledger write not completed');
        if (round > 0) await backoff(round);
        const out: BatchWriteCommandOutput = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: request as never } }),
        );
        request = out.UnprocessedItems?.[this.tableName];
      }
    }
  }
}

const toItem = (item: LedgerItem, expiresAt: number): Record<string, unknown> =>
  item.kind === 'event'
    ? { pk: item.shopperId, sk: item.key, kind: 'event', event: item.event, expiresAt }
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
  return { kind: 'event', shopperId, key, event: item.event as ShopperEvent };
};
