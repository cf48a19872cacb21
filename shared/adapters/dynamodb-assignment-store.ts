import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { bySegmentIndex } from '#shared/contract/tables';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type {
  AssignmentStore,
  GuardedChange,
  HistoryEraser,
  SegmentChange,
  SegmentMember,
  StampGuard,
} from '#shared/segmentation/ports/assignment-store';
import { batchDeleteAll, batchPutAll, deletePartition } from './dynamodb-batch';

const historyKey = (change: SegmentChange) => `h#${change.at}#${change.modelVersion}#${change.to.id}`;

/** A change recorded without a guard: a live writer whose model predates sequences. */
const UNGUARDED: StampGuard = { modelSequence: 0, source: 'live' };
const STAMP_NAMES = { '#id': 'id', '#ver': 'modelVersion', '#seq': 'modelSequence', '#since': 'since' };
/** DynamoDB rejects names an expression does not use: only those it does. */
const namesIn = (expression: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries({ '#seg': 'segment', '#v': 'v', ...STAMP_NAMES }).filter(([name]) =>
      expression.includes(name),
    ),
  );
// Stamps written before model sequences have none: they count as the earliest model (0).
const OLDER_MODEL = '(attribute_not_exists(#seg.#seq) OR #seg.#seq < :seq)';
const SAME_OR_OLDER_MODEL = '(attribute_not_exists(#seg.#seq) OR #seg.#seq <= :seq)';

/**
 * History in the assignments table; the current segment stamped on the profile item, bumping
 * its version so that a concurrent ingest (which rewrites the whole item) retries instead of
 * overwriting the stamp (and a concurrent erase starts over instead of missing the entry).
 * Stamp writes are conditional on the stamp itself (see StampGuard), so that a writer holding
 * an older model, or an older profile, cannot undo a newer stamp.
 */
export class DynamoDbAssignmentStore implements AssignmentStore, HistoryEraser {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly assignmentsTable: string,
    private readonly profilesTable: string,
  ) {}

  async record(changes: readonly GuardedChange[]): Promise<readonly SegmentChange[]> {
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
    const stamped = await mapWithConcurrency(changes, 16, (c) => this.stamp(c, c.guard ?? UNGUARDED));
    // Not stamped (erased after the snapshot this change was scored from, or the guard refused
    // it): take the entry back, so that neither an erased shopper nor a stale writer leaves one.
    // A crash before this line leaves the entry until the step's retry (which comes back here)
    // or a repeated erase removes it.
    const refused = new Map(
      changes
        .filter((_, i) => !stamped[i])
        .map((c) => [`${c.shopperId}\u0000${historyKey(c)}`, { pk: c.shopperId, sk: historyKey(c) }]),
    );
    await batchDeleteAll(this.client, this.assignmentsTable, [...refused.values()]);
    return changes.filter((_, i) => stamped[i]).map(({ guard: _guard, ...change }) => change);
  }

  eraseHistory(shopperId: string): Promise<number> {
    return deletePartition(this.client, this.assignmentsTable, shopperId);
  }

  async confirm(
    shopperId: string,
    segmentId: string,
    modelVersion: string,
    modelSequence: number,
  ): Promise<boolean> {
    const update = 'SET #seg.#ver = :ver, #seg.#seq = :seq ADD #v :one';
    const condition = `attribute_exists(pk) AND #seg.#id = :id AND ${OLDER_MODEL}`;
    return this.conditionalUpdate({
      TableName: this.profilesTable,
      Key: { pk: shopperId },
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: namesIn(update + condition),
      ExpressionAttributeValues: { ':id': segmentId, ':ver': modelVersion, ':seq': modelSequence, ':one': 1 },
    });
  }

  /**
   * False when the profile does not exist (erased) or the guard refuses: a compare-and-set on
   * the stamp the writer read (`from`), and never over a stamp of a later model.
   */
  private stamp(change: SegmentChange, guard: StampGuard): Promise<boolean> {
    const expected = change.from ? '#seg.#id = :fromId' : 'attribute_not_exists(#seg)';
    const model = guard.source === 'live' ? SAME_OR_OLDER_MODEL : OLDER_MODEL;
    // A re-run of a reassignment part finds its own stamp: rewriting it (and announcing it
    // again) is how a change whose announcement was lost gets announced.
    const rerun = '(#seg.#ver = :ver AND #seg.#id = :toId AND #seg.#since = :at)';
    const guarded =
      guard.source === 'live' ? `(${expected} AND ${model})` : `((${expected} AND ${model}) OR ${rerun})`;
    const update = 'SET #seg = :seg, segmentId = :toId ADD #v :one';
    const condition = `attribute_exists(pk) AND ${guarded}`;
    return this.conditionalUpdate({
      TableName: this.profilesTable,
      Key: { pk: change.shopperId },
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: namesIn(update + condition),
      ExpressionAttributeValues: {
        ':seg': {
          id: change.to.id,
          name: change.to.name,
          since: change.at,
          modelVersion: change.modelVersion,
          modelSequence: guard.modelSequence,
        },
        ':toId': change.to.id,
        ':seq': guard.modelSequence,
        ':one': 1,
        ...(change.from ? { ':fromId': change.from.id } : {}),
        ...(guard.source === 'snapshot' ? { ':ver': change.modelVersion, ':at': change.at } : {}),
      },
    });
  }

  private async conditionalUpdate(input: UpdateCommandInput): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand(input));
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
