import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Assignment, AssignmentStore, SegmentChange } from '../ports/assignment-store';
import { batchGetAll, batchPutAll } from './dynamodb-batch';

const CURRENT = 'current';
const historyKey = (change: SegmentChange) => `h#${change.at}#${change.modelVersion}#${change.to.id}`;

export class DynamoDbAssignmentStore implements AssignmentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getMany(shopperIds: readonly string[]): Promise<Map<string, Assignment>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      [...new Set(shopperIds)].map((pk) => ({ pk, sk: CURRENT })),
      false,
    );
    return new Map(
      items.map((item) => [
        String(item.pk),
        {
          shopperId: String(item.pk),
          segment: { id: String(item.segmentId), name: String(item.segmentName) },
          modelVersion: String(item.modelVersion),
          since: String(item.since),
        },
      ]),
    );
  }

  async record(changes: readonly SegmentChange[]): Promise<void> {
    await batchPutAll(
      this.client,
      this.tableName,
      changes.map((c) => ({
        pk: c.shopperId,
        sk: historyKey(c),
        fromId: c.from?.id ?? null,
        fromName: c.from?.name ?? null,
        toId: c.to.id,
        toName: c.to.name,
        at: c.at,
        reason: c.reason,
        modelVersion: c.modelVersion,
      })),
    );
    await batchPutAll(
      this.client,
      this.tableName,
      changes.map((c) => ({
        pk: c.shopperId,
        sk: CURRENT,
        segmentId: c.to.id,
        segmentName: c.to.name,
        modelVersion: c.modelVersion,
        since: c.at,
      })),
    );
  }

  async history(shopperId: string): Promise<SegmentChange[]> {
    const changes: SegmentChange[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
          ExpressionAttributeValues: { ':pk': shopperId, ':h': 'h#' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        changes.push({
          shopperId,
          from: item.fromId ? { id: String(item.fromId), name: String(item.fromName) } : null,
          to: { id: String(item.toId), name: String(item.toName) },
          at: String(item.at),
          reason: item.reason === 'behaviour' ? 'behaviour' : 'retrain',
          modelVersion: String(item.modelVersion),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return changes;
  }
}
