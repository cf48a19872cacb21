import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import type { Profile } from '#shared/ingestion/domain/profile';
import type {
  PendingLedger,
  PendingOrder,
  ProfileEraser,
  ProfileStore,
  StoredProfile,
  StoredRecord,
} from '#shared/ingestion/ports/profile-store';
import { batchGetAll } from './dynamodb-batch';

/**
 * Profiles as one item each: the profile's fields at the top level (so a snapshot Scan can
 * project them), plus `pk`, the lock version `v`, the pending ledger keys `pending` and the
 * pending order markers `pendingOrders`.
 */
export class DynamoDbProfileStore implements ProfileStore, ProfileEraser, ProfileRecords {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(shopperId: string): Promise<StoredProfile | undefined> {
    const record = await this.getRecord(shopperId);
    return record?.kind === 'profile' ? record : undefined;
  }

  async getRecord(shopperId: string): Promise<StoredRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: shopperId }, ConsistentRead: true }),
    );
    return Item ? recordFromItem(Item) : undefined;
  }

  /** Eventually consistent BatchGets: reports over many shoppers, not the write path. */
  async getRecords(shopperIds: readonly string[]): Promise<Map<string, StoredRecord>> {
    const unique = [...new Set(shopperIds)];
    const items = await batchGetAll(
      this.client,
      this.tableName,
      unique.map((pk) => ({ pk })),
      false,
    );
    return new Map(items.map((item) => [String(item.pk), recordFromItem(item)]));
  }

  put(
    profile: Profile,
    pending: PendingLedger,
    expectedVersion: number | undefined,
    linking: readonly string[] = [],
  ): Promise<boolean> {
    return this.conditionalPut(
      toItem(profile, (expectedVersion ?? 0) + 1, pending, linking),
      expectedVersion,
    );
  }

  /** The link keeps no segment (so no bySegment entry) and no profile fields a Scan would read. */
  putLink(
    shopperId: string,
    link: { readonly mergedInto: string; readonly folded?: Profile },
    expectedVersion: number | undefined,
  ): Promise<boolean> {
    const folded = link.folded ? { folded: link.folded } : {};
    const item = { pk: shopperId, v: (expectedVersion ?? 0) + 1, mergedInto: link.mergedInto, ...folded };
    return this.conditionalPut(item, expectedVersion);
  }

  private async conditionalPut(item: Record<string, unknown>, expectedVersion: number | undefined) {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ...versionCondition(expectedVersion) }),
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
const toItem = (
  profile: Profile,
  version: number,
  pending: PendingLedger,
  linking: readonly string[],
): Record<string, unknown> => ({
  ...profile,
  pk: profile.shopperId,
  v: version,
  pending: [...pending.keys],
  ...(pending.orders.length > 0 ? { pendingOrders: [...pending.orders] } : {}),
  ...(linking.length > 0 ? { linking: [...linking] } : {}),
  ...(profile.segment ? { segmentId: profile.segment.id } : {}),
});

/** A link item (identity stitching) rather than a profile: a Scan of profiles passes over it. */
export const isLinkItem = (item: Record<string, unknown>): boolean => typeof item.mergedInto === 'string';

export const fromItem = (item: Record<string, unknown>): StoredProfile => {
  const { pk: _pk, v, pending, pendingOrders, linking, segmentId: _segmentId, ...profile } = item;
  return {
    profile: profile as unknown as Profile,
    version: Number(v),
    pending: {
      keys: (pending as string[] | undefined) ?? [],
      orders: (pendingOrders as PendingOrder[] | undefined) ?? [],
    },
    ...(Array.isArray(linking) && linking.length > 0 ? { linking: linking as string[] } : {}),
  };
};

const recordFromItem = (item: Record<string, unknown>): StoredRecord =>
  isLinkItem(item)
    ? {
        kind: 'link',
        mergedInto: item.mergedInto as string,
        version: Number(item.v),
        ...(item.folded ? { folded: item.folded as Profile } : {}),
      }
    : { kind: 'profile', ...fromItem(item) };
