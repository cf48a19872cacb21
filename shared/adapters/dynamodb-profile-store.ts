import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Profile } from '#shared/ingestion/domain/profile';
import type {
  PendingLedger,
  PendingOrder,
  ProfileEraser,
  ProfileStore,
  StoredProfile,
} from '#shared/ingestion/ports/profile-store';

/**
 * Profiles as one item each: the profile's fields at the top level (so a snapshot Scan can
 * project them), plus `pk`, the lock version `v`, the pending ledger keys `pending` and the
 * pending order markers `pendingOrders`.
 */
export class DynamoDbProfileStore implements ProfileStore, ProfileEraser {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(shopperId: string): Promise<StoredProfile | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: shopperId }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async put(profile: Profile, pending: PendingLedger, expectedVersion: number | undefined): Promise<boolean> {
    const version = (expectedVersion ?? 0) + 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(profile, version, pending),
          ...versionCondition(expectedVersion),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** One conditional DeleteItem (the bySegment index entry goes with the item). */
  async deleteIfUnchanged(shopperId: string, expectedVersion: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: shopperId },
          ...versionCondition(expectedVersion),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The item is still at the version read (or, for undefined, there still is none). */
const versionCondition = (expectedVersion: number | undefined) =>
  expectedVersion === undefined
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'v' },
        ExpressionAttributeValues: { ':v': expectedVersion },
      };

/** `segmentId` is derived from the stamp: the key of the sparse bySegment index. */
const toItem = (profile: Profile, version: number, pending: PendingLedger): Record<string, unknown> => ({
  ...profile,
  pk: profile.shopperId,
  v: version,
  pending: [...pending.keys],
  ...(pending.orders.length > 0 ? { pendingOrders: [...pending.orders] } : {}),
  ...(profile.segment ? { segmentId: profile.segment.id } : {}),
});

export const fromItem = (item: Record<string, unknown>): StoredProfile => {
  const { pk: _pk, v, pending, pendingOrders, segmentId: _segmentId, ...profile } = item;
  return {
    profile: profile as unknown as Profile,
    version: Number(v),
    pending: {
      keys: (pending as string[] | undefined) ?? [],
      orders: (pendingOrders as PendingOrder[] | undefined) ?? [],
    },
  };
};
