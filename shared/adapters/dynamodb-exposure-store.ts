import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { PolicyGroup } from '#shared/activation/domain/holdout';
import type { Exposure, ExposureSample, ExposureStore } from '#shared/activation/ports/exposure-store';
import { byExposureIndex } from '#shared/contract/tables';
import { murmur3_32 } from '#shared/kernel/hash';

/** Unrelated to the holdout draw's seed (the policy version's hash), so the sample is blind to groups. */
const SAMPLE_SEED = 0x6c1f7e3d;
/**
 * One index partition per shard and version, so that a busy version's first lookups spread over
 * several partitions. The shard is the hash's top bits: shard 0 holds the lowest hashes, so
 * reading shards in order reads the lowest hashes first.
 */
const SHARD_BITS = 3;
const SHARDS = 2 ** SHARD_BITS;

const sampleHash = (shopperId: string): number => murmur3_32(shopperId, SAMPLE_SEED);
const versionKey = (segmentId: string, version: string, shard: number) => `${segmentId}#${version}#${shard}`;

/**
 * Exposures in the assignments table: the item sits in the shopper's own partition (`pk` the
 * shopper, sk `x#<segment>#<version>`), so the conditional put is per shopper and erasing the
 * shopper's partition erases it too; the sparse index byExposure lists a version's exposures.
 */
export class DynamoDbExposureStore implements ExposureStore {
  /**
   * Exposures this process has seen stored: a repeat lookup skips the conditional put, which
   * would fail but still cost a write unit. Bounded; forgetting only costs that write again.
   */
  private readonly stored = new Set<string>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly assignmentsTable: string,
    private readonly rememberAtMost = 100_000,
  ) {}

  async recordFirst(exposure: Exposure): Promise<void> {
    const key = `${exposure.policyVersion}\u0000${exposure.shopperId}`;
    if (this.stored.has(key)) return;
    await this.put(exposure);
    if (this.stored.size >= this.rememberAtMost) this.stored.clear();
    this.stored.add(key);
  }

  private async put(exposure: Exposure): Promise<void> {
    const hash = sampleHash(exposure.shopperId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.assignmentsTable,
          Item: {
            pk: exposure.shopperId,
            sk: `x#${exposure.segmentId}#${exposure.policyVersion}`,
            xv: versionKey(exposure.segmentId, exposure.policyVersion, hash >>> (32 - SHARD_BITS)),
            xk: `${hash.toString(16).padStart(8, '0')}#${exposure.shopperId}`,
            group: exposure.group,
            at: exposure.at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // The first exposure is kept as it was: later lookups never move a shopper.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async sample(segmentId: string, policyVersion: string, limit: number): Promise<ExposureSample> {
    const exposures: Exposure[] = [];
    for (let shard = 0; shard < SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page: QueryCommandOutput = await this.client.send(
          new QueryCommand({
            TableName: this.assignmentsTable,
            IndexName: byExposureIndex.name,
            KeyConditionExpression: 'xv = :v',
            ExpressionAttributeValues: { ':v': versionKey(segmentId, policyVersion, shard) },
            ExclusiveStartKey: start,
            Limit: limit - exposures.length,
          }),
        );
        for (const item of page.Items ?? [])
          exposures.push({
            shopperId: String(item.pk),
            segmentId,
            policyVersion,
            group: item.group as PolicyGroup,
            at: String(item.at),
          });
        start = page.LastEvaluatedKey;
        if (exposures.length >= limit) return { exposures, complete: false };
      } while (start);
    }
    return { exposures, complete: true };
  }
}
