import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AssignmentStore, HistoryEraser, SegmentChange, SegmentMember } from '../ports/assignment-store';
import { bySegmentIndex } from '../tables';
import { mapWithConcurrency } from '../usecases/concurrency';
import { batchDeleteAll, batchPutAll, deletePartition } from './dynamodb-batch';

const historyKey = (change: SegmentChange) => `h#${change.at}#${change.modelVersion}#${change.to.id}`;

/**
 * History in the assignments table; the current segment stamped on the profile item, bumping
 * its version so that a concurrent ingest (which rewrites the whole item) retries instead of
 * overwriting the stamp (and a concurrent erase starts over instead of missing the entry).
 */
export class DynamoDbAssignmentStore implements AssignmentStore, HistoryEraser {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly assignmentsTable: string,
    private readonly profilesTable: string,
  ) {}

  async record(changes: readonly SegmentChange[]): Promise<readonly SegmentChange[]> {
    await batchPutAll(
      this.client,
      this.assignmentsTable,
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
    const stamped = await mapWithConcurrency(changes, 16, (c) => this.stamp(c));
    // No profile (erased after the snapshot this change was scored from): take the entry back,
    // so that nothing of an erased shopper is left. A crash before this line leaves the entry
    // until the step's retry (which comes back here) or a repeated erase removes it.
    const erased = new Map(
      changes
        .filter((_, i) => !stamped[i])
        .map((c) => [`${c.shopperId}\u0000${historyKey(c)}`, { pk: c.shopperId, sk: historyKey(c) }]),
    );
    await batchDeleteAll(this.client, this.assignmentsTable, [...erased.values()]);
    return changes.filter((_, i) => stamped[i]);
  }

  eraseHistory(shopperId: string): Promise<number> {
    return deletePartition(this.client, this.assignmentsTable, shopperId);
  }

  /** False when the profile does not exist (erased). */
  private async stamp(change: SegmentChange): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.profilesTable,
          Key: { pk: change.shopperId },
          UpdateExpression: 'SET #seg = :seg, segmentId = :id ADD #v :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#seg': 'segment', '#v': 'v' },
          ExpressionAttributeValues: {
            ':seg': {
              id: change.to.id,
              name: change.to.name,
              since: change.at,
              modelVersion: change.modelVersion,
            },
            ':id': change.to.id,
            ':one': 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  async members(
    segmentId: string,
    limit: number,
    after?: string,
  ): Promise<{ members: SegmentMember[]; last?: string }> {
    const members: SegmentMember[] = [];
    let start: Record<string, unknown> | undefined = after ? { segmentId, pk: after } : undefined;
    // A page can come back short (1 MB cap), so keep reading until the page is full or the index ends.
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.profilesTable,
          IndexName: bySegmentIndex.name,
          KeyConditionExpression: 'segmentId = :id',
          ExpressionAttributeValues: { ':id': segmentId },
          ExclusiveStartKey: start,
          Limit: limit - members.length,
        }),
      );
      for (const item of page.Items ?? []) {
        const stamp = (item.segment ?? {}) as { since?: unknown; modelVersion?: unknown };
        members.push({
          shopperId: String(item.pk),
          since: String(stamp.since ?? ''),
          modelVersion: String(stamp.modelVersion ?? ''),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start && members.length < limit);
    const last = start ? members.at(-1)?.shopperId : undefined;
    return last === undefined ? { members } : { members, last };
  }

  async history(shopperId: string): Promise<SegmentChange[]> {
    const changes: SegmentChange[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.assignmentsTable,
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
